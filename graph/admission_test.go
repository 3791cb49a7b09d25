package graph

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// One operation runs, one waits, the third is turned away at once; the
// waiting one runs when the first is done.
func TestAdmissionQueuesThenTurnsAway(t *testing.T) {
	a := newAdmission(1, 1, 10*time.Second, NewMetrics(prometheus.NewRegistry()))
	ctx := context.Background()
	if !a.acquire(ctx) {
		t.Fatal("first: no slot")
	}
	var wg sync.WaitGroup
	var second bool
	wg.Add(1)
	go func() {
		defer wg.Done()
		second = a.acquire(ctx)
	}()
	waitFor(t, func() bool { return a.queued.Load() == 1 })
	if a.acquire(ctx) {
		t.Fatal("third got a slot while the first held the only one and the queue was full")
	}
	a.release()
	wg.Wait()
	if !second {
		t.Fatal("second was turned away instead of waiting for the slot")
	}
	if a.queued.Load() != 0 {
		t.Fatalf("queue not emptied: %d", a.queued.Load())
	}
}

// An operation that waits longer than its allowance, or whose client goes
// away, is turned away.
func TestAdmissionWaitIsBounded(t *testing.T) {
	a := newAdmission(1, 8, 50*time.Millisecond, NewMetrics(prometheus.NewRegistry()))
	a.acquire(context.Background())
	if a.acquire(context.Background()) {
		t.Fatal("waited past its allowance")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a.wait = time.Hour
	if a.acquire(ctx) {
		t.Fatal("a request whose client went away got a slot")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 5s")
		}
		time.Sleep(time.Millisecond)
	}
}
