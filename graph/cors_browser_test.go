package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sinergi-id/sinergi/graph"
	"github.com/sinergi-id/sinergi/internal/httpapi"
)

// In headless Chromium, a page on a configured origin reads the API's
// answers (after the preflight that a JSON POST needs) and its ETag; a page
// on another origin is refused by the browser.
func TestBrowserOnAnotherOriginReadsAnswers(t *testing.T) {
	page := func() *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte("<!doctype html><title>dashboard</title><p>a chart app on its own origin</p>"))
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	app, stranger := page(), page()
	a := newKaltimAPI(t, apiOptions{cache: graph.NewResultCache(1<<20, 1<<20), wrap: httpapi.CORS([]string{app.URL})}, false)

	ctx := headlessChromium(t)
	// What a chart app does: a JSON POST (preflighted), then a GET whose
	// ETag it may read.
	script := fmt.Sprintf(`(async () => {
	  try {
	    const post = await fetch(%[1]q, { method: 'POST',
	      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json;q=0.9' },
	      body: JSON.stringify({ query: '{ idmYears }' }) });
	    const get = await fetch(%[1]q + '?query=' + encodeURIComponent('{ regions(level: PROVINSI) { code } }'));
	    return JSON.stringify({ status: post.status, body: await post.json(), etag: get.headers.get('etag'), get: await get.json() });
	  } catch (err) {
	    return JSON.stringify({ error: String(err) });
	  }
	})()`, a.srv.URL+"/graphql")

	type outcome struct {
		Status int
		Body   struct{ Data struct{ IdmYears []int } }
		ETag   string
		Get    struct {
			Data struct{ Regions []struct{ Code string } }
		}
		Error string
	}
	run := func(origin string) outcome {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(origin+"/")); err != nil {
			t.Fatal(err)
		}
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](script, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		var out outcome
		if err := json.Unmarshal([]byte(raw), &out); err != nil {
			t.Fatalf("%v: %s", err, raw)
		}
		return out
	}

	got := run(app.URL)
	if got.Error != "" || got.Status != 200 || len(got.Body.Data.IdmYears) != 1 || got.Body.Data.IdmYears[0] != 2024 ||
		got.ETag == "" || len(got.Get.Data.Regions) != 1 || got.Get.Data.Regions[0].Code != "64" {
		t.Fatalf("from the configured origin: %+v", got)
	}
	if got := run(stranger.URL); got.Error == "" {
		t.Fatalf("a page on another origin read the answer: %+v", got)
	}
}

// headlessChromium starts Debian's Chromium for one test, with nothing
// reaching beyond the machine.
func headlessChromium(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("Chromium is not installed: `make test` installs it (apt-get install chromium chromium-driver)")
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()))
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}
