package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/graph"
)

// clientsDir is test/clients: the stock GraphQL clients, pinned by its
// package-lock.json and installed by `make test` (npm ci).
func clientsDir(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "test", "clients")
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is missing: the client tests run stock JavaScript clients and need Node.js 20 or newer with npm (e.g. apt-get install nodejs npm), then `npm ci --prefix test/clients`")
	}
	// npm ci records what it installed in node_modules/.package-lock.json:
	// it must hold every package of the lock file at its pinned version.
	installed, err := lockedVersions(filepath.Join(dir, "node_modules", ".package-lock.json"))
	if err != nil {
		t.Fatalf("%s/node_modules is missing: run `make test` (it runs npm ci there) or `npm ci --prefix test/clients`", dir)
	}
	pinned, err := lockedVersions(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	for path, version := range pinned {
		if path != "" && installed[path] != version {
			t.Fatalf("%s/node_modules does not match package-lock.json (%s %s, installed %q): run `npm ci --prefix test/clients` (make test does)", dir, path, version, installed[path])
		}
	}
	return dir
}

// lockedVersions reads an npm lock file: package path -> version.
func lockedVersions(path string) (map[string]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var lock struct {
		Packages map[string]struct{ Version string }
	}
	if err := json.Unmarshal(raw, &lock); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := map[string]string{}
	for p, pkg := range lock.Packages {
		out[p] = pkg.Version
	}
	return out, nil
}

// node runs a script of test/clients with the given arguments and returns
// what it printed; a non-zero exit fails the test with its output.
func node(t *testing.T, script string, args ...string) []byte {
	t.Helper()
	dir := clientsDir(t)
	cmd := exec.Command("node", append([]string{script}, args...)...)
	cmd.Dir = dir
	cmd.WaitDelay = time.Second
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("node %s: %v\nstdout: %s\nstderr: %s", script, err, out, stderr)
	}
	return out
}

type auditReport struct {
	Counts   map[string]struct{ Passed, Total int }
	Failures []struct{ ID, Name, Reason string }
}

// graphql-http's server audits — the GraphQL-over-HTTP spec's MUST, SHOULD
// and MAY checks — all pass, with the result cache cold and then warm (the
// same requests again, answered from the cache where they may be).
func TestGraphQLOverHTTPAudits(t *testing.T) {
	a := newKaltimAPI(t, apiOptions{cache: graph.NewResultCache(1<<20, 1<<20)}, false)
	for _, round := range []string{"cold", "warm"} {
		var rep auditReport
		if err := json.Unmarshal(node(t, "audit.mjs", a.srv.URL+"/graphql"), &rep); err != nil {
			t.Fatalf("%s: %v", round, err)
		}
		t.Logf("%s cache: %+v", round, rep.Counts)
		for _, f := range rep.Failures {
			t.Errorf("%s cache: %s %s: %s", round, f.ID, f.Name, f.Reason)
		}
		for _, level := range []string{"MUST", "SHOULD", "MAY"} {
			if c := rep.Counts[level]; c.Total == 0 || c.Passed != c.Total {
				t.Errorf("%s cache: %s %d/%d", round, level, c.Passed, c.Total)
			}
		}
	}
}

// sentRequest is one HTTP request a client made, as clients.mjs records it.
type sentRequest struct {
	Method string
	URL    string
	Body   json.RawMessage
	Status int
}

func (s sentRequest) hasQuery() bool { return bytes.Contains(s.Body, []byte(`"query":`)) }

func (s sentRequest) batchSize() int {
	var ops []json.RawMessage
	if json.Unmarshal(s.Body, &ops) != nil {
		return 0
	}
	return len(ops)
}

