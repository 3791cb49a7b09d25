package etl

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
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
	"github.com/sinergi-id/sinergi/internal/region/regionch"
)

// generatedRegister writes a register of CSV files into dir whose
// realisations table has rows rows, narrow like a national realisations
// file: an agreement, a dotted desa code, a month, an amount, a count and a
// short text. Each agreement reports for four desa over months months from
// 2020-01 (so rows/(4×months) agreements, each with two parties). Every
// row is valid and every (agreement, village, month) is distinct. It
// returns the files (agreements, parties, realisations).
func generatedRegister(tb testing.TB, dir string, known *RegionSet, rows, months int) []string {
	tb.Helper()
	return generatedRegisterOf(tb, dir, known, rows, months, "GEN", 1)
}

// generatedRegisterOf is generatedRegister with agreement ids that start
// with prefix and every value (committed and realised) times scale.
func generatedRegisterOf(tb testing.TB, dir string, known *RegionSet, rows, months int, prefix string, scale int) []string {
	tb.Helper()
	var desa []region.Code
	for _, r := range known.byCode {
		if r.Level == region.LevelDesaKelurahan && r.Kind.IsDesa() {
			desa = append(desa, r.Code)
		}
	}
	if len(desa) < 10 {
		tb.Fatalf("only %d desa to generate realisations for", len(desa))
	}
	// Sorted, so the file is the same every time.
	slices.Sort(desa)
	const villagesPer = 4
	perAgreement := villagesPer * months
	agreements := max(1, (rows+perAgreement-1)/perAgreement)

	write := func(name string, fill func(w *bufio.Writer)) string {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			tb.Fatal(err)
		}
		w := bufio.NewWriterSize(f, 1<<20)
		fill(w)
		if err := w.Flush(); err != nil {
			tb.Fatal(err)
		}
		if err := f.Close(); err != nil {
			tb.Fatal(err)
		}
		return path
	}
	id := func(i int) string { return fmt.Sprintf("%s-%04d-%06d", prefix, 2015+i%10, i) }
	a := write("agreements.csv", func(w *bufio.Writer) {
		w.WriteString("agreement_id,title,document_type,status,committed_value\n")
		for i := range agreements {
			fmt.Fprintf(w, "%s,Kerja sama desa nomor %d,PKS,aktif,%d\n", id(i), i, (100_000_000+i%97*1_000_000)*scale)
		}
	})
	p := write("parties.csv", func(w *bufio.Writer) {
		w.WriteString("agreement_id,party_type,name,region_code,sector,role\n")
		for i := range agreements {
			fmt.Fprintf(w, "%s,perusahaan,PT Mitra Desa %d,64,batubara,mitra\n", id(i), i%500)
			fmt.Fprintf(w, "%s,desa,Desa %d,%s,,penerima manfaat\n", id(i), i, desa[i%len(desa)].Dotted())
		}
	})
	r := write("realisations.csv", func(w *bufio.Writer) {
		w.WriteString("agreement_id,village_code,month,value,beneficiaries,outputs\n")
		n := 0
		for i := 0; n < rows; i++ {
			aid := id(i)
			for m := 0; m < months && n < rows; m++ {
				for v := 0; v < villagesPer && n < rows; v++ {
					code := desa[(i*villagesPer+v)%len(desa)].Dotted()
					value := (100_000 + (n*7919)%5000*1000) * scale
					output := "pelatihan dan bibit"
					if n%7 == 0 {
						output = ""
					}
					fmt.Fprintf(w, "%s,%s,%04d-%02d,%d,%d,%s\n", aid, code, 2020+m/12, m%12+1, value, 1+n%300, output)
					n++
				}
			}
		}
	})
	return []string{a, p, r}
}

// memSampler samples the heap while a load runs.
type memSampler struct {
	stop      chan struct{}
	done      sync.WaitGroup
	peakInuse uint64
	startAll  uint64
	totalAll  uint64
}

func sampleMemory(every time.Duration) *memSampler {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s := &memSampler{stop: make(chan struct{}), startAll: ms.TotalAlloc, peakInuse: ms.HeapInuse}
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				runtime.ReadMemStats(&ms)
				s.peakInuse = max(s.peakInuse, ms.HeapInuse)
			}
		}
	}()
	return s
}

// end stops sampling and returns the peak heap in use and the bytes
// allocated meanwhile.
func (s *memSampler) end() (peakInuse, allocated uint64) {
	close(s.stop)
	s.done.Wait()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s.peakInuse = max(s.peakInuse, ms.HeapInuse)
	return s.peakInuse, ms.TotalAlloc - s.startAll
}

