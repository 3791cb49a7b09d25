package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/graph"
	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
	"github.com/sinergi-id/sinergi/internal/cooperation/coopch"
	"github.com/sinergi-id/sinergi/internal/idm/idmch"
	"github.com/sinergi-id/sinergi/internal/region/regionch"
	"github.com/sinergi-id/sinergi/internal/warm"
)

// warmPair is two endpoints over one database, both pinning each request
// to the generation their result cache was told (as cmd/sinergi wires
// them): one answering from warm rollups where it can, one from SQL only.
type warmPair struct {
	t             *testing.T
	warm, sql     *api
	keeper        *warm.Keeper
	sqlCache      *graph.ResultCache
	warmCacheSelf *graph.ResultCache
	// day, when set, is the keeper's planners' day instead of today's.
	day atomic.Pointer[time.Time]
}

// newWarmPair loads the real Kaltim regions and IDM 2023–2024 (no register).
func newWarmPair(t *testing.T, e clickhousetest.Engine) *warmPair {
	db := e.NewDB(t)
	pinned := func() *graph.ResultCache {
		c := graph.NewResultCache(1<<20, 1<<20)
		c.PinReadsWith(clickhouse.PinGeneration)
		return c
	}
	p := &warmPair{t: t, sqlCache: pinned(), warmCacheSelf: pinned()}
	today := func() time.Time {
		if d := p.day.Load(); d != nil {
			return *d
		}
		return plannersToday()
	}
	keeper := warm.NewKeeper(regionch.NewStore(db), idmch.NewStore(db), coopch.NewStore(db), today, clickhousetest.Logger(t))
	p.keeper = keeper
	p.warm = newAPIWith(t, apiOptions{db: db, cache: p.warmCacheSelf, warm: keeper})
	p.sql = newAPIWith(t, apiOptions{db: db, cache: p.sqlCache})
	dir := sharedData(t)
	p.warm.load(etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
	p.warm.load(etl.DatasetIDM, filepath.Join(dir, "kaltim_idm_2023.csv"), filepath.Join(dir, "kaltim_idm_2024.csv"))
	return p
}

// published tells both endpoints of the latest generation, as the result
// cache's watch does, and loads the rollups of that generation.
func (p *warmPair) published() uint64 {
	p.t.Helper()
	ctx := context.Background()
	gen, err := p.warm.db.LatestGeneration(ctx)
	if err != nil {
		p.t.Fatal(err)
	}
	p.warmCacheSelf.Invalidate(gen)
	p.sqlCache.Invalidate(gen)
	if err := p.keeper.Load(ctx, gen); err != nil {
		p.t.Fatalf("loading the warm rollups: %v", err)
	}
	return gen
}

// uncached posts q past the result cache (as the load generator does) and
// returns the body.
func uncached(t testing.TB, a *api, q string) []byte {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q})
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Cache-Control", "no-cache")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// warmQuestions are the dashboards' questions the rollups answer: the load
// generator's workload and the other shapes they hold.
func warmQuestions(t *testing.T, p *warmPair) []string {
	var regions struct {
		Regions []struct{ Code string }
	}
	p.sql.mustQuery(`{ regions(level: KABUPATEN_KOTA) { code } }`, nil, &regions)
	var kab []string
	for _, r := range regions.Regions {
		kab = append(kab, fmt.Sprintf("%q", r.Code))
	}
	if len(kab) < 10 {
		t.Fatalf("%d kabupaten/kota", len(kab))
	}
	compare := `{ compareRegions(codes: [%s], year: %d) { region { code name } desaCount agreements agreementsPer100Desa desaCovered desaCoveredShare valuePerDesa realisedValue byIssue { issue agreements } idm { year meanIdm movedUp movedDown scored byStatus { status count } } } }`
	const measures = `agreements activeAgreements villagesCovered desaPersiapanCovered partners committedValue realisedValue beneficiaries`
	stats := `{ cooperationStats(dimensions: [%s], measures: [%s], timeGrain: YEAR) { rows { provinsi kabupatenKota regionName issue period ` +
		measures + ` } totals { ` + measures + ` } } }`
	qs := []string{
		// the load generator's workload, but the agreements page
		fmt.Sprintf(compare, strings.Join(kab[:10], ","), 2024),
		`{ cooperationStats(dimensions: [KABUPATEN_KOTA, ISSUE, PERIOD], measures: [AGREEMENTS, VILLAGES_COVERED, COMMITTED_VALUE], timeGrain: YEAR) { columns { dimensions { dimension values } measures { measure values } } totals { agreements } } }`,
		`{ idmDistribution(year: 2024, level: KABUPATEN_KOTA) { region { code name } total meanIdm byStatus { status count } } }`,
		`{ strategicIssues { issue agreements activeAgreements villagesCovered partners committedValue realisedValue } }`,
		// other years, a province beside its kabupaten, IDM of 2023 (no year before it)
		fmt.Sprintf(compare, `"64", `+strings.Join(kab[:3], ","), 2023),
		fmt.Sprintf(compare, strings.Join(kab, ","), 2025),
		`{ compareRegions(codes: ["64"], year: 2024, idmYear: 2023) { agreements realisedValue idm { year meanIdm movedUp movedDown } } }`,
		`{ idmDistribution(years: [2023, 2024], level: PROVINSI) { region { code } year total meanIdm meanIks meanIke meanIkl byStatus { status count } } }`,
		`{ idmDistribution(year: 2023, level: KABUPATEN_KOTA, parentCode: "64") { region { code name } total meanIdm } }`,
		`{ regions(level: KABUPATEN_KOTA, parentCode: "64") { code name desaCount kelurahanCount } }`,
		`{ region(code: ` + kab[0] + `) { code name level desaCount } }`,
		// cube shapes, dimensions in any order, measures of both kinds
		fmt.Sprintf(stats, "PERIOD, ISSUE, KABUPATEN_KOTA", "COMMITTED_VALUE, AGREEMENTS, REALISED_VALUE, VILLAGES_COVERED"),
		fmt.Sprintf(stats, "PROVINSI", "REALISED_VALUE, BENEFICIARIES, AGREEMENTS, DESA_PERSIAPAN_COVERED, PARTNERS"),
		fmt.Sprintf(stats, "ISSUE", "ACTIVE_AGREEMENTS, AGREEMENTS"),
		fmt.Sprintf(stats, "PERIOD", "REALISED_VALUE"),
		fmt.Sprintf(stats, "KABUPATEN_KOTA, PERIOD", "AGREEMENTS, VILLAGES_COVERED"),
		fmt.Sprintf(stats, "", "ACTIVE_AGREEMENTS, REALISED_VALUE, COMMITTED_VALUE"),
	}
	return qs
}