// Stock clients, set up as their documentation shows, work against the
// default server: graphql-js's introspection, Apollo Client with HttpLink,
// PersistedQueryLink (POST and GET) and BatchHttpLink, urql, and
// graphql-request with batchRequests; their answers equal the server's.
func TestStockClients(t *testing.T) {
	a := newKaltimAPI(t, apiOptions{cache: graph.NewResultCache(1<<20, 1<<20)}, true)

	type region struct{ Code, Name string }
	var kabupaten struct{ Regions []region }
	a.mustQuery(`{ regions(level: KABUPATEN_KOTA, parentCode: "64") { code name } }`, nil, &kabupaten)
	var years struct{ IdmYears []int }
	a.mustQuery(`{ idmYears }`, nil, &years)
	var province struct {
		IdmDistribution []struct {
			Region region
			Total  int
		}
	}
	a.mustQuery(`{ idmDistribution(year: 2024, level: PROVINSI) { region { code name } total } }`, nil, &province)
	var agreements struct {
		Agreements struct{ Nodes []struct{ ID string } }
	}
	a.mustQuery(`{ agreements(first: 100, orderBy: ID_ASC) { nodes { id } } }`, nil, &agreements)
	var agreementIDs []string
	for _, n := range agreements.Agreements.Nodes {
		agreementIDs = append(agreementIDs, n.ID)
	}
	same := func(what string, got, want any) {
		t.Helper()
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if !bytes.Equal(g, w) {
			t.Errorf("%s: got %s, want %s", what, g, w)
		}
	}

	var out struct {
		Introspection struct {
			Status      int
			QueryFields []string
			Types       int
			Errors      []gqlError
		}
		ApolloHTTP struct {
			Data struct{ Regions []region }
			Sent []sentRequest
		} `json:"apolloHttp"`
		ApolloError struct {
			Threw bool
			Name  string
			Codes []string
		}
		ApolloPersisted struct {
			First, Second struct {
				Data struct {
					IdmDistribution []struct {
						Region region
						Total  int
					}
				}
				Sent []sentRequest
			}
		}
		ApolloPersistedGET struct {
			Data, Again struct{ IdmYears []int }
			Sent        []sentRequest
		} `json:"apolloPersistedGET"`
		ApolloBatch struct {
			Data []json.RawMessage
			Sent []sentRequest
		}
		ApolloBatchPersisted struct {
			Data []json.RawMessage
			Sent []sentRequest
		}
		ApolloRelay struct {
			First, Second, Merged []string
			TotalCount            int
			HasNextPage           bool
		}
		Urql struct {
			Data            struct{ Regions []region }
			GetData         struct{ IdmYears []int }
			Error, GetError *string
		}
		GraphqlRequest struct {
			Data        struct{ Regions []region }
			Batch       []struct{ Data json.RawMessage }
			ClientBatch []struct{ Data json.RawMessage }
			ViaGet      struct{ IdmYears []int }
			Sent        []sentRequest
		}
	}
	raw := node(t, "clients.mjs", a.srv.URL+"/graphql")
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%v: %.500s", err, raw)
	}

	t.Run("graphql-js introspection with the default limits", func(t *testing.T) {
		in := out.Introspection
		if in.Status != 200 || len(in.Errors) > 0 || !slices.Contains(in.QueryFields, "idmDistribution") || in.Types < 30 {
			t.Fatalf("%+v", in)
		}
	})
	t.Run("Apollo HttpLink", func(t *testing.T) {
		same("data", out.ApolloHTTP.Data.Regions, kabupaten.Regions)
		if len(out.ApolloHTTP.Sent) != 1 || out.ApolloHTTP.Sent[0].Status != 200 {
			t.Errorf("sent %+v", out.ApolloHTTP.Sent)
		}
	})
	t.Run("Apollo sees error codes", func(t *testing.T) {
		if e := out.ApolloError; !e.Threw || e.Name != "CombinedGraphQLErrors" || !slices.Equal(e.Codes, []string{"BAD_USER_INPUT"}) {
			t.Errorf("%+v", e)
		}
	})
	t.Run("Apollo PersistedQueryLink", func(t *testing.T) {
		p := out.ApolloPersisted
		same("first data", p.First.Data.IdmDistribution, province.IdmDistribution)
		same("second data", p.Second.Data.IdmDistribution, province.IdmDistribution)
		if s := p.First.Sent; len(s) != 2 || s[0].hasQuery() || !s[1].hasQuery() || s[1].Status != 200 {
			t.Errorf("first client: the hash alone, then the query with it: %+v", s)
		}
		if s := p.Second.Sent; len(s) != 1 || s[0].hasQuery() || s[0].Status != 200 {
			t.Errorf("second client: the hash alone: %+v", s)
		}
	})
	t.Run("Apollo PersistedQueryLink over GET", func(t *testing.T) {
		p := out.ApolloPersistedGET
		same("data", p.Data.IdmYears, years.IdmYears)
		same("again", p.Again.IdmYears, years.IdmYears)
		if s := p.Sent; len(s) != 3 || s[2].Method != "GET" || s[2].Status != 200 || strings.Contains(s[2].URL, "query=") {
			t.Errorf("sent %+v", s)
		}
	})
	t.Run("Apollo BatchHttpLink", func(t *testing.T) {
		b := out.ApolloBatch
		if len(b.Sent) != 1 || b.Sent[0].batchSize() != 3 || b.Sent[0].Status != 200 {
			t.Fatalf("three queries in one request: %+v", b.Sent)
		}
		var y struct{ IdmYears []int }
		var k struct{ Regions []region }
		json.Unmarshal(b.Data[0], &y)
		json.Unmarshal(b.Data[1], &k)
		same("years", y.IdmYears, years.IdmYears)
		same("kabupaten", k.Regions, kabupaten.Regions)
	})
	t.Run("Apollo PersistedQueryLink with BatchHttpLink", func(t *testing.T) {
		b := out.ApolloBatchPersisted
		if len(b.Sent) != 2 || b.Sent[0].batchSize() != 2 || b.Sent[0].hasQuery() || b.Sent[1].batchSize() != 2 {
			t.Fatalf("sent %+v", b.Sent)
		}
		var y struct{ IdmYears []int }
		json.Unmarshal(b.Data[0], &y)
		same("years", y.IdmYears, years.IdmYears)
	})
	t.Run("Apollo relayStylePagination", func(t *testing.T) {
		r := out.ApolloRelay
		if len(agreementIDs) < 3 {
			t.Fatalf("the seed register has %d agreements, the test needs 3", len(agreementIDs))
		}
		same("first page", r.First, agreementIDs[:2])
		// The second query reads the field through the policy: both pages.
		same("after the second page", r.Second, agreementIDs[:min(4, len(agreementIDs))])
		same("the cache's merged list", r.Merged, agreementIDs[:min(4, len(agreementIDs))])
		if r.TotalCount != len(agreementIDs) {
			t.Errorf("totalCount %d, want %d", r.TotalCount, len(agreementIDs))
		}
	})
	t.Run("urql", func(t *testing.T) {
		u := out.Urql
		if u.Error != nil || u.GetError != nil {
			t.Fatalf("errors %v %v", *u.Error, *u.GetError)
		}
		same("data", u.Data.Regions, kabupaten.Regions)
		same("GET", u.GetData.IdmYears, years.IdmYears)
	})
	t.Run("graphql-request and batchRequests", func(t *testing.T) {
		g := out.GraphqlRequest
		same("request", g.Data.Regions, kabupaten.Regions)
		same("GET", g.ViaGet.IdmYears, years.IdmYears)
		if len(g.Batch) != 2 || len(g.ClientBatch) != 2 {
			t.Fatalf("batches: %+v %+v", g.Batch, g.ClientBatch)
		}
		var k struct{ Regions []region }
		json.Unmarshal(g.Batch[1].Data, &k)
		same("batch", k.Regions, kabupaten.Regions)
		if len(g.Sent) != 2 || g.Sent[0].batchSize() != 2 {
			t.Errorf("client batch sent %+v", g.Sent)
		}
	})
}
