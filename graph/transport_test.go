package graph_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/graph"
)

// logBuffer collects what the server logs, for tests that count lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// take returns the lines logged since the last take.
func (l *logBuffer) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := strings.TrimSpace(l.buf.String())
	l.buf.Reset()
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func newLoggedAPI(t *testing.T, o apiOptions) (*api, *logBuffer) {
	logs := &logBuffer{}
	o.log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	return newAPIWith(t, o), logs
}

// send makes one request; header values "" are not sent.
func send(t *testing.T, method, target string, header map[string]string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, raw
}

type envelope struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

// decodeEnvelope decodes an answer, telling a missing "data" from null.
func decodeEnvelope(t *testing.T, raw []byte) (env envelope, hasData bool) {
	t.Helper()
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		t.Fatalf("answer is not a JSON object: %v: %.200s", err, raw)
	}
	_, hasData = members["data"]
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatal(err)
	}
	return env, hasData
}

// Bad requests of every kind are refused with the right status, a JSON
// answer saying what to fix, no "data", no panic, and one WARN log line
// that never holds the body.
func TestMalformedRequestsAreRefusedClearly(t *testing.T) {
	noBatch := graph.DefaultLimits
	noBatch.MaxBatch = 1
	a, logs := newLoggedAPI(t, apiOptions{limits: &noBatch})
	batching, batchLogs := newLoggedAPI(t, apiOptions{})
	const marker = "BODYMARKER"
	huge := `{"query":"{ idmYears }","variables":{"pad":"` + marker + strings.Repeat("x", 2<<20) + `"}}`
	jsonCT := map[string]string{"Content-Type": "application/json"}
	for _, tc := range []struct {
		name     string
		api      *api
		logs     *logBuffer
		method   string
		target   string
		header   map[string]string
		body     string
		status   int
		code     string
		mentions string
	}{
		{"empty body", a, logs, "POST", "/graphql", jsonCT, "", 400, "BAD_REQUEST", "empty"},
		{"blank body", a, logs, "POST", "/graphql", jsonCT, " \n ", 400, "BAD_REQUEST", "empty"},
		{"malformed JSON", a, logs, "POST", "/graphql", jsonCT, `{"query": "{ idmYears } ` + marker, 400, "BAD_REQUEST", "not valid JSON"},
		{"trailing garbage", a, logs, "POST", "/graphql", jsonCT, `{"query": "{ idmYears }"} ` + marker, 400, "BAD_REQUEST", "not valid JSON"},
		{"a JSON string", a, logs, "POST", "/graphql", jsonCT, `"` + marker + `"`, 400, "BAD_REQUEST", "JSON object"},
		{"a batch when batching is off", a, logs, "POST", "/graphql", jsonCT, `[{"query":"{ idmYears }"},{"query":"{ ` + marker + ` }"}]`, 400, "BAD_REQUEST", "batching"},
		{"a batch over the limit", batching, batchLogs, "POST", "/graphql", jsonCT, "[" + strings.Repeat(`{"query":"{ idmYears }"},`, 10) + `{"query":"{ ` + marker + ` }"}]`, 400, "BAD_REQUEST", "limit of 10"},
		{"an empty batch", batching, batchLogs, "POST", "/graphql", jsonCT, "[]", 400, "BAD_REQUEST", "empty"},
		{"a malformed operation in a batch", batching, batchLogs, "POST", "/graphql", jsonCT, `[{"query":"{ idmYears }"}, {"query": 7, "x": "` + marker + `"}]`, 400, "BAD_REQUEST", "operation 1 of the batch"},
		{"body over 1 MiB", a, logs, "POST", "/graphql", jsonCT, huge, 413, "REQUEST_TOO_LARGE", "1 MiB"},
		{"no Content-Type", a, logs, "POST", "/graphql", nil, `{"query":"{ ` + marker + ` }"}`, 415, "BAD_REQUEST", "Content-Type"},
		{"text/plain", a, logs, "POST", "/graphql", map[string]string{"Content-Type": "text/plain"}, `{"query":"{ ` + marker + ` }"}`, 415, "BAD_REQUEST", "application/json"},
		{"not UTF-8", a, logs, "POST", "/graphql", map[string]string{"Content-Type": "application/json; charset=latin1"}, `{"query":"{ idmYears }"}`, 415, "BAD_REQUEST", "UTF-8"},
		{"query not a string", a, logs, "POST", "/graphql", jsonCT, `{"query": ["` + marker + `"]}`, 400, "BAD_REQUEST", "query must be a string"},
		{"variables not an object", a, logs, "POST", "/graphql", jsonCT, `{"query":"{ idmYears }","variables":["` + marker + `"]}`, 400, "BAD_REQUEST", "variables must be an object"},
		{"no query", a, logs, "POST", "/graphql", jsonCT, `{"qeury":"` + marker + `"}`, 400, "BAD_REQUEST", "no query"},
		{"GET without a query", a, logs, "GET", "/graphql?x=" + marker, nil, "", 400, "BAD_REQUEST", "no query"},
		{"GET with malformed variables", a, logs, "GET", "/graphql?query=" + url.QueryEscape("{ idmYears }") + "&variables=" + marker, nil, "", 400, "BAD_REQUEST", "variables"},
		{"PUT", a, logs, "PUT", "/graphql", jsonCT, `{"query":"{ ` + marker + ` }"}`, 405, "BAD_REQUEST", "GET or POST"},
		{"an Accept the server cannot meet", a, logs, "POST", "/graphql", map[string]string{"Content-Type": "application/json", "Accept": "text/html"}, `{"query":"{ idmYears }"}`, 406, "BAD_REQUEST", "Accept"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.logs.take()
			resp, raw := send(t, tc.method, tc.api.srv.URL+tc.target, tc.header, []byte(tc.body))
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d: %.300s", resp.StatusCode, tc.status, raw)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "json") {
				t.Errorf("Content-Type %q", ct)
			}
			env, hasData := decodeEnvelope(t, raw)
			if hasData {
				t.Errorf(`a refused request has "data": %s`, raw)
			}
			if len(env.Errors) != 1 || env.Errors[0].Extensions["code"] != tc.code || !strings.Contains(env.Errors[0].Message, tc.mentions) {
				t.Errorf("errors %+v, want one with code %s mentioning %q", env.Errors, tc.code, tc.mentions)
			}
			// A 413 carries the limit it met, for a client to say in its words.
			if len(env.Errors) == 0 {
				return
			}
			if limit, ok := env.Errors[0].Extensions["maxBytes"]; (tc.status == 413) != ok || ok && limit != float64(graph.DefaultLimits.MaxBodyBytes) {
				t.Errorf("extensions %v: maxBytes for a 413 only, the limit %d", env.Errors[0].Extensions, graph.DefaultLimits.MaxBodyBytes)
			}
			lines := tc.logs.take()
			if len(lines) != 1 || !strings.Contains(lines[0], "level=WARN") {
				t.Errorf("logged %d lines, want one WARN: %q", len(lines), lines)
			}
			for _, l := range lines {
				if strings.Contains(l, marker) || len(l) > 1000 {
					t.Errorf("the log holds the body: %.300s", l)
				}
			}
		})
	}
	if resp, _ := send(t, "OPTIONS", a.srv.URL+"/graphql", nil, nil); resp.StatusCode != http.StatusNoContent || resp.Header.Get("Allow") == "" {
		t.Errorf("OPTIONS: %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

// Parse and validation errors are request errors: 200 under
// application/json, 400 under application/graphql-response+json, and
// never a "data" member.
func TestRequestErrorsFollowTheSpec(t *testing.T) {
	a := newAPI(t)
	for _, tc := range []struct{ name, query, code string }{
		{"parse", `{ idmYears `, "GRAPHQL_PARSE_FAILED"},
		{"validation", `{ password }`, "GRAPHQL_VALIDATION_FAILED"},
		{"variable coercion", `query($y: Int!) { idmDistribution(year: $y, level: PROVINSI) { total } }`, "GRAPHQL_VALIDATION_FAILED"},
	} {
		for accept, status := range map[string]int{"application/json": 200, "application/graphql-response+json": 400, "": 200} {
			t.Run(tc.name+" "+accept, func(t *testing.T) {
				body, _ := json.Marshal(map[string]any{"query": tc.query})
				resp, raw := send(t, "POST", a.srv.URL+"/graphql", map[string]string{"Content-Type": "application/json", "Accept": accept}, body)
				if resp.StatusCode != status {
					t.Errorf("status %d, want %d", resp.StatusCode, status)
				}
				env, hasData := decodeEnvelope(t, raw)
				if hasData || len(env.Errors) == 0 || env.Errors[0].Extensions["code"] != tc.code {
					t.Errorf("answer %s", raw)
				}
			})
		}
	}
}

// The answer's media type follows Accept, and the result cache is asked
// only after the request has been checked: a cached answer never goes to
// a request that would be refused, nor in the other media type.
func TestNegotiationComesBeforeTheCache(t *testing.T) {
	a := newKaltimAPI(t, apiOptions{cache: graph.NewResultCache(1<<20, 1<<20)}, false)
	body := []byte(`{"query":"{ idmYears }"}`)
	ask := func(header map[string]string) (*http.Response, string) {
		resp, raw := send(t, "POST", a.srv.URL+"/graphql", header, body)
		return resp, string(raw)
	}
	for i, want := range []string{"miss", "hit"} {
		resp, raw := ask(map[string]string{"Content-Type": "application/json"})
		if resp.Header.Get("X-Sinergi-Cache") != want || raw != `{"data":{"idmYears":[2024]}}` {
			t.Fatalf("ask %d: %s %s", i, resp.Header.Get("X-Sinergi-Cache"), raw)
		}
	}
	if resp, raw := ask(nil); resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("a POST without Content-Type got %d %s once the answer was cached", resp.StatusCode, raw)
	}
	for i, want := range []string{"miss", "hit"} {
		resp, raw := ask(map[string]string{"Content-Type": "application/json", "Accept": "application/graphql-response+json, application/json;q=0.9"})
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/graphql-response+json") {
			t.Fatalf("ask %d: Content-Type %q", i, ct)
		}
		if resp.Header.Get("X-Sinergi-Cache") != want || raw != `{"data":{"idmYears":[2024]}}` {
			t.Fatalf("graphql-response ask %d: %s %s", i, resp.Header.Get("X-Sinergi-Cache"), raw)
		}
	}
	resp, _ := ask(map[string]string{"Content-Type": "application/json", "Accept": "application/json"})
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q for an application/json client", ct)
	}
}

