package chserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The environment with which StartLocal starts this program as the
// supervisor of a data directory's server.
const (
	superviseEnv       = "SINERGI_CLICKHOUSE_SUPERVISE" // the directory
	superviseBinaryEnv = "SINERGI_CLICKHOUSE_BINARY"
	supervisePortEnv   = "SINERGI_CLICKHOUSE_PORT" // 0: choose one
)

// Restart backoff: 1 s after the first exit, doubling to at most 30 s;
// back to 1 s once the server has stayed up for a minute.
const (
	restartBackoffMin = time.Second
	restartBackoffMax = 30 * time.Second
	stableAfter       = time.Minute
	idleCheck         = time.Second // how often the supervisor looks for users
)

// RunSupervisor runs this process as the supervisor of a managed server
// when StartLocal started it as one, and reports whether it did, with the
// exit code. Every program that starts managed servers calls it first:
// sinergi's main, and test binaries through clickhousetest.Main.
func RunSupervisor() (code int, ok bool) {
	dir := os.Getenv(superviseEnv)
	if dir == "" {
		return 0, false
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil)).With("supervisor", os.Getpid())
	port, _ := strconv.Atoi(os.Getenv(supervisePortEnv))
	if err := supervise(dir, os.Getenv(superviseBinaryEnv), port, log); err != nil {
		log.Error("supervisor stopped", "err", err)
		return 1, true
	}
	return 0, true
}

// supervise runs the server of dir until no sinergi process uses it or it
// is told to stop (SIGTERM), restarting it with backoff whenever it exits
// on its own. server.json says how it fares.
func supervise(dir, binary string, port int, log *slog.Logger) error {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	creds, err := loadCredentials(dir)
	if err != nil {
		return err
	}
	chosen := port == 0
	st := serverState{SupervisorPID: os.Getpid(), Binary: binary, Status: statusStarting}
	backoff := restartBackoffMin
	for attempt := 1; ; attempt++ {
		if port == 0 {
			if port, err = freePort(); err != nil {
				return err
			}
		}
		st.TCPPort = port
		srv, err := startServerProcess(dir, binary, port, log)
		if err != nil {
			return err
		}
		st.PID, st.Status = srv.pid, statusStarting
		if err := writeState(dir, st); err != nil {
			srv.kill()
			return err
		}
		err = srv.waitReady(creds.Admin, stop)
		if errors.Is(err, errStopRequested) {
			srv.stop(log)
			return removeState(dir)
		}
		if err != nil && chosen && attempt < 3 && strings.Contains(srv.errors(), "Address already in use") {
			log.Warn("ClickHouse port taken by another process, retrying with a new port", "port", port)
			srv.kill()
			port = 0
			continue
		}
		upSince := time.Now()
		if err == nil {
			st.Status, st.NextStartAt = statusReady, time.Time{}
			if err := writeState(dir, st); err != nil {
				srv.stop(log)
				return err
			}
			log.Info("ClickHouse ready", "addr", srv.addr(), "pid", srv.pid, "restarts", st.Restarts)
			if err = srv.run(dir, stop, log); err == nil { // stopped on purpose
				return removeState(dir)
			}
		} else {
			srv.kill()
		}
		// The server exited on its own (or never got ready): start it
		// again, after a pause that grows while it keeps failing.
		if time.Since(upSince) > stableAfter {
			backoff = restartBackoffMin
		}
		st.Restarts++
		st.LastExit, st.LastExitAt = err.Error(), time.Now()
		st.Status, st.NextStartAt = statusRestarting, time.Now().Add(backoff)
		if werr := writeState(dir, st); werr != nil {
			return werr
		}
		log.Error("managed ClickHouse exited; restarting it", "err", err, "in", backoff, "restarts", st.Restarts,
			"errorlog", filepath.Join(dir, "log", "clickhouse-server.err.log"))
		select {
		case <-stop:
			return removeState(dir)
		case <-time.After(backoff):
		}
		if idle, unlock := idleAndLocked(dir); idle {
			defer unlock()
			log.Info("no sinergi process uses the managed ClickHouse any more: not restarting it")
			return removeState(dir)
		}
		backoff = min(2*backoff, restartBackoffMax)
	}
}

// errStopRequested: the supervisor was told to stop.
var errStopRequested = errors.New("stop requested")

// serverProcess is one run of clickhouse-server.
type serverProcess struct {
	dir     string
	pid     int
	port    int
	exited  chan struct{}
	waitErr error
	errLog  string
	errFrom int64 // where this run's lines start in the error log
}

