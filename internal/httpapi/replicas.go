package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/sinergi-id/sinergi/internal/fault"
)

// ReplicaStatus is one ClickHouse server of a cluster and whether it
// answers.
type ReplicaStatus struct {
	Shard   uint32
	Replica uint32
	Addr    string
	Err     error // nil when it answers
}

// ServeReplicas adds GET /readyz/replicas to mux: the cluster's servers,
// each reachable or not (and why, in safe words), as JSON; 200 when all
// answer, 503 when one does not. /readyz itself is about this process's own
// server, which is what a load balancer needs: a process whose server died
// fails over to another (see clickhouse.Config.Addr), and the cluster
// answers the same from every replica.
func ServeReplicas(mux *http.ServeMux, report func(ctx context.Context) []ReplicaStatus, log *slog.Logger) {
	type replica struct {
		Shard     uint32 `json:"shard"`
		Replica   uint32 `json:"replica"`
		Addr      string `json:"addr"`
		Reachable bool   `json:"reachable"`
		Error     string `json:"error,omitempty"`
	}
	mux.HandleFunc("GET /readyz/replicas", func(w http.ResponseWriter, req *http.Request) {
		ctx, cancel := context.WithTimeout(req.Context(), 3*time.Second)
		defer cancel()
		statuses := report(ctx)
		out := struct {
			Replicas []replica `json:"replicas"`
		}{Replicas: []replica{}}
		status := http.StatusOK
		for _, s := range statuses {
			r := replica{Shard: s.Shard, Replica: s.Replica, Addr: s.Addr, Reachable: s.Err == nil}
			if s.Err != nil {
				status = http.StatusServiceUnavailable
				r.Error = "unreachable"
				if reason, ok := fault.Reason(s.Err); ok {
					r.Error = reason
				}
				log.Warn("a ClickHouse replica does not answer", "addr", s.Addr, "shard", s.Shard, "err", s.Err)
			}
			out.Replicas = append(out.Replicas, r)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(out)
	})
}
