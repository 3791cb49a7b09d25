package etl_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/etl/etltest"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
	"github.com/sinergi-id/sinergi/internal/cooperation/coopch"
	"github.com/sinergi-id/sinergi/internal/idm"
	"github.com/sinergi-id/sinergi/internal/idm/idmch"
	"github.com/sinergi-id/sinergi/internal/ingest"
	"github.com/sinergi-id/sinergi/internal/ingest/ingestch"
	"github.com/sinergi-id/sinergi/internal/realdata"
	"github.com/sinergi-id/sinergi/internal/region"
	"github.com/sinergi-id/sinergi/internal/region/regionch"
)

func TestMain(m *testing.M) {
	if os.Getenv(faultChildEnv) != "" {
		os.Exit(runFaultChild()) // a load the fault tests kill (fault_test.go)
	}
	os.Exit(clickhousetest.Main(m))
}

func sharedDataDir(t *testing.T) string { return realdata.Dir(t) }

// fixture is a runner on a fresh database with the services that read what
// it loads.
type fixture struct {
	t      *testing.T
	db     *clickhouse.DB
	runner *etl.Runner
	runs   *ingestch.Store
	idm    *idm.Service
	// withdrawals counts the withdrawal rows written (their versions).
	withdrawals uint64
}

func newFixture(t *testing.T) *fixture { return newFixtureOver(t, clickhousetest.NewDB(t)) }

// newFixtureOn is a fixture on a fresh database on engine e.
func newFixtureOn(t *testing.T, e clickhousetest.Engine) *fixture {
	return newFixtureOver(t, e.NewDB(t))
}

func newFixtureOver(t *testing.T, db *clickhouse.DB) *fixture {
	regions := region.NewService(regionch.NewStore(db))
	return &fixture{
		t: t, db: db,
		runner: etltest.NewRunner(db, clickhousetest.Logger(t)),
		runs:   ingestch.NewStore(db),
		idm:    idm.NewService(idmch.NewStore(db), regions),
	}
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

// answers is what planners see of the IDM: the distribution by kabupaten
// and by kecamatan, and the province's transitions when two years exist.
type answers struct {
	ByKabupaten []idm.Distribution
	ByKecamatan []idm.Distribution
	Transitions []idm.Transition
}

func (f *fixture) answers(year int) answers {
	f.t.Helper()
	ctx := context.Background()
	var a answers
	var err error
	if a.ByKabupaten, err = f.idm.Distribution(ctx, "", year, region.LevelKabupatenKota, ""); err != nil {
		f.t.Fatal(err)
	}
	if a.ByKecamatan, err = f.idm.Distribution(ctx, "", year, region.LevelKecamatan, "64"); err != nil {
		f.t.Fatal(err)
	}
	if years, _ := f.idm.Years(ctx, ""); len(years) > 1 {
		if a.Transitions, err = f.idm.Transitions(ctx, "", years[0], years[1], "64"); err != nil {
			f.t.Fatal(err)
		}
	}
	return a
}

// rewriteIDM copies an IDM file, setting the first n desa to a uniform score
// (IDM = IKS = IKE = IKL, status from the thresholds), and returns its path.
func rewriteIDM(t *testing.T, src string, n int, score float64) string {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	recs, err := csv.NewReader(in).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	s := strconv.FormatFloat(score, 'f', 4, 64)
	for _, r := range recs[1 : n+1] {
		for _, c := range []string{"iks", "ike", "ikl", "nilai_idm"} {
			r[col[c]] = s
		}
		r[col["status_idm"]] = strings.ReplaceAll(idm.StatusForScore(score).String(), "_", " ")
	}
	out := filepath.Join(t.TempDir(), filepath.Base(src))
	fh, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(fh)
	if err := w.WriteAll(recs); err != nil {
		t.Fatal(err)
	}
	fh.Close()
	return out
}

func TestLoadTwiceChangesNothing(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		dir := sharedDataDir(t)
		f := newFixtureOn(t, e)
		wilayah := filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv")
		idmFiles := []string{filepath.Join(dir, "kaltim_idm_2023.csv"), filepath.Join(dir, "kaltim_idm_2024.csv")}
		f.mustLoad(etl.DatasetRegions, wilayah)
		f.mustLoad(etl.DatasetIDM, idmFiles...)
		before := f.answers(2024)
		if len(before.ByKabupaten) != 10 || len(before.ByKecamatan) != 105 || len(before.Transitions) != 25 {
			t.Fatalf("unexpected first answers: %d kabupaten, %d kecamatan, %d transitions",
				len(before.ByKabupaten), len(before.ByKecamatan), len(before.Transitions))
		}

		f.mustLoad(etl.DatasetRegions, wilayah)
		f.mustLoad(etl.DatasetIDM, idmFiles...)
		if after := f.answers(2024); !reflect.DeepEqual(before, after) {
			t.Fatalf("answers changed after loading the same files again")
		}
		runs, err := f.runs.Runs(context.Background(), 10, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 6 {
			t.Fatalf("got %d runs, want 6 (one per file and load)", len(runs))
		}
	})
}