// Cacheable answers carry an ETag derived from the data generation and the
// request; a client that holds the answer gets 304 until a load changes
// the data. Answers about ETL runs are never cached.
func TestETagsRevalidateUntilALoad(t *testing.T) {
	dir := sharedData(t)
	cache := graph.NewResultCache(1<<20, 1<<20)
	a := newKaltimAPI(t, apiOptions{cache: cache}, false)
	get := func(query, ifNoneMatch string) (*http.Response, string) {
		resp, raw := send(t, "GET", a.srv.URL+"/graphql?query="+url.QueryEscape(query), map[string]string{"If-None-Match": ifNoneMatch}, nil)
		return resp, string(raw)
	}
	resp, first := get(`{ idmYears }`, "")
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || !strings.HasPrefix(etag, `W/"`) || resp.Header.Get("Cache-Control") != "private, no-cache" {
		t.Fatalf("first answer: %d ETag %q Cache-Control %q", resp.StatusCode, etag, resp.Header.Get("Cache-Control"))
	}
	if !strings.Contains(resp.Header.Get("Vary"), "Accept") {
		t.Fatalf("Vary %q", resp.Header.Values("Vary"))
	}
	// Revalidated from the cache, and again after it lost the entry.
	for _, c := range []*graph.ResultCache{nil, cache} {
		if c != nil {
			c.Invalidate(0) // same data, cache emptied: the ETag still holds
			c.Invalidate(currentGeneration(t, a))
		}
		resp, body := get(`{ idmYears }`, `"other", `+etag)
		if resp.StatusCode != http.StatusNotModified || body != "" || resp.Header.Get("ETag") != etag {
			t.Fatalf("revalidation: %d %q ETag %q", resp.StatusCode, body, resp.Header.Get("ETag"))
		}
	}
	if resp, _ := get(`{ idmYears(index: "IDM") }`, etag); resp.StatusCode != 200 {
		t.Fatalf("another request matched the ETag: %d", resp.StatusCode)
	}

	a.load(etl.DatasetIDM, filepath.Join(dir, "kaltim_idm_2023.csv"))
	resp, fresh := get(`{ idmYears }`, etag)
	if resp.StatusCode != 200 || fresh == first || resp.Header.Get("ETag") == etag {
		t.Fatalf("after a load: %d %s ETag %q", resp.StatusCode, fresh, resp.Header.Get("ETag"))
	}

	for i := range 2 {
		resp, _ := get(`{ etlRuns { id status } }`, "")
		if resp.Header.Get("ETag") != "" || resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("X-Sinergi-Cache") != "miss" {
			t.Fatalf("etlRuns ask %d: ETag %q Cache-Control %q cache %q", i, resp.Header.Get("ETag"), resp.Header.Get("Cache-Control"), resp.Header.Get("X-Sinergi-Cache"))
		}
	}
}

