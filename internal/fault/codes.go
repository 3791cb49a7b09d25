package fault

import (
	"context"
	"errors"
)

// Codes that clients read in a refused or failed request's
// extensions.code, from the GraphQL endpoint and from the HTTP guard in
// front of it alike. They are part of the API: clients branch on them, so
// they never change meaning.
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
	// CodeTooLarge: the request body is over the size limit (status 413),
	// or files are over a submission's limit (InputTooLarge);
	// extensions.maxBytes is the limit.
	CodeTooLarge = "REQUEST_TOO_LARGE"
)

// Classify is the one map from an error to what a client sees: its code
// and a message. Messages of invalid-input, not-found, unauthenticated and
// forbidden errors were written for users and are shown as they are;
// everything else gets a fixed message, and the details (SQL, driver
// errors) stay in the log.
func Classify(err error) (code, message string) {
	if _, ok := LimitBytes(err); ok {
		return CodeTooLarge, userMessage(err, ErrInvalidInput)
	}
	switch {
	case errors.Is(err, ErrInvalidInput):
		return CodeBadInput, userMessage(err, ErrInvalidInput)
	case errors.Is(err, ErrNotFound):
		return CodeNotFound, userMessage(err, ErrNotFound)
	case errors.Is(err, ErrUnauthenticated):
		return CodeUnauthenticated, userMessage(err, ErrUnauthenticated)
	case errors.Is(err, ErrForbidden):
		return CodeForbidden, userMessage(err, ErrForbidden)
	case errors.Is(err, ErrTimeout):
		return CodeTooExpensive, "the query ran past its time limit; narrow it (a region, a year) and try again"
	case errors.Is(err, ErrTooLarge):
		return CodeTooExpensive, "the answer would be too large; narrow the query"
	case errors.Is(err, ErrUnavailable):
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
