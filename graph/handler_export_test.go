package graph

import (
	"log/slog"
	"net/http"
)

// NewHandlerGqlgenEncoded is NewHandler with every answer encoded by
// gqlgen's generated code: the path the hand-written encoders must match.
func NewHandlerGqlgenEncoded(r *Resolver, log *slog.Logger, lim Limits, cache *ResultCache, opts ...HandlerOption) http.Handler {
	return newHandler(r, log, lim, cache, false, opts...)
}

// LargeAnswersEncoded counts the root fields answered by the hand-written
// encoders (so that a test knows they ran).
func LargeAnswersEncoded() int64 { return largeAnswersEncoded.Load() }