func currentGeneration(t *testing.T, a *api) uint64 {
	t.Helper()
	gen, err := a.db.LatestGeneration(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return gen
}

// Every answer over the threshold is compressed as the client accepts:
// misses as well as hits, gzip or zstd; small answers and clients that
// accept neither get plain JSON.
func TestAnswersAreCompressed(t *testing.T) {
	a := newKaltimAPI(t, apiOptions{cache: graph.NewResultCache(1<<20, 1<<20)}, false)
	large := []byte(`{"query":"{ regions(level: KECAMATAN) { code codeFlat name desaCount kelurahanCount } }"}`)
	small := []byte(`{"query":"{ regions(level: PROVINSI) { code } }"}`)
	for _, tc := range []struct {
		name, acceptEncoding, want string
		body                       []byte
		cacheState                 string
	}{
		{"miss, gzip", "gzip", "gzip", large, "miss"},
		{"hit, gzip", "gzip", "gzip", large, "hit"},
		{"hit, zstd", "zstd", "zstd", large, "hit"},
		{"hit, browser", "gzip, deflate, br, zstd", "gzip", large, "hit"},
		{"hit, identity", "identity", "", large, "hit"},
		{"uncached, zstd", "zstd", "zstd", large, ""},
		{"small", "gzip", "", small, "miss"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			header := map[string]string{"Content-Type": "application/json", "Accept-Encoding": tc.acceptEncoding}
			if tc.cacheState == "" {
				header["Cache-Control"] = "no-cache"
			}
			resp, raw := send(t, "POST", a.srv.URL+"/graphql", header, tc.body)
			if got := resp.Header.Get("Content-Encoding"); got != tc.want || resp.Header.Get("X-Sinergi-Cache") != tc.cacheState {
				t.Fatalf("Content-Encoding %q, cache %q; want %q, %q", got, resp.Header.Get("X-Sinergi-Cache"), tc.want, tc.cacheState)
			}
			plain := decompress(t, tc.want, raw)
			var out struct {
				Data struct{ Regions []struct{ Code string } }
			}
			if err := json.Unmarshal(plain, &out); err != nil || len(out.Data.Regions) == 0 {
				t.Fatalf("answer %v: %.200s", err, plain)
			}
			if tc.want != "" && len(raw) >= len(plain)/3 {
				t.Fatalf("%d bytes compressed for %d", len(raw), len(plain))
			}
			if !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Accept-Encoding") {
				t.Fatalf("Vary %q", resp.Header.Values("Vary"))
			}
		})
	}
}

func decompress(t *testing.T, encoding string, raw []byte) []byte {
	t.Helper()
	switch encoding {
	case "gzip":
		return []byte(gunzip(t, raw))
	case "zstd":
		zr, err := zstd.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		out, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	return raw
}

// newKaltimAPI is newAPIWith over the real Kaltim regions and IDM 2024,
// and the seed register when asked.
func newKaltimAPI(t testing.TB, o apiOptions, withRegister bool) *api {
	t.Helper()
	dir := sharedData(t)
	a := newAPIWith(t, o)
	a.load(etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
	a.load(etl.DatasetIDM, filepath.Join(dir, "kaltim_idm_2024.csv"))
	if withRegister {
		a.load(etl.DatasetRegister, filepath.Join("..", "etl", "seed", "agreements.csv"), filepath.Join("..", "etl", "seed", "parties.csv"))
	}
	return a
}
