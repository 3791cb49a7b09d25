package coopch_test

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/bench/synth"
	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/etl/etltest"
	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/cooperation/coopch"
	"github.com/sinergi-id/sinergi/internal/keyset"
	"github.com/sinergi-id/sinergi/internal/realdata"
	"github.com/sinergi-id/sinergi/internal/region"
)

func TestMain(m *testing.M) { os.Exit(clickhousetest.Main(m)) }

// kaltimRegister loads the real Kaltim regions and IDM with the kaltim
// profile's synthetic register (about 5,600 agreements) into a new
// database.
func kaltimRegister(t *testing.T, e clickhousetest.Engine) (*clickhouse.DB, *etl.Runner) {
	t.Helper()
	ctx := context.Background()
	regions := realdata.Path(t, "kaltim_wilayah_kemendagri_2025.csv")
	idmFiles := []string{realdata.Path(t, "kaltim_idm_2023.csv"), realdata.Path(t, "kaltim_idm_2024.csv")}
	dir := t.TempDir()
	if _, err := synth.Generate(ctx, synth.Options{Profile: synth.Kaltim, Seed: 7, Dir: dir, RegionsFile: regions, IDMFiles: idmFiles}); err != nil {
		t.Fatal(err)
	}
	db := e.NewDB(t)
	runner := etltest.NewRunner(db, clickhousetest.Logger(t))
	register, err := filepath.Glob(filepath.Join(dir, "register", "*.csv"))
	if err != nil || len(register) == 0 {
		t.Fatalf("generated register: %v %v", register, err)
	}
	for _, load := range []struct {
		dataset string
		files   []string
	}{{etl.DatasetRegions, []string{regions}}, {etl.DatasetIDM, idmFiles}, {etl.DatasetRegister, register}} {
		res, err := runner.Load(ctx, load.dataset, load.files...)
		if err != nil {
			t.Fatalf("load %s: %v", load.dataset, err)
		}
		for _, run := range res.Runs {
			if run.RowsRejected != 0 {
				t.Fatalf("load %s: %d rows rejected", load.dataset, run.RowsRejected)
			}
		}
	}
	return db, runner
}

