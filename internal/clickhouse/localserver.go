package clickhouse

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/template"
	"time"
)

// ErrServerNotInstalled means no ClickHouse server binary was found.
var ErrServerNotInstalled = errors.New("clickhouse server is not installed")

const (
	readyTimeout = 60 * time.Second // starts take 0.2–4 s on an idle machine
	stopTimeout  = 20 * time.Second // graceful shutdown before SIGKILL
	tailLines    = 20               // log lines shown when a start fails
	installCmd   = "apt-get install clickhouse-server clickhouse-client"
)

// LocalServer is a ClickHouse server that sinergi runs itself, on loopback
// ports, with its files under <dataDir>/clickhouse.
type LocalServer struct {
	dir      string
	pid      int
	tcpPort  int
	httpPort int
	owned    bool
	log      *slog.Logger

	// For a server this process started: exited is closed once the
	// process has been reaped. Nil for a server adopted from a dead owner.
	exited  chan struct{}
	running atomic.Bool // ready and not being stopped: an exit is a crash

	stopOnce sync.Once
	stopErr  error
}

// Addr is the host:port of the native protocol.
func (s *LocalServer) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.tcpPort)) }

// PID is the server's process id.
func (s *LocalServer) PID() int { return s.pid }

// HTTPPort is the loopback port of ClickHouse's HTTP interface.
func (s *LocalServer) HTTPPort() int { return s.httpPort }

// Owned reports whether this process must stop the server: it started it,
// or adopted it from a sinergi process that died without stopping it. A
// server owned by another live sinergi process is only used.
func (s *LocalServer) Owned() bool { return s.owned }

// serverState is server.json: which server runs on the data directory.
type serverState struct {
	PID      int    `json:"pid"`
	TCPPort  int    `json:"tcp_port"`
	HTTPPort int    `json:"http_port"`
	Binary   string `json:"binary"`
	OwnerPID int    `json:"owner_pid"` // the sinergi process that stops it
}

