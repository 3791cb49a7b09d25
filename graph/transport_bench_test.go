package graph_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/sinergi-id/sinergi/graph"
)

// BenchmarkAnswers measures a dashboard's request through the whole
// endpoint, from the result cache (hit) and executed on ClickHouse (miss,
// Cache-Control: no-cache), as a browser asks (gzip accepted), with as many
// clients as cores.
//
//	go test ./graph -run '^$' -bench Answers -benchtime 5s
func BenchmarkAnswers(b *testing.B) {
	a := newKaltimAPI(b, apiOptions{cache: graph.NewResultCache(32<<20, 2<<20)}, false)
	body := []byte(`{"query":"{ idmDistribution(year: 2024, level: KECAMATAN) { region { code name } total byStatus { status count share } meanIdm } }"}`)
	for _, bc := range []struct{ name, cacheControl string }{{"hit", ""}, {"miss", "no-cache"}} {
		b.Run(bc.name, func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Accept-Encoding", "gzip")
					if bc.cacheControl != "" {
						req.Header.Set("Cache-Control", bc.cacheControl)
					}
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					n, _ := io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 || n == 0 {
						b.Fatalf("status %d, %d bytes", resp.StatusCode, n)
					}
				}
			})
		})
	}
}
