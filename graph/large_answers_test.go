package graph_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/graph"
)

// TestLargeAnswersSameBytes sends every shape of idmDistribution and
// cooperationStats to the API twice — once encoded by the hand-written
// encoders, once by gqlgen's generated code — and wants the same bytes.
func TestLargeAnswersSameBytes(t *testing.T) {
	dir := sharedData(t)
	lim := graph.DefaultLimits
	lim.MaxComplexity = 1 << 20 // every field of every element, asked at once
	a := newAPIWith(t, apiOptions{limits: &lim})
	a.load(etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
	a.load(etl.DatasetIDM, filepath.Join(dir, "kaltim_idm_2023.csv"), filepath.Join(dir, "kaltim_idm_2024.csv"))
	loadKnownRegister(t, a, "v1", plannersToday())
	gqlgen := newAPIWith(t, apiOptions{db: a.db, limits: &lim, gqlgenEncoded: true})

	const regionAll = `region { __typename id code codeFlat name level kind desaCount kelurahanCount }`
	cases := []struct {
		name, query string
		vars        map[string]any
		handEncoded int64 // root fields the hand-written encoders should answer
	}{
		{"idm by kabupaten, the workload's", `{ idmDistribution(year: 2024, level: KABUPATEN_KOTA) { region { code name } total meanIdm byStatus { status count } } }`, nil, 1},
		{"idm every field", `{ idmDistribution(years: [2023, 2024], level: KECAMATAN) { __typename id index year total ` + regionAll + ` byStatus { __typename status count share } meanIdm meanIks meanIke meanIkl } }`, nil, 1},
		{"idm aliases, fragments, skip and include", `query($no: Boolean!) { k: idmDistribution(year: 2024, level: KECAMATAN) { ...d total: meanIdm n: total } d: idmDistribution(year: 2023, level: KABUPATEN_KOTA) { byStatus { c: count @include(if: $no) share @skip(if: $no) } region { ... on Region { name } code @skip(if: $no) } } }
			fragment d on IdmDistribution { region { name } byStatus { status count } year }`, map[string]any{"no": false}, 2},
		{"idm a kecamatan's desa", `{ idmDistribution(year: 2024, level: DESA_KELURAHAN, parentCode: "64.01.01") { id region { name } byStatus { share } meanIkl } }`, nil, 1},
		{"idm unknown parent", `{ idmDistribution(year: 2024, level: DESA_KELURAHAN, parentCode: "64.99") { id } }`, nil, 0},
		{"idm region parent: gqlgen's", `{ idmDistribution(year: 2024, level: KECAMATAN) { region { name parent { code } } total } }`, nil, 0},
		{"idm refused year", `{ idmDistribution(year: 1990, level: KECAMATAN) { total } }`, nil, 0},
		{"stats columns, the workload's", `{ cooperationStats(dimensions: [KABUPATEN_KOTA, ISSUE, PERIOD], measures: [AGREEMENTS, VILLAGES_COVERED, COMMITTED_VALUE], timeGrain: YEAR) { columns { dimensions { dimension values } measures { measure values } } totals { agreements } } }`, nil, 1},
		{"stats every column and total", `query($lang: Language) { cooperationStats(dimensions: [DESA, PARTY_TYPE, STATUS, PERIOD], measures: [AGREEMENTS, ACTIVE_AGREEMENTS, VILLAGES_COVERED, DESA_PERSIAPAN_COVERED, PARTNERS, COMMITTED_VALUE, REALISED_VALUE, BENEFICIARIES], timeGrain: MONTH) {
			__typename totals { __typename agreements activeAgreements villagesCovered desaPersiapanCovered partners committedValue realisedValue beneficiaries }
			columns { __typename measures { __typename measure values } dimensions { __typename dimension values labels en: labels(language: EN) v: labels(language: $lang) } } } }`, map[string]any{"lang": "EN"}, 1},
		{"stats, more dimensions", `{ cooperationStats(dimensions: [KECAMATAN, PARTNER_SECTOR, FIELD, ISSUE], measures: [REALISED_VALUE, BENEFICIARIES]) { columns { dimensions { labels values } measures { values } } } }`, nil, 1},
		{"stats, a measure not asked is null in totals", `{ s: cooperationStats(dimensions: [ISSUE], measures: [PARTNERS], filter: {issues: [THIRD_PARTY]}) { totals { partners agreements committedValue } columns { measures { values } } } }`, nil, 1},
		{"stats rows: gqlgen's", `{ cooperationStats(dimensions: [ISSUE], measures: [AGREEMENTS]) { rows { issue agreements } columns { dimensions { values } } } }`, nil, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := graph.LargeAnswersEncoded()
			hand := postRaw(t, a, c.query, c.vars)
			if got := graph.LargeAnswersEncoded() - before; got != c.handEncoded {
				t.Errorf("%d root fields hand-encoded, want %d; answer %.300s", got, c.handEncoded, hand)
			}
			want := postRaw(t, gqlgen, c.query, c.vars)
			if !bytes.Equal(hand, want) {
				t.Fatalf("answers differ\nhand-encoded: %.2000s\ngqlgen:       %.2000s", hand, want)
			}
			if len(want) < 40 && c.handEncoded > 0 {
				t.Fatalf("answer %s: the case should have data", want)
			}
		})
	}
}

// postRaw sends a query past the result cache and returns the answer's bytes.
func postRaw(t *testing.T, a *api, query string, vars map[string]any) []byte {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