func TestNewerFileForTheSameYearReplaces(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		dir := sharedDataDir(t)
		f := newFixtureOn(t, e)
		f.mustLoad(etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
		real2024 := filepath.Join(dir, "kaltim_idm_2024.csv")
		f.mustLoad(etl.DatasetIDM, real2024)
		want := f.answers(2024)

		// A corrected file: the first 40 desa become TERTINGGAL.
		f.mustLoad(etl.DatasetIDM, rewriteIDM(t, real2024, 40, 0.55))
		changed := f.answers(2024)
		if reflect.DeepEqual(want, changed) {
			t.Fatal("a newer file with other scores changed no answer")
		}
		var tertinggal int
		for _, d := range changed.ByKabupaten {
			tertinggal += d.ByStatus[3].Count
		}
		if tertinggal != 4+40-countTertinggal(t, real2024, 40) {
			t.Fatalf("TERTINGGAL after the newer file: %d", tertinggal)
		}

		// Loading the original again restores every figure.
		f.mustLoad(etl.DatasetIDM, real2024)
		if got := f.answers(2024); !reflect.DeepEqual(want, got) {
			t.Fatal("reloading the original file did not restore the answers")
		}
	})
}

// countTertinggal counts TERTINGGAL desa among the first n rows of a file.
func countTertinggal(t *testing.T, path string, n int) int {
	in, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	recs, _ := csv.NewReader(in).ReadAll()
	c := 0
	for _, r := range recs[1 : n+1] {
		if r[14] == "TERTINGGAL" {
			c++
		}
	}
	return c
}

func TestInterruptedLoadLeavesPreviousAnswers(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		dir := sharedDataDir(t)
		f := newFixtureOn(t, e)
		f.mustLoad(etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
		real2024 := filepath.Join(dir, "kaltim_idm_2024.csv")
		f.mustLoad(etl.DatasetIDM, real2024)
		before := f.answers(2024)

		// The load is killed after its rows reached ClickHouse, before commit.
		ctx, cancel := context.WithCancel(context.Background())
		f.runner.SetPause(func(_ context.Context, point string) {
			if point == "inserted" {
				cancel()
			}
		})
		res, err := f.load(ctx, etl.DatasetIDM, rewriteIDM(t, real2024, 200, 0.3))
		f.runner.SetPause(nil)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("interrupted load returned %v, want context.Canceled", err)
		}
		if len(res.Runs) != 1 || res.Runs[0].Status != ingest.StatusFailed {
			t.Fatalf("interrupted run: %+v", res.Runs)
		}
		if after := f.answers(2024); !reflect.DeepEqual(before, after) {
			t.Fatal("an interrupted load changed the answers")
		}
		// Its rows were written, and stay invisible: no refresh picks them up.
		var written uint64
		if err := f.db.QueryRow(context.Background(), `SELECT count() FROM idm_rows WHERE run_id = ?`, []any{res.Runs[0].ID}, &written); err != nil {
			t.Fatal(err)
		}
		if written != 841 {
			t.Fatalf("interrupted run wrote %d rows, want 841 (the test must interrupt after the insert)", written)
		}
		f.mustLoad(etl.DatasetIDM, filepath.Join(dir, "kaltim_idm_2023.csv"))
		if after := f.answers(2024); !reflect.DeepEqual(before.ByKabupaten, after.ByKabupaten) {
			t.Fatal("a later refresh picked up the interrupted run's rows")
		}
		runs, err := f.runs.Runs(context.Background(), 10, etl.DatasetIDM)
		if err != nil {
			t.Fatal(err)
		}
		var failed int
		for _, r := range runs {
			if r.Status == ingest.StatusFailed {
				failed++
				if !strings.Contains(r.Error, "interrupted") {
					t.Errorf("failed run error %q does not say it was interrupted", r.Error)
				}
			}
		}
		if failed != 1 {
			t.Fatalf("got %d failed runs, want 1", failed)
		}
	})
}

