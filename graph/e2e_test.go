package graph_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/etl/etltest"
	"github.com/sinergi-id/sinergi/graph"
	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/cooperation/coopch"
	"github.com/sinergi-id/sinergi/internal/httpapi"
	"github.com/sinergi-id/sinergi/internal/idm"
	"github.com/sinergi-id/sinergi/internal/idm/idmch"
	"github.com/sinergi-id/sinergi/internal/ingest"
	"github.com/sinergi-id/sinergi/internal/ingest/ingestch"
	"github.com/sinergi-id/sinergi/internal/realdata"
	"github.com/sinergi-id/sinergi/internal/region"
	"github.com/sinergi-id/sinergi/internal/region/regionch"
	"github.com/sinergi-id/sinergi/internal/warm"
)

func TestMain(m *testing.M) { os.Exit(clickhousetest.Main(m)) }

func sharedData(t testing.TB) string { return realdata.Dir(t) }

// plannersToday is the day the API judges "today" on: the day in the
// deployment's time zone (WITA by default), as a date.
func plannersToday() time.Time { return cooperation.NewService(nil, nil, nil).Today() }

// api is a GraphQL endpoint over a fresh database.
type api struct {
	t      testing.TB
	db     *clickhouse.DB
	runner *etl.Runner
	srv    *httptest.Server
}

func newAPI(t *testing.T) *api { return newAPIWithCache(t, nil) }

// newAPIOn is the API over a fresh database on engine e.
func newAPIOn(t *testing.T, e clickhousetest.Engine) *api {
	return newAPIWith(t, apiOptions{db: e.NewDB(t)})
}

func newAPIWithCache(t testing.TB, cache *graph.ResultCache) *api {
	return newAPIWith(t, apiOptions{cache: cache})
}

// apiOptions change what newAPIWith builds; zero values are the defaults.
type apiOptions struct {
	db     *clickhouse.DB // default: a fresh database on the 18.16 server
	cache  *graph.ResultCache
	log    *slog.Logger
	limits *graph.Limits
	wrap   func(http.Handler) http.Handler // around the mux, as cmd/sinergi wraps it (CORS)
	// regions, if set, wraps the region store the API reads (to count reads).
	regions func(region.Store) region.Store
	// gqlgenEncoded: every answer encoded by gqlgen's generated code, none
	// by the hand-written encoders of the large answers.
	gqlgenEncoded bool
	// warm, if set, answers the dashboards' questions from its rollups.
	warm *warm.Keeper
}

