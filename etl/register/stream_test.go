package register_test

import (
	"context"
	"fmt"
	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/etl/etltest"
	"github.com/sinergi-id/sinergi/etl/regionfile"
	"github.com/sinergi-id/sinergi/etl/register"
	"github.com/sinergi-id/sinergi/internal/ingest/ingestch"
	"github.com/sinergi-id/sinergi/internal/realdata"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/sinergi-id/sinergi/etl/tabular"
	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/cooperation/coopch"
	"github.com/sinergi-id/sinergi/internal/ingest"
	"github.com/sinergi-id/sinergi/internal/region"
)

// BenchmarkRegisterRealisationsParse reads and validates a generated
// register of SINERGI_BENCH_ROWS realisations (default 1,000,000) without
// storing it: the Go side of the ingest, alone.
func BenchmarkRegisterRealisationsParse(b *testing.B) {
	rows := etltest.BenchEnv(b, "SINERGI_BENCH_ROWS", 1_000_000)
	known := register.KaltimRegions(b)
	files := etltest.GeneratedRegister(b, b.TempDir(), etltest.KaltimRegions(b), rows, etltest.BenchMonths(b), "GEN", 1)
	b.Run("stream", func(b *testing.B) {
		for b.Loop() {
			n := 0
			batch, err := register.Stream(files, known, register.Sink{
				Party:       func(*cooperation.Party, int) error { return nil },
				Realisation: func(*cooperation.Realisation, int, int) error { n++; return nil },
			})
			if err != nil || n != rows || len(batch.Rejects) != 0 {
				b.Fatalf("%d rows, %d rejects, %v", n, len(batch.Rejects), err)
			}
		}
		b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("in-memory", func(b *testing.B) {
		for b.Loop() {
			batch, err := register.Parse(files, known)
			if err != nil || len(batch.Realisations) != rows {
				b.Fatalf("%d rows, %v", len(batch.Realisations), err)
			}
		}
		b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}

// writeCopiesRegister writes a register whose realisations repeat
// (agreement, village, month) on several lines: identical copies (written
// differently: a flat and a dotted code, 100 and 100.00), copies that
// disagree, and an agreement whose only realisations for a village are
// copies that disagree (its record must not list that village).
func writeCopiesRegister(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"agreements.csv": "agreement_id,title,document_type,status\nCOPY-1,Satu,MOU,ACTIVE\nCOPY-2,Dua,PKS,aktif\n",
		"parties.csv":    "agreement_id,party_type,name,region_code,sector,role\nCOPY-1,DESA,Lung Anai,64.02.02.2010,,\nCOPY-2,COMPANY,PT Dua,64.02,batubara,mitra\n",
		"realisations.csv": "agreement_id,village_code,month,value,beneficiaries,outputs\n" +
			"COPY-1,64.02.02.2010,2025-01,1000,3,bibit\n" + // 2: kept once with 3 and 10
			"COPY-1,6402022010,2025-01,1000,3,bibit\n" + // 3
			"COPY-1,64.02.02.2010,2025-02,2000,5,\n" + // 4: disagrees with 5
			"COPY-1,64.02.02.2010,2025-02,2500,5,\n" + // 5
			"COPY-2,64.02.02.2005,2025-03,3000,,pupuk\n" + // 6: disagrees with 7 on outputs
			"COPY-2,64.02.02.2005,2025-03,3000,,pupuk organik\n" + // 7
			"COPY-2,,2025-04,100,,\n" + // 8: kept once with 9
			"COPY-2,,04/2025,100.00,,\n" + // 9
			"COPY-1,64.02.02.2010,2025-01,1000,3,bibit\n" + // 10
			"COPY-1,64.02.02.2010,2025-03,1000,x,\n" + // 11: refused on its own
			"COPY-2,64.02.02.2011,2025-03,4000,,\n", // 12
	}
	var paths []string
	for _, name := range []string{"agreements.csv", "parties.csv", "realisations.csv"} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(files[name]), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	return paths
}

// realisationText writes a realisation for comparing sets of them.
func realisationText(agreement, village string, month time.Time, value string, beneficiaries int, outputs string) string {
	return fmt.Sprintf("%s|%s|%s|%s|%d|%s", agreement, village, month.Format("2006-01"), value, beneficiaries, outputs)
}

// TestRegisterStreamsLikeParseRegister loads registers through the runner,
// which streams realisations into ClickHouse and settles their copies
// there, and checks that every outcome is the one Parse (all in
// memory) gives: the rejects with sheet, line, reason and record, the run's
// counts, the realisations in the snapshot and the villages each agreement
// record lists.
func TestRegisterStreamsLikeParseRegister(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		dir := realdata.Dir(t)
		f := newFixtureOn(t, e)
		f.mustLoad(etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
		known := register.KaltimRegions(t)
		copies := writeCopiesRegister(t)
		broken := registerFiles(filepath.Join("testdata", "broken"))
		cases := []struct {
			name  string
			paths []string
		}{
			{"copies", copies},
			{"known", registerFiles(filepath.Join("testdata", "known"))},
			{"broken", broken},
			{"copies xlsx", []string{register.RegisterWorkbookFromCSV(t, "copies.xlsx", copies)}},
			{"broken xlsx", []string{register.RegisterWorkbookFromCSV(t, "broken.xlsx", broken)}},
		}
		ctx := context.Background()
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				want, err := register.Parse(tc.paths, known)
				if err != nil {
					t.Fatal(err)
				}
				res, err := f.load(ctx, etl.DatasetRegister, tc.paths...)
				if err != nil {
					t.Fatal(err)
				}
				run := res.Runs[0]
				if wantRejects := toIngestRejects(&run, want.Rejects); len(res.Rejects)+len(wantRejects) > 0 && !reflect.DeepEqual(res.Rejects, wantRejects) {
					t.Errorf("rejects:\n got %+v\nwant %+v", res.Rejects, wantRejects)
				}
				loaded := len(want.Agreements) + len(want.Parties) + len(want.Realisations) + len(want.Bodies)
				if run.Status != ingest.StatusSucceeded || run.RowsRead != want.RowsRead || run.RowsLoaded != loaded || run.RowsRejected != len(want.Rejects) {
					t.Errorf("run %+v, want read %d, loaded %d, rejected %d", run, want.RowsRead, loaded, len(want.Rejects))
				}
				stored, err := f.runs.Rejects(ctx, run.ID, ingest.MaxRejects)
				if err != nil {
					t.Fatal(err)
				}
				if len(stored) != len(want.Rejects) {
					t.Errorf("stored %d rejects, want %d", len(stored), len(want.Rejects))
				}

				var ids []string
				for _, a := range want.Agreements {
					ids = append(ids, a.ID)
				}
				var wantRows []string
				for _, r := range want.Realisations {
					wantRows = append(wantRows, realisationText(r.AgreementID, string(r.Village), r.Month, r.Value.String(), r.Beneficiaries, r.Outputs))
				}
				var gotRows []string
				var rows []struct {
					Agreement     string          `ch:"agreement_id"`
					Village       string          `ch:"village_code"`
					Month         time.Time       `ch:"month"`
					Value         decimal.Decimal `ch:"value"`
					Beneficiaries uint32          `ch:"beneficiaries"`
					Outputs       string          `ch:"outputs"`
				}
				if err := f.db.Select(ctx, &rows, `SELECT agreement_id, village_code, month, value, beneficiaries, outputs FROM coop_realisations
					WHERE `+coopch.PublishedRows("coop_realisations")+`
					AND has(?, agreement_id)`, ids); err != nil {
					t.Fatal(err)
				}
				for _, r := range rows {
					gotRows = append(gotRows, realisationText(r.Agreement, r.Village, r.Month, r.Value.String(), int(r.Beneficiaries), r.Outputs))
				}
				slices.Sort(gotRows)
				slices.Sort(wantRows)
				if !slices.Equal(gotRows, wantRows) {
					t.Errorf("snapshot realisations:\n got %q\nwant %q", gotRows, wantRows)
				}

				var records []struct {
					ID       string   `ch:"agreement_id"`
					Regions  []string `ch:"region_codes"`
					Villages []string `ch:"village_keys"`
				}
				if err := f.db.Select(ctx, &records, `SELECT agreement_id, region_codes, village_keys FROM coop_agreements_current
					WHERE `+coopch.PublishedRows("coop_agreements_current")+`
					AND has(?, agreement_id) ORDER BY agreement_id`, ids); err != nil {
					t.Fatal(err)
				}
				wantRecords := recordsOf(want)
				slices.SortFunc(wantRecords, func(a, b cooperation.Record) int { return strings.Compare(a.ID, b.ID) })
				if len(records) != len(wantRecords) {
					t.Fatalf("%d agreement records, want %d", len(records), len(wantRecords))
				}
				for i, rec := range records {
					w := wantRecords[i]
					if rec.ID != w.ID || !slices.Equal(rec.Regions, strs(w.RegionCodes)) || !slices.Equal(rec.Villages, w.VillageKeys) {
						t.Errorf("record %s: regions %q villages %q, want %s: %q %q", rec.ID, rec.Regions, rec.Villages, w.ID, w.RegionCodes, w.VillageKeys)
					}
				}
			})
		}
		// The copies register says what it should, not only what Parse
		// says.
		res, err := f.load(ctx, etl.DatasetRegister, copies...)
		if err != nil {
			t.Fatal(err)
		}
		register.CheckRegisterRejects(t, toRejects(res.Rejects), map[string]map[int][]string{"realisations": {
			4:  {`the realisation of agreement COPY-1 for 64.02.02.2010 in 2025-02 (one row per agreement, village and month) appears on lines 4 and 5 with different values (value "2000" vs "2500")`},
			5:  {"appears on lines 4 and 5"},
			6:  {`appears on lines 6 and 7 with different values (outputs "pupuk" vs "pupuk organik")`},
			7:  {"appears on lines 6 and 7"},
			11: {`beneficiaries "x" is not a whole number`},
		}})
		for _, rj := range res.Rejects {
			if rj.Line == 5 && rj.Record != "COPY-1,64.02.02.2010,2025-02,2500,5," {
				t.Errorf("reject of line 5 quotes %q", rj.Record)
			}
		}
		if run := res.Runs[0]; run.RowsRead != 2+2+11 || run.RowsLoaded != 2+2+3 || run.RowsRejected != 5 {
			t.Errorf("copies run: read %d, loaded %d, rejected %d; want 15, 7, 5", run.RowsRead, run.RowsLoaded, run.RowsRejected)
		}
	})
}