// Every question the warm rollups answer gives the same bytes as SQL, on
// the real Kaltim regions and IDM with the known register, before and after
// each publication: a register, its amendment, its withdrawal.
func TestWarmAnswersAreTheSQLAnswers(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		p := newWarmPair(t, e)
		today := plannersToday()
		// Without a register there are no signing years, and no scorecards
		// are held: compareRegions then reads them with SQL.
		steps := []struct {
			name     string
			register bool
			publish  func()
		}{
			{"regions and IDM only", false, func() {}},
			{"register v1", true, func() { loadKnownRegister(t, p.warm, "v1", today) }},
			{"register v2 (an amendment)", true, func() { loadKnownRegister(t, p.warm, "v2", today) }},
			{"register withdrawn", false, func() {
				if _, err := p.warm.runner.Withdraw(context.Background(), etl.DatasetRegister, "test"); err != nil {
					t.Fatal(err)
				}
			}},
		}
		var last uint64
		for _, step := range steps {
			step.publish()
			gen := p.published()
			if gen == last {
				t.Fatalf("%s published nothing", step.name)
			}
			last = gen
			for _, q := range warmQuestions(t, p) {
				before := p.keeper.Stats()
				got := uncached(t, p.warm, q)
				after := p.keeper.Stats()
				want := uncached(t, p.sql, q)
				if !bytes.Equal(got, want) {
					t.Fatalf("%s: %s\nwarm: %s\nSQL:  %s", step.name, q, got, want)
				}
				if bytes.Contains(got, []byte(`"errors"`)) {
					t.Fatalf("%s: %s: %s", step.name, q, got)
				}
				declinedOK := !step.register && strings.Contains(q, "compareRegions")
				if after.Answered == before.Answered || after.Declined != before.Declined && !declinedOK || after.Cold != before.Cold {
					t.Errorf("%s: %s: not answered from the rollups alone (before %+v, after %+v)", step.name, q, before, after)
				}
			}
		}
	})
}

