package graph_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/graph"
	"github.com/sinergi-id/sinergi/internal/region"
)

// heldRegions holds every listing of regions until release is closed, and
// says when one has reached it.
type heldRegions struct {
	region.Store
	reached chan struct{}
	release chan struct{}
}

func (h *heldRegions) Regions(ctx context.Context, level region.Level, within region.Code) ([]region.Region, error) {
	h.reached <- struct{}{}
	<-h.release
	return h.Store.Regions(ctx, level, within)
}

// TestSharedMissSurvivesTheFirstClient: two identical requests share one
// execution (X-Sinergi-Cache: shared); when the client that started it
// hangs up, the other still gets the answer (issue 11: it got "the request
// was cancelled or timed out", the first client's cancellation).
func TestSharedMissSurvivesTheFirstClient(t *testing.T) {
	held := &heldRegions{reached: make(chan struct{}, 4), release: make(chan struct{})}
	a := newKaltimAPI(t, apiOptions{cache: graph.NewResultCache(1<<20, 1<<20), regions: func(s region.Store) region.Store {
		held.Store = s
		return held
	}}, false)
	body := []byte(`{"query":"{ regions(level: KABUPATEN_KOTA) { code name } }"}`)
	post := func(ctx context.Context) (*http.Response, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, a.srv.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		return http.DefaultClient.Do(req)
	}

	first, hangUp := context.WithCancel(context.Background())
	firstDone := make(chan error, 1)
	go func() {
		resp, err := post(first)
		if err == nil {
			resp.Body.Close()
		}
		firstDone <- err
	}()
	select {
	case <-held.reached:
	case <-time.After(30 * time.Second):
		t.Fatal("the first request never reached the store")
	}
	type result struct {
		status int
		cache  string
		body   []byte
		err    error
	}
	second := make(chan result, 1)
	go func() {
		resp, err := post(context.Background())
		if err != nil {
			second <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		second <- result{resp.StatusCode, resp.Header.Get("X-Sinergi-Cache"), b, err}
	}()
	time.Sleep(300 * time.Millisecond) // the second request joins the flight
	hangUp()
	if err := <-firstDone; !errors.Is(err, context.Canceled) {
		t.Fatalf("the first client: %v, want its own cancellation", err)
	}
	close(held.release)
	r := <-second
	if r.err != nil || r.status != http.StatusOK || r.cache != "shared" || !bytes.Contains(r.body, []byte(`"code":"64.02"`)) {
		t.Fatalf("the request that shared the execution got %d, X-Sinergi-Cache %q: %s (%v)", r.status, r.cache, r.body, r.err)
	}
}