// registerBenchRunner is a runner on a fresh database with the real
// Kalimantan Timur regions loaded.
func registerBenchRunner(tb testing.TB) (*Runner, *clickhouse.DB, *RegionSet) {
	tb.Helper()
	db := clickhousetest.NewDB(tb)
	log := clickhousetest.Logger(tb)
	if os.Getenv("SINERGI_BENCH_LOG") != "" { // the load's phases, with their times
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	runner := newClickHouseRunner(db, log)
	if _, err := runner.Load(context.Background(), DatasetRegions, filepath.Join(realDataDir, "kaltim_wilayah_kemendagri_2025.csv")); err != nil {
		tb.Fatal(err)
	}
	all, err := regionch.NewStore(db).All(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return runner, db, NewRegionSet(all)
}

// clientInsertRate is the anchor of the benchmark: the rows per second at
// which clickhouse-client inserts the same realisations, written as the
// table's own CSV (months as dates), into coop_realisation_rows. It is 0
// when clickhouse-client is not installed.
func clientInsertRate(tb testing.TB, db *clickhouse.DB, realisations string) float64 {
	tb.Helper()
	client, err := exec.LookPath("clickhouse-client")
	if err != nil {
		tb.Logf("no clickhouse-client to compare with: %v", err)
		return 0
	}
	in, err := os.Open(realisations)
	if err != nil {
		tb.Fatal(err)
	}
	defer in.Close()
	flat := filepath.Join(filepath.Dir(realisations), "client.csv")
	out, err := os.Create(flat)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(out, 1<<20)
	sc := bufio.NewScanner(in)
	sc.Scan() // the header
	rows := 0
	for sc.Scan() {
		f := strings.Split(sc.Text(), ",")
		rows++
		fmt.Fprintf(w, "1,%s,%s,%s-01,%s,%s,%s,%d\n", f[0], f[1], f[2], f[3], f[4], f[5], rows+1)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	out.Close()
	f, err := os.Open(flat)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	return float64(rows) / clientInsert(tb, db, client,
		"INSERT INTO coop_realisation_rows (run_id, agreement_id, village_code, month, value, beneficiaries, outputs, line) FORMAT CSV", f).Seconds()
}

// clientInsert runs clickhouse-client with query and in as its input,
// times it, and empties the table again.
func clientInsert(tb testing.TB, db *clickhouse.DB, client, query string, in io.Reader) time.Duration {
	tb.Helper()
	cfg := db.Config()
	host, port, _ := net.SplitHostPort(cfg.Addr)
	cmd := exec.Command(client, "--host", host, "--port", port, "--user", cfg.Username, "--password", cfg.Password,
		"--database", cfg.Database, "--query", query)
	cmd.Stdin = in
	start := time.Now()
	if msg, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("clickhouse-client: %v: %s", err, msg)
	}
	took := time.Since(start)
	if err := db.Exec(context.Background(), "TRUNCATE TABLE coop_realisation_rows"); err != nil {
		tb.Fatal(err)
	}
	return took
}

// benchEnv reads a whole number from the environment, def when unset.
func benchEnv(b *testing.B, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		b.Fatalf("%s=%q: want a whole number", name, s)
	}
	return n
}

// benchMonths is how many months each generated agreement reports:
// SINERGI_BENCH_MONTHS, default 60 (240 realisations per agreement; more
// months, fewer agreements for the same rows).
func benchMonths(b *testing.B) int { return benchEnv(b, "SINERGI_BENCH_MONTHS", 60) }

// BenchmarkRegisterRealisationsIngest loads a generated register whose
// realisations table has SINERGI_BENCH_ROWS rows (default 1,000,000)
// through the runner, as `sinergi etl load register` does. It reports the
// realisation rows per second of the whole load (read, validate, insert,
// copies settled, snapshot rebuilt), the peak heap in use and the bytes
// allocated per row; when clickhouse-client is installed, also the rate at
// which it inserts the same rows (client-rows/s) and the ratio of the two.
// SINERGI_BENCH_BLOCK sets the rows per block sent (default
// coopch.RealisationBlockRows).
//
//	SINERGI_BENCH_ROWS=12000000 go test -run XXX -bench RegisterRealisationsIngest -benchtime 1x ./etl/
func BenchmarkRegisterRealisationsIngest(b *testing.B) {
	rows := benchEnv(b, "SINERGI_BENCH_ROWS", 1_000_000)
	coopch.RealisationBlockRows = benchEnv(b, "SINERGI_BENCH_BLOCK", coopch.RealisationBlockRows)
	runner, db, known := registerBenchRunner(b)
	files := generatedRegister(b, b.TempDir(), known, rows, benchMonths(b))
	clientRate := clientInsertRate(b, db, files[2])
	b.ResetTimer()
	var peak, alloc uint64
	for b.Loop() {
		mem := sampleMemory(20 * time.Millisecond)
		res, err := runner.Load(context.Background(), DatasetRegister, files...)
		p, a := mem.end()
		peak, alloc = max(peak, p), a
		if err != nil {
			b.Fatal(err)
		}
		if res.Runs[0].RowsRejected != 0 {
			b.Fatalf("generated register refused: %+v", res.Rejects[:min(5, len(res.Rejects))])
		}
	}
	b.StopTimer()
	rate := float64(rows) * float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "rows/s")
	if clientRate > 0 {
		b.ReportMetric(clientRate, "client-rows/s")
		b.ReportMetric(rate/clientRate, "ratio")
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(alloc)/float64(rows), "alloc-B/row")
}

