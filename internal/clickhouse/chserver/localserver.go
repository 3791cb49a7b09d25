// Package chserver runs the ClickHouse server that sinergi manages itself
// for development and tests (dev, setup, the test helpers): its
// configuration and users, a supervisor that outlives any one sinergi
// process, and the installer of Debian's package. Production connects to a
// server of its own (clickhouse.addr) and never reaches this package.
package chserver

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
)

// The managed server: a ClickHouse that sinergi runs itself, on a loopback
// port, with its files under <dataDir>/clickhouse.
//
// Its lifetime is not that of any one sinergi process. The first process
// that needs it starts a supervisor — this same program again, detached
// (see Supervise) — which starts the server, restarts it with backoff when
// it exits on its own, and stops it once no sinergi process uses it any
// more. Every process that uses the server holds a shared lock on
// clients.lock while it does (the kernel releases it when the process
// dies, however it dies), so a `serve` that reused the server of an
// `etl load` keeps it after the load exits, and a killed test binary
// leaves no server behind.

const (
	readyTimeout = 60 * time.Second // starts take 0.2–4 s on an idle machine
	stopTimeout  = 20 * time.Second // graceful shutdown before SIGKILL
	tailLines    = 20               // log lines shown when a start fails
)

// LocalServer is this process's use of the managed server.
type LocalServer struct {
	dir     string
	tcpPort int
	creds   credentials
	log     *slog.Logger

	mu      sync.Mutex
	clients *os.File // the shared lock on clients.lock; nil once released
	started bool     // this process started the supervisor
}

// Server status, as the supervisor records it in server.json.
const (
	statusStarting   = "starting"
	statusReady      = "ready"
	statusRestarting = "restarting"
)

// serverState is server.json: the supervisor, its server and how it fares.
type serverState struct {
	SupervisorPID int       `json:"supervisor_pid"`
	PID           int       `json:"pid"` // the clickhouse-server process
	TCPPort       int       `json:"tcp_port"`
	Binary        string    `json:"binary"`
	Status        string    `json:"status"`
	Restarts      int       `json:"restarts"`
	LastExit      string    `json:"last_exit,omitempty"` // why the server last exited on its own
	LastExitAt    time.Time `json:"last_exit_at,omitzero"`
	NextStartAt   time.Time `json:"next_start_at,omitzero"` // while restarting
}

// Addr is the host:port of the native protocol.
func (s *LocalServer) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.tcpPort)) }

// AdminConfig connects as the admin user (loads, migrations, bookkeeping),
// to the default database name.
func (s *LocalServer) AdminConfig() clickhouse.Config {
	return clickhouse.Config{Addr: s.Addr(), Username: s.creds.Admin.User, Password: s.creds.Admin.Password}.Defaults()
}

// ReaderConfig connects as the read-only user, whose limits the server's
// profile fixes (see SetReaderLimits).
func (s *LocalServer) ReaderConfig() clickhouse.Config {
	return clickhouse.Config{Addr: s.Addr(), Username: s.creds.Reader.User, Password: s.creds.Reader.Password, LimitsInProfile: true}.Defaults()
}

// PID is the server's process id now (it changes when it is restarted), 0
// when it is not running.
func (s *LocalServer) PID() int {
	st, err := readState(s.dir)
	if err != nil {
		return 0
	}
	return st.PID
}

// StartLocal returns the managed server of dataDir, starting its supervisor
// when none runs, and registers this process as one of its users until
// Stop. A file lock in the directory keeps two processes from starting two
// supervisors.
func StartLocal(ctx context.Context, dataDir string, log *slog.Logger) (*LocalServer, error) {
	dir, err := filepath.Abs(filepath.Join(dataDir, "clickhouse"))
	if err != nil {
		return nil, fmt.Errorf("clickhouse start: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("clickhouse start: %w", err)
	}
	// Its files hold passwords and the data: this account's only.
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("clickhouse start: %w", err)
	}
	unlock, err := lockDir(ctx, dir, log)
	if err != nil {
		return nil, fmt.Errorf("clickhouse start: %w", err)
	}
	defer unlock()

	s := &LocalServer{dir: dir, log: log}
	if s.creds, err = loadCredentials(dir); err != nil {
		return nil, fmt.Errorf("clickhouse start: %w", err)
	}
	// A user before anything else: a supervisor that finds no users stops.
	if s.clients, err = openClientLock(dir); err != nil {
		return nil, fmt.Errorf("clickhouse start: %w", err)
	}
	if err := s.ensureSupervisor(ctx, 0); err != nil {
		s.releaseClient()
		return nil, err
	}
	return s, nil
}

