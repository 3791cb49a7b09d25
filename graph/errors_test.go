package graph_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
)

func TestErrorsCarryStableCodesAndNoInternals(t *testing.T) {
	dir := sharedData(t)
	a := newAPI(t)
	a.load(etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
	a.load(etl.DatasetIDM, filepath.Join(dir, "kaltim_idm_2024.csv"))

	deep := "{ regions(level: PROVINSI) { children { children { children { children { children { children { children { children { children { code } } } } } } } } } } }"
	wide := "{ regions(level: PROVINSI) { children { children { children { code name parent { code name } } } } } }"
	for _, tc := range []struct {
		name, query, code, mentions string
	}{
		{"malformed code", `{ region(code: "64.2") { name } }`, "BAD_USER_INPUT", "64.2"},
		{"injection attempt in a code", `{ region(code: "64' OR 1=1 --") { name } }`, "BAD_USER_INPUT", "not made of digits"},
		{"year without data", `{ idmDistribution(year: 2019, level: KABUPATEN_KOTA) { total } }`, "BAD_USER_INPUT", "loaded years: 2024"},
		{"unknown parent", `{ regions(level: KECAMATAN, parentCode: "64.99") { code } }`, "NOT_FOUND", "64.99"},
		{"parent below the level", `{ regions(level: KABUPATEN_KOTA, parentCode: "64.02.02") { code } }`, "BAD_USER_INPUT", "kecamatan"},
		{"distribution: unknown parent", `{ idmDistribution(year: 2024, level: KECAMATAN, parentCode: "64.99") { total } }`, "NOT_FOUND", "64.99"},
		{"distribution: parent below the level", `{ idmDistribution(year: 2024, level: KABUPATEN_KOTA, parentCode: "64.02.02") { total } }`, "BAD_USER_INPUT", "kecamatan"},
		{"distribution: year checked before the parent", `{ idmDistribution(year: 2019, level: KECAMATAN, parentCode: "64.99") { total } }`, "BAD_USER_INPUT", "loaded years: 2024"},
		{"compare: unknown region beside a known one", `{ compareRegions(codes: ["64.02", "64.99"], year: 2024) { desaCount } }`, "NOT_FOUND", "64.99"},
		{"compare: a village", `{ compareRegions(codes: ["64.02", "64.02.02.2010"], year: 2024) { desaCount } }`, "BAD_USER_INPUT", "is a village"},
		{"transition years reversed", `{ idmTransitions(fromYear: 2024, toYear: 2023) { count } }`, "BAD_USER_INPUT", "before"},
		{"page too large", `{ etlRuns(last: 100000) { id } }`, "BAD_USER_INPUT", "200"},
		{"not a village", `{ village(code: "64.02") { name } }`, "BAD_USER_INPUT", "not a desa"},
		{"too deep", deep, "DEPTH_LIMIT_EXCEEDED", "limit"},
		{"too complex", wide, "COMPLEXITY_LIMIT_EXCEEDED", "complexity"},
		{"unknown field", `{ regions(level: PROVINSI) { password } }`, "GRAPHQL_VALIDATION_FAILED", "password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := a.query(tc.query, nil, nil)
			if len(errs) == 0 {
				t.Fatal("no error")
			}
			e := errs[0]
			if e.Extensions["code"] != tc.code {
				t.Errorf("code %v, want %s (%s)", e.Extensions["code"], tc.code, e.Message)
			}
			if !strings.Contains(e.Message, tc.mentions) {
				t.Errorf("message %q does not mention %q", e.Message, tc.mentions)
			}
			for _, leak := range []string{"SELECT", "clickhouse", "goroutine", ".go:"} {
				if strings.Contains(e.Message, leak) {
					t.Errorf("message leaks %q: %s", leak, e.Message)
				}
			}
		})
	}

	t.Run("missing region is null, not an error", func(t *testing.T) {
		var out struct{ Region *struct{ Name string } }
		a.mustQuery(`{ region(code: "64.99") { name } }`, nil, &out)
		if out.Region != nil {
			t.Fatalf("got %+v", out.Region)
		}
	})

	t.Run("GET serves simple queries", func(t *testing.T) {
		resp, err := http.Get(a.srv.URL + "/graphql?query=" + url.QueryEscape(`{ idmYears }`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct{ Data struct{ IdmYears []int } }
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		if len(body.Data.IdmYears) != 1 || body.Data.IdmYears[0] != 2024 {
			t.Fatalf("idmYears: %v", body.Data.IdmYears)
		}
	})

	t.Run("health and readiness", func(t *testing.T) {
		for _, path := range []string{"/healthz", "/readyz"} { // "/" is the console's (web), not the mux's
			resp, err := http.Get(a.srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s: status %d", path, resp.StatusCode)
			}
		}
	})
}

func TestUnavailableDatabaseIsReportedAsSuch(t *testing.T) {
	a := newAPI(t)
	a.db.Close() // every query now fails to reach ClickHouse
	errs := a.query(`{ regions(level: PROVINSI) { code } }`, nil, nil)
	if len(errs) == 0 {
		t.Fatal("no error from a closed database")
	}
	if errs[0].Extensions["code"] != "UNAVAILABLE" {
		t.Fatalf("code %v (%s)", errs[0].Extensions["code"], errs[0].Message)
	}
	if strings.Contains(errs[0].Message, "clickhouse") {
		t.Fatalf("message leaks internals: %s", errs[0].Message)
	}
	resp, err := http.Get(a.srv.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/readyz with a closed database: %d", resp.StatusCode)
	}
}

// TestServerLimitsAnswerQueryTooExpensive: a statement that ClickHouse stops
// at one of its limits (here max_result_rows) answers QUERY_TOO_EXPENSIVE,
// not UNAVAILABLE or a timed-out request.
func TestServerLimitsAnswerQueryTooExpensive(t *testing.T) {
	cfg := clickhousetest.Config(t)
	cfg.MaxResultRows = 100
	a := newAPIWith(t, apiOptions{db: clickhousetest.OpenDB(t, cfg)})
	a.load(etl.DatasetRegions, filepath.Join(sharedData(t), "kaltim_wilayah_kemendagri_2025.csv"))
	errs := a.query(`{ regions(level: DESA_KELURAHAN) { code } }`, nil, nil)
	if len(errs) == 0 || errs[0].Extensions["code"] != "QUERY_TOO_EXPENSIVE" {
		t.Fatalf("1,038 villages past a 100-row limit: %+v, want QUERY_TOO_EXPENSIVE", errs)
	}
}
