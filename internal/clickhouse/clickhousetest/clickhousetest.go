// Package clickhousetest runs integration tests on real ClickHouse engines
// that the test binary starts itself: a ClickHouse server (Debian's 18.16)
// and chDB, the current ClickHouse embedded in the process. Each package
// that uses it calls Main from its TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(clickhousetest.Main(m)) }
//
// A test takes a fresh, migrated database on the server with NewDB; a test
// that checks figures runs on every engine with ForEachEngine, in subtests
// named after the engine and its version:
//
//	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
//		db := e.NewDB(t)
//		...
//	})
//
// When an engine cannot be installed or started, the tests fail; they never
// skip.
package clickhousetest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/chdbtest"
	"github.com/sinergi-id/sinergi/internal/clickhouse/chserver"
)

var (
	server  *chserver.LocalServer
	engines []Engine
	// chdbSession is the process's embedded ClickHouse.
	chdbSession *chdbtest.Session
	counter     atomic.Int64
)

// Main installs ClickHouse if it is missing and this process may, starts one
// server for the test binary in a temporary directory and the process's chDB
// session, prints each engine's name and version, runs the tests, and stops
// both. It returns the exit code for os.Exit.
func Main(m *testing.M) int {
	if code, ok := chserver.RunSupervisor(); ok {
		return code // this binary, started as the test server's supervisor
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	dir, err := os.MkdirTemp("", "sinergi-clickhousetest-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "clickhousetest: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)

	// apt-get may take minutes on a fresh machine.
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	if _, err := chserver.EnsureInstalled(ctx, log); err != nil {
		fmt.Fprintf(os.Stderr, "clickhousetest: integration tests need a ClickHouse server: %v\n", err)
		return 1
	}
	server, err = chserver.StartLocal(ctx, dir, log)
	if err != nil {
		fmt.Fprintf(os.Stderr, "clickhousetest: %v\n", err)
		return 1
	}
	code := startEngines(ctx, log)
	if code == 0 {
		code = m.Run()
	}

	stopCtx, cancelStop := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancelStop()
	if err := server.Stop(stopCtx); err != nil {
		fmt.Fprintf(os.Stderr, "clickhousetest: %v\n", err)
		code = max(code, 1)
	}
	if chdbSession != nil {
		chdbSession.Close()
	}
	return code
}

// startEngines names the engines the tests run on and prints them, so a
// test log says which ClickHouse proved what.
func startEngines(ctx context.Context, log *slog.Logger) int {
	suite := strings.TrimSuffix(filepath.Base(os.Args[0]), ".test")
	version, err := serverVersion(ctx, log)
	if err != nil {
		fmt.Fprintf(os.Stderr, "clickhousetest: %v\n", err)
		return 1
	}
	fmt.Printf("engine: clickhouse-server %s (%s)\n", version, suite)
	engines = append(engines, Engine{Name: "clickhouse-" + shortVersion(version), Version: version, open: OpenDB})

	session, err := chdbtest.Start()
	chdbSession = session
	if err != nil {
		fmt.Fprintf(os.Stderr, "clickhousetest: the tests need chDB (`make test` installs it): %v\n", err)
		return 1
	}
	fmt.Printf("engine: chDB %s (%s)\n", session.Version(), suite)
	engines = append(engines, Engine{Name: "chdb-" + shortVersion(session.Version()), Version: session.Version(),
		open: func(t testing.TB, cfg clickhouse.Config) *clickhouse.DB { return openChDB(t, session, cfg) }})
	return 0
}

func serverVersion(ctx context.Context, log *slog.Logger) (string, error) {
	cfg := server.AdminConfig()
	cfg.Database = "default"
	db, err := clickhouse.Open(ctx, cfg, log)
	if err != nil {
		return "", err
	}
	defer db.Close()
	return db.ServerVersion(ctx)
}

// shortVersion is the release, 26.7 of 26.7.2.1.
func shortVersion(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}

// Engine is a ClickHouse the tests run on.
type Engine struct {
	Name    string // clickhouse-18.16, chdb-26.7: the subtest's name
	Version string // as the engine reports it
	open    func(testing.TB, clickhouse.Config) *clickhouse.DB
}

// Engines are the ClickHouse engines of the test binary: the server first,
// then chDB.
func Engines() []Engine {
	if len(engines) == 0 {
		panic("clickhousetest: no engines: call clickhousetest.Main from TestMain")
	}
	return engines
}

// ForEachEngine runs test once per engine, each in a subtest named after
// the engine.
func ForEachEngine(t *testing.T, test func(t *testing.T, e Engine)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(e.Name, func(t *testing.T) { test(t, e) })
	}
}