func (p *serverProcess) addr() string { return "127.0.0.1:" + strconv.Itoa(p.port) }

// startServerProcess starts clickhouse-server on dir. It is started from a
// goroutine locked to its thread, which the parent-death signal is tied to
// (see dieWithParent), and in its own process group.
func startServerProcess(dir, binary string, port int, log *slog.Logger) (*serverProcess, error) {
	if err := writeConfig(dir, port); err != nil {
		return nil, fmt.Errorf("clickhouse config: %w", err)
	}
	console, err := os.Create(filepath.Join(dir, "log", "console.log"))
	if err != nil {
		return nil, err
	}
	defer console.Close()
	p := &serverProcess{dir: dir, port: port, exited: make(chan struct{}), errLog: filepath.Join(dir, "log", "clickhouse-server.err.log")}
	if fi, err := os.Stat(p.errLog); err == nil {
		p.errFrom = fi.Size()
	}
	args := []string{"--config-file=" + filepath.Join(dir, "config.xml")}
	if filepath.Base(binary) == "clickhouse" { // the single binary of current releases
		args = append([]string{"server"}, args...)
	}
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = console, console
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	dieWithParent(cmd.SysProcAttr)
	log.Info("starting ClickHouse", "binary", binary, "dir", dir, "addr", p.addr())
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // see dieWithParent; never unlocked, on purpose
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		p.pid = cmd.Process.Pid
		started <- nil
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("clickhouse start %s: %w", binary, err)
	}
	return p, nil
}

// errors returns this run's lines of the server's error log (or console).
func (p *serverProcess) errors() string {
	if out := logTail(p.errLog, p.errFrom); out != "" {
		return out
	}
	return logTail(filepath.Join(p.dir, "log", "console.log"), 0)
}

// waitReady pings the server until it answers, it exits, a stop is asked
// for, or readyTimeout passes.
func (p *serverProcess) waitReady(admin Account, stop <-chan os.Signal) error {
	deadline := time.NewTimer(readyTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := pingServer(ctx, p.addr(), p.dir, admin)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-p.exited:
			return fmt.Errorf("server exited while starting (%v)\n%s", p.waitErr, p.errors())
		case <-stop:
			return errStopRequested
		case <-deadline.C:
			return fmt.Errorf("server not ready after %s: %w\n%s", readyTimeout, err, p.errors())
		case <-tick.C:
		}
	}
}

// run watches a ready server: nil when it was stopped on purpose (asked
// to, or no sinergi process uses it any more), an error when it exited on
// its own.
func (p *serverProcess) run(dir string, stop <-chan os.Signal, log *slog.Logger) error {
	tick := time.NewTicker(idleCheck)
	defer tick.Stop()
	for {
		select {
		case <-p.exited:
			return fmt.Errorf("server (pid %d) exited: %v", p.pid, p.waitErr)
		case <-stop:
			p.stop(log)
			return nil
		case <-tick.C:
			if idle, unlock := idleAndLocked(dir); idle {
				log.Info("no sinergi process uses the managed ClickHouse any more: stopping it")
				p.stop(log)
				err := removeState(dir) // before unlocking: no one may find it ready
				unlock()
				return err
			}
		}
	}
}

// idleAndLocked reports whether no process uses the server, holding the
// directory lock when it returns true (so that no process starts using it
// while it is stopped); the caller releases it with unlock.
func idleAndLocked(dir string) (idle bool, unlock func()) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return false, nil
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return false, nil // a process is starting to use it, or stopping it
	}
	if none, err := noClients(dir); err != nil || !none {
		f.Close()
		return false, nil
	}
	return true, func() { f.Close() }
}

// stop stops the server: SIGTERM, then SIGKILL if it has not exited after
// stopTimeout.
func (p *serverProcess) stop(log *slog.Logger) {
	begin := time.Now()
	_ = syscall.Kill(p.pid, syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(stopTimeout):
		log.Warn("ClickHouse did not stop in time, killing it", "pid", p.pid)
		p.kill()
	}
	log.Info("ClickHouse stopped", "addr", p.addr(), "elapsed", time.Since(begin).Round(time.Millisecond))
}

func (p *serverProcess) kill() {
	_ = syscall.Kill(p.pid, syscall.SIGKILL)
	<-p.exited
}

func removeState(dir string) error {
	if err := os.Remove(statePath(dir)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
