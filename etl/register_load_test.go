package etl_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/etl/etltest"
	"github.com/sinergi-id/sinergi/internal/realdata"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
	"github.com/sinergi-id/sinergi/internal/cooperation/coopch"
	"github.com/sinergi-id/sinergi/internal/ingest"
)

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
	rows := etltest.BenchEnv(b, "SINERGI_BENCH_ROWS", 1_000_000)
	coopch.RealisationBlockRows = etltest.BenchEnv(b, "SINERGI_BENCH_BLOCK", coopch.RealisationBlockRows)
	runner, db, known := etltest.KaltimRunner(b, "")
	files := etltest.GeneratedRegister(b, b.TempDir(), known, rows, etltest.BenchMonths(b), "GEN", 1)
	clientRate := clientInsertRate(b, db, files[2])
	b.ResetTimer()
	var peak, alloc uint64
	for b.Loop() {
		mem := etltest.SampleMemory(20 * time.Millisecond)
		res, err := runner.Load(context.Background(), etl.DatasetRegister, files...)
		p, a := mem.End()
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

// TestLargeRegisterLoadsInBoundedMemory loads a register of 300,000
// realisations and samples the heap meanwhile: realisations stream, so the
// heap stays at what two blocks of rows take, whatever the file's size
// (loading it all in memory took over 500 MB).
func TestLargeRegisterLoadsInBoundedMemory(t *testing.T) {
	const rows = 300_000
	dir := realdata.Dir(t)
	f := newFixture(t)
	f.mustLoad(etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
	files := etltest.GeneratedRegister(t, t.TempDir(), etltest.KaltimRegions(t), rows, 60, "GEN", 1)
	mem := etltest.SampleMemory(10 * time.Millisecond)
	start := time.Now()
	res := f.mustLoad(etl.DatasetRegister, files...)
	took := time.Since(start)
	peak, alloc := mem.End()
	t.Logf("%d realisations in %v (%.0f rows/s): peak heap in use %.1f MB, %.0f bytes allocated per row",
		rows, took.Round(time.Millisecond), rows/took.Seconds(), float64(peak)/(1<<20), float64(alloc)/rows)
	run := res.Runs[0]
	agreements := (rows + 239) / 240
	if run.RowsRejected != 0 || run.RowsLoaded != rows+3*agreements || run.RowsRead != run.RowsLoaded {
		t.Fatalf("run: %+v", run)
	}
	var n uint64
	if err := f.db.QueryRow(context.Background(), `SELECT count() FROM coop_realisations
		WHERE `+coopch.PublishedRows("coop_realisations"), nil, &n); err != nil {
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
		dir := realdata.Dir(t)
		f := newFixtureOn(t, e)
		ctx := context.Background()
		f.mustLoad(etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
		f.mustLoad(etl.DatasetRegister, registerFiles(filepath.Join("register", "testdata", "known"))...)
		snapshot := func() (agreements, realisations uint64) {
			q := `SELECT (SELECT count() FROM coop_agreements_current WHERE ` + coopch.PublishedRows("coop_agreements_current") + `),
				(SELECT count() FROM coop_realisations WHERE ` + coopch.PublishedRows("coop_realisations") + `)`
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
		files := etltest.GeneratedRegister(t, t.TempDir(), etltest.KaltimRegions(t), 250_000, 60, "GEN", 1)
		tail, err := os.OpenFile(files[2], os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		tail.WriteString("GEN-2015-000000,64.02.02.2010,2019-01,1000,1,\"never closed\nGEN-2015-000000,64.02.02.2010,2019-02,1000,1,\n")
		tail.Close()
		res, err := f.load(ctx, etl.DatasetRegister, files...)
		if err == nil || !strings.Contains(err.Error(), "never closes") || len(res.Runs) != 1 || res.Runs[0].Status != ingest.StatusFailed {
			t.Fatalf("broken realisations: %v, %+v", err, res.Runs)
		}
		t.Logf("the broken register's run left %d rows", written(res.Runs[0].ID))
		if a, r := snapshot(); a != beforeA || r != beforeR {
			t.Fatalf("a failed register changed the snapshot: %d agreements, %d realisations; was %d, %d", a, r, beforeA, beforeR)
		}

		// Killed after its rows were stored, before the commit.
		good := etltest.GeneratedRegister(t, t.TempDir(), etltest.KaltimRegions(t), 50_000, 60, "GEN", 1)
		cctx, cancel := context.WithCancel(ctx)
		f.runner.SetPause(func(_ context.Context, point string) {
			if point == "inserted" {
				cancel()
			}
		})
		res, err = f.load(cctx, etl.DatasetRegister, good...)
		f.runner.SetPause(nil)
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
		f.mustLoad(etl.DatasetRegister, registerFiles(filepath.Join("register", "testdata", "known"))...)
		if a, r := snapshot(); a != beforeA || r != beforeR {
			t.Fatalf("a later load picked up failed runs: %d agreements, %d realisations; want %d, %d", a, r, beforeA, beforeR)
		}
	})
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
	files, regionsFile := etltest.BenchRegister(b)
	runner, db, _ := etltest.KaltimRunner(b, regionsFile)
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
	runner.SetPause(func(_ context.Context, point string) {
		if point == "inserted" {
			inserted = time.Now()
		}
	})
	var peak uint64
	var loadTime, total time.Duration
	b.ResetTimer()
	for b.Loop() {
		mem := etltest.SampleMemory(20 * time.Millisecond)
		start := time.Now()
		_, err := runner.Load(context.Background(), etl.DatasetRegister, files...)
		total += time.Since(start)
		loadTime += inserted.Sub(start)
		p, _ := mem.End()
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
