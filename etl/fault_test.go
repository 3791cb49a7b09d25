package etl_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/etl/etltest"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/chserver"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
	"github.com/sinergi-id/sinergi/internal/cooperation/coopch"
	"github.com/sinergi-id/sinergi/internal/ingest"
	"github.com/sinergi-id/sinergi/internal/ingest/ingestch"
	"github.com/sinergi-id/sinergi/internal/realdata"
)

// The fault tests run loads in a child process — this test binary again,
// told what to do by faultChildEnv — that stops at a named point of the
// load (see Runner.pause) and tells the parent, which then kills it or
// kills ClickHouse under it. Afterwards an unrelated load runs, and every
// published snapshot must equal that of a database that only ever saw the
// loads that completed.

const faultChildEnv = "SINERGI_FAULT_CHILD"

// faultOrder is what the parent tells a child.
type faultOrder struct {
	Addr     string
	Database string
	Username string
	Password string
	Dataset  string
	Files    []string
	PauseAt  string
	// OtherHost records the child's runs as a process of another host,
	// which no one can tell is gone.
	OtherHost bool
}

const pausedLine = "paused at "

// runFaultChild is the child's main: load the files, stopping at PauseAt
// until stdin says go on (or closes).
func runFaultChild() int {
	var order faultOrder
	if err := json.Unmarshal([]byte(os.Getenv(faultChildEnv)), &order); err != nil {
		fmt.Fprintln(os.Stderr, "fault child:", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx := context.Background()
	db, err := clickhouse.Open(ctx, clickhouse.Config{Addr: order.Addr, Database: order.Database,
		Username: order.Username, Password: order.Password}, log)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fault child:", err)
		return 2
	}
	defer db.Close()
	runner := etltest.NewRunner(db, log)
	if order.OtherHost {
		runner.SetProcessHost("another-host.invalid")
	}
	stdin := bufio.NewReader(os.Stdin)
	runner.SetPause(func(_ context.Context, point string) {
		if point == order.PauseAt {
			fmt.Println(pausedLine + point)
			_, _ = stdin.ReadString('\n')
		}
	})
	res, err := runner.Load(ctx, order.Dataset, order.Files...)
	for _, r := range res.Runs {
		fmt.Printf("run %d %s %s\n", r.ID, r.Status, r.Error)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fault child:", err)
		return 1
	}
	return 0
}

// loadChild is a load running in a child process, stopped at its point.
type loadChild struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Scanner
}

// startLoadChild starts a child loading files into cfg's database and
// waits until it stops at point.
func startLoadChild(t *testing.T, cfg clickhouse.Config, otherHost bool, point, dataset string, files ...string) *loadChild {
	t.Helper()
	order, _ := json.Marshal(faultOrder{Addr: cfg.Addr, Database: cfg.Database, Username: cfg.Username, Password: cfg.Password,
		Dataset: dataset, Files: files,
		PauseAt: point, OtherHost: otherHost})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), faultChildEnv+"="+string(order))
	cmd.Stderr = t.Output()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &loadChild{cmd: cmd, stdin: stdin, out: bufio.NewScanner(stdout)}
	t.Cleanup(func() {
		if c.cmd.ProcessState == nil {
			_ = c.cmd.Process.Kill()
			_ = c.cmd.Wait()
		}
	})
	for c.out.Scan() {
		if c.out.Text() == pausedLine+point {
			return c
		}
		t.Logf("child: %s", c.out.Text())
	}
	_ = cmd.Wait()
	t.Fatalf("the loading child exited (%v) before reaching %q", cmd.ProcessState, point)
	return nil
}

// kill kills the child with SIGKILL and reaps it.
func (c *loadChild) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = c.cmd.Wait()
}

// resume lets the child go on and waits for it to exit.
func (c *loadChild) resume(t *testing.T) {
	t.Helper()
	_ = c.stdin.Close()
	for c.out.Scan() {
		t.Logf("child: %s", c.out.Text())
	}
	err := c.cmd.Wait()
	t.Logf("child exited: %v", err)
}

// faultServer is a ClickHouse of the test's own, which it may kill.
type faultServer struct {
	dir string
	srv *chserver.LocalServer
	log *slog.Logger
}

func startFaultServer(t *testing.T) *faultServer {
	t.Helper()
	fs := &faultServer{dir: t.TempDir(), log: clickhousetest.Logger(t)}
	fs.start(t)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = fs.srv.Stop(ctx)
	})
	return fs
}

