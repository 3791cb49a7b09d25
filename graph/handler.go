package graph

import (
	"context"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/sinergi-id/sinergi/graph/model"
)

// Limits bound every request.
type Limits struct {
	MaxComplexity int           // gqlgen complexity, lists weighted by their size
	MaxDepth      int           // nesting of selections
	MaxBodyBytes  int64         // request body size
	Timeout       time.Duration // whole request; ClickHouse has its own per-query limit
	MaxInFlight   int           // requests executing at once (answers from the result cache do not count)
	MaxQueued     int           // requests waiting for a slot; more are turned away with 503
}

// DefaultLimits are generous for planners' queries and stop runaway ones.
// Requests mostly wait on ClickHouse, so a few per core keep it busy.
var DefaultLimits = Limits{MaxComplexity: 2000, MaxDepth: 10, MaxBodyBytes: 1 << 20, Timeout: 30 * time.Second,
	MaxInFlight: 4 * runtime.GOMAXPROCS(0), MaxQueued: 1024}

// Complexity weights: a list field costs its children times the expected
// size, so nesting lists in lists runs into the limit quickly.
const (
	wideList   = 50
	narrowList = 10
)

// pageWeight is what a paged list multiplies its children by: the page
// size asked for, counted in tens.
func pageWeight(first *int) int {
	n := 50
	if first != nil {
		n = *first
	}
	return max(1, n/10)
}

// NewHandler returns the GraphQL endpoint (POST, and GET for simple queries).
// With a cache, repeated requests are answered from it until the next load.
func NewHandler(r *Resolver, log *slog.Logger, lim Limits, cache *ResultCache) http.Handler {
	cfg := Config{Resolvers: r}
	wide := func(child int) int { return child * wideList }
	cfg.Complexity.Query.Regions = func(child int, _ model.RegionLevel, _ *string) int { return wide(child) }
	cfg.Complexity.Query.IdmDistribution = func(child int, _ int, _ model.RegionLevel, _ *string, _ *string) int { return wide(child) }
	cfg.Complexity.Query.EtlRuns = func(child int, _ *int, _ *string) int { return child * narrowList }
	cfg.Complexity.Query.EtlRejects = func(child int, _ string, _ *int) int { return wide(child) }
	cfg.Complexity.Region.Children = func(child int) int { return wide(child) }
	cfg.Complexity.Village.IdmHistory = func(child int, _ *string) int { return child * narrowList }
	cfg.Complexity.Query.Agreements = func(child int, _ *model.AgreementFilter, first *int, _ *string, _ *model.AgreementOrder) int {
		return child * pageWeight(first)
	}
	cfg.Complexity.Query.Partners = func(child int, _ *model.AgreementFilter, _ *model.PartnerOrder, first *int) int {
		return child * pageWeight(first)
	}
	cfg.Complexity.Query.ExpiringAgreements = func(child int, _ int, _ *model.AgreementFilter, first *int) int {
		return child * pageWeight(first)
	}
	cfg.Complexity.Query.VillagesWithoutPartner = func(child int, _ *string, _ []model.IdmStatus, _ *int, first *int, _ *string) int {
		return child * pageWeight(first)
	}
	cfg.Complexity.Query.CooperationStats = func(child int, _ []model.StatsDimension, _ []model.StatsMeasure, _ *model.AgreementFilter, _ *model.TimeGrain) int {
		return wide(child)
	}
	cfg.Complexity.Query.CrossRegionLinks = func(child int, _ model.RegionLevel, _ int, _ *model.AgreementFilter) int { return wide(child) }
	cfg.Complexity.Query.InterVillageBodies = func(child int, _ *model.BodyFilter) int { return wide(child) }
	cfg.Complexity.Agreement.Parties = func(child int) int { return child * narrowList }
	cfg.Complexity.Agreement.Villages = func(child int) int { return child * narrowList }
	cfg.Complexity.Agreement.Realisations = func(child int) int { return wide(child) }
	cfg.Complexity.InterVillageBody.Members = func(child int) int { return child * narrowList }

	srv := handler.New(NewExecutableSchema(cfg))
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.Introspection{})
	srv.Use(depthLimit{max: lim.MaxDepth}) // before complexity: deep queries get the clearer error
	srv.Use(extension.FixedComplexityLimit(lim.MaxComplexity))
	srv.SetErrorPresenter(presentError(log))
	srv.SetRecoverFunc(recoverPanic(log))
	srv.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		start := time.Now()
		resp := next(ctx)
		if oc := graphql.GetOperationContext(ctx); oc != nil {
			log.DebugContext(ctx, "graphql", "operation", oc.OperationName, "took", time.Since(start), "errors", len(resp.Errors))
		}
		return resp
	})

	var h http.Handler = r.WithLoaders(srv)
	h = http.TimeoutHandler(h, lim.Timeout, `{"errors":[{"message":"request timed out","extensions":{"code":"UNAVAILABLE"}}]}`)
	h = newAdmission(h, lim.MaxInFlight, lim.MaxQueued, lim.Timeout)
	if cache != nil {
		h = cache.Middleware(h)
	}
	return http.MaxBytesHandler(h, lim.MaxBodyBytes)
}

// ReadinessCheck reports whether the service can answer (database reachable,
// schema migrated).
type ReadinessCheck func(ctx context.Context) error

// NewMux serves the GraphQL endpoint at /graphql, /healthz (the process is
// up) and /readyz (ready to answer), and everything else from ui (the
// console and GraphiQL; nil serves nothing more).
func NewMux(api http.Handler, ready ReadinessCheck, log *slog.Logger, ui http.Handler) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/graphql", api)
	if ui != nil {
		mux.Handle("/", ui)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, req *http.Request) {
		ctx, cancel := context.WithTimeout(req.Context(), 3*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := ready(ctx); err != nil {
			log.Warn("not ready", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("not ready\n"))
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	return mux
}