func newAPIWith(t testing.TB, o apiOptions) *api {
	t.Helper()
	db := o.db
	if db == nil {
		db = clickhousetest.NewDB(t)
	}
	log := o.log
	if log == nil {
		log = clickhousetest.Logger(t)
	}
	lim := graph.DefaultLimits
	if o.limits != nil {
		lim = *o.limits
	}
	cache := o.cache
	var regionStore region.Store = regionch.NewStore(db)
	if o.regions != nil {
		regionStore = o.regions(regionStore)
	}
	var idmStore idm.Store = idmch.NewStore(db)
	var coopStore cooperation.Store = coopch.NewStore(db)
	if o.warm != nil {
		regionStore = warm.Regions{Store: regionStore, Keeper: o.warm}
		idmStore = warm.IDM{Store: idmStore, Keeper: o.warm}
		coopStore = warm.Cooperation{Store: coopStore, Keeper: o.warm}
	}
	regions := region.NewService(regionStore)
	scores := idm.NewService(idmStore, regions)
	res := &graph.Resolver{
		Regions:     regions,
		IDM:         scores,
		Ingest:      ingest.NewService(ingestch.NewStore(db)),
		Cooperation: cooperation.NewService(coopStore, regions, scores),
		Published:   db.LatestGeneration,
	}
	newHandler := graph.NewHandler
	if o.gqlgenEncoded {
		newHandler = graph.NewHandlerGqlgenEncoded
	}
	gql := newHandler(res, log, lim, cache)
	var h http.Handler = httpapi.NewMux(httpapi.API{GraphQL: gql, CSV: graph.NewExport(gql, log, false), XLSX: graph.NewExport(gql, log, true)},
		db.Ping, log, nil)
	if o.wrap != nil {
		h = o.wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	runner := etltest.NewRunner(db, log)
	if cache != nil {
		runner.OnPublish(cache.Invalidate)
	}
	return &api{t: t, db: db, runner: runner, srv: srv}
}

func (a *api) load(dataset string, files ...string) etl.Result {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := a.runner.Load(ctx, dataset, files...)
	if err != nil {
		a.t.Fatalf("load %s: %v", dataset, err)
	}
	return res
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// query posts a GraphQL query and decodes data into out; it returns the
// errors, if any.
func (a *api) query(q string, vars map[string]any, out any) []gqlError {
	a.t.Helper()
	raw := a.rawQuery(q, vars)
	var env struct {
		Data   json.RawMessage `json:"data"`
		Errors []gqlError      `json:"errors"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		a.t.Fatalf("decode %s: %v", raw, err)
	}
	if out != nil && len(env.Data) > 0 && string(env.Data) != "null" {
		if err := json.Unmarshal(env.Data, out); err != nil {
			a.t.Fatalf("decode data %s: %v", env.Data, err)
		}
	}
	return env.Errors
}

// rawQuery posts a GraphQL query and returns the body as sent.
func (a *api) rawQuery(q string, vars map[string]any) []byte {
	a.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	resp, err := http.Post(a.srv.URL+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		a.t.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatalf("read: %v", err)
	}
	return raw
}

func (a *api) mustQuery(q string, vars map[string]any, out any) {
	a.t.Helper()
	if errs := a.query(q, vars, out); len(errs) > 0 {
		a.t.Fatalf("query errors: %+v", errs)
	}
}

// expected is computed from the CSV files with encoding/csv alone,
// independently of the ETL's parser and of ClickHouse.
type group struct {
	counts                         map[string]int
	total                          int
	sumIDM, sumIKS, sumIKE, sumIKL int64 // in ten-thousandths: scores have 4 decimals
}

type idmRow struct {
	village, kecamatan, kabupaten, status string
	idm, iks, ike, ikl                    float64
}

func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func readIDM(t *testing.T, path string) map[string]idmRow {
	t.Helper()
	out := map[string]idmRow{}
	num := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, m := range readCSV(t, path) {
		out[m["kode_desa"]] = idmRow{
			village: m["kode_desa"], kecamatan: m["kode_kecamatan"], kabupaten: m["kode_kabkota"],
			status: strings.ReplaceAll(m["status_idm"], " ", "_"),
			idm:    num(m["nilai_idm"]), iks: num(m["iks"]), ike: num(m["ike"]), ikl: num(m["ikl"]),
		}
	}
	return out
}

func groupBy(rows map[string]idmRow, key func(idmRow) string) map[string]*group {
	out := map[string]*group{}
	for _, r := range rows {
		g := out[key(r)]
		if g == nil {
			g = &group{counts: map[string]int{}}
			out[key(r)] = g
		}
		g.counts[r.status]++
		g.total++
		g.sumIDM += scoreUnits(r.idm)
		g.sumIKS += scoreUnits(r.iks)
		g.sumIKE += scoreUnits(r.ike)
		g.sumIKL += scoreUnits(r.ikl)
	}
	return out
}

type distribution struct {
	Region struct {
		Code     string `json:"code"`
		CodeFlat string `json:"codeFlat"`
		Name     string `json:"name"`
	} `json:"region"`
	Year     int `json:"year"`
	Total    int `json:"total"`
	ByStatus []struct {
		Status string   `json:"status"`
		Count  int      `json:"count"`
		Share  *float64 `json:"share"`
	} `json:"byStatus"`
	MeanIdm, MeanIks, MeanIke, MeanIkl *float64
}

const distributionQuery = `query($year: Int!, $level: RegionLevel!, $parent: ID) {
  idmDistribution(year: $year, level: $level, parentCode: $parent) {
    region { code codeFlat name } year total
    byStatus { status count share }
    meanIdm meanIks meanIke meanIkl
  }
}`

func closeTo(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func checkDistribution(t *testing.T, got []distribution, want map[string]*group, regions []string) {
	t.Helper()
	if len(got) != len(regions) {
		t.Fatalf("got %d regions, want %d", len(got), len(regions))
	}
	for i, d := range got {
		if d.Region.CodeFlat != regions[i] {
			t.Fatalf("region %d: got %s, want %s (ordered by code)", i, d.Region.CodeFlat, regions[i])
		}
		g := want[d.Region.CodeFlat]
		if g == nil {
			g = &group{counts: map[string]int{}}
		}
		if d.Total != g.total {
			t.Errorf("%s total: got %d, want %d", d.Region.Code, d.Total, g.total)
		}
		if len(d.ByStatus) != 5 {
			t.Errorf("%s: byStatus lists %d statuses, want all 5", d.Region.Code, len(d.ByStatus))
		}
		for _, sc := range d.ByStatus {
			if sc.Count != g.counts[sc.Status] {
				t.Errorf("%s %s: got %d, want %d", d.Region.Code, sc.Status, sc.Count, g.counts[sc.Status])
			}
		}
		if g.total == 0 {
			if d.MeanIdm != nil {
				t.Errorf("%s: mean IDM %v for a region without desa, want null", d.Region.Code, *d.MeanIdm)
			}
			continue
		}
		n := g.total
		for name, pair := range map[string][2]any{
			"idm": {d.MeanIdm, mean4(g.sumIDM, n)}, "iks": {d.MeanIks, mean4(g.sumIKS, n)},
			"ike": {d.MeanIke, mean4(g.sumIKE, n)}, "ikl": {d.MeanIkl, mean4(g.sumIKL, n)},
		} {
			gotMean, want := pair[0].(*float64), pair[1].(float64)
			if gotMean == nil || !closeTo(*gotMean, want) {
				t.Errorf("%s mean %s: got %v, want %v", d.Region.Code, name, gotMean, want)
			}
		}
	}
}

func regionCodes(t *testing.T, dir, level string) []string {
	var out []string
	for _, m := range readCSV(t, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv")) {
		if m["level"] == level {
			out = append(out, m["kode_flat"])
		}
	}
	return out // the file is ordered by code
}

// TestRealKaltimData checks the IDM figures against the Kaltim files, on
// every engine.
func TestRealKaltimData(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) { checkRealKaltimData(t, newAPIOn(t, e)) })
}

func checkRealKaltimData(t *testing.T, a *api) {
	dir := sharedData(t)
	a.load(etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
	res := a.load(etl.DatasetIDM, filepath.Join(dir, "kaltim_idm_2023.csv"), filepath.Join(dir, "kaltim_idm_2024.csv"))
	for _, r := range res.Runs {
		if r.Status != ingest.StatusSucceeded || r.RowsLoaded != 841 || r.RowsRejected != 0 {
			t.Fatalf("IDM run: %+v", r)
		}
	}

	idmByYear := map[int]map[string]idmRow{
		2023: readIDM(t, filepath.Join(dir, "kaltim_idm_2023.csv")),
		2024: readIDM(t, filepath.Join(dir, "kaltim_idm_2024.csv")),
	}
	kabupaten := regionCodes(t, dir, "kabupaten_kota")
	kecamatan := regionCodes(t, dir, "kecamatan")

	for year, rows := range idmByYear {
		t.Run("distribution by kabupaten "+strconv.Itoa(year), func(t *testing.T) {
			var out struct{ IdmDistribution []distribution }
			a.mustQuery(distributionQuery, map[string]any{"year": year, "level": "KABUPATEN_KOTA", "parent": "64"}, &out)
			checkDistribution(t, out.IdmDistribution, groupBy(rows, func(r idmRow) string { return r.kabupaten }), kabupaten)
		})
		t.Run("distribution by kecamatan "+strconv.Itoa(year), func(t *testing.T) {
			var out struct{ IdmDistribution []distribution }
			a.mustQuery(distributionQuery, map[string]any{"year": year, "level": "KECAMATAN"}, &out)
			checkDistribution(t, out.IdmDistribution, groupBy(rows, func(r idmRow) string { return r.kecamatan }), kecamatan)
		})
		t.Run("distribution for the province "+strconv.Itoa(year), func(t *testing.T) {
			var out struct{ IdmDistribution []distribution }
			a.mustQuery(distributionQuery, map[string]any{"year": year, "level": "PROVINSI"}, &out)
			checkDistribution(t, out.IdmDistribution, groupBy(rows, func(idmRow) string { return "64" }), []string{"64"})
		})
	}

	t.Run("province status counts match the published totals", func(t *testing.T) {
		want := map[int]map[string]int{
			2024: {"MANDIRI": 262, "MAJU": 380, "BERKEMBANG": 195, "TERTINGGAL": 4, "SANGAT_TERTINGGAL": 0},
			2023: {"MANDIRI": 209, "MAJU": 364, "BERKEMBANG": 263, "TERTINGGAL": 5, "SANGAT_TERTINGGAL": 0},
		}
		for year, counts := range want {
			var out struct{ IdmDistribution []distribution }
			a.mustQuery(distributionQuery, map[string]any{"year": year, "level": "PROVINSI"}, &out)
			for _, sc := range out.IdmDistribution[0].ByStatus {
				if sc.Count != counts[sc.Status] {
					t.Errorf("%d %s: got %d, want %d", year, sc.Status, sc.Count, counts[sc.Status])
				}
			}
		}
	})

	t.Run("transitions 2023 to 2024 for the province", func(t *testing.T) {
		want := map[[2]string]int{}
		for code, r23 := range idmByYear[2023] {
			if r24, ok := idmByYear[2024][code]; ok {
				want[[2]string{r23.status, r24.status}]++
			}
		}
		var out struct {
			IdmTransitions []struct {
				From, To string
				Count    int
			}
		}
		a.mustQuery(`{ idmTransitions(fromYear: 2023, toYear: 2024, regionCode: "64") { from to count } }`, nil, &out)
		if len(out.IdmTransitions) != 25 {
			t.Fatalf("got %d pairs, want 25", len(out.IdmTransitions))
		}
		sum := 0
		for _, tr := range out.IdmTransitions {
			sum += tr.Count
			if tr.Count != want[[2]string{tr.From, tr.To}] {
				t.Errorf("%s -> %s: got %d, want %d", tr.From, tr.To, tr.Count, want[[2]string{tr.From, tr.To}])
			}
		}
		if sum != 841 {
			t.Errorf("transitions cover %d desa, want 841", sum)
		}
	})

	t.Run("regions and counts", func(t *testing.T) {
		var out struct {
			Regions []struct {
				Code, Name                string
				DesaCount, KelurahanCount int
				Parent                    struct{ Code string }
			}
		}
		a.mustQuery(`{ regions(level: KABUPATEN_KOTA, parentCode: "64") { code name desaCount kelurahanCount parent { code } } }`, nil, &out)
		want := map[string][2]int{}
		for _, m := range readCSV(t, filepath.Join(dir, "kaltim_kabkota_2025.csv")) {
			d, _ := strconv.Atoi(m["jumlah_desa"])
			k, _ := strconv.Atoi(m["jumlah_kelurahan"])
			want[m["kode"]] = [2]int{d, k}
		}
		if len(out.Regions) != 10 {
			t.Fatalf("got %d kabupaten/kota, want 10", len(out.Regions))
		}
		for _, r := range out.Regions {
			if w := want[r.Code]; r.DesaCount != w[0] || r.KelurahanCount != w[1] || r.Parent.Code != "64" {
				t.Errorf("%s %s: desa %d kelurahan %d parent %s; want %v parent 64", r.Code, r.Name, r.DesaCount, r.KelurahanCount, r.Parent.Code, w)
			}
		}
		var kec struct{ Regions []struct{ Code string } }
		a.mustQuery(`{ regions(level: KECAMATAN) { code } }`, nil, &kec)
		if len(kec.Regions) != 105 {
			t.Errorf("got %d kecamatan, want 105", len(kec.Regions))
		}
	})

	t.Run("village with chain and history", func(t *testing.T) {
		var out struct {
			Village struct {
				Code, Name, Kind string
				Chain            []struct{ Code, Name string }
				IdmHistory       []struct {
					Year   int
					Idm    float64
					Status string
				}
			}
		}
		// Lung Anai, the village of the 2025 Kukar MoU, asked for by its flat code.
		a.mustQuery(`{ village(code: "6402022010") { code name kind chain { code name } idmHistory { year idm status } } }`, nil, &out)
		v := out.Village
		if v.Code != "64.02.02.2010" || v.Name != "Lung Anai" || v.Kind != "DESA" {
			t.Fatalf("village: %+v", v)
		}
		if len(v.Chain) != 3 || v.Chain[0].Code != "64" || v.Chain[1].Code != "64.02" || v.Chain[2].Code != "64.02.02" {
			t.Fatalf("chain: %+v", v.Chain)
		}
		if len(v.IdmHistory) != 2 || v.IdmHistory[0].Year != 2023 || v.IdmHistory[1].Year != 2024 {
			t.Fatalf("history: %+v", v.IdmHistory)
		}
		for _, h := range v.IdmHistory {
			src := idmByYear[h.Year]["6402022010"]
			if !closeTo(h.Idm, src.idm) || h.Status != src.status {
				t.Errorf("%d: got %v %s, want %v %s", h.Year, h.Idm, h.Status, src.idm, src.status)
			}
		}
	})

	t.Run("runs and freshness", func(t *testing.T) {
		var out struct {
			EtlRuns []struct {
				Dataset, Status string
				RowsLoaded      int
			}
			DataFreshness []struct {
				Dataset    string
				RowsLoaded int
			}
		}
		a.mustQuery(`{ etlRuns(last: 10) { dataset status rowsLoaded } dataFreshness { dataset rowsLoaded } }`, nil, &out)
		if len(out.EtlRuns) != 3 {
			t.Fatalf("runs: %+v", out.EtlRuns)
		}
		for _, r := range out.EtlRuns {
			if r.Status != "SUCCEEDED" {
				t.Errorf("run %+v not succeeded", r)
			}
		}
		if len(out.DataFreshness) != 2 {
			t.Fatalf("freshness: %+v", out.DataFreshness)
		}
	})
}
