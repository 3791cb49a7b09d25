package chserver

import (
	"bufio"
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

// ClientOfEnv makes this test binary a process that uses the managed server
// of a directory until it is killed (see TestManagedServerLifetime).
const ClientOfEnv = "SINERGI_TEST_CLIENT_OF"

// RunClientOf is the main of such a process: it prints the server's
// address once it uses it, then waits to be killed.
func RunClientOf(dataDir string) int {
	s, err := StartLocal(context.Background(), dataDir, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(s.Addr())
	select {}
}

// TestManagedServerLifetime: the managed server outlives any one process
// that uses it, comes back when it is killed, gets a new supervisor when
// its supervisor is killed, and stops once no process uses it — also when
// the last one was killed. It is one test because each start costs
// seconds.
func TestManagedServerLifetime(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	dataDir := t.TempDir()
	dir := filepath.Join(dataDir, "clickhouse")
	start := func() *LocalServer {
		t.Helper()
		s, err := StartLocal(ctx, dataDir, log)
		if err != nil {
			t.Fatalf("StartLocal: %v", err)
		}
		t.Cleanup(func() { s.Stop(context.Background()) }) // before TempDir's removal
		return s
	}
	answers := func(s *LocalServer) {
		t.Helper()
		if err := pingServer(ctx, s.Addr(), s.dir, s.creds.Admin); err != nil {
			t.Fatalf("the server does not answer: %v", err)
		}
	}
	eventually := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(time.Minute); !ok(); time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("after a minute: %s", what)
			}
		}
	}

	// The first user starts it (an `etl load`, say); a second one (a
	// `serve`) uses the same server, and keeps it when the first exits.
	load := start()
	serve := start()
	if serve.Addr() != load.Addr() {
		t.Fatalf("two servers on one directory: %s and %s", load.Addr(), serve.Addr())
	}
	if err := load.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	answers(serve)

	// Killed, it comes back on the same port, and says so meanwhile.
	st := mustState(t, dataDir)
	if err := syscall.Kill(st.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eventually("the server is reported restarting", func() bool { return serve.Health() != nil })
	t.Logf("while it restarts: %v", serve.Health())
	eventually("the server comes back", func() bool { return serve.Health() == nil })
	answers(serve)
	if st := mustState(t, dataDir); st.Restarts != 1 || st.LastExit == "" || st.TCPPort != serve.tcpPort {
		t.Fatalf("after a restart server.json = %+v", st)
	}

	// Its supervisor killed, the server goes too; the watch of a user
	// starts a new supervisor on the same port.
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go serve.Watch(watchCtx, 200*time.Millisecond)
	st = mustState(t, dataDir)
	if err := syscall.Kill(st.SupervisorPID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eventually("a new supervisor runs the server", func() bool {
		now, err := readState(dir)
		return err == nil && now.SupervisorPID != st.SupervisorPID && now.Status == statusReady && !processAlive(st.PID)
	})
	answers(serve)
	stopWatch()

	// A user killed while it is the last one: the server stops anyway.
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), ClientOfEnv+"="+dataDir)
	child.Stderr = t.Output()
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	if sc := bufio.NewScanner(out); !sc.Scan() || sc.Text() != serve.Addr() {
		t.Fatalf("the child does not use the same server: %q", sc.Text())
	}
	if err := serve.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	answers(serve) // the child still uses it
	st = mustState(t, dataDir)
	_ = child.Process.Kill()
	_ = child.Wait()
	eventually("the server and its supervisor stop once no one uses them", func() bool {
		_, err := readState(dir)
		return errors.Is(err, os.ErrNotExist) && !processAlive(st.PID) && !processAlive(st.SupervisorPID)
	})
}

func mustState(t *testing.T, dataDir string) serverState {
	t.Helper()
	st, err := readState(filepath.Join(dataDir, "clickhouse"))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestWriteConfig(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a&b <c>")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := writeConfig(dir, 9001); err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		ListenHost string `xml:"listen_host"`
		TCPPort    int    `xml:"tcp_port"`
		HTTPPort   string `xml:"http_port"`
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
	if cfg.ListenHost != "127.0.0.1" || cfg.TCPPort != 9001 || cfg.HTTPPort != "" ||
		cfg.Path != dir+"/data/" || cfg.Users != dir+"/users.xml" {
		t.Errorf("config.xml = %+v", cfg)
	}
	for _, sub := range []string{"data", "tmp", "user_files", "format_schemas", "log"} {
		if fi, err := os.Stat(filepath.Join(dir, sub)); err != nil || !fi.IsDir() {
			t.Errorf("%s: not a directory (%v)", sub, err)
		}
	}
	// The passwords are generated once and only this account reads them.
	creds, err := loadCredentials(dir)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := loadCredentials(dir)
	if creds != again || len(creds.Admin.Password) < 32 || creds.Admin.Password == creds.Reader.Password {
		t.Errorf("credentials: %+v then %+v", creds, again)
	}
	users, _ := os.ReadFile(filepath.Join(dir, "users.xml"))
	if strings.Contains(string(users), creds.Admin.Password) || !strings.Contains(string(users), sha256Hex(creds.Admin.Password)) {
		t.Error("users.xml holds a password rather than its hash")
	}
	for _, name := range []string{"credentials.json", "users.xml", "client.xml", "config.xml"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v (%v), want 0600", name, fi.Mode().Perm(), err)
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
