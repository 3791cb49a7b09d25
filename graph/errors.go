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

// persistedQueryNotFound is gqlgen's (and Apollo's) code for a hash the
// server does not know yet: the client then sends the query with it. The
// codes every refusal shares are fault's (fault.Code*).
const persistedQueryNotFound = "PERSISTED_QUERY_NOT_FOUND"

// presentError is where errors become what clients see, through the one
// map (fault.Classify); the details of internal and unavailable errors
// (SQL, driver errors) go only to the log.
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		var own *gqlerror.Error
		if errors.As(err, &own) && own.Extensions["code"] != nil {
			return gqlErr // gqlgen's own parse, validation and complexity errors
		}
		code, msg := fault.Classify(err)
		if code == fault.CodeInternal || code == fault.CodeUnavailable {
			log.ErrorContext(ctx, "graphql request failed", "path", gqlErr.Path.String(), "code", code, "err", err)
		}
		gqlErr.Message = msg
		if gqlErr.Extensions == nil {
			gqlErr.Extensions = map[string]any{}
		}
		gqlErr.Extensions["code"] = code
		if limit, ok := fault.LimitBytes(err); ok {
			gqlErr.Extensions["maxBytes"] = limit
		}
		return gqlErr
	}
}

// recoverPanic turns a resolver panic into an internal error and logs it.
func recoverPanic(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "graphql resolver panicked", "panic", fmt.Sprint(p))
		return errors.New("internal error")
	}
}
