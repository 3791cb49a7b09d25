package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/sinergi-id/sinergi/internal/fault"
)

// Error codes set in extensions.code. They are part of the API: clients
// branch on them, so they never change meaning.
const (
	CodeBadInput     = "BAD_USER_INPUT"
	CodeNotFound     = "NOT_FOUND"
	CodeUnavailable  = "UNAVAILABLE"
	CodeTooExpensive = "QUERY_TOO_EXPENSIVE"
	CodeInternal     = "INTERNAL"
	// CodeUnauthenticated: no credentials where they are needed, or
	// credentials that are unknown, revoked or expired (status 401).
	CodeUnauthenticated = "UNAUTHENTICATED"
	// CodeForbidden: the caller's role or scope does not allow it (403).
	CodeForbidden = "FORBIDDEN"
	// CodeBadRequest: the HTTP request is not a well-formed GraphQL request
	// (method, Content-Type, JSON shape); the message says what to fix.
	CodeBadRequest = "BAD_REQUEST"
	// CodeTooLarge: the request body is over the size limit (status 413).
	CodeTooLarge = "REQUEST_TOO_LARGE"
	// persistedQueryNotFound is gqlgen's (and Apollo's) code for a hash the
	// server does not know yet: the client then sends the query with it.
	persistedQueryNotFound = "PERSISTED_QUERY_NOT_FOUND"
)

// presentError is the one place errors become what clients see. Messages of
// invalid-input and not-found errors are written for users and shown as they
// are; everything else gets a fixed message, and the details (SQL, driver
// errors) go only to the log.
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		var own *gqlerror.Error
		if errors.As(err, &own) && own.Extensions["code"] != nil {
			return gqlErr // gqlgen's own parse, validation and complexity errors
		}
		code, msg := classify(err)
		if code == CodeInternal || code == CodeUnavailable {
			log.ErrorContext(ctx, "graphql request failed", "path", gqlErr.Path.String(), "code", code, "err", err)
		}
		gqlErr.Message = msg
		if gqlErr.Extensions == nil {
			gqlErr.Extensions = map[string]any{}
		}
		gqlErr.Extensions["code"] = code
		return gqlErr
	}
}

func classify(err error) (code, message string) {
	switch {
	case errors.Is(err, fault.ErrInvalidInput):
		return CodeBadInput, userMessage(err, fault.ErrInvalidInput)
	case errors.Is(err, fault.ErrNotFound):
		return CodeNotFound, userMessage(err, fault.ErrNotFound)
	case errors.Is(err, fault.ErrUnauthenticated):
		return CodeUnauthenticated, userMessage(err, fault.ErrUnauthenticated)
	case errors.Is(err, fault.ErrForbidden):
		return CodeForbidden, userMessage(err, fault.ErrForbidden)
	case errors.Is(err, fault.ErrTimeout):
		return CodeTooExpensive, "the query ran past its time limit; narrow it (a region, a year) and try again"
	case errors.Is(err, fault.ErrTooLarge):
		return CodeTooExpensive, "the answer would be too large; narrow the query"
	case errors.Is(err, fault.ErrUnavailable):
		return CodeUnavailable, "the database is unavailable or not ready; try again shortly"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return CodeUnavailable, "the request was cancelled or timed out"
	}
	return CodeInternal, "internal error"
}

// userMessage returns the message of the innermost error of kind, which was
// written for users, without the operation prefixes added on the way up.
func userMessage(err, kind error) string {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if errors.Is(e, kind) {
			if u := errors.Unwrap(e); u == nil || !errors.Is(u, kind) {
				return e.Error()
			}
		}
	}
	return err.Error()
}

// recoverPanic turns a resolver panic into an internal error and logs it.
func recoverPanic(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "graphql resolver panicked", "panic", fmt.Sprint(p))
		return errors.New("internal error")
	}
}
