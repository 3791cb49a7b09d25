package graph

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/klauspost/compress/gzhttp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2/ast"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
	"golang.org/x/sync/semaphore"
)

// compressAbove is the answer size from which answers are compressed
// (gzip or zstd, as the client accepts): below it, compression saves less
// than a network packet.
const compressAbove = 1024

// rootFieldsAtOnce bounds how many top-level fields of one operation run at
// once (gqlgen would start them all together): each runs ClickHouse
// statements, and one request repeating a heavy field under aliases must
// not take the whole connection pool from everyone else.
const rootFieldsAtOnce = 2

// volatileRootFields read what a load does not version (ETL runs, rejects,
// warnings, freshness change with every run, failed ones too): answers that
// include them are never cached and carry no ETag.
var volatileRootFields = map[string]bool{"etlRuns": true, "etlRejects": true, "etlWarnings": true, "dataFreshness": true,
	"auditEvents": true, "registerCheck": true, "accounts": true, "apiKeys": true, "withdrawnAgreements": true}

// HandlerOption adds to what NewHandler builds.
type HandlerOption func(*endpoint)

// WithMetrics reports the endpoint's operations and admission to m
// (without it, they are counted nowhere).
func WithMetrics(m *Metrics) HandlerOption { return func(e *endpoint) { e.metrics = m } }

// WithTracing traces each operation as a server span named after it, the
// parent of the spans of its statements (without it, nothing is traced).
func WithTracing(tp trace.TracerProvider) HandlerOption {
	return func(e *endpoint) { e.tracer = tp.Tracer("github.com/sinergi-id/sinergi/graph") }
}

// NewHandler returns the GraphQL endpoint (GET and POST, batches, automatic
// persisted queries), compressed. With a cache, repeated requests are
// answered from it, and revalidated by ETag, until the next load.
func NewHandler(r *Resolver, log *slog.Logger, lim Limits, cache *ResultCache, opts ...HandlerOption) http.Handler {
	return newHandler(r, log, lim, cache, true, opts...)
}

// newHandler is NewHandler; without handEncoded, gqlgen encodes every
// answer (the tests compare both).
func newHandler(r *Resolver, log *slog.Logger, lim Limits, cache *ResultCache, handEncoded bool, opts ...HandlerOption) http.Handler {
	cfg := Config{Resolvers: r}
	complexityConfig(&cfg)
	exec := executor.New(NewExecutableSchema(cfg))
	validated := lru.New[*ast.QueryDocument](1000)
	exec.SetQueryCache(validated)
	exec.SetParserTokenLimit(lim.MaxTokens)
	exec.Use(extension.AutomaticPersistedQuery{Cache: newPersistedQueries()})
	exec.Use(documentCheck{lim: lim, known: validated}) // after APQ: it checks the resolved query
	if lim.Introspection {
		exec.Use(extension.Introspection{})
	}
	exec.Use(&complexityLimit{max: lim.MaxComplexity})
	exec.AroundRootFields(boundRootFields)
	if handEncoded {
		exec.AroundRootFields(encodeLargeAnswersRoot)
		exec.AroundFields(r.encodeLargeAnswersField)
	}
	exec.SetErrorPresenter(presentError(log))
	exec.SetRecoverFunc(recoverPanic(log))
	exec.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		start := time.Now()
		resp := next(ctx)
		if graphql.HasOperationContext(ctx) && resp != nil {
			log.DebugContext(ctx, "graphql", "operation", graphql.GetOperationContext(ctx).OperationName, "took", time.Since(start), "errors", len(resp.Errors))
		}
		return resp
	})

	ep := &endpoint{exec: exec, resolver: r, log: log, lim: lim, cache: cache,
		metrics: NewMetrics(prometheus.NewRegistry()), tracer: noop.NewTracerProvider().Tracer("")}
	for _, opt := range opts {
		opt(ep)
	}
	ep.admission = newAdmission(lim.MaxInFlight, lim.MaxQueued, lim.Timeout, ep.metrics)
	compress, err := gzhttp.NewWrapper(gzhttp.MinSize(compressAbove))
	if err != nil {
		panic(err) // only for invalid options, a programming error
	}
	return compress(ep)
}

// operationState is what the root-field hook keeps for one operation.
type operationState struct {
	rootSlots *semaphore.Weighted
	volatile  atomic.Bool
	// The published generation when the first root field started (nil
	// published: not read).
	published       func(context.Context) (uint64, error)
	generationOnce  sync.Once
	generation      uint64
	generationErr   error
	generationTaken atomic.Bool
}

type operationStateKey struct{}

func withOperationState(ctx context.Context, published func(context.Context) (uint64, error)) (context.Context, *operationState) {
	st := &operationState{rootSlots: semaphore.NewWeighted(rootFieldsAtOnce), published: published}
	return context.WithValue(ctx, operationStateKey{}, st), st
}

// takeGeneration reads the published generation once, before the first
// root field reads anything: a refused operation reads nothing.
func (st *operationState) takeGeneration(ctx context.Context) {
	if st.published == nil {
		return
	}
	st.generationOnce.Do(func() {
		st.generation, st.generationErr = st.published(ctx)
		st.generationTaken.Store(true)
	})
}

// sameGeneration reports whether no load published since takeGeneration,
// so that every statement of the operation read the same generations. An
// operation that read nothing is trivially consistent.
func (st *operationState) sameGeneration(ctx context.Context) (bool, error) {
	if !st.generationTaken.Load() {
		return true, nil
	}
	if st.generationErr != nil {
		return false, st.generationErr
	}
	now, err := st.published(ctx)
	if err != nil {
		return false, err
	}
	return now == st.generation, nil
}

// boundRootFields runs at most rootFieldsAtOnce top-level fields of an
// operation at once, and notes when one is volatile.
func boundRootFields(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	st, _ := ctx.Value(operationStateKey{}).(*operationState)
	if st == nil {
		return next(ctx)
	}
	if fc := graphql.GetRootFieldContext(ctx); fc != nil && volatileRootFields[fc.Field.Name] {
		st.volatile.Store(true)
	}
	if err := st.rootSlots.Acquire(ctx, 1); err != nil {
		return next(ctx) // the request is over: the resolver fails at once on ctx
	}
	defer st.rootSlots.Release(1)
	st.takeGeneration(ctx)
	return next(ctx)
}