// NewDB returns a fresh, migrated database on the engine, dropped when the
// test ends.
func (e Engine) NewDB(t testing.TB) *clickhouse.DB {
	t.Helper()
	return e.open(t, Config(t))
}

// OpenDB is NewDB with the limits of cfg (made by Config).
func (e Engine) OpenDB(t testing.TB, cfg clickhouse.Config) *clickhouse.DB {
	t.Helper()
	return e.open(t, cfg)
}

func openChDB(t testing.TB, session *chdbtest.Session, cfg clickhouse.Config) *clickhouse.DB {
	t.Helper()
	log := Logger(t)
	if err := session.CreateDatabase(cfg.Database); err != nil {
		t.Fatalf("clickhousetest: chDB: %v", err)
	}
	t.Cleanup(func() {
		if err := session.DropDatabase(cfg.Database); err != nil {
			t.Errorf("clickhousetest: chDB: %v", err)
		}
	})
	cfg.Addr = "chdb"
	db := clickhouse.New(session.Engine(cfg.Database), cfg, log)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := db.Migrate(ctx, log); err != nil {
		t.Fatalf("clickhousetest: chDB: %v", err)
	}
	return db
}

// Server is the test binary's ClickHouse server.
func Server() *chserver.LocalServer {
	if server == nil {
		panic("clickhousetest: no server: call clickhousetest.Main from TestMain")
	}
	return server
}

// Config is the configuration of a database on the test server with a name
// no other test uses, as the server's admin user (see
// chserver.LocalServer). The database does not exist yet (see
// clickhouse.CreateDatabase); the limits are sinergi's defaults.
func Config(t testing.TB) clickhouse.Config {
	t.Helper()
	if server == nil {
		t.Fatal("clickhousetest: no server: call clickhousetest.Main from TestMain")
	}
	cfg := server.AdminConfig()
	cfg.Database = fmt.Sprintf("test_%d_%d", os.Getpid(), counter.Add(1))
	return cfg
}

// NewDB returns a connection to a fresh database with every migration
// applied. The database is dropped when the test ends.
func NewDB(t testing.TB) *clickhouse.DB {
	t.Helper()
	return OpenDB(t, Config(t))
}

// OpenDB creates and migrates the database named in cfg, for tests that need
// other limits than the defaults, and returns a connection to it. The
// database is dropped when the test ends.
func OpenDB(t testing.TB, cfg clickhouse.Config) *clickhouse.DB {
	t.Helper()
	log := Logger(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := clickhouse.CreateDatabase(ctx, cfg, log); err != nil {
		t.Fatalf("clickhousetest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := DropDatabase(ctx, cfg, log); err != nil {
			t.Errorf("clickhousetest: %v", err)
		}
	})
	db, err := clickhouse.Open(ctx, cfg, log)
	if err != nil {
		t.Fatalf("clickhousetest: %v", err)
	}
	t.Cleanup(func() { db.Close() }) // runs before the drop
	if err := db.Migrate(ctx, log); err != nil {
		t.Fatalf("clickhousetest: %v", err)
	}
	return db
}

// Logger writes warnings and errors to the test's log.
func Logger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// databaseName is what DropDatabase accepts: identifiers cannot be bound.
var databaseName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// DropDatabase removes cfg.Database (from every server of cfg.Cluster),
// to clean up after a test; the product never drops a database.
func DropDatabase(ctx context.Context, cfg clickhouse.Config, log *slog.Logger) error {
	if !databaseName.MatchString(cfg.Database) {
		return fmt.Errorf("drop database: %q is not a database name", cfg.Database)
	}
	stmt := "DROP DATABASE IF EXISTS " + cfg.Database
	if cfg.Cluster != "" {
		stmt += " ON CLUSTER " + cfg.Cluster
	}
	admin := cfg
	admin.Database, admin.Cluster = "default", "" // the statement says ON CLUSTER itself
	db, err := clickhouse.Open(ctx, admin, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("%s: %w", stmt, err)
	}
	return nil
}