// StartLocal returns a ClickHouse server running on dataDir: the one another
// sinergi process already runs there, or a new one it starts and owns (see
// Stop). Its config, data and logs live in <dataDir>/clickhouse; a file lock
// there keeps two processes from starting two servers on one directory.
func StartLocal(ctx context.Context, dataDir string, log *slog.Logger) (*LocalServer, error) {
	dir, err := filepath.Abs(filepath.Join(dataDir, "clickhouse"))
	if err != nil {
		return nil, fmt.Errorf("clickhouse start: %w", err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("clickhouse start: %w", err)
	}
	unlock, err := lockDir(ctx, dir, log)
	if err != nil {
		return nil, fmt.Errorf("clickhouse start: %w", err)
	}
	defer unlock()

	if s, err := reuseRunning(ctx, dir, log); s != nil || err != nil {
		return s, err
	}
	binary, err := FindServerBinary()
	if err != nil {
		return nil, err
	}
	// The ports are free when chosen but another process may bind them
	// before the server does; try again with new ones.
	for attempt := 1; ; attempt++ {
		s, err := startServer(ctx, dir, binary, log)
		if errors.Is(err, errPortTaken) && attempt < 3 {
			log.Warn("ClickHouse port taken by another process, retrying with new ports")
			continue
		}
		return s, err
	}
}

// reuseRunning returns the server recorded in server.json if it answers,
// and removes the record if it does not. It returns nil, nil when there is
// no server to reuse.
func reuseRunning(ctx context.Context, dir string, log *slog.Logger) (*LocalServer, error) {
	st, err := readState(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err == nil {
		err = checkRunning(ctx, dir, st)
	}
	if ctx.Err() != nil { // not a reason to think the server is gone
		return nil, fmt.Errorf("clickhouse start: %w", ctx.Err())
	}
	if err != nil {
		log.Info("removing stale ClickHouse state", "state", statePath(dir), "reason", err)
		if err := os.Remove(statePath(dir)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("clickhouse start: %w", err)
		}
		return nil, nil
	}

	s := &LocalServer{dir: dir, pid: st.PID, tcpPort: st.TCPPort, httpPort: st.HTTPPort, log: log}
	if processAlive(st.OwnerPID) {
		log.Info("using ClickHouse managed by another sinergi process", "addr", s.Addr(), "owner_pid", st.OwnerPID)
		return s, nil
	}
	// Its owner died without stopping it: take over, or nobody will.
	st.OwnerPID = os.Getpid()
	if err := writeState(dir, st); err != nil {
		return nil, fmt.Errorf("clickhouse adopt: %w", err)
	}
	s.owned = true
	log.Info("adopted managed ClickHouse left by an exited sinergi process", "addr", s.Addr(), "pid", st.PID)
	return s, nil
}

// checkRunning says why the server recorded in st cannot be used, if it
// cannot.
func checkRunning(ctx context.Context, dir string, st serverState) error {
	if !processAlive(st.PID) {
		return fmt.Errorf("process %d is gone", st.PID)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	return pingServer(ctx, net.JoinHostPort("127.0.0.1", strconv.Itoa(st.TCPPort)), dir)
}

// errPortTaken marks a start that failed because a chosen port was bound
// by someone else in the meantime.
var errPortTaken = errors.New("port already in use")

func startServer(ctx context.Context, dir, binary string, log *slog.Logger) (*LocalServer, error) {
	ports, err := freePorts(2)
	if err != nil {
		return nil, fmt.Errorf("clickhouse start: %w", err)
	}
	if err := writeConfig(dir, ports[0], ports[1]); err != nil {
		return nil, fmt.Errorf("clickhouse start: %w", err)
	}
	// Output before the server's logger is set up (a bad config, a missing
	// library) goes to the console; keep it for the error message.
	console, err := os.Create(filepath.Join(dir, "log", "console.log"))
	if err != nil {
		return nil, fmt.Errorf("clickhouse start: %w", err)
	}
	defer console.Close()
	errLog := filepath.Join(dir, "log", "clickhouse-server.err.log")
	var errLogStart int64 // the server appends: show only this start's errors
	if fi, err := os.Stat(errLog); err == nil {
		errLogStart = fi.Size()
	}

	args := []string{"--config-file=" + filepath.Join(dir, "config.xml")}
	if filepath.Base(binary) == "clickhouse" { // the single binary of current releases
		args = append([]string{"server"}, args...)
	}
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = console, console
	// Its own process group: a Ctrl-C in the terminal reaches sinergi only,
	// which then stops the server after whatever uses it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	dieWithParent(cmd.SysProcAttr)

	s := &LocalServer{dir: dir, tcpPort: ports[0], httpPort: ports[1], owned: true, log: log, exited: make(chan struct{})}
	log.Info("starting managed ClickHouse", "binary", binary, "dir", dir, "addr", s.Addr())
	begin := time.Now()
	started := make(chan error, 1)
	var waitErr error
	go func() {
		runtime.LockOSThread() // see dieWithParent; never unlocked, on purpose
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		s.pid = cmd.Process.Pid
		started <- nil
		waitErr = cmd.Wait()
		close(s.exited)
		if s.running.Load() {
			log.Error("managed ClickHouse exited", "pid", s.pid, "err", waitErr, "errorlog", errLog)
		}
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("clickhouse start %s: %w", binary, err)
	}
	// Record it at once, so that it can be found and stopped if this
	// process dies while waiting.
	st := serverState{PID: s.pid, TCPPort: s.tcpPort, HTTPPort: s.httpPort, Binary: binary, OwnerPID: os.Getpid()}
	err = writeState(dir, st)
	if err == nil {
		err = s.waitReady(ctx)
	}
	if err != nil {
		_ = cmd.Process.Kill()
		<-s.exited
		_ = os.Remove(statePath(dir))
		out := logTail(errLog, errLogStart)
		if out == "" {
			out = logTail(console.Name(), 0)
		}
		if waitErr != nil {
			err = fmt.Errorf("%w (%v)", err, waitErr)
		}
		if strings.Contains(out, "Address already in use") {
			err = fmt.Errorf("%w: %w", errPortTaken, err)
		}
		return nil, fmt.Errorf("clickhouse start: %w\n%s", err, out)
	}
	s.running.Store(true)
	log.Info("ClickHouse ready", "addr", s.Addr(), "elapsed", time.Since(begin).Round(time.Millisecond))
	return s, nil
}

// waitReady pings the new server until it answers, it exits, or readyTimeout
// passes.
func (s *LocalServer) waitReady(ctx context.Context) error {
	deadline := time.NewTimer(readyTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		pctx, pcancel := context.WithTimeout(ctx, 2*time.Second)
		err := pingServer(pctx, s.Addr(), s.dir)
		pcancel()
		if err == nil {
			return nil
		}
		select {
		case <-s.exited:
			return errors.New("server exited while starting")
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			return fmt.Errorf("server not ready after %s: %w", readyTimeout, err)
		case <-tick.C:
		}
	}
}

// pingServer checks that the ClickHouse server answering on addr is the
// one running on dir: a port may be taken by another server between the
// moment it was chosen and ours binding it, or after ours died.
func pingServer(ctx context.Context, addr, dir string) error {
	cfg := Config{Addr: addr}.Defaults()
	// clickhouse-go warns on every connection that 18.16 is too old; the
	// many pings of a start would only add noise.
	conn, err := openConn(cfg, "default", slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer conn.Close()
	var got string
	err = conn.QueryRow(ctx, "SELECT substitution FROM system.macros WHERE macro = 'sinergi_dir'").Scan(&got)
	if err != nil {
		return mapError(err)
	}
	if got != dir {
		return fmt.Errorf("the ClickHouse on %s serves %q, not %q", addr, got, dir)
	}
	return nil
}

// Stop stops a server this process owns: SIGTERM, then SIGKILL if it has not
// exited after 20 s or when ctx is done. Pass a context that is not already
// cancelled (context.WithoutCancel) to let it shut down cleanly. A server
// owned by another process is left running.
func (s *LocalServer) Stop(ctx context.Context) error {
	if !s.owned {
		return nil
	}
	s.stopOnce.Do(func() { s.stopErr = s.stop(ctx) })
	return s.stopErr
}

func (s *LocalServer) stop(ctx context.Context) error {
	// Hold the lock so that no other process takes the data directory for
	// free while this server is still shutting down.
	if unlock, err := lockDir(ctx, s.dir, s.log); err == nil {
		defer unlock()
	}
	s.running.Store(false)
	if s.waitExit(context.Background(), 0) {
		return s.removeState() // it already exited on its own
	}
	begin := time.Now()
	if err := syscall.Kill(s.pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("clickhouse stop: %w", err)
	}
	if !s.waitExit(ctx, stopTimeout) {
		s.log.Warn("ClickHouse did not stop in time, killing it", "pid", s.pid)
		if err := syscall.Kill(s.pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("clickhouse stop: %w", err)
		}
		if !s.waitExit(context.Background(), 5*time.Second) {
			return fmt.Errorf("clickhouse stop: process %d survived SIGKILL", s.pid)
		}
	}
	s.log.Info("ClickHouse stopped", "addr", s.Addr(), "elapsed", time.Since(begin).Round(time.Millisecond))
	return s.removeState()
}

// removeState removes server.json unless it already names a newer server.
func (s *LocalServer) removeState() error {
	if st, err := readState(s.dir); err == nil && st.PID == s.pid {
		if err := os.Remove(statePath(s.dir)); err != nil {
			return fmt.Errorf("clickhouse stop: %w", err)
		}
	}
	return nil
}

// waitExit reports whether the server process exits within d or before ctx
// is done.
func (s *LocalServer) waitExit(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	if s.exited != nil {
		select {
		case <-s.exited:
			return true
		default:
		}
		select {
		case <-s.exited:
			return true
		case <-timer.C:
		case <-ctx.Done():
		}
		return false
	}
	// Adopted: not our child, so poll.
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for processAlive(s.pid) {
		select {
		case <-tick.C:
		case <-timer.C:
			return !processAlive(s.pid)
		case <-ctx.Done():
			return !processAlive(s.pid)
		}
	}
	return true
}

func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// lockDir takes an exclusive flock on dir/.lock, waiting while another
// process holds it, and returns the function that releases it.
func lockDir(ctx context.Context, dir string, log *slog.Logger) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	for waited := false; ; waited = true {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil // closing releases the lock
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
		}
		if !waited {
			log.Info("waiting for another sinergi process to finish starting ClickHouse", "lock", f.Name())
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", f.Name(), ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func statePath(dir string) string { return filepath.Join(dir, "server.json") }

func readState(dir string) (serverState, error) {
	var st serverState
	b, err := os.ReadFile(statePath(dir))
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("read %s: %w", statePath(dir), err)
	}
	return st, nil
}

// writeState replaces server.json atomically, so a reader never sees half.
func writeState(dir string, st serverState) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp := statePath(dir) + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, statePath(dir))
}

// freePorts asks the OS for n distinct free loopback ports.
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("free port: %w", err)
		}
		defer l.Close() // held until all are chosen, so they differ
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// logTail returns the last lines of the file after offset, as a block to
// append to an error message, or "" if there are none.
func logTail(path string, offset int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	const maxRead = 64 << 10
	if fi, err := f.Stat(); err == nil && fi.Size()-offset > maxRead {
		offset = fi.Size() - maxRead
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return ""
	}
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "" {
			lines = append(lines, sc.Text())
		}
	}
	if len(lines) == 0 {
		return ""
	}
	lines = lines[max(0, len(lines)-tailLines):]
	return fmt.Sprintf("--- last lines of %s ---\n%s\n", path, strings.Join(lines, "\n"))
}