func TestFailedFileKeepsPreviousDataAndRecordsWhy(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		dir := sharedDataDir(t)
		f := newFixtureOn(t, e)
		f.mustLoad(etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
		f.mustLoad(etl.DatasetIDM, filepath.Join(dir, "kaltim_idm_2024.csv"))
		before := f.answers(2024)

		tmp := t.TempDir()
		empty := filepath.Join(tmp, "empty.csv")
		os.WriteFile(empty, nil, 0o644)
		wrongHeader := filepath.Join(tmp, "wrong_header.csv")
		os.WriteFile(wrongHeader, []byte("a,b,c\n1,2,3\n"), 0o644)
		missing := filepath.Join(tmp, "missing.csv")

		for _, file := range []string{empty, wrongHeader, missing} {
			res, err := f.load(context.Background(), etl.DatasetIDM, file)
			if err == nil {
				t.Errorf("%s: load succeeded", filepath.Base(file))
				continue
			}
			if len(res.Runs) != 1 || res.Runs[0].Status != ingest.StatusFailed || res.Runs[0].Error == "" {
				t.Errorf("%s: run %+v, want failed with a reason", filepath.Base(file), res.Runs)
			}
		}
		if after := f.answers(2024); !reflect.DeepEqual(before, after) {
			t.Fatal("failed loads changed the answers")
		}
	})
}

func TestRejectedRowsAreKeptAndGoodRowsLoad(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		dir := sharedDataDir(t)
		f := newFixtureOn(t, e)
		f.mustLoad(etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))

		// Three good rows of the real file and four bad ones.
		in, _ := os.ReadFile(filepath.Join(dir, "kaltim_idm_2024.csv"))
		lines := strings.Split(string(in), "\n")
		header, good := lines[0], lines[1:4]
		bad := []string{
			strings.Replace(lines[5], "6401", "6499", 1),        // unknown code
			strings.Replace(lines[6], ",MAJU,", ",MANDIRI,", 1), // status contradicts the score
			lines[7][:40], // truncated row
			strings.Replace(lines[1], "0.8114", "1.8114", 1), // duplicate that disagrees, score out of range
		}
		file := filepath.Join(t.TempDir(), "mixed.csv")
		os.WriteFile(file, []byte(strings.Join(append(append([]string{header}, good...), bad...), "\n")+"\n"), 0o644)

		res := f.mustLoad(etl.DatasetIDM, file)
		run := res.Runs[0]
		if run.Status != ingest.StatusSucceeded || run.RowsRead != 7 {
			t.Fatalf("run: %+v", run)
		}
		if run.RowsLoaded+run.RowsRejected != run.RowsRead || run.RowsRejected < 4 {
			t.Fatalf("run counts: read %d loaded %d rejected %d", run.RowsRead, run.RowsLoaded, run.RowsRejected)
		}
		stored, err := f.runs.Rejects(context.Background(), run.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(stored) != run.RowsRejected {
			t.Fatalf("stored %d rejects, run says %d", len(stored), run.RowsRejected)
		}
		for _, rj := range stored {
			if rj.Line < 2 || rj.Reason == "" || rj.Record == "" || rj.Dataset != etl.DatasetIDM {
				t.Errorf("reject without where or why: %+v", rj)
			}
		}
		d, err := f.idm.Distribution(context.Background(), "", 2024, region.LevelProvinsi, "")
		if err != nil {
			t.Fatal(err)
		}
		if d[0].Total != run.RowsLoaded {
			t.Fatalf("province total %d, want the %d loaded rows", d[0].Total, run.RowsLoaded)
		}
	})
}