// ensureSupervisor makes sure a supervisor runs and its server is ready:
// the one recorded in server.json, or a new one (on port, when not 0).
// The caller holds the directory lock.
func (s *LocalServer) ensureSupervisor(ctx context.Context, port int) error {
	st, err := readState(s.dir)
	if err == nil && processAlive(st.SupervisorPID) {
		s.tcpPort = st.TCPPort
		if st.Status != statusReady {
			s.log.Info("waiting for the managed ClickHouse", "status", st.Status, "restarts", st.Restarts)
		}
		if err := s.waitReady(ctx, st.SupervisorPID); err != nil {
			return fmt.Errorf("clickhouse: %w", err)
		}
		s.log.Info("using the managed ClickHouse", "addr", s.Addr(), "supervisor_pid", st.SupervisorPID)
		return nil
	}
	if err == nil {
		// Its supervisor is gone; a server it left must not share the
		// data directory with a new one.
		stopProcess(st.PID, s.log)
		_ = os.Remove(statePath(s.dir))
	} else if !errors.Is(err, fs.ErrNotExist) {
		s.log.Warn("removing unreadable ClickHouse state", "err", err)
		_ = os.Remove(statePath(s.dir))
	}
	binary, err := FindServerBinary()
	if err != nil {
		return err
	}
	pid, err := startSupervisor(s.dir, binary, port)
	if err != nil {
		return fmt.Errorf("clickhouse start: %w", err)
	}
	s.started = true
	begin := time.Now()
	if err := s.waitReady(ctx, pid); err != nil {
		if ctx.Err() == nil { // it failed; a cancelled wait leaves it to its users
			_ = syscall.Kill(pid, syscall.SIGTERM)
		}
		return fmt.Errorf("clickhouse start: %w\n%s%s", err, logTail(supervisorLog(s.dir), 0), logTail(filepath.Join(s.dir, "log", "clickhouse-server.err.log"), 0))
	}
	st, _ = readState(s.dir)
	s.tcpPort = st.TCPPort
	s.log.Info("managed ClickHouse ready", "addr", s.Addr(), "dir", s.dir, "supervisor_pid", pid, "elapsed", time.Since(begin).Round(time.Millisecond))
	return nil
}

// startSupervisor starts this program as the supervisor of dir, detached:
// in its own session, so that a Ctrl-C in the terminal reaches sinergi
// only, and not a child of anyone's, so that it outlives this process.
func startSupervisor(dir, binary string, port int) (int, error) {
	self, err := os.Executable()
	if err != nil {
		return 0, err
	}
	if _, err := os.Stat("/proc/self/exe"); err == nil {
		self = "/proc/self/exe" // still there when `go run` has removed its binary
	}
	if err := os.MkdirAll(filepath.Join(dir, "log"), 0o700); err != nil {
		return 0, err
	}
	out, err := os.OpenFile(supervisorLog(dir), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return 0, err
	}
	defer out.Close()
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), superviseEnv+"="+dir, superviseBinaryEnv+"="+binary, supervisePortEnv+"="+strconv.Itoa(port))
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	pid := cmd.Process.Pid
	// Reap it if it exits while this process lives; it does not wait for us.
	go func() { _ = cmd.Wait() }()
	return pid, nil
}

func supervisorLog(dir string) string { return filepath.Join(dir, "log", "supervisor.log") }

