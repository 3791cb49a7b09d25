package clickhouse

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLocalServerLifecycle starts, reuses, loses, restarts, adopts and stops
// servers on one data directory. It is one test because each server start
// costs seconds.
func TestLocalServerLifecycle(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	dataDir := t.TempDir()
	start := func() *LocalServer {
		t.Helper()
		s, err := StartLocal(ctx, dataDir, log)
		if err != nil {
			t.Fatalf("StartLocal: %v", err)
		}
		t.Cleanup(func() { s.Stop(context.Background()) }) // before TempDir's removal
		return s
	}

	first := start()
	if !first.Owned() {
		t.Fatal("first server: Owned() = false, want true")
	}
	if v := serverVersion(t, ctx, first.Addr()); v == "" {
		t.Fatal("SELECT version() returned nothing")
	}
	if st := mustState(t, dataDir); st.PID != first.pid || st.TCPPort != first.tcpPort || st.HTTPPort != first.HTTPPort() {
		t.Fatalf("server.json = %+v, want pid %d and ports of %s", st, first.pid, first.Addr())
	}

	// A second start on the same directory uses the running server.
	second := start()
	if second.Owned() || second.Addr() != first.Addr() {
		t.Fatalf("second start: Owned() = %v, Addr() = %s; want false, %s", second.Owned(), second.Addr(), first.Addr())
	}
	if err := second.Stop(ctx); err != nil {
		t.Fatalf("Stop of a server not owned: %v", err)
	}
	if err := pingServer(ctx, first.Addr(), first.dir); err != nil {
		t.Fatalf("server not owned was stopped: %v", err)
	}

	// The server dies without cleaning up: the next start replaces it.
	if err := syscall.Kill(first.pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-first.exited
	fresh := start()
	if !fresh.Owned() || fresh.pid == first.pid {
		t.Fatalf("start after kill -9: Owned() = %v, pid %d (killed: %d); want a new owned server", fresh.Owned(), fresh.pid, first.pid)
	}
	serverVersion(t, ctx, fresh.Addr())
	if err := first.Stop(ctx); err != nil {
		t.Fatalf("Stop of a dead server: %v", err)
	}
	if st := mustState(t, dataDir); st.PID != fresh.pid {
		t.Fatalf("stopping the dead server changed server.json to %+v", st)
	}

	// The owner dies without stopping its server: the next start adopts it.
	// (fresh will log that its process exited: here its owner is this test.)
	st := mustState(t, dataDir)
	st.OwnerPID = deadPID(t)
	if err := writeState(fresh.dir, st); err != nil {
		t.Fatal(err)
	}
	adopted := start()
	if !adopted.Owned() || adopted.pid != fresh.pid {
		t.Fatalf("start after the owner died: Owned() = %v, pid %d; want true, %d", adopted.Owned(), adopted.pid, fresh.pid)
	}
	if err := adopted.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	select {
	case <-fresh.exited:
	case <-time.After(5 * time.Second):
		t.Fatal("the process is still running after Stop")
	}
	if err := syscall.Kill(fresh.pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("kill -0 %d after Stop: %v, want ESRCH", fresh.pid, err)
	}
	if _, err := readState(fresh.dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("server.json after Stop: %v, want it removed", err)
	}
}

func serverVersion(t *testing.T, ctx context.Context, addr string) string {
	t.Helper()
	db, err := Open(ctx, Config{Addr: addr, Database: "default"}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("open %s: %v", addr, err)
	}
	defer db.Close()
	var v string
	if err := db.QueryRow(ctx, "SELECT version()", nil, &v); err != nil {
		t.Fatalf("SELECT version(): %v", err)
	}
	return v
}

func mustState(t *testing.T, dataDir string) serverState {
	t.Helper()
	st, err := readState(filepath.Join(dataDir, "clickhouse"))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// deadPID is the pid of a process that has exited.
func deadPID(t *testing.T) int {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func TestWriteConfig(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a&b <c>")
	if err := writeConfig(dir, 9001, 8124); err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		ListenHost string `xml:"listen_host"`
		TCPPort    int    `xml:"tcp_port"`
		HTTPPort   int    `xml:"http_port"`
		Path       string `xml:"path"`
		Users      string `xml:"users_config"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "config.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(b, &cfg); err != nil {
		t.Fatalf("config.xml is not XML: %v", err)
	}
	if cfg.ListenHost != "127.0.0.1" || cfg.TCPPort != 9001 || cfg.HTTPPort != 8124 ||
		cfg.Path != dir+"/data/" || cfg.Users != dir+"/users.xml" {
		t.Errorf("config.xml = %+v", cfg)
	}
	for _, sub := range []string{"data", "tmp", "user_files", "format_schemas", "log"} {
		if fi, err := os.Stat(filepath.Join(dir, sub)); err != nil || !fi.IsDir() {
			t.Errorf("%s: not a directory (%v)", sub, err)
		}
	}
}

func TestNotInstalledSaysWhatToInstall(t *testing.T) {
	err := notInstalled("sudo ")
	if !errors.Is(err, ErrServerNotInstalled) {
		t.Errorf("%v is not ErrServerNotInstalled", err)
	}
	for _, want := range []string{"sudo apt-get install clickhouse-server clickhouse-client", "SINERGI_CLICKHOUSE_ADDR"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
}

func TestLogTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "err.log")
	var b strings.Builder
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	got := logTail(path, 0)
	if !strings.Contains(got, "line 21\n") || strings.Contains(got, "line 20\n") || !strings.HasSuffix(got, "line 40\n") {
		t.Errorf("logTail kept the wrong lines:\n%s", got)
	}
	if got := logTail(path, int64(b.Len())); got != "" {
		t.Errorf("logTail past the end = %q, want nothing", got)
	}
	if got := logTail(filepath.Join(t.TempDir(), "missing"), 0); got != "" {
		t.Errorf("logTail of a missing file = %q", got)
	}
}
