package graph

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
)

// busyBody is what a request turned away by admission control gets.
const busyBody = `{"errors":[{"message":"server busy, retry shortly","extensions":{"code":"UNAVAILABLE"}}]}`

// admission bounds the requests that execute at once. An answer can take
// tens of megabytes while it is decoded and encoded, so an overload must
// queue cheaply (a waiting request holds only its body) rather than run
// everything at once: beyond maxInFlight, requests wait in arrival order —
// at most maxQueued of them, each no longer than wait — and the rest are
// turned away at once with 503 and Retry-After.
type admission struct {
	next      http.Handler
	slots     *semaphore.Weighted
	queued    atomic.Int64
	maxQueued int64
	wait      time.Duration
}

func newAdmission(next http.Handler, maxInFlight, maxQueued int, wait time.Duration) *admission {
	return &admission{next: next, slots: semaphore.NewWeighted(int64(maxInFlight)), maxQueued: int64(maxQueued), wait: wait}
}

func (a *admission) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !a.slots.TryAcquire(1) {
		if !a.awaitSlot(r.Context()) {
			busy(w)
			return
		}
	}
	defer a.slots.Release(1)
	a.next.ServeHTTP(w, r)
}

// awaitSlot queues the request; false when the queue is full, the wait ran
// out or the client went away.
func (a *admission) awaitSlot(ctx context.Context) bool {
	defer a.queued.Add(-1)
	if a.queued.Add(1) > a.maxQueued {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, a.wait)
	defer cancel()
	return a.slots.Acquire(ctx, 1) == nil
}

func busy(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Retry-After", "1")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write([]byte(busyBody))
}
