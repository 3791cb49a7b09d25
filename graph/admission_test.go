package graph

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// One request runs, one waits, the third is turned away at once; the
// waiting one runs when the first is done.
func TestAdmissionQueuesThenTurnsAway(t *testing.T) {
	release := make(chan struct{})
	started := make(chan string, 3)
	h := newAdmission(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- r.URL.Query().Get("n")
		<-release
		_, _ = w.Write([]byte("done"))
	}), 1, 1, 10*time.Second)

	var wg sync.WaitGroup
	codes := make([]int, 2)
	serve := func(i int, n string) {
		defer wg.Done()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql?n="+n, nil))
		codes[i] = rec.Code
	}
	wg.Add(1)
	go serve(0, "first")
	if got := <-started; got != "first" {
		t.Fatalf("started %q", got)
	}
	wg.Add(1)
	go serve(1, "second")
	waitFor(t, func() bool { return h.queued.Load() == 1 })

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql?n=third", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" ||
		!strings.Contains(rec.Body.String(), `"UNAVAILABLE"`) {
		t.Fatalf("third request: %d %q %q", rec.Code, rec.Header(), rec.Body)
	}
	select {
	case n := <-started:
		t.Fatalf("%s ran while the first held the only slot", n)
	default:
	}

	close(release)
	wg.Wait()
	if got := <-started; got != "second" {
		t.Fatalf("after the first: started %q", got)
	}
	if codes[0] != http.StatusOK || codes[1] != http.StatusOK {
		t.Fatalf("codes %v", codes)
	}
	if h.queued.Load() != 0 {
		t.Fatalf("queue not emptied: %d", h.queued.Load())
	}
}

// A request that waits longer than its allowance is turned away.
func TestAdmissionWaitIsBounded(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	running := make(chan struct{})
	h := newAdmission(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		close(running)
		<-release
	}), 1, 8, 50*time.Millisecond)
	go h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/graphql", nil))
	<-running
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("waited past its allowance: %d", rec.Code)
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
