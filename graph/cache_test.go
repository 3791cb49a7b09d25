package graph_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"path/filepath"
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
	if s := cache.Stats(); s.Hits != 1 || s.Misses != 4 || s.Entries != 1 || s.Bytes <= 0 {
		t.Fatalf("stats %+v: want 1 hit, 4 misses, 1 entry (the first emptied by the load)", s)
	}
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
