// Package httpapi is the HTTP around the API that knows nothing of GraphQL:
// the routes, health and readiness, the cluster's replica report and CORS.
// The GraphQL-over-HTTP transport, with what acts on each operation
// (admission, the result cache, the request metrics and spans), is graph's.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/sinergi-id/sinergi/internal/fault"
)

// ReadinessCheck reports whether the service can answer (database reachable,
// schema migrated).
type ReadinessCheck func(ctx context.Context) error

// API is what the mux serves of the API: the GraphQL endpoint
// (graph.NewHandler) and its answers as CSV and XLSX (graph.NewExport).
type API struct {
	GraphQL, CSV, XLSX http.Handler
}

// NewMux serves the GraphQL endpoint at /graphql (and its answers as CSV
// and XLSX at /export.csv and /export.xlsx), /healthz (the process is
// up) and /readyz (ready to answer), and everything else from ui (the
// console and GraphiQL; nil serves nothing more).
func NewMux(api API, ready ReadinessCheck, log *slog.Logger, ui http.Handler) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/graphql", api.GraphQL)
	mux.Handle("/export.csv", api.CSV)
	mux.Handle("/export.xlsx", api.XLSX)
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
			if reason, ok := fault.Reason(err); ok {
				_, _ = w.Write([]byte("not ready: " + reason + "\n"))
				return
			}
			_, _ = w.Write([]byte("not ready\n"))
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	return mux
}