// The server's configuration, rewritten on every start. Paths are XML
// escaped; everything else is ours.
var configTemplate = template.Must(template.New("config.xml").Funcs(template.FuncMap{"xml": xmlEscape}).Parse(
	`<?xml version="1.0"?>
<!-- Written by sinergi on every start of the ClickHouse server it manages. -->
<yandex>
    <logger>
        <level>warning</level>
        <log>{{xml .Dir}}/log/clickhouse-server.log</log>
        <errorlog>{{xml .Dir}}/log/clickhouse-server.err.log</errorlog>
        <size>100M</size>
        <count>3</count>
        <console>0</console>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>{{.TCPPort}}</tcp_port>
    <http_port>{{.HTTPPort}}</http_port>
    <path>{{xml .Dir}}/data/</path>
    <tmp_path>{{xml .Dir}}/tmp/</tmp_path>
    <user_files_path>{{xml .Dir}}/user_files/</user_files_path>
    <format_schema_path>{{xml .Dir}}/format_schemas/</format_schema_path>
    <users_config>{{xml .Dir}}/users.xml</users_config>
    <!-- Tells sinergi that the server answering on its port is this one. -->
    <macros>
        <sinergi_dir>{{xml .Dir}}</sinergi_dir>
    </macros>
    <!-- A development server: small caches. -->
    <mark_cache_size>268435456</mark_cache_size>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
    <!-- Dates and partitions do not depend on the machine's time zone. -->
    <timezone>UTC</timezone>
</yandex>
`))

