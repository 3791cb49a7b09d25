package graph

import (
	"context"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
)

// busyBody is what an operation turned away by admission control gets.
const busyBody = `{"errors":[{"message":"server busy, retry shortly","extensions":{"code":"UNAVAILABLE"}}]}`

// admission bounds the operations that execute at once. An answer can take
// tens of megabytes while it is decoded and encoded, so an overload must
// queue cheaply (a waiting request holds only its body) rather than run
// everything at once: beyond maxInFlight, operations wait in arrival order
// — at most maxQueued of them, each no longer than wait — and the rest are
// turned away at once with 503 and Retry-After. Each operation of a batch
// takes its own slot.
type admission struct {
	slots     *semaphore.Weighted
	queued    atomic.Int64
	maxQueued int64
	wait      time.Duration
	metrics   *Metrics
}

func newAdmission(maxInFlight, maxQueued int, wait time.Duration, metrics *Metrics) *admission {
	return &admission{slots: semaphore.NewWeighted(int64(maxInFlight)), maxQueued: int64(maxQueued), wait: wait, metrics: metrics}
}

// acquire takes a slot, waiting its turn; false when the queue is full,
// the wait ran out or ctx ended. Call release after a true.
func (a *admission) acquire(ctx context.Context) bool {
	if a.slots.TryAcquire(1) {
		a.metrics.inFlight.Inc()
		return true
	}
	defer a.queued.Add(-1)
	if a.queued.Add(1) > a.maxQueued {
		a.metrics.refused.Inc()
		return false
	}
	a.metrics.queued.Inc()
	defer a.metrics.queued.Dec()
	ctx, cancel := context.WithTimeout(ctx, a.wait)
	defer cancel()
	if a.slots.Acquire(ctx, 1) != nil {
		a.metrics.refused.Inc()
		return false
	}
	a.metrics.inFlight.Inc()
	return true
}

func (a *admission) release() {
	a.metrics.inFlight.Dec()
	a.slots.Release(1)
}