// waitReady waits until the supervisor reports its server ready and the
// server answers, the supervisor exits, or readyTimeout passes.
func (s *LocalServer) waitReady(ctx context.Context, supervisor int) error {
	deadline := time.Now().Add(readyTimeout)
	var last error
	for {
		st, err := readState(s.dir)
		switch {
		case !processAlive(supervisor):
			return fmt.Errorf("the supervisor (pid %d) exited", supervisor)
		case err != nil:
			last = err
		case st.Status != statusReady:
			last = fmt.Errorf("server %s", st.Status)
		default:
			s.tcpPort = st.TCPPort
			pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			last = pingServer(pctx, s.Addr(), s.dir, s.creds.Admin)
			cancel()
			if last == nil {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("server not ready after %s: %w", readyTimeout, last)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// pingServer checks that the ClickHouse server answering on addr is the
// one running on dir: a port may be taken by another server between the
// moment it was chosen and ours binding it, or after ours died.
func pingServer(ctx context.Context, addr, dir string, admin Account) error {
	cfg := clickhouse.Config{Addr: addr, Database: "default", Username: admin.User, Password: admin.Password}
	// clickhouse-go warns on every connection that 18.16 is too old; the
	// many pings of a start would only add noise.
	db, err := clickhouse.Open(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer db.Close()
	var got string
	if err := db.QueryRow(ctx, "SELECT substitution FROM system.macros WHERE macro = 'sinergi_dir'", nil, &got); err != nil {
		return err
	}
	if got != dir {
		return fmt.Errorf("the ClickHouse on %s serves %q, not %q", addr, got, dir)
	}
	return nil
}

// SetReaderLimits makes lim the reader's profile. The server is shared by
// every sinergi process of the data directory: the last one to set the
// limits decides them. ClickHouse reads a changed users.xml within seconds
// and applies it to connections opened after; SetReaderLimits returns once
// a new reader connection has all of them (log_queries too), so a pool
// opened after it has them too: a connection keeps the profile it logged in
// with, and a benchmark whose reads were not logged measured nothing.
func (s *LocalServer) SetReaderLimits(ctx context.Context, lim ReaderLimits) error {
	if err := s.writeReaderLimits(ctx, lim); err != nil {
		return fmt.Errorf("reader limits: %w", err)
	}
	logQueries := "0"
	if lim.LogQueries {
		logQueries = "1"
	}
	want := strconv.FormatInt(lim.MaxMemoryUsage, 10) + "/" + strconv.Itoa(lim.MaxResultRows) + "/" +
		strconv.Itoa(int(lim.MaxExecutionTime.Seconds()+0.999)) + "/" + logQueries
	cfg := s.ReaderConfig()
	cfg.Database = "default"
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := readerProfile(ctx, cfg)
		if err == nil && got == want {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("reader limits: the server still applies %s, not %s (%v)", got, want, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (s *LocalServer) writeReaderLimits(ctx context.Context, lim ReaderLimits) error {
	unlock, err := lockDir(ctx, s.dir, s.log)
	if err != nil {
		return err
	}
	defer unlock()
	if readReaderLimits(s.dir) == lim {
		return nil
	}
	b, _ := json.MarshalIndent(lim, "", "  ")
	if err := writeFileAtomic(limitsPath(s.dir), append(b, '\n')); err != nil {
		return err
	}
	if err := writeUsers(s.dir, s.creds, lim); err != nil {
		return err
	}
	s.log.Info("managed ClickHouse: reader limits changed", "max_execution_time", lim.MaxExecutionTime,
		"max_result_rows", lim.MaxResultRows, "max_memory_usage", lim.MaxMemoryUsage)
	return nil
}

// readerProfile is what a new reader connection gets:
// "max_memory_usage/max_result_rows/max_execution_time". (Read in the
// outer query: a subquery runs with limits of its own.)
func readerProfile(ctx context.Context, cfg clickhouse.Config) (string, error) {
	db, err := clickhouse.Open(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return "", err
	}
	defer db.Close()
	rows, err := db.Query(ctx, `SELECT name, value FROM system.settings
		WHERE name IN ('max_memory_usage', 'max_result_rows', 'max_execution_time', 'log_queries')`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	values := map[string]string{}
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return "", clickhouse.MapError(err)
		}
		values[name] = value
	}
	return values["max_memory_usage"] + "/" + values["max_result_rows"] + "/" + values["max_execution_time"] + "/" + values["log_queries"],
		clickhouse.MapError(rows.Err())
}

// Health says why the managed server cannot answer now, nil when it can:
// restarting after it exited (with how often and why), or its supervisor
// gone. Readiness reports it.
func (s *LocalServer) Health() error {
	st, err := readState(s.dir)
	if err != nil {
		return fmt.Errorf("managed ClickHouse is not running (%s missing)", statePath(s.dir))
	}
	if !processAlive(st.SupervisorPID) {
		return errors.New("the managed ClickHouse's supervisor is gone; it is being started again")
	}
	if st.Status == statusReady {
		return nil
	}
	msg := "managed ClickHouse is " + st.Status
	if st.Restarts > 0 || st.LastExit != "" {
		msg += fmt.Sprintf(" (restart %d; it exited %s ago: %s)", st.Restarts, time.Since(st.LastExitAt).Round(time.Second), st.LastExit)
	}
	return errors.New(msg)
}

// Watch keeps the managed server supervised while ctx lasts: should its
// supervisor die (the supervisor restarts the server itself), it starts a
// new one on the same port, so the connections of this process carry on.
// dev and serve run it.
func (s *LocalServer) Watch(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		st, err := readState(s.dir)
		if err == nil && processAlive(st.SupervisorPID) {
			continue
		}
		s.log.Warn("the managed ClickHouse's supervisor is gone: starting it again", "addr", s.Addr())
		if err := s.restartSupervisor(ctx); err != nil {
			s.log.Error("restarting the managed ClickHouse", "err", err)
		}
	}
}

func (s *LocalServer) restartSupervisor(ctx context.Context) error {
	unlock, err := lockDir(ctx, s.dir, s.log)
	if err != nil {
		return err
	}
	defer unlock()
	s.mu.Lock()
	released := s.clients == nil
	s.mu.Unlock()
	if released {
		return nil
	}
	return s.ensureSupervisor(ctx, s.tcpPort)
}

// Stop ends this process's use of the server. When no other sinergi
// process uses it, the supervisor is told to stop it, and Stop waits until
// it has (up to ctx); otherwise it keeps running for them.
func (s *LocalServer) Stop(ctx context.Context) error {
	if !s.releaseClient() {
		return nil
	}
	unlock, err := lockDir(ctx, s.dir, s.log)
	if err != nil {
		return fmt.Errorf("clickhouse stop: %w", err)
	}
	defer unlock()
	last, err := noClients(s.dir)
	if err != nil || !last {
		return err
	}
	st, err := readState(s.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("clickhouse stop: %w", err)
	}
	begin := time.Now()
	if err := syscall.Kill(st.SupervisorPID, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("clickhouse stop: %w", err)
	}
	for processAlive(st.SupervisorPID) || processAlive(st.PID) {
		select {
		case <-ctx.Done():
			return fmt.Errorf("clickhouse stop: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
	s.log.Info("managed ClickHouse stopped", "addr", s.Addr(), "elapsed", time.Since(begin).Round(time.Millisecond))
	return nil
}

// releaseClient drops this process's shared lock; false if it had already.
func (s *LocalServer) releaseClient() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.clients == nil {
		return false
	}
	s.clients.Close() // closing releases the lock
	s.clients = nil
	return true
}

func clientLockPath(dir string) string { return filepath.Join(dir, "clients.lock") }

// openClientLock takes a shared lock on clients.lock: this process uses
// the server.
func openClientLock(dir string) (*os.File, error) {
	f, err := os.OpenFile(clientLockPath(dir), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return f, nil
}

// noClients reports whether no process holds clients.lock.
func noClients(dir string) (bool, error) {
	f, err := os.OpenFile(clientLockPath(dir), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return false, err
	}
	defer f.Close()
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}

// stopProcess stops a process with SIGTERM, then SIGKILL after stopTimeout.
func stopProcess(pid int, log *slog.Logger) {
	if !processAlive(pid) {
		return
	}
	log.Warn("stopping a ClickHouse left without its supervisor", "pid", pid)
	_ = syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(stopTimeout)
	for processAlive(pid) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if processAlive(pid) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		time.Sleep(500 * time.Millisecond)
	}
}

func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	if err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	// A zombie (exited, not yet reaped by its parent) is not alive.
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true // no /proc: trust kill(0)
	}
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
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
	return writeFileAtomic(statePath(dir), append(b, '\n'))
}

// freePort asks the OS for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
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