// A request never sees half of a swap: while requests run, a load publishes
// and the rollups of the new generation replace the old; every answer is
// the SQL's answer of the generation before or of the one after, whole.
func TestWarmSwapNeverMixesGenerations(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		p := newWarmPair(t, e)
		today := plannersToday()
		loadKnownRegister(t, p.warm, "v1", today)
		p.published()
		qs := warmQuestions(t, p)
		qs = []string{qs[0], qs[3], qs[11]} // compareRegions, strategicIssues, stats with both kinds
		before := make([][]byte, len(qs))
		for i, q := range qs {
			before[i] = uncached(t, p.sql, q)
		}

		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			answers = make([][][]byte, len(qs))
			stop    = make(chan struct{})
		)
		for i, q := range qs {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					got := uncached(t, p.warm, q)
					mu.Lock()
					answers[i] = append(answers[i], got)
					mu.Unlock()
				}
			})
		}
		time.Sleep(200 * time.Millisecond)
		loadKnownRegister(t, p.warm, "v2", today) // tells the warm endpoint's cache, whose requests move on
		p.published()                             // the rollups of the new generation replace the old
		time.Sleep(300 * time.Millisecond)
		close(stop)
		wg.Wait()

		for i, q := range qs {
			after := uncached(t, p.sql, q)
			if bytes.Equal(before[i], after) {
				t.Fatalf("%s: the publish changed nothing", q)
			}
			var sawBefore, sawAfter bool
			for _, got := range answers[i] {
				switch {
				case bytes.Equal(got, before[i]):
					sawBefore = true
				case bytes.Equal(got, after):
					sawAfter = true
				default:
					t.Fatalf("%s: an answer of neither generation:\n%s\nbefore: %s\nafter:  %s", q, got, before[i], after)
				}
			}
			if !sawBefore || !sawAfter {
				t.Errorf("%s: %d answers, before %v, after %v: the swap was not seen", q, len(answers[i]), sawBefore, sawAfter)
			}
		}
	})
}