// BenchmarkRegisterRealisationsParse reads and validates a generated
// register of SINERGI_BENCH_ROWS realisations (default 1,000,000) without
// storing it: the Go side of the ingest, alone.
func BenchmarkRegisterRealisationsParse(b *testing.B) {
	rows := benchEnv(b, "SINERGI_BENCH_ROWS", 1_000_000)
	known := kaltimRegions(b)
	files := generatedRegister(b, b.TempDir(), known, rows, benchMonths(b))
	b.Run("stream", func(b *testing.B) {
		for b.Loop() {
			n := 0
			batch, err := StreamRegister(files, known, RegisterSink{
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
			batch, err := ParseRegister(files, known)
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
// there, and checks that every outcome is the one ParseRegister (all in
// memory) gives: the rejects with sheet, line, reason and record, the run's
// counts, the realisations in the snapshot and the villages each agreement
// record lists.
func TestRegisterStreamsLikeParseRegister(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		dir := sharedDataDir(t)
		f := newFixtureOn(t, e)
		f.mustLoad(DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
		known := kaltimRegions(t)
		copies := writeCopiesRegister(t)
		broken := registerFiles(filepath.Join("testdata", "register", "broken"))
		cases := []struct {
			name  string
			paths []string
		}{
			{"copies", copies},
			{"known", registerFiles(filepath.Join("testdata", "register", "known"))},
			{"broken", broken},
			{"copies xlsx", []string{registerWorkbookFromCSV(t, "copies.xlsx", copies)}},
			{"broken xlsx", []string{registerWorkbookFromCSV(t, "broken.xlsx", broken)}},
		}
		ctx := context.Background()
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				want, err := ParseRegister(tc.paths, known)
				if err != nil {
					t.Fatal(err)
				}
				res, err := f.load(ctx, DatasetRegister, tc.paths...)
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
					WHERE generation = (SELECT max(generation) FROM snapshot_generations WHERE snapshot = 'coop_realisations')
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
					WHERE generation = (SELECT max(generation) FROM snapshot_generations WHERE snapshot = 'coop_agreements_current')
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
		// The copies register says what it should, not only what ParseRegister
		// says.
		res, err := f.load(ctx, DatasetRegister, copies...)
		if err != nil {
			t.Fatal(err)
		}
		checkRegisterRejects(t, toRejects(res.Rejects), map[string]map[int][]string{"realisations": {
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

func toRejects(in []ingest.Reject) []Reject {
	out := make([]Reject, len(in))
	for i, r := range in {
		out[i] = Reject{Source: r.Source, Sheet: r.Sheet, Line: r.Line, Reason: r.Reason, Record: r.Record}
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

// TestLargeRegisterLoadsInBoundedMemory loads a register of 300,000
// realisations and samples the heap meanwhile: realisations stream, so the
// heap stays at what two blocks of rows take, whatever the file's size
// (loading it all in memory took over 500 MB).
func TestLargeRegisterLoadsInBoundedMemory(t *testing.T) {
	const rows = 300_000
	dir := sharedDataDir(t)
	f := newFixture(t)
	f.mustLoad(DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
	files := generatedRegister(t, t.TempDir(), kaltimRegions(t), rows, 60)
	mem := sampleMemory(10 * time.Millisecond)
	start := time.Now()
	res := f.mustLoad(DatasetRegister, files...)
	took := time.Since(start)
	peak, alloc := mem.end()
	t.Logf("%d realisations in %v (%.0f rows/s): peak heap in use %.1f MB, %.0f bytes allocated per row",
		rows, took.Round(time.Millisecond), rows/took.Seconds(), float64(peak)/(1<<20), float64(alloc)/rows)
	run := res.Runs[0]
	agreements := (rows + 239) / 240
	if run.RowsRejected != 0 || run.RowsLoaded != rows+3*agreements || run.RowsRead != run.RowsLoaded {
		t.Fatalf("run: %+v", run)
	}
	var n uint64
	if err := f.db.QueryRow(context.Background(), `SELECT count() FROM coop_realisations
		WHERE generation = (SELECT max(generation) FROM snapshot_generations WHERE snapshot = 'coop_realisations')`, nil, &n); err != nil {
		t.Fatal(err)
	}
	if n != rows {
		t.Fatalf("snapshot has %d realisations, want %d", n, rows)
	}
	if limit := uint64(256 << 20); peak > limit {
		t.Errorf("peak heap in use %d MB, want under %d MB: do realisations still stream?", peak>>20, limit>>20)
	}
}

// TestRegisterFailingMidStreamChangesNothing loads a register whose
// realisations break after blocks of them reached ClickHouse, and one
// interrupted after its rows were stored: both fail, and every answer stays
// the previous one.
func TestRegisterFailingMidStreamChangesNothing(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		dir := sharedDataDir(t)
		f := newFixtureOn(t, e)
		ctx := context.Background()
		f.mustLoad(DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
		f.mustLoad(DatasetRegister, registerFiles(filepath.Join("testdata", "register", "known"))...)
		snapshot := func() (agreements, realisations uint64) {
			q := `SELECT (SELECT count() FROM coop_agreements_current WHERE generation = (SELECT max(generation) FROM snapshot_generations WHERE snapshot = 'coop_agreements_current')),
				(SELECT count() FROM coop_realisations WHERE generation = (SELECT max(generation) FROM snapshot_generations WHERE snapshot = 'coop_realisations'))`
			if err := f.db.QueryRow(ctx, q, nil, &agreements, &realisations); err != nil {
				t.Fatal(err)
			}
			return agreements, realisations
		}
		beforeA, beforeR := snapshot()
		written := func(runID uint64) uint64 {
			var n uint64
			if err := f.db.QueryRow(ctx, `SELECT count() FROM coop_realisation_rows WHERE run_id = ?`, []any{runID}, &n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		// A quote that never closes, after 250,000 good rows: the file cannot
		// be read on, once blocks of it were sent. (ClickHouse gathers the
		// blocks of one INSERT up to a million rows before it writes them, so
		// here they are dropped with the connection; rows it did write would
		// stay invisible, as the interrupted run below shows.)
		files := generatedRegister(t, t.TempDir(), kaltimRegions(t), 250_000, 60)
		tail, err := os.OpenFile(files[2], os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		tail.WriteString("GEN-2015-000000,64.02.02.2010,2019-01,1000,1,\"never closed\nGEN-2015-000000,64.02.02.2010,2019-02,1000,1,\n")
		tail.Close()
		res, err := f.load(ctx, DatasetRegister, files...)
		if err == nil || !strings.Contains(err.Error(), "never closes") || len(res.Runs) != 1 || res.Runs[0].Status != ingest.StatusFailed {
			t.Fatalf("broken realisations: %v, %+v", err, res.Runs)
		}
		t.Logf("the broken register's run left %d rows", written(res.Runs[0].ID))
		if a, r := snapshot(); a != beforeA || r != beforeR {
			t.Fatalf("a failed register changed the snapshot: %d agreements, %d realisations; was %d, %d", a, r, beforeA, beforeR)
		}

		// Killed after its rows were stored, before the commit.
		good := generatedRegister(t, t.TempDir(), kaltimRegions(t), 50_000, 60)
		cctx, cancel := context.WithCancel(ctx)
		f.runner.setPause(func(_ context.Context, point string) {
			if point == "inserted" {
				cancel()
			}
		})
		res, err = f.load(cctx, DatasetRegister, good...)
		f.runner.setPause(nil)
		if !errors.Is(err, context.Canceled) || len(res.Runs) != 1 || res.Runs[0].Status != ingest.StatusFailed {
			t.Fatalf("interrupted register: %v, %+v", err, res.Runs)
		}
		if n := written(res.Runs[0].ID); n != 50_000 {
			t.Fatalf("the interrupted run wrote %d rows, want 50000", n)
		}
		if a, r := snapshot(); a != beforeA || r != beforeR {
			t.Fatalf("an interrupted register changed the snapshot: %d agreements, %d realisations; was %d, %d", a, r, beforeA, beforeR)
		}
		// A later load does not pick up the failed runs' rows.
		f.mustLoad(DatasetRegister, registerFiles(filepath.Join("testdata", "register", "known"))...)
		if a, r := snapshot(); a != beforeA || r != beforeR {
			t.Fatalf("a later load picked up failed runs: %d agreements, %d realisations; want %d, %d", a, r, beforeA, beforeR)
		}
	})
}

// TestStreamRegisterNumbersAgreements streams registers and checks what the
// sink is given against ParseRegister: the same parties, each with the
// number of its agreement, and the same agreements read again in number
// order; and that a register whose agreements table changes before it is
// read again fails rather than load other rows.
func TestStreamRegisterNumbersAgreements(t *testing.T) {
	known := kaltimRegions(t)
	for _, dir := range []string{"known", "broken"} {
		t.Run(dir, func(t *testing.T) {
			tmp := t.TempDir()
			var paths []string
			for _, src := range registerFiles(filepath.Join("testdata", "register", dir)) {
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
			want, err := ParseRegister(paths, known)
			if err != nil {
				t.Fatal(err)
			}
			var parties []cooperation.Party
			var partyNumbers, realisationNumbers []int
			var realisationIDs []string
			partiesDone := false
			batch, err := StreamRegister(paths, known, RegisterSink{
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
			if !partiesDone || batch.Agreements != nil || batch.Parties != nil {
				t.Errorf("parties done %v; the batch holds %d agreements and %d parties", partiesDone, len(batch.Agreements), len(batch.Parties))
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
			got := canonicalDecimals(RegisterBatch{Agreements: agreements})
			if w := canonicalDecimals(RegisterBatch{Agreements: want.Agreements}); !reflect.DeepEqual(got.Agreements, w.Agreements) || batch.AgreementRows != len(want.Agreements) {
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

// benchRegister is the register that BenchmarkRegisterLoad and
// BenchmarkRegisterParse read: the CSV files of SINERGI_BENCH_REGISTER (a
// directory, such as `go run ./bench/generate --profile national` writes under
// register/) checked against the regions file SINERGI_BENCH_REGIONS; the
// benchmark is skipped without them.
func benchRegister(b *testing.B) (files []string, regions string) {
	dir, regions := os.Getenv("SINERGI_BENCH_REGISTER"), os.Getenv("SINERGI_BENCH_REGIONS")
	if dir == "" || regions == "" {
		b.Skip("SINERGI_BENCH_REGISTER (a register's directory of CSV files) and SINERGI_BENCH_REGIONS (its regions file) are not set")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no CSV files in %s: %v", dir, err)
	}
	return files, regions
}

// BenchmarkRegisterParse reads and validates a whole register, its
// realisations streamed to nowhere: the Go side of `sinergi etl load
// register`, alone. It reports the rows per second over all tables.
//
//	SINERGI_BENCH_REGISTER=/tmp/national/register SINERGI_BENCH_REGIONS=/tmp/national/wilayah.csv \
//	  go test -run XXX -bench RegisterParse$ -benchtime 1x -benchmem ./etl/
func BenchmarkRegisterParse(b *testing.B) {
	files, regionsFile := benchRegister(b)
	regions, err := parseFile(regionsFile, func(t *tabular.Table) (RegionBatch, error) { return ParseRegions(t, nil) })
	if err != nil {
		b.Fatal(err)
	}
	known := NewRegionSet(regions.Regions)
	var peak, alloc uint64
	rows := 0
	for b.Loop() {
		mem := sampleMemory(20 * time.Millisecond)
		batch, err := StreamRegister(files, known, RegisterSink{
			Party:       func(*cooperation.Party, int) error { return nil },
			Realisation: func(*cooperation.Realisation, int, int) error { return nil },
		})
		p, a := mem.end()
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

// BenchmarkRegisterLoad loads a whole register (SINERGI_BENCH_REGISTER,
// checked against the regions of SINERGI_BENCH_REGIONS) through the
// runner on a fresh database, as `sinergi etl load register` does. Like
// bench/run.sh, it times clickhouse-client inserting the register's
// realisations file first (client-rows/s), and reports the realisations
// per second over the load (read, validate, insert, settle copies:
// load-rows/s, and the ratio to the client) and over the whole run with
// the aggregates' refresh (rows/s), with the peak heap in use and the
// process's peak RSS.
//
//	SINERGI_BENCH_REGISTER=/tmp/national/register SINERGI_BENCH_REGIONS=/tmp/national/wilayah.csv \
//	  go test -run XXX -bench RegisterLoad -benchtime 1x -timeout 30m ./etl/
func BenchmarkRegisterLoad(b *testing.B) {
	files, regionsFile := benchRegister(b)
	runner, db, _ := registerBenchRunnerWith(b, regionsFile)
	realisations := ""
	for _, f := range files {
		if strings.Contains(filepath.Base(f), "realisation") {
			realisations = f
		}
	}
	clientRate, rows := 0.0, 0
	if realisations != "" {
		clientRate, rows = clientCSVInsertRate(b, db, realisations)
	}
	var inserted time.Time
	runner.setPause(func(_ context.Context, point string) {
		if point == "inserted" {
			inserted = time.Now()
		}
	})
	var peak uint64
	var loadTime, total time.Duration
	b.ResetTimer()
	for b.Loop() {
		mem := sampleMemory(20 * time.Millisecond)
		start := time.Now()
		_, err := runner.Load(context.Background(), DatasetRegister, files...)
		total += time.Since(start)
		loadTime += inserted.Sub(start)
		p, _ := mem.end()
		peak = max(peak, p)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	n := float64(rows) * float64(b.N)
	b.ReportMetric(n/total.Seconds(), "rows/s")
	b.ReportMetric(n/loadTime.Seconds(), "load-rows/s")
	if clientRate > 0 {
		b.ReportMetric(clientRate, "client-rows/s")
		b.ReportMetric(n/loadTime.Seconds()/clientRate, "load-ratio")
		b.ReportMetric(n/total.Seconds()/clientRate, "ratio")
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(peakRSS(b))/(1<<10), "peak-RSS-MB")
}

// registerBenchRunnerWith is registerBenchRunner with the regions of
// regionsFile.
func registerBenchRunnerWith(tb testing.TB, regionsFile string) (*Runner, *clickhouse.DB, *RegionSet) {
	tb.Helper()
	db := clickhousetest.NewDB(tb)
	log := clickhousetest.Logger(tb)
	if os.Getenv("SINERGI_BENCH_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	runner := newClickHouseRunner(db, log)
	if _, err := runner.Load(context.Background(), DatasetRegions, regionsFile); err != nil {
		tb.Fatal(err)
	}
	all, err := regionch.NewStore(db).All(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return runner, db, NewRegionSet(all)
}

// clientCSVInsertRate is the rows per second at which clickhouse-client
// inserts a register's realisations file as it is (FORMAT CSVWithNames), as
// bench/run.sh times it, and the file's rows; the rows are deleted after.
// The rate is 0 without clickhouse-client.
func clientCSVInsertRate(tb testing.TB, db *clickhouse.DB, realisations string) (float64, int) {
	tb.Helper()
	f, err := os.Open(realisations)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rows := -1 // the header
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		rows++
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	client, err := exec.LookPath("clickhouse-client")
	if err != nil {
		tb.Logf("no clickhouse-client to compare with: %v", err)
		return 0, rows
	}
	if _, err := f.Seek(0, 0); err != nil {
		tb.Fatal(err)
	}
	took := clientInsert(tb, db, client,
		"INSERT INTO coop_realisation_rows (agreement_id, village_code, month, value, beneficiaries, outputs) FORMAT CSVWithNames", f)
	return float64(rows) / took.Seconds(), rows
}

// peakRSS is the process's peak resident set size in KiB (VmHWM), 0 where
// /proc does not tell.
func peakRSS(tb testing.TB) int {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return kb
		}
	}
	return 0
}

func toIngestRejects(run *ingest.Run, rejects []Reject) []ingest.Reject {
	out := make([]ingest.Reject, len(rejects))
	for i, rj := range rejects {
		out[i] = ingest.Reject{RunID: run.ID, Dataset: run.Dataset, Source: rj.Source, Sheet: rj.Sheet,
			Line: rj.Line, Reason: rj.Reason, Record: rj.Record}
	}
	return out
}

// recordsOf builds the records of a register read whole with RecordBuilder,
// agreements numbered by their id's first place.
func recordsOf(reg RegisterBatch) []cooperation.Record {
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