// TestRollupsAnswerAsTheSnapshot asks the same questions of the rollups
// (cubes, by-region index) and of the snapshot alone, and wants the same
// answers, to the last rupiah.
func TestRollupsAnswerAsTheSnapshot(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		db, _ := kaltimRegister(t, e)
		rollups := coopch.NewStore(db)
		snapshot := rollups.SnapshotOnly()
		ctx := context.Background()
		today := time.Now().UTC().Truncate(24 * time.Hour)

		t.Run("cooperationStats", func(t *testing.T) {
			dimSets := [][]cooperation.Dimension{
				nil,
				{cooperation.DimIssue},
				{cooperation.DimProvinsi},
				{cooperation.DimKabupatenKota},
				{cooperation.DimPeriod},
				{cooperation.DimKabupatenKota, cooperation.DimIssue, cooperation.DimPeriod},
				{cooperation.DimPeriod, cooperation.DimIssue, cooperation.DimProvinsi},
				{cooperation.DimIssue, cooperation.DimKabupatenKota},
				{cooperation.DimKecamatan, cooperation.DimIssue}, // not in the cubes: both read the snapshot
			}
			filters := []cooperation.Filter{
				{},
				{Issues: []cooperation.Issue{cooperation.IssueThirdParty}},
				{Issues: []cooperation.Issue{cooperation.IssueEnergyMineral, cooperation.IssueCrossKabupaten}},
				{Region: "6402"}, // not in the cubes
			}
			measureSets := [][]cooperation.Measure{
				cooperation.Measures,
				{cooperation.MeasureAgreements, cooperation.MeasureVillagesCovered, cooperation.MeasureCommittedValue},
				{cooperation.MeasureRealisedValue, cooperation.MeasureBeneficiaries},
				{cooperation.MeasureActiveAgreements, cooperation.MeasurePartners},
			}
			cubeAnswered := 0
			for _, dims := range dimSets {
				for _, f := range filters {
					for _, ms := range measureSets {
						for _, asOf := range []time.Time{today, time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC)} {
							q := cooperation.StatsQuery{Dimensions: dims, Measures: ms, Filter: f, Grain: cooperation.GrainYear, AsOf: asOf}
							if coopch.CubeAnswers(q) {
								cubeAnswered++
							}
							want, err := snapshot.Stats(ctx, q)
							if err != nil {
								t.Fatalf("%+v: snapshot: %v", q, err)
							}
							got, err := rollups.Stats(ctx, q)
							if err != nil {
								t.Fatalf("%+v: rollups: %v", q, err)
							}
							if len(want.Rows) == 0 {
								t.Fatalf("%+v: no rows: the question tests nothing", q)
							}
							if !slices.Equal(got.Totals, want.Totals) {
								t.Errorf("%v %+v %v: totals %v, snapshot says %v", dims, f, ms, got.Totals, want.Totals)
							}
							if len(got.Rows) != len(want.Rows) {
								t.Errorf("%v %+v %v: %d rows, snapshot has %d", dims, f, ms, len(got.Rows), len(want.Rows))
								continue
							}
							for i := range want.Rows {
								if !slices.Equal(got.Rows[i].Keys, want.Rows[i].Keys) || !slices.Equal(got.Rows[i].Values, want.Rows[i].Values) {
									t.Errorf("%v %+v %v: row %d is %v %v, snapshot says %v %v", dims, f, ms, i,
										got.Rows[i].Keys, got.Rows[i].Values, want.Rows[i].Keys, want.Rows[i].Values)
									break
								}
							}
						}
					}
				}
			}
			// Most questions without a filter are answered by the cubes; if
			// none were, this test compared the snapshot with itself.
			if cubeAnswered < 40 {
				t.Errorf("the cubes answered %d questions; want at least 40", cubeAnswered)
			}
		})

		t.Run("compareRegions scorecards", func(t *testing.T) {
			// All levels (realised values from the yearly rollup), then only
			// provinsi and kabupaten/kota (from coop_realised_totals).
			for _, codes := range [][]region.Code{
				{"64", "6401", "6402", "6403", "6407", "6409", "6474", "640201", "6402012001", "6401032004"},
				{"64", "6401", "6402", "6403", "6404", "6405", "6407", "6408", "6409", "6411", "6472", "6474"},
			} {
				compareScorecards(t, ctx, snapshot, rollups, codes)
			}
		})

		t.Run("agreement pages", func(t *testing.T) {
			filters := []cooperation.Filter{
				{Region: "6402"},
				{Region: "64"},
				{Region: "640201"},
				{Region: "6402012001"},
				{Region: "6402", Issues: []cooperation.Issue{cooperation.IssueThirdParty}, Statuses: []cooperation.Status{cooperation.StatusActive}},
				{Region: "6403", ActiveFrom: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), ActiveTo: time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)},
			}
			orders := []cooperation.AgreementOrder{cooperation.OrderSignedDesc, cooperation.OrderSignedAsc,
				cooperation.OrderValueDesc, cooperation.OrderEndsAsc, cooperation.OrderIDAsc}
			for _, f := range filters {
				for _, order := range orders {
					// The first page, then the page after its last item.
					seek := keyset.Seek{Limit: 20}
					for page := 0; page < 2; page++ {
						want, wantFound, err := snapshot.Agreements(ctx, f, order, seek)
						if err != nil {
							t.Fatal(err)
						}
						got, gotFound, err := rollups.Agreements(ctx, f, order, seek)
						if err != nil {
							t.Fatal(err)
						}
						if wantFound.TotalCount == 0 {
							t.Fatalf("%+v: no agreements: the page tests nothing", f)
						}
						if !reflect.DeepEqual(gotFound, wantFound) || !slices.Equal(ids(got), ids(want)) {
							t.Errorf("%+v %s page %d: %+v, page %v; snapshot says %+v, %v", f, order, page, gotFound, ids(got), wantFound, ids(want))
						}
						if !wantFound.HasNext {
							break
						}
						seek.After = wantFound.Keys[len(wantFound.Keys)-1]
					}
				}
				want, _, err := snapshot.Expiring(ctx, f, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), keyset.Seek{Limit: 30})
				if err != nil {
					t.Fatal(err)
				}
				got, _, err := rollups.Expiring(ctx, f, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), keyset.Seek{Limit: 30})
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(ids(got), ids(want)) {
					t.Errorf("%+v expiring: %v, snapshot says %v", f, ids(got), ids(want))
				}
			}
		})
	})
}