const usersXML = `<?xml version="1.0"?>
<!-- Written by sinergi on every start of the ClickHouse server it manages. -->
<yandex>
    <profiles>
        <default>
            <max_memory_usage>4000000000</max_memory_usage>
        </default>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks>
                <ip>127.0.0.1</ip>
                <ip>::1</ip>
            </networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas>
        <default></default>
    </quotas>
</yandex>
`

func xmlEscape(s string) (string, error) {
	var b bytes.Buffer
	err := xml.EscapeText(&b, []byte(s))
	return b.String(), err
}

// writeConfig lays out dir for a server on the given ports.
func writeConfig(dir string, tcpPort, httpPort int) error {
	for _, sub := range []string{"data", "tmp", "user_files", "format_schemas", "log"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o750); err != nil {
			return err
		}
	}
	var cfg bytes.Buffer
	err := configTemplate.Execute(&cfg, struct {
		Dir               string
		TCPPort, HTTPPort int
	}{dir, tcpPort, httpPort})
	if err != nil {
		return fmt.Errorf("config.xml: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.xml"), cfg.Bytes(), 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "users.xml"), []byte(usersXML), 0o600)
}

// FindServerBinary returns the path of the ClickHouse server: clickhouse-server
// on PATH or where Debian puts it, else the single clickhouse binary.
func FindServerBinary() (string, error) {
	if p, err := exec.LookPath("clickhouse-server"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server"} {
		if isExecutable(p) {
			return p, nil
		}
	}
	if p, err := exec.LookPath("clickhouse"); err == nil {
		return p, nil
	}
	if isExecutable("/usr/bin/clickhouse") {
		return "/usr/bin/clickhouse", nil
	}
	return "", notInstalled("")
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// notInstalled is the ErrServerNotInstalled error telling the user what to
// do; sudo is "sudo " when the install needs root.
func notInstalled(sudo string) error {
	return fmt.Errorf("%w: no clickhouse-server or clickhouse binary on PATH or in /usr/sbin, /usr/bin; "+
		"install it with `%s%s` (Debian/Ubuntu) or ClickHouse's own packages (https://clickhouse.com/docs/install), "+
		"or use an external server by setting SINERGI_CLICKHOUSE_ADDR",
		ErrServerNotInstalled, sudo, installCmd)
}

// EnsureInstalled returns the ClickHouse server binary, installing the
// Debian packages first when it is missing and this process may (root, with
// apt-get).
func EnsureInstalled(ctx context.Context, log *slog.Logger) (string, error) {
	if p, err := FindServerBinary(); err == nil {
		return p, nil
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return "", notInstalled("")
	}
	if os.Geteuid() != 0 {
		return "", notInstalled("sudo apt-get update && sudo ")
	}
	log.Info("ClickHouse is not installed, installing it with apt-get", "packages", "clickhouse-server clickhouse-client")
	for _, args := range [][]string{
		{"update"},
		{"install", "-y", "clickhouse-server", "clickhouse-client"},
	} {
		log.Info("running apt-get " + strings.Join(args, " "))
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("clickhouse install: apt-get %s: %w", args[0], err)
		}
	}
	p, err := FindServerBinary()
	if err != nil {
		return "", fmt.Errorf("clickhouse install: apt-get succeeded but: %w", err)
	}
	log.Info("ClickHouse installed", "binary", p)
	return p, nil
}