// The keeper's metrics move as it works: nothing before the first load
// (every call cold), then the rollups' generation, bytes and load time, and
// the calls answered from them and declined.
func TestWarmMetricsMove(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		p := newWarmPair(t, e)
		reg := prometheus.NewRegistry()
		warm.RegisterMetrics(reg, p.keeper)
		scrape := func() map[string]float64 {
			t.Helper()
			families, err := reg.Gather()
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]float64{}
			for _, f := range families {
				for _, m := range f.GetMetric() {
					name := f.GetName()
					for _, l := range m.GetLabel() {
						name += "/" + l.GetValue()
					}
					if c := m.GetCounter(); c != nil {
						got[name] = c.GetValue()
					} else {
						got[name] = m.GetGauge().GetValue()
					}
				}
			}
			return got
		}
		const (
			bytesName, generation, loadSeconds = "sinergi_warm_rollups_bytes", "sinergi_warm_rollups_generation", "sinergi_warm_rollups_load_seconds"
			answered, declined, cold           = "sinergi_warm_store_calls_total/answered", "sinergi_warm_store_calls_total/declined", "sinergi_warm_store_calls_total/cold"
		)
		const warmQuestion = `{ idmDistribution(year: 2024, level: KABUPATEN_KOTA) { region { code } total } }`
		m := scrape()
		if m[bytesName] != 0 || m[generation] != 0 || m[loadSeconds] != 0 {
			t.Errorf("before the first load: %v", m)
		}
		uncached(t, p.warm, warmQuestion)
		before := m
		m = scrape()
		if m[cold] <= before[cold] || m[answered] != before[answered] {
			t.Errorf("a question before the first load: cold %v -> %v, answered %v -> %v", before[cold], m[cold], before[answered], m[answered])
		}

		gen := p.published()
		m = scrape()
		if m[generation] != float64(gen) || m[bytesName] <= 0 || m[bytesName] != float64(p.keeper.Current().Bytes()) || m[loadSeconds] <= 0 {
			t.Errorf("after loading generation %d: %v", gen, m)
		}

		before = m
		uncached(t, p.warm, warmQuestion)
		m = scrape()
		if m[answered] <= before[answered] || m[cold] != before[cold] || m[declined] != before[declined] {
			t.Errorf("a question the rollups hold: %v -> %v", before, m)
		}
		var kab struct{ Regions []struct{ Code string } }
		p.sql.mustQuery(`{ regions(level: KABUPATEN_KOTA) { code } }`, nil, &kab)
		before = m
		uncached(t, p.warm, fmt.Sprintf(`{ regions(level: KECAMATAN, parentCode: %q) { code } }`, kab.Regions[0].Code))
		m = scrape()
		if m[declined] <= before[declined] || m[cold] != before[cold] {
			t.Errorf("a question of kecamatan, which the rollups do not hold: %v -> %v", before, m)
		}
	})
}

// When the planners' day changes, the rollups reload for the new day: the
// agreements in force, counted on the day of the load, go to SQL only
// until then, not until the next publish. The keeper's clock says
// yesterday at the load, then today, as the API's service does.
func TestWarmReloadsOnANewDay(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		p := newWarmPair(t, e)
		today := plannersToday()
		loadKnownRegister(t, p.warm, "v1", today)
		yesterday := today.AddDate(0, 0, -1)
		p.day.Store(&yesterday)
		gen := p.published()
		loaded := p.keeper.Current()
		if !loaded.Day.Equal(yesterday) {
			t.Fatalf("loaded on %v, want %v", loaded.Day, yesterday)
		}
		p.day.Store(&today) // midnight passes

		const active = `{ strategicIssues { issue agreements activeAgreements } }`
		want := uncached(t, p.sql, active)
		if !regexp.MustCompile(`"activeAgreements":[1-9]`).Match(want) {
			t.Fatalf("no agreement in force today: the test proves nothing: %s", want)
		}
		// The first request of the day goes to SQL for the agreements in
		// force (the rollups were counted yesterday) and starts the reload.
		if got := uncached(t, p.warm, active); !bytes.Equal(got, want) {
			t.Fatalf("the first request of the day:\nwarm: %s\nSQL:  %s", got, want)
		}
		deadline := time.Now().Add(time.Minute)
		for p.keeper.Current() == loaded {
			if time.Now().After(deadline) {
				t.Fatal("the rollups were not reloaded for the new day")
			}
			time.Sleep(20 * time.Millisecond)
		}
		if r := p.keeper.Current(); r.Generation != gen || !r.Day.Equal(today) {
			t.Fatalf("reloaded generation %d on %v, want %d on %v", r.Generation, r.Day, gen, today)
		}
		before := p.keeper.Stats()
		got := uncached(t, p.warm, active)
		after := p.keeper.Stats()
		if !bytes.Equal(got, want) {
			t.Fatalf("after the reload:\nwarm: %s\nSQL:  %s", got, want)
		}
		if after.Answered == before.Answered || after.Declined != before.Declined || after.Cold != before.Cold {
			t.Errorf("after the reload, not answered from the rollups alone (before %+v, after %+v)", before, after)
		}
	})
}