func toRejects(in []ingest.Reject) []tabular.Reject {
	out := make([]tabular.Reject, len(in))
	for i, r := range in {
		out[i] = tabular.Reject{Source: r.Source, Sheet: r.Sheet, Line: r.Line, Reason: r.Reason, Record: r.Record}
	}
	return out
}

func strs[T ~string](in []T) []string {
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = string(v)
	}
	return out
}

// TestStreamRegisterNumbersAgreements streams registers and checks what the
// sink is given against Parse: the same parties, each with the
// number of its agreement, and the same agreements read again in number
// order; and that a register whose agreements table changes before it is
// read again fails rather than load other rows.
func TestStreamRegisterNumbersAgreements(t *testing.T) {
	known := register.KaltimRegions(t)
	for _, dir := range []string{"known", "broken"} {
		t.Run(dir, func(t *testing.T) {
			tmp := t.TempDir()
			var paths []string
			for _, src := range registerFiles(filepath.Join("testdata", dir)) {
				data, err := os.ReadFile(src)
				if err != nil {
					t.Fatal(err)
				}
				path := filepath.Join(tmp, filepath.Base(src))
				if err := os.WriteFile(path, data, 0o644); err != nil {
					t.Fatal(err)
				}
				paths = append(paths, path)
			}
			want, err := register.Parse(paths, known)
			if err != nil {
				t.Fatal(err)
			}
			var parties []cooperation.Party
			var partyNumbers, realisationNumbers []int
			var realisationIDs []string
			partiesDone := false
			batch, err := register.Stream(paths, known, register.Sink{
				Party: func(p *cooperation.Party, n int) error {
					if partiesDone {
						t.Error("a party after PartiesDone")
					}
					parties = append(parties, *p)
					partyNumbers = append(partyNumbers, n)
					return nil
				},
				PartiesDone: func() error { partiesDone = true; return nil },
				Realisation: func(rl *cooperation.Realisation, n, _ int) error {
					realisationIDs = append(realisationIDs, rl.AgreementID)
					realisationNumbers = append(realisationNumbers, n)
					return nil
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			if !partiesDone {
				t.Error("PartiesDone was not called")
			}
			if !reflect.DeepEqual(parties, want.Parties) || batch.PartyRows != len(want.Parties) {
				t.Errorf("parties (%d counted):\n got %+v\nwant %+v", batch.PartyRows, parties, want.Parties)
			}
			var agreements []cooperation.Agreement
			err = batch.ReadAgreements(func(a *cooperation.Agreement, n int) error {
				if n != len(agreements) {
					t.Errorf("agreement %s numbered %d, want %d", a.ID, n, len(agreements))
				}
				if got, ok := batch.AgreementNumber(a.ID); !ok || got != n {
					t.Errorf("AgreementNumber(%s) = %d, %v; want %d", a.ID, got, ok, n)
				}
				agreements = append(agreements, *a)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			got := register.CanonicalDecimals(register.Parsed{Agreements: agreements})
			if w := register.CanonicalDecimals(register.Parsed{Agreements: want.Agreements}); !reflect.DeepEqual(got.Agreements, w.Agreements) || batch.AgreementRows != len(want.Agreements) {
				t.Errorf("agreements (%d counted):\n got %+v\nwant %+v", batch.AgreementRows, got.Agreements, w.Agreements)
			}
			for i, n := range partyNumbers {
				if agreements[n].ID != parties[i].AgreementID {
					t.Errorf("party %d of %s numbered %d (%s)", i, parties[i].AgreementID, n, agreements[n].ID)
				}
			}
			for i, n := range realisationNumbers {
				if agreements[n].ID != realisationIDs[i] {
					t.Errorf("realisation %d of %s numbered %d (%s)", i, realisationIDs[i], n, agreements[n].ID)
				}
			}
			for _, id := range []string{"NOT-IN-THE-REGISTER", "BAD-VALUE", ""} {
				if _, ok := batch.AgreementNumber(id); ok {
					t.Errorf("AgreementNumber(%q) found", id)
				}
			}

			// The file changes before the agreements are read again: a
			// title, on the last accepted line.
			data, err := os.ReadFile(paths[0])
			if err != nil {
				t.Fatal(err)
			}
			last := want.Agreements[len(want.Agreements)-1].Title
			changed := strings.Replace(string(data), last, last+" (diubah)", 1)
			if err := os.WriteFile(paths[0], []byte(changed), 0o644); err != nil {
				t.Fatal(err)
			}
			err = batch.ReadAgreements(func(*cooperation.Agreement, int) error { return nil })
			if err == nil || !strings.Contains(err.Error(), "changed while the register was being loaded") {
				t.Errorf("a changed agreements table read again: %v", err)
			}
		})
	}
}

// BenchmarkRegisterParse reads and validates a whole register, its
// realisations streamed to nowhere: the Go side of `sinergi etl load
// register`, alone. It reports the rows per second over all tables.
//
//	SINERGI_BENCH_REGISTER=/tmp/national/register SINERGI_BENCH_REGIONS=/tmp/national/wilayah.csv \
//	  go test -run XXX -bench RegisterParse$ -benchtime 1x -benchmem ./etl/register/
func BenchmarkRegisterParse(b *testing.B) {
	files, regionsFile := etltest.BenchRegister(b)
	regions, err := tabular.ParseFile(regionsFile, func(t *tabular.Table) (regionfile.Batch, error) { return regionfile.Parse(t, nil) })
	if err != nil {
		b.Fatal(err)
	}
	known := region.NewSet(regions.Regions)
	var peak, alloc uint64
	rows := 0
	for b.Loop() {
		mem := etltest.SampleMemory(20 * time.Millisecond)
		batch, err := register.Stream(files, known, register.Sink{
			Party:       func(*cooperation.Party, int) error { return nil },
			Realisation: func(*cooperation.Realisation, int, int) error { return nil },
		})
		p, a := mem.End()
		peak, alloc = max(peak, p), a
		if err != nil {
			b.Fatal(err)
		}
		rows = batch.RowsRead
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(alloc)/float64(rows), "alloc-B/row")
}

func toIngestRejects(run *ingest.Run, rejects []tabular.Reject) []ingest.Reject {
	out := make([]ingest.Reject, len(rejects))
	for i, rj := range rejects {
		out[i] = ingest.Reject{RunID: run.ID, Dataset: run.Dataset, Source: rj.Source, Sheet: rj.Sheet,
			Line: rj.Line, Column: rj.Column, Reason: rj.Reason, Record: rj.Record}
	}
	return out
}

// recordsOf builds the records of a register read whole with RecordBuilder,
// agreements numbered by their id's first place.
func recordsOf(reg register.Parsed) []cooperation.Record {
	number := map[string]int{}
	for i, a := range reg.Agreements {
		if _, ok := number[a.ID]; !ok {
			number[a.ID] = i
		}
	}
	b := cooperation.NewRecordBuilder()
	for i := range reg.Parties {
		if n, ok := number[reg.Parties[i].AgreementID]; ok {
			b.AddParty(n, &reg.Parties[i])
		}
	}
	for _, r := range reg.Realisations {
		if n, ok := number[r.AgreementID]; ok && r.Village != "" {
			b.AddRealised(n, r.Village)
		}
	}
	out := make([]cooperation.Record, len(reg.Agreements))
	for i, a := range reg.Agreements {
		out[i] = b.Record(number[a.ID], a)
	}
	return out
}

// fixture is a runner on a fresh database.
type fixture struct {
	t      *testing.T
	db     *clickhouse.DB
	runner *etl.Runner
	runs   *ingestch.Store
}

func newFixture(t *testing.T) *fixture { return newFixtureOver(t, clickhousetest.NewDB(t)) }

// newFixtureOn is a fixture on a fresh database on engine e.
func newFixtureOn(t *testing.T, e clickhousetest.Engine) *fixture {
	return newFixtureOver(t, e.NewDB(t))
}

func newFixtureOver(t *testing.T, db *clickhouse.DB) *fixture {
	return &fixture{t: t, db: db, runner: etltest.NewRunner(db, clickhousetest.Logger(t)), runs: ingestch.NewStore(db)}
}

func (f *fixture) load(ctx context.Context, dataset string, files ...string) (etl.Result, error) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	return f.runner.Load(ctx, dataset, files...)
}

func (f *fixture) mustLoad(dataset string, files ...string) etl.Result {
	f.t.Helper()
	res, err := f.load(context.Background(), dataset, files...)
	if err != nil {
		f.t.Fatalf("load %s %v: %v", dataset, files, err)
	}
	return res
}

// registerFiles are the CSV files of a register's four tables in dir.
func registerFiles(dir string) []string {
	var out []string
	for _, t := range []string{"agreements", "parties", "bodies", "realisations"} {
		out = append(out, filepath.Join(dir, t+".csv"))
	}
	return out
}

func TestMain(m *testing.M) { os.Exit(clickhousetest.Main(m)) }