func (fs *faultServer) start(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := chserver.StartLocal(ctx, fs.dir, fs.log)
	if err != nil {
		t.Fatal(err)
	}
	fs.srv = srv
}

// killServer kills the ClickHouse server with SIGKILL. Its supervisor
// starts it again after a second (see chserver.StartLocal); waitServer
// waits for that.
func (fs *faultServer) killServer(t *testing.T) int {
	t.Helper()
	pid := fs.srv.PID()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	return pid
}

// waitServer waits until a server other than killed answers.
func (fs *faultServer) waitServer(t *testing.T, killed int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		if pid := fs.srv.PID(); pid != 0 && pid != killed && fs.srv.Health() == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the managed ClickHouse did not come back: %v", fs.srv.Health())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// database is a fresh, migrated database on the server.
func (fs *faultServer) database(t *testing.T, name string) clickhouse.Config {
	t.Helper()
	cfg := fs.srv.AdminConfig()
	cfg.Database = name
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db := fs.open(t, cfg)
	defer db.Close()
	if err := db.Migrate(ctx, fs.log); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// open connects to cfg's database on the server as it runs now, creating
// the database if needed.
func (fs *faultServer) open(t *testing.T, cfg clickhouse.Config) *clickhouse.DB {
	t.Helper()
	admin := fs.srv.AdminConfig()
	cfg.Addr, cfg.Username, cfg.Password = admin.Addr, admin.Username, admin.Password
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := clickhouse.CreateDatabase(ctx, cfg, fs.log); err != nil {
		t.Fatal(err)
	}
	db, err := clickhouse.Open(ctx, cfg, fs.log)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func loadInto(t *testing.T, db *clickhouse.DB, dataset string, files ...string) etl.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := etltest.NewRunner(db, clickhousetest.Logger(t)).Load(ctx, dataset, files...)
	if err != nil {
		t.Fatalf("load %s %v: %v", dataset, files, err)
	}
	return res
}

// publishedSnapshots is everything queries read: the rows of the published
// generation of every snapshot table, each row as text, sorted, without
// the generation and run columns (which differ between databases).
func publishedSnapshots(t *testing.T, db *clickhouse.DB) map[string][]string {
	t.Helper()
	ctx := context.Background()
	out := map[string][]string{}
	for _, table := range etltest.NewRunner(db, clickhousetest.Logger(t)).SnapshotTables() {
		if table == coopch.ChangedAgreements {
			continue // a delta's bookkeeping: a whole generation lists none
		}
		{
			var cols []struct {
				Name string `ch:"name"`
			}
			if err := db.Select(ctx, &cols, `SELECT name FROM system.columns WHERE database = currentDatabase() AND table = ?
				AND name NOT IN ('generation', 'run_id') ORDER BY name`, table); err != nil {
				t.Fatal(err)
			}
			texts := make([]string, len(cols))
			for i, c := range cols {
				texts[i] = "ifNull(toString(" + c.Name + "), 'NULL')"
			}
			// table and column names come from the schema, not from input.
			var rows []struct {
				Line string `ch:"line"`
			}
			if err := db.Select(ctx, &rows, `SELECT arrayStringConcat([`+strings.Join(texts, ", ")+`], '|') AS line FROM `+table+
				` WHERE `+coopch.PublishedRows(table)); err != nil {
				t.Fatal(err)
			}
			lines := make([]string, len(rows))
			for i, r := range rows {
				lines[i] = r.Line
			}
			slices.Sort(lines)
			out[table] = lines
		}
	}
	return out
}

// committedValue is the register's total committed value as published.
func committedValue(t *testing.T, db *clickhouse.DB) string {
	t.Helper()
	var v string
	if err := db.QueryRow(context.Background(), `SELECT toString(sum(committed_value)) FROM coop_agreements_current
		WHERE `+coopch.PublishedRows("coop_agreements_current"), nil, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func sameSnapshots(t *testing.T, got, want map[string][]string) {
	t.Helper()
	for table, w := range want {
		if g := got[table]; !slices.Equal(g, w) {
			t.Errorf("%s: %d published rows differ from the reference's %d", table, len(g), len(w))
		}
	}
}

// TestKilledLoadsNeverGoLive is issue 16's first finding: register A, then
// B (A's agreements with every value doubled); a reload of A is killed —
// the loading process, or ClickHouse under it — at a point of its load;
// then an unrelated register C loads. Every answer must be that of loading
// A, B and C only (or A, B, A and C when the kill came after the publish),
// and the killed run must end up failed (or succeeded) with the reason.
func TestKilledLoadsNeverGoLive(t *testing.T) {
	fs := startFaultServer(t)
	wilayah := realdata.Path(t, realdata.Wilayah)
	known := etltest.KaltimRegions(t)
	regA := etltest.GeneratedRegister(t, t.TempDir(), known, 3000, 12, "A", 1)
	regB := etltest.GeneratedRegister(t, t.TempDir(), known, 3000, 12, "A", 2)
	regC := etltest.GeneratedRegister(t, t.TempDir(), known, 600, 6, "C", 1)
	// A regions file that renames Kutai Kartanegara, for kills during the
	// two-part rebuild of a regions load (regions, then IDM).
	body, err := os.ReadFile(wilayah)
	if err != nil {
		t.Fatal(err)
	}
	renamed := filepath.Join(t.TempDir(), "wilayah_renamed.csv")
	if err := os.WriteFile(renamed, []byte(strings.Replace(string(body), "Kutai Kartanegara", "Kutai Renamed", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	// After it, a regions load that changes nothing rebuilds the regions.
	province := filepath.Join(t.TempDir(), "wilayah_province.csv")
	lines := strings.SplitN(string(body), "\n", 3)
	if err := os.WriteFile(province, []byte(lines[0]+"\n"+lines[1]+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	// The references: databases that saw only the loads that completed.
	reference := func(name string, registers ...[]string) (map[string][]string, string) {
		cfg := fs.database(t, name)
		db := fs.open(t, cfg)
		defer db.Close()
		loadInto(t, db, etl.DatasetRegions, wilayah)
		for _, r := range registers {
			loadInto(t, db, etl.DatasetRegister, r...)
		}
		return publishedSnapshots(t, db), committedValue(t, db)
	}
	withB, valueB := reference("ref_b", regA, regB, regC)
	withA, valueA := reference("ref_a", regA, regB, regA, regC)
	if valueA == valueB {
		t.Fatalf("the references do not tell A from B: both %s", valueA)
	}

	for _, tc := range []struct {
		point      string
		killServer bool
		otherHost  bool // the killed load ran on another host: it is gone once its load lock's lease ends
		published  bool // the kill came after the publish: the reload of A counts
		regions    bool // the killed load is a regions file, not the reload of A
	}{
		{point: "loaded", otherHost: true},
		{point: "rebuilding", regions: true},
		{point: "rebuilding", regions: true, killServer: true},
		{point: "inserting"},
		{point: "inserted"},
		{point: "loaded"},
		{point: "publishing"},
		{point: "published", published: true},
		{point: "inserting", killServer: true},
		{point: "loaded", killServer: true},
		{point: "publishing", killServer: true},
		{point: "published", killServer: true, published: true},
	} {
		name := "kill load at " + tc.point
		if tc.killServer {
			name = "kill ClickHouse at " + tc.point
		}
		if tc.otherHost {
			name += " on another host"
		}
		if tc.regions {
			name += " of regions"
		}
		t.Run(name, func(t *testing.T) {
			cfg := fs.database(t, fmt.Sprintf("fault_%s_%t_%t_%t", tc.point, tc.killServer, tc.otherHost, tc.regions))
			db := fs.open(t, cfg)
			loadInto(t, db, etl.DatasetRegions, wilayah)
			loadInto(t, db, etl.DatasetRegister, regA...)
			loadInto(t, db, etl.DatasetRegister, regB...)
			db.Close()

			dataset, files := etl.DatasetRegister, regA
			if tc.regions {
				dataset, files = etl.DatasetRegions, []string{renamed}
			}
			child := startLoadChild(t, cfg, tc.otherHost, tc.point, dataset, files...)
			if tc.killServer {
				killed := fs.killServer(t)
				child.resume(t) // it fails: its server is gone, for a second at least
				fs.waitServer(t, killed)
			} else {
				child.kill(t)
			}

			db = fs.open(t, cfg)
			defer db.Close()
			if tc.regions {
				loadInto(t, db, etl.DatasetRegions, province)
			}
			runner := etltest.NewRunner(db, clickhousetest.Logger(t))
			if tc.otherHost {
				// Not 60 s: the dead loader's lock is stale after 2.
				runner.SetLoadLock(ingestch.LoadLock{DB: db, Lease: 2 * time.Second, Log: clickhousetest.Logger(t)})
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			res, err := runner.Load(ctx, etl.DatasetRegister, regC...)
			if err != nil {
				t.Fatal(err)
			}
			want, wantValue := withB, valueB
			if tc.published {
				want, wantValue = withA, valueA
			}
			if got := committedValue(t, db); got != wantValue {
				t.Errorf("committed value %s, want %s (B's is %s, A's %s)", got, wantValue, valueB, valueA)
			}
			sameSnapshots(t, publishedSnapshots(t, db), want)

			runs, err := ingestch.NewStore(db).Runs(context.Background(), 10, "")
			if err != nil {
				t.Fatal(err)
			}
			if tc.regions {
				runs = slices.Delete(runs, 1, 2) // the province's
			}
			if len(runs) != 5 {
				t.Fatalf("%d runs, want 5: %+v", len(runs), runs)
			}
			killed := runs[1] // newest first: C, the killed load, B, A, the regions
			if runs[0].ID != res.Runs[0].ID || runs[0].Status != ingest.StatusSucceeded {
				t.Errorf("C's run: %+v", runs[0])
			}
			switch {
			case tc.published && killed.Status != ingest.StatusSucceeded:
				t.Errorf("the killed run was published but is %s (%s)", killed.Status, killed.Error)
			case !tc.published && tc.killServer && killed.Status != ingest.StatusFailed:
				t.Errorf("the run whose ClickHouse was killed is %s (%q), want failed", killed.Status, killed.Error)
			case !tc.published && !tc.killServer && (killed.Status != ingest.StatusFailed || !strings.Contains(killed.Error, "interrupted")):
				t.Errorf("the killed run is %s (%q), want failed as interrupted", killed.Status, killed.Error)
			}
		})
	}
}

// TestTwoLoadProcessesTakeTurns is issue 16's twelfth finding: two loading
// processes on one database both ran at once. While one holds the load lock
// (stopped after its rows are stored), another cannot take it and a second
// loading process waits; when the first finishes, the second goes on, and
// the answers are those of the two loads one after the other.
func TestTwoLoadProcessesTakeTurns(t *testing.T) {
	fs := startFaultServer(t)
	wilayah := realdata.Path(t, realdata.Wilayah)
	known := etltest.KaltimRegions(t)
	regA := etltest.GeneratedRegister(t, t.TempDir(), known, 2000, 12, "A", 1)
	regB := etltest.GeneratedRegister(t, t.TempDir(), known, 2000, 12, "A", 2)

	refCfg := fs.database(t, "ref_turns")
	ref := fs.open(t, refCfg)
	defer ref.Close()
	loadInto(t, ref, etl.DatasetRegions, wilayah)
	loadInto(t, ref, etl.DatasetRegister, regA...)
	loadInto(t, ref, etl.DatasetRegister, regB...)

	cfg := fs.database(t, "turns")
	db := fs.open(t, cfg)
	defer db.Close()
	loadInto(t, db, etl.DatasetRegions, wilayah)

	first := startLoadChild(t, cfg, false, "loaded", etl.DatasetRegister, regA...)
	_, err := ingestch.LoadLock{DB: db, Log: clickhousetest.Logger(t)}.LockLoads(context.Background(), ingest.CurrentProcess(), false)
	if locked := (*clickhouse.LockedError)(nil); !errors.As(err, &locked) || locked.Holder.PID != first.cmd.Process.Pid {
		t.Fatalf("taking the load lock while a load runs: %v, want it held by process %d", err, first.cmd.Process.Pid)
	}
	second := make(chan *loadChild, 1)
	go func() { second <- startLoadChild(t, cfg, false, "inserted", etl.DatasetRegister, regB...) }()
	select {
	case <-second:
		t.Fatal("a second load went ahead while the first held the load lock")
	case <-time.After(3 * time.Second):
	}
	first.resume(t)
	if first.cmd.ProcessState.ExitCode() != 0 {
		t.Fatalf("the first load failed: %v", first.cmd.ProcessState)
	}
	next := <-second
	next.resume(t)
	if next.cmd.ProcessState.ExitCode() != 0 {
		t.Fatalf("the second load failed: %v", next.cmd.ProcessState)
	}
	sameSnapshots(t, publishedSnapshots(t, db), publishedSnapshots(t, ref))
	runs, err := ingestch.NewStore(db).Runs(context.Background(), 10, etl.DatasetRegister)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].Status != ingest.StatusSucceeded || runs[1].Status != ingest.StatusSucceeded {
		t.Fatalf("runs: %+v", runs)
	}
}
