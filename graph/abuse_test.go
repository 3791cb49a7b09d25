package graph_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// statementsSoFar is ClickHouse's count of the statements it has received
// (system.events Query). The package's tests run one at a time, so the
// difference around a request is what that request ran, plus this read.
func statementsSoFar(t *testing.T, a *api) int {
	t.Helper()
	var n uint64
	if err := a.db.QueryRow(t.Context(), `SELECT value FROM system.events WHERE event = 'Query'`, nil, &n); err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// postStatus posts a query and returns the status and the first error code.
func postStatus(t *testing.T, a *api, accept, query string) (int, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	resp, raw := send(t, "POST", a.srv.URL+"/graphql", map[string]string{"Content-Type": "application/json", "Accept": accept}, body)
	env, _ := decodeEnvelope(t, raw)
	code := ""
	if len(env.Errors) > 0 {
		code, _ = env.Errors[0].Extensions["code"].(string)
	}
	return resp.StatusCode, code
}

func repeated(n int, format string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = strings.ReplaceAll(format, "%d", fmt.Sprint(i))
	}
	return strings.Join(parts, " ")
}

// Documents built to burn a core or fan out into thousands of statements
// are refused with a 4xx before anything runs: a nested fragment bomb, a
// field repeated 10,000 times, 2,000 aliases of idmYears, ten aliases of
// the heaviest cooperationStats.
func TestAbusiveDocumentsAreRefusedBeforeTheyRun(t *testing.T) {
	a := newKaltimAPI(t, apiOptions{}, true)

	var bomb strings.Builder
	bomb.WriteString("query { ...F0 }\n")
	for i := range 40 {
		fmt.Fprintf(&bomb, "fragment F%d on Query { ...F%d ...F%d }\n", i, i+1, i+1)
	}
	bomb.WriteString("fragment F40 on Query { idmYears }\n")
	heaviest := `cooperationStats(dimensions: [DESA, PERIOD, ISSUE, PARTY_TYPE, PARTNER_SECTOR, FIELD, STATUS],
	  measures: [AGREEMENTS, ACTIVE_AGREEMENTS, VILLAGES_COVERED, DESA_PERSIAPAN_COVERED, PARTNERS, COMMITTED_VALUE, REALISED_VALUE, BENEFICIARIES],
	  timeGrain: MONTH) { rows { desa period issue partyType partnerSector field status agreements activeAgreements villagesCovered
	  desaPersiapanCovered partners committedValue realisedValue beneficiaries } totals { agreements committedValue } }`

	for _, tc := range []struct{ name, query, code string }{
		{"nested fragment bomb, 40 levels", bomb.String(), "DOCUMENT_LIMIT_EXCEEDED"},
		{"a field repeated 10,000 times", "{ " + strings.Repeat("idmYears ", 10000) + "}", "DOCUMENT_LIMIT_EXCEEDED"},
		{"2,000 aliases of idmYears", "{ " + repeated(2000, "y%d: idmYears") + " }", "DOCUMENT_LIMIT_EXCEEDED"},
		{"30 root fields", "{ " + repeated(30, "y%d: idmYears") + " }", "DOCUMENT_LIMIT_EXCEEDED"},
		{"10 aliases of the heaviest cooperationStats", "{ " + repeated(10, "s%d: "+heaviest) + " }", "COMPLEXITY_LIMIT_EXCEEDED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := statementsSoFar(t, a)
			status, code := postStatus(t, a, "application/graphql-response+json", tc.query)
			if status != http.StatusBadRequest || code != tc.code {
				t.Fatalf("status %d code %q, want 400 %s", status, code, tc.code)
			}
			if ran := statementsSoFar(t, a) - before - 1; ran != 0 {
				t.Fatalf("%d statements ran for a refused request", ran)
			}
		})
	}
	t.Run("the document limits refuse with 400 under application/json too", func(t *testing.T) {
		if status, code := postStatus(t, a, "application/json", bomb.String()); status != http.StatusBadRequest || code != "DOCUMENT_LIMIT_EXCEEDED" {
			t.Fatalf("status %d code %q", status, code)
		}
	})
}

// An allowed request with many top-level fields runs a bounded number of
// statements, a few at a time, and another client's cheap query answers
// meanwhile.
func TestOneRequestCannotTakeThePool(t *testing.T) {
	a := newKaltimAPI(t, apiOptions{}, true)

	// Ten aliases of a heavy grouping that asks only for totals cost little
	// by the complexity limit: they run, bounded.
	heavy := "{ " + repeated(10, `s%d: cooperationStats(dimensions: [DESA, PERIOD, ISSUE, PARTY_TYPE], measures: [AGREEMENTS, PARTNERS], timeGrain: MONTH) { totals { agreements } }`) + " }"
	before := statementsSoFar(t, a)
	if status, code := postStatus(t, a, "application/json", heavy); status != 200 || code != "" {
		t.Fatalf("the bounded request: %d %s", status, code)
	}
	ran := statementsSoFar(t, a) - before - 1
	t.Logf("10 aliases of cooperationStats ran %d statements", ran)
	if ran > 10*4 {
		t.Fatalf("10 root fields ran %d statements", ran)
	}

	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for range 6 {
		wg.Go(func() {
			for range 3 {
				if status, code := postStatus(t, a, "application/json", heavy); status != 200 || code != "" {
					errs <- fmt.Sprintf("heavy: %d %s", status, code)
				}
			}
		})
	}
	for range 20 {
		if status, code := postStatus(t, a, "application/json", `{ idmYears }`); status != 200 || code != "" {
			errs <- fmt.Sprintf("cheap: %d %s", status, code)
		}
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