func TestSchedulerSkipsUnchangedSourcesAndSurvivesFailures(t *testing.T) {
	dir := sharedDataDir(t)
	f := newFixture(t)
	tmp := t.TempDir()
	wilayah := filepath.Join(tmp, "wilayah.csv")
	body, _ := os.ReadFile(filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
	os.WriteFile(wilayah, body, 0o644)
	idmBody, _ := os.ReadFile(filepath.Join(dir, "kaltim_idm_2024.csv"))
	os.WriteFile(filepath.Join(tmp, "idm_2024.csv"), idmBody, 0o644)

	jobs := []etl.Job{
		{Name: "idm", Dataset: etl.DatasetIDM, Source: filepath.Join(tmp, "idm_*.csv"), Schedule: "1h"},
		{Name: "missing", Dataset: etl.DatasetIDM, Source: filepath.Join(tmp, "nothing_*.csv"), Schedule: "1h"},
		{Name: "regions", Dataset: etl.DatasetRegions, Source: wilayah, Schedule: "0 2 * * *"},
	}
	s, err := etl.NewScheduler(f.runner, f.runs, jobs, clickhousetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s.Start(ctx) // regions first, whatever the configured order; the failing job does not stop the rest
	t.Cleanup(func() { s.Shutdown() })

	runs, _ := f.runs.Runs(ctx, 10, "")
	if len(runs) != 2 || runs[1].Dataset != etl.DatasetRegions || runs[0].Dataset != etl.DatasetIDM || runs[0].RowsRejected != 0 {
		t.Fatalf("first pass runs: %+v", runs)
	}
	for _, j := range s.Jobs() {
		if j.Name == "missing" {
			if err := s.RunJob(ctx, j); err == nil || !strings.Contains(err.Error(), "no file matches") {
				t.Fatalf("job with no files: %v", err)
			}
			continue
		}
		if err := s.RunJob(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	if again, _ := f.runs.Runs(ctx, 10, ""); len(again) != 2 {
		t.Fatalf("unchanged sources were loaded again: %d runs", len(again))
	}
	// A new file matching the glob is loaded; the unchanged one is not.
	idm23, _ := os.ReadFile(filepath.Join(dir, "kaltim_idm_2023.csv"))
	os.WriteFile(filepath.Join(tmp, "idm_2023.csv"), idm23, 0o644)
	if err := s.RunJob(ctx, s.Jobs()[1]); err != nil {
		t.Fatal(err)
	}
	runs, _ = f.runs.Runs(ctx, 10, "")
	if len(runs) != 3 || !strings.HasSuffix(runs[0].Source, "idm_2023.csv") {
		t.Fatalf("after a new file: %+v", runs)
	}
}

func TestJobValidationNamesTheProblem(t *testing.T) {
	for _, tc := range []struct {
		job  etl.Job
		want string
	}{
		{etl.Job{Name: "x", Dataset: "nope", Source: "a.csv", Schedule: "1h"}, "dataset"},
		{etl.Job{Name: "x", Dataset: etl.DatasetIDM, Source: "", Schedule: "1h"}, "source"},
		{etl.Job{Name: "x", Dataset: etl.DatasetIDM, Source: "a.csv", Schedule: "sometimes"}, "schedule"},
		{etl.Job{Name: "x", Dataset: etl.DatasetIDM, Source: "[", Schedule: "1h"}, "glob"},
	} {
		if err := tc.job.Validate([]string{etl.DatasetRegions, etl.DatasetIDM}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want an error about %s", tc.job, err, tc.want)
		}
	}
}

func registerFiles(dir string) []string {
	var out []string
	for _, t := range []string{"agreements", "parties", "bodies", "realisations"} {
		out = append(out, filepath.Join(dir, t+".csv"))
	}
	return out
}

func TestRegisterLoadsKeepRejectsAndFailuresChangeNothing(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		dir := sharedDataDir(t)
		f := newFixtureOn(t, e)
		f.mustLoad(etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
		ctx := context.Background()
		count := func() uint64 {
			var n uint64
			q := `SELECT count() FROM coop_agreements_current WHERE ` + coopch.PublishedRows("coop_agreements_current")
			if err := f.db.QueryRow(ctx, q, nil, &n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		known := f.mustLoad(etl.DatasetRegister, registerFiles(filepath.Join("register", "testdata", "known"))...)
		if len(known.Runs) != 1 || known.Runs[0].RowsRejected != 0 {
			t.Fatalf("known register: %+v %+v", known.Runs, known.Rejects)
		}
		before := count()
		if before == 0 {
			t.Fatal("no agreements after loading the known register")
		}

		// A broken register: its refused rows are kept with sheet, line and
		// reason, and its valid rows load.
		broken := f.mustLoad(etl.DatasetRegister, registerFiles(filepath.Join("register", "testdata", "broken"))...)
		run := broken.Runs[0]
		if run.Status != ingest.StatusSucceeded || run.RowsRejected == 0 || run.RowsLoaded == 0 {
			t.Fatalf("broken register run: %+v", run)
		}
		stored, err := f.runs.Rejects(ctx, run.ID, ingest.MaxRejects)
		if err != nil {
			t.Fatal(err)
		}
		if len(stored) != run.RowsRejected {
			t.Fatalf("stored %d rejects, run says %d", len(stored), run.RowsRejected)
		}
		sheets := map[string]bool{}
		for _, rj := range stored {
			sheets[rj.Sheet] = true
			if rj.Line < 2 || rj.Reason == "" {
				t.Errorf("reject without where or why: %+v", rj)
			}
		}
		for _, s := range []string{"agreements", "parties", "bodies", "realisations"} {
			if !sheets[s] {
				t.Errorf("no reject recorded for table %s", s)
			}
		}
		// Each reject names the column it is about as the header writes it
		// (the first one, when several are wrong), and none when the reason
		// is the whole row's: a duplicate, a truncated record.
		columns := map[int]string{}
		for _, rj := range stored {
			if rj.Sheet == "agreements" {
				columns[rj.Line] = rj.Column
			}
		}
		for line, want := range map[int]string{4: "committed_value", 5: "signed_date", 8: "title", 9: "", 10: "", 13: ""} {
			if got, ok := columns[line]; !ok || got != want {
				t.Errorf("agreements line %d: column %q (stored: %t), want %q", line, got, ok, want)
			}
		}
		afterBroken := count()

		// A register missing its parties file fails as a whole and changes nothing.
		res, err := f.load(ctx, etl.DatasetRegister, filepath.Join("register", "testdata", "known", "agreements.csv"))
		if err == nil || len(res.Runs) != 1 || res.Runs[0].Status != ingest.StatusFailed {
			t.Fatalf("register without parties: %v %+v", err, res.Runs)
		}
		if !strings.Contains(err.Error(), "parties") {
			t.Errorf("error does not name the missing table: %v", err)
		}
		if got := count(); got != afterBroken {
			t.Fatalf("a failed register changed the agreements: %d, was %d", got, afterBroken)
		}
	})
}

// TestSettleLeavesLiveRunsAlone: a run that a live process is loading (here
// this test's parent, standing in for another sinergi, holding the load
// lock) is not marked failed; one whose process exited is, with the
// reason, also when its process id now names another process; one of a
// process that exited after its publish is marked succeeded. Once the load
// lock is free, no run can be going on: the parent's is settled too.
func TestSettleLeavesLiveRunsAlone(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	reused := ingest.CurrentProcess()
	reused.PID = os.Getppid() // alive, but started at another time: a reused process id
	exited := exec.Command("true")
	if err := exited.Run(); err != nil {
		t.Fatal(err)
	}
	gone := ingest.CurrentProcess()
	gone.PID = exited.ProcessState.Pid()

	parent := ingest.CurrentProcess()
	parent.PID, parent.Start = os.Getppid(), ""
	runs := []ingest.Run{
		{ID: 1, Dataset: etl.DatasetIDM, Status: ingest.StatusRunning, Process: parent},
		{ID: 2, Dataset: etl.DatasetIDM, Status: ingest.StatusLoaded, Process: gone},
		{ID: 3, Dataset: etl.DatasetIDM, Status: ingest.StatusLoaded, Process: reused},
		{ID: 4, Dataset: etl.DatasetIDM, Status: ingest.StatusLoaded, Process: gone},
	}
	for _, r := range runs {
		r.StartedAt = time.Now().UTC().Truncate(time.Second)
		if err := f.runs.SaveRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.db.PublishGenerations(ctx, []uint64{4}, 10, []string{"idm_current"}, nil); err != nil {
		t.Fatal(err)
	}
	parentsLoad, err := f.runner.LoadLock().LockLoads(ctx, parent, false)
	if err != nil {
		t.Fatal(err)
	}
	settled, err := f.runner.SettleInterrupted(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(settled) != 3 {
		t.Fatalf("settled %+v, want runs 2, 3 and 4", settled)
	}
	want := map[uint64]ingest.Status{1: ingest.StatusRunning, 2: ingest.StatusFailed, 3: ingest.StatusFailed, 4: ingest.StatusSucceeded}
	for id, status := range want {
		r, _, err := f.runs.Run(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != status {
			t.Errorf("run %d: %s, want %s", id, r.Status, status)
		}
		if status == ingest.StatusFailed && !strings.Contains(r.Error, "interrupted") {
			t.Errorf("run %d failed without saying why: %q", id, r.Error)
		}
	}

	if err := parentsLoad.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if settled, err := f.runner.SettleInterrupted(ctx); err != nil || len(settled) != 1 || settled[0].ID != 1 || settled[0].Status != ingest.StatusFailed {
		t.Fatalf("with the lock free: settled %+v (%v), want run 1 failed", settled, err)
	}
}

// realisedState is what the snapshot holds of a register's realisations:
// the rows, their total, and the villages the agreements' records cover
// (realised villages among them).
type realisedState struct {
	Rows     uint64
	Value    string
	Villages uint64
}

func (f *fixture) realised() realisedState {
	f.t.Helper()
	var s realisedState
	ctx := context.Background()
	if err := f.db.QueryRow(ctx, `SELECT count(), toString(sum(value)) FROM coop_realisations
		WHERE `+coopch.PublishedRows("coop_realisations"), nil, &s.Rows, &s.Value); err != nil {
		f.t.Fatal(err)
	}
	if err := f.db.QueryRow(ctx, `SELECT sum(length(village_keys)) FROM coop_agreements_current
		WHERE `+coopch.PublishedRows("coop_agreements_current"), nil, &s.Villages); err != nil {
		f.t.Fatal(err)
	}
	return s
}

// A register sent again without its realisations sheet replaces its
// agreements and parties and leaves their realisations (and the villages
// they reach) as they were; a realisations sheet, even an empty one,
// replaces them.
func TestRegisterWithoutRealisationsKeepsThem(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		f := newFixtureOn(t, e)
		f.mustLoad(etl.DatasetRegions, filepath.Join(sharedDataDir(t), "kaltim_wilayah_kemendagri_2025.csv"))
		known := registerFiles(filepath.Join("register", "testdata", "known"))
		f.mustLoad(etl.DatasetRegister, known...)
		before := f.realised()
		if before.Rows == 0 {
			t.Fatal("the known register has no realisations: the test tests nothing")
		}
		withoutRealisations := known[:3]
		if res := f.mustLoad(etl.DatasetRegister, withoutRealisations...); res.Runs[0].Status != ingest.StatusSucceeded {
			t.Fatalf("register without realisations: %+v", res.Runs)
		}
		if after := f.realised(); after != before {
			t.Errorf("sent without its realisations sheet: %+v, before %+v", after, before)
		}
		empty := filepath.Join(t.TempDir(), "realisations.csv")
		if err := os.WriteFile(empty, []byte("agreement_id,village_code,month,value,beneficiaries,outputs\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		f.mustLoad(etl.DatasetRegister, append(slices.Clone(withoutRealisations), empty)...)
		if after := f.realised(); after.Rows != 0 || after.Villages >= before.Villages {
			// The known register's realisations reach villages no party
			// names: without them the records cover fewer.
			t.Errorf("sent with an empty realisations sheet: %+v, want no realisations and fewer villages than %d", after, before.Villages)
		}
	})
}

// A DESA party whose name is not the name of its code's desa loads as
// written and is kept as a warning of the run, beside its rejects; case,
// spacing, "Desa"/"Kelurahan" and the Kutai Barat spellings (Pepes/Pepas
// Asa) are not warned about.
func TestDesaNameNotOfItsCodeIsAWarning(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		f := newFixtureOn(t, e)
		f.mustLoad(etl.DatasetRegions, filepath.Join(sharedDataDir(t), "kaltim_wilayah_kemendagri_2025.csv"))
		files := registerFiles(filepath.Join("register", "testdata", "known"))
		parties, err := os.ReadFile(files[1])
		if err != nil {
			t.Fatal(err)
		}
		extra := "KUKAR-2025-001,DESA,Rempanga,64.02.02.2008,,penerima manfaat\n" + // Margahayu's code
			"KUKAR-2025-001,DESA,Desa PEPES ASA,6407072008,,penerima manfaat\n" + // Pepas Asa
			"KUKAR-2025-001,DESA,  desa   LUNG  anai.,64.02.02.2010,,penerima manfaat\n"
		files[1] = filepath.Join(t.TempDir(), "parties.csv")
		if err := os.WriteFile(files[1], append(parties, extra...), 0o600); err != nil {
			t.Fatal(err)
		}
		res := f.mustLoad(etl.DatasetRegister, files...)
		run := res.Runs[0]
		if run.Status != ingest.StatusSucceeded || run.RowsRejected != 0 {
			t.Fatalf("run %+v, rejects %+v", run, res.Rejects)
		}
		stored, err := f.runs.Warnings(context.Background(), run.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(stored) != 1 {
			t.Fatalf("warnings %+v; want one, for Rempanga", stored)
		}
		w := stored[0]
		if w.Sheet != "parties" || w.Column != "name" || !strings.Contains(w.Reason, `"Rempanga"`) || !strings.Contains(w.Reason, "Margahayu") ||
			!strings.Contains(w.Record, "Rempanga") {
			t.Errorf("warning %+v", w)
		}
		if rejects, err := f.runs.Rejects(context.Background(), run.ID, 100); err != nil || len(rejects) != 0 {
			t.Errorf("rejects %+v (%v): a warning is no reject", rejects, err)
		}
		var loaded uint64
		if err := f.db.QueryRow(context.Background(), `SELECT count() FROM coop_parties WHERE `+coopch.PublishedRows("coop_parties")+` AND region_code = '6402022008'`, nil, &loaded); err != nil || loaded != 1 {
			t.Errorf("the flagged party: %d rows (%v), want it loaded as written", loaded, err)
		}
	})
}

// TestRejectsLogLineNamesTheFirstReasons: the log line of a run with
// refused rows says why the first were refused and where the rest are
// (issue 13: "rejected=2" alone left the reader nowhere).
func TestRejectsLogLineNamesTheFirstReasons(t *testing.T) {
	var logged bytes.Buffer
	db := clickhousetest.NewDB(t)
	runner := etltest.NewRunner(db, slog.New(slog.NewTextHandler(&logged, nil)))
	dir := sharedDataDir(t)
	if _, err := runner.Load(context.Background(), etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv")); err != nil {
		t.Fatal(err)
	}
	in, _ := os.ReadFile(filepath.Join(dir, "kaltim_idm_2024.csv"))
	lines := strings.Split(string(in), "\n")
	file := filepath.Join(t.TempDir(), "idm.csv")
	os.WriteFile(file, []byte(lines[0]+"\n"+lines[1]+"\n"+strings.Replace(lines[2], "6401", "6499", 1)+"\n"), 0o644)
	res, err := runner.Load(context.Background(), etl.DatasetIDM, file)
	if err != nil {
		t.Fatal(err)
	}
	var line string
	for _, l := range strings.Split(logged.String(), "\n") {
		if strings.Contains(l, "some refused") {
			line = l
		}
	}
	for _, want := range []string{"rejected=1", "idm.csv line 3: ", fmt.Sprintf("etlRejects(runId: %d", res.Runs[0].ID)} {
		if !strings.Contains(line, want) {
			t.Errorf("log line %q lacks %q", line, want)
		}
	}
}