// TestRebuildStale publishes one rollup alone (as an upgrade adding a
// rollup leaves it: a generation the others do not share) and wants
// RebuildStale to rebuild the register's snapshots, and only those.
func TestRebuildStale(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		db, _ := kaltimRegister(t, e)
		ctx := context.Background()
		store := coopch.NewStore(db)
		q := cooperation.StatsQuery{Dimensions: []cooperation.Dimension{cooperation.DimKabupatenKota}, Grain: cooperation.GrainYear,
			Measures: []cooperation.Measure{cooperation.MeasureAgreements, cooperation.MeasureVillagesCovered}, AsOf: time.Now()}
		before, err := store.Stats(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		refresher := etltest.NewRefresher(db)
		if rebuilt, err := refresher.RebuildStale(ctx, nil); err != nil || len(rebuilt) != 0 {
			t.Fatalf("fresh load: rebuilt %v (%v), want nothing", rebuilt, err)
		}
		empty, err := db.NewGeneration(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.PublishGenerations(ctx, nil, empty, []string{coopch.AgreementCube}, nil); err != nil {
			t.Fatal(err)
		}
		if stale, err := store.Stats(ctx, q); err != nil || len(stale.Rows) != 0 {
			t.Fatalf("an empty cube generation should answer nothing, got %d rows (%v)", len(stale.Rows), err)
		}
		rebuilt, err := refresher.RebuildStale(ctx, nil)
		if err != nil || !slices.Equal(rebuilt, []string{etl.DatasetRegister}) {
			t.Fatalf("rebuilt %v (%v), want the register", rebuilt, err)
		}
		after, err := store.Stats(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(after.Rows) == 0 || len(after.Rows) != len(before.Rows) || !slices.Equal(after.Totals, before.Totals) {
			t.Errorf("after the rebuild: %d rows, totals %v; before: %d rows, totals %v", len(after.Rows), after.Totals, len(before.Rows), before.Totals)
		}
	})
}

func ids(list []cooperation.AgreementSummary) []string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = a.ID
	}
	return out
}

// compareScorecards compares compareRegions' cooperation figures from the
// rollups and from the snapshot, for a few years.
func compareScorecards(t *testing.T, ctx context.Context, snapshot, rollups *coopch.Store, codes []region.Code) {
	t.Helper()
	for _, year := range []int{2022, 2024, 2025} {
		from, to := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)
		want, err := snapshot.Scorecards(ctx, codes, from, to)
		if err != nil {
			t.Fatal(err)
		}
		got, err := rollups.Scorecards(ctx, codes, from, to)
		if err != nil {
			t.Fatal(err)
		}
		some := false
		for _, c := range codes {
			g, w := *got[c], *want[c]
			some = some || w.Agreements > 0 && w.RealisedValue > 0
			if g.Agreements != w.Agreements || g.DesaCovered != w.DesaCovered || g.DesaPersiapan != w.DesaPersiapan ||
				g.CommittedValue != w.CommittedValue || g.RealisedValue != w.RealisedValue || !maps.Equal(g.ByIssue, w.ByIssue) {
				t.Errorf("%d %s: %+v, snapshot says %+v", year, c, g, w)
			}
		}
		if !some {
			t.Errorf("%d: no region has agreements and realisations: the comparison tests nothing", year)
		}
	}
}
