// Package clickhousetest runs integration tests against a real ClickHouse
// server that the test binary starts itself. Each package that uses it calls
// Main from its TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(clickhousetest.Main(m)) }
//
// and each test takes a fresh, migrated database with NewDB. When ClickHouse
// cannot be installed or started, the tests fail; they never skip.
package clickhousetest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
)

var (
	server  *clickhouse.LocalServer
	counter atomic.Int64
)

// Main installs ClickHouse if it is missing and this process may, starts one
// server for the test binary in a temporary directory, runs the tests, and
// stops the server. It returns the exit code for os.Exit.
func Main(m *testing.M) int {
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
	if _, err := clickhouse.EnsureInstalled(ctx, log); err != nil {
		fmt.Fprintf(os.Stderr, "clickhousetest: integration tests need a ClickHouse server: %v\n", err)
		return 1
	}
	server, err = clickhouse.StartLocal(ctx, dir, log)
	if err != nil {
		fmt.Fprintf(os.Stderr, "clickhousetest: %v\n", err)
		return 1
	}

	code := m.Run()

	stopCtx, cancelStop := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancelStop()
	if err := server.Stop(stopCtx); err != nil {
		fmt.Fprintf(os.Stderr, "clickhousetest: %v\n", err)
		code = max(code, 1)
	}
	return code
}

// Server is the test binary's ClickHouse server.
func Server() *clickhouse.LocalServer {
	if server == nil {
		panic("clickhousetest: no server: call clickhousetest.Main from TestMain")
	}
	return server
}

// Config is the configuration of a database on the test server with a name
// no other test uses. The database does not exist yet (see
// clickhouse.CreateDatabase); the limits are sinergi's defaults.
func Config(t testing.TB) clickhouse.Config {
	t.Helper()
	if server == nil {
		t.Fatal("clickhousetest: no server: call clickhousetest.Main from TestMain")
	}
	return clickhouse.Config{
		Addr:     server.Addr(),
		Database: fmt.Sprintf("test_%d_%d", os.Getpid(), counter.Add(1)),
	}.Defaults()
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
		if err := clickhouse.DropDatabase(ctx, cfg, log); err != nil {
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
