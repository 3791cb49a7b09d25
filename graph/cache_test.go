package graph_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/graph"
)

func TestResultCacheServesRepeatsUntilTheNextLoad(t *testing.T) {
	dir := sharedData(t)
	cache := graph.NewResultCache(1<<20, 1<<20)
	a := newAPIWithCache(t, cache)
	a.load(etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
	a.load(etl.DatasetIDM, filepath.Join(dir, "kaltim_idm_2024.csv"))

	ask := func(query string) (string, string) {
		t.Helper()
		resp, err := http.Post(a.srv.URL+"/graphql", "application/json", bytes.NewBufferString(`{"query":"`+query+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.Header.Get("X-Sinergi-Cache"), string(body)
	}
	state, first := ask("{ idmYears }")
	if state != "miss" || first != `{"data":{"idmYears":[2024]}}` {
		t.Fatalf("first answer: %s %s", state, first)
	}
	if state, again := ask("{ idmYears }"); state != "hit" || again != first {
		t.Fatalf("repeat: %s %s", state, again)
	}
	// Errors are never cached.
	ask("{ idmDistribution(year: 1999, level: PROVINSI) { total } }")
	if state, _ := ask("{ idmDistribution(year: 1999, level: PROVINSI) { total } }"); state != "miss" {
		t.Fatalf("an error answer was cached")
	}

	a.load(etl.DatasetIDM, filepath.Join(dir, "kaltim_idm_2023.csv"))
	state, fresh := ask("{ idmYears }")
	if state != "miss" || fresh != `{"data":{"idmYears":[2023,2024]}}` {
		t.Fatalf("after a load: %s %s", state, fresh)
	}
	if hits, misses := cache.Stats(); hits != 1 || misses != 4 {
		t.Fatalf("hits %d, misses %d", hits, misses)
	}
}

// Hits are stored compressed: sent as they are to clients that accept gzip,
// decompressed for the others; the byte budget evicts the oldest answers.
func TestResultCacheCompressesAndKeepsToItsBudget(t *testing.T) {
	answers := map[string]string{}
	calls := 0
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		body, _ := io.ReadAll(r.Body)
		answer := `{"data":{"echo":"` + strings.Repeat(string(body[:1]), 4000) + `"}}`
		answers[string(body)] = answer
		_, _ = w.Write([]byte(answer))
	})
	// Each answer compresses to well under 1 KiB; the budget holds two.
	cache := graph.NewResultCache(2*int(gzipSize(t, strings.Repeat("a", 4000)))+64, 1<<20)
	h := cache.Middleware(next)
	ask := func(body, acceptEncoding string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		if acceptEncoding != "" {
			req.Header.Set("Accept-Encoding", acceptEncoding)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}

	if rec := ask("a", "gzip"); rec.Header().Get("X-Sinergi-Cache") != "miss" || rec.Body.String() != answers["a"] {
		t.Fatalf("miss: %q %.80s", rec.Header(), rec.Body)
	}
	rec := ask("a", "br, gzip;q=0.8")
	if rec.Header().Get("X-Sinergi-Cache") != "hit" || rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("hit for a gzip client: %q", rec.Header())
	}
	if rec.Body.Len() >= len(answers["a"])/4 {
		t.Fatalf("hit not compressed: %d bytes for a %d-byte answer", rec.Body.Len(), len(answers["a"]))
	}
	if got := gunzip(t, rec.Body.Bytes()); got != answers["a"] {
		t.Fatalf("compressed hit differs: %.80s", got)
	}
	for _, enc := range []string{"", "identity", "gzip;q=0"} {
		rec := ask("a", enc)
		if rec.Header().Get("X-Sinergi-Cache") != "hit" || rec.Header().Get("Content-Encoding") != "" || rec.Body.String() != answers["a"] {
			t.Fatalf("hit for Accept-Encoding %q: %q %.80s", enc, rec.Header(), rec.Body)
		}
	}

	ask("b", "")
	ask("c", "") // over budget: a, the least recently used, goes
	before := calls
	if rec := ask("c", "gzip"); rec.Header().Get("X-Sinergi-Cache") != "hit" {
		t.Fatalf("c was evicted instead of a")
	}
	if rec := ask("a", "gzip"); rec.Header().Get("X-Sinergi-Cache") != "miss" || calls != before+1 {
		t.Fatalf("a was kept over the budget: %q", rec.Header())
	}
}

func gzipSize(t *testing.T, s string) int {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	zw.Write([]byte(`{"data":{"echo":"` + s + `"}}`))
	zw.Close()
	return buf.Len()
}

func gunzip(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
