package graph_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sinergi-id/sinergi/graph"
	"github.com/sinergi-id/sinergi/internal/httpapi"
)

// A configured origin gets its preflight answered (and cacheable for two
// hours) and can read answers with their caching headers; any other
// origin gets no CORS headers at all, and neither does anyone when no
// origin is configured.
func TestCORSAllowsConfiguredOriginsOnly(t *testing.T) {
	const app = "http://localhost:5173"
	a := newKaltimAPI(t, apiOptions{cache: graph.NewResultCache(1<<20, 1<<20), wrap: httpapi.CORS([]string{app})}, false)
	closed := newAPI(t)

	preflight := func(srv, origin string) *http.Response {
		resp, _ := send(t, "OPTIONS", srv+"/graphql", map[string]string{
			"Origin": origin, "Access-Control-Request-Method": "POST",
			"Access-Control-Request-Headers": "accept,apollographql-client-name,content-type", // as browsers send it
		}, nil)
		return resp
	}
	resp := preflight(a.srv.URL, app)
	if resp.StatusCode/100 != 2 || resp.Header.Get("Access-Control-Allow-Origin") != app ||
		resp.Header.Get("Access-Control-Max-Age") != "7200" ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "POST") ||
		!strings.Contains(strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers")), "content-type") {
		t.Fatalf("preflight from %s: %d %q", app, resp.StatusCode, resp.Header)
	}
	if resp.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Fatal("credentials allowed")
	}

	post := func(srv, origin string) (*http.Response, string) {
		resp, raw := send(t, "POST", srv+"/graphql", map[string]string{"Origin": origin, "Content-Type": "application/json"}, []byte(`{"query":"{ idmYears }"}`))
		return resp, string(raw)
	}
	resp, body := post(a.srv.URL, app)
	if resp.Header.Get("Access-Control-Allow-Origin") != app || body != `{"data":{"idmYears":[2024]}}` ||
		!strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "Etag") {
		t.Fatalf("POST from %s: %q %s", app, resp.Header, body)
	}
	// A cached answer gets the headers too.
	if resp, _ := post(a.srv.URL, app); resp.Header.Get("X-Sinergi-Cache") != "hit" || resp.Header.Get("Access-Control-Allow-Origin") != app {
		t.Fatalf("cached answer: %q", resp.Header)
	}

	for _, tc := range []struct{ name, srv, origin string }{
		{"another origin", a.srv.URL, "http://evil.example"},
		{"no origins configured", closed.srv.URL, app},
	} {
		if resp := preflight(tc.srv, tc.origin); resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s: preflight allowed: %q", tc.name, resp.Header)
		}
		if resp, _ := post(tc.srv, tc.origin); resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s: answer readable: %q", tc.name, resp.Header)
		}
	}
}
