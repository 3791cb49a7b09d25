// Package cluster_test runs sinergi on a ClickHouse cluster — ZooKeeper and
// four ClickHouse 18.16 servers, two shards of two replicas, started by
// internal/clickhouse/clustertest — the way an operator does: the sinergi
// binary, built once, with cluster settings. Every answer is compared with
// the same binary's answer on one ClickHouse server loaded with the same
// files.
package cluster_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/chserver"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clustertest"
)

var (
	binary    string                // the sinergi binary under test
	generator string                // bench/generate, the synthetic data
	single    *chserver.LocalServer // one ClickHouse server, the reference
)

func TestMain(m *testing.M) {
	if code, ok := chserver.RunSupervisor(); ok {
		os.Exit(code) // this binary, started as the reference server's supervisor
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "sinergi-cluster-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary, generator = filepath.Join(dir, "sinergi"), filepath.Join(dir, "generate")
	for out, pkg := range map[string]string{binary: "./cmd/sinergi", generator: "./bench/generate"} {
		build := exec.Command("go", "build", "-o", out, "github.com/sinergi-id/sinergi/"+strings.TrimPrefix(pkg, "./"))
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "building %s: %v\n", pkg, err)
			return 1
		}
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	if _, err := chserver.EnsureInstalled(ctx, log); err != nil {
		fmt.Fprintf(os.Stderr, "the cluster tests need ClickHouse: %v\n", err)
		return 1
	}
	single, err = chserver.StartLocal(ctx, filepath.Join(dir, "single"), log)
	if err != nil {
		fmt.Fprintf(os.Stderr, "reference server: %v\n", err)
		return 1
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = single.Stop(stopCtx)
	}()
	return clustertest.Main(m)
}

// deployment is one database that sinergi processes use: on the reference
// server or on the cluster.
type deployment struct {
	name string
	env  []string
}

var databases int

func newDatabase(prefix string) string {
	databases++
	return fmt.Sprintf("%s_%d_%d", prefix, os.Getpid(), databases)
}

// singleNode is a database on the reference server.
func singleNode(t *testing.T, database string) deployment {
	admin := single.AdminConfig()
	return deployment{name: "single", env: []string{
		"SINERGI_CLICKHOUSE_ADDR=" + admin.Addr, "SINERGI_CLICKHOUSE_USERNAME=" + admin.Username,
		"SINERGI_CLICKHOUSE_PASSWORD=" + admin.Password, "SINERGI_CLICKHOUSE_DATABASE=" + database,
	}}
}

// onCluster is a database on the cluster, reached through addrs (every
// server, in the cluster's order, when none are given).
func onCluster(t *testing.T, database string, addrs ...string) deployment {
	c := clustertest.Current(t)
	addr := c.Addrs()
	if len(addrs) > 0 {
		addr = strings.Join(addrs, ",")
	}
	return deployment{name: "cluster", env: []string{
		"SINERGI_CLICKHOUSE_ADDR=" + addr, "SINERGI_CLICKHOUSE_USERNAME=" + c.User,
		"SINERGI_CLICKHOUSE_PASSWORD=" + c.Password, "SINERGI_CLICKHOUSE_DATABASE=" + database,
		"SINERGI_CLICKHOUSE_CLUSTER=" + clustertest.Name, "SINERGI_ZOOKEEPER_SERVERS=" + c.ZooKeeper,
		"SINERGI_ZOOKEEPER_SESSION_TIMEOUT=3s", "SINERGI_CLICKHOUSE_REPLICA_SYNC_TIMEOUT=2m",
	}}
}

func (d deployment) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, binary, args...)
	// The tests read as anonymous viewers unless a deployment's env says
	// otherwise (later values win).
	cmd.Env = append(os.Environ(), "SINERGI_DATA_DIR="+os.TempDir(), "SINERGI_AUTH_ANONYMOUS_READ=on")
	cmd.Env = append(cmd.Env, d.env...)
	return cmd
}

// sinergi runs a command to its end and fails the test if it fails.
func (d deployment) sinergi(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	out, err := d.command(ctx, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: sinergi %s: %v\n%s", d.name, strings.Join(args, " "), err, out)
	}
	t.Logf("%s: sinergi %s (%s)", d.name, strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	return string(out)
}

// process is a sinergi process running in the background, its log kept.
type process struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	log  bytes.Buffer
	done chan struct{}
}

func (d deployment) start(t *testing.T, extraEnv []string, args ...string) *process {
	t.Helper()
	p := &process{cmd: d.command(context.Background(), args...), done: make(chan struct{})}
	p.cmd.Env = append(p.cmd.Env, extraEnv...)
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stdout = p.cmd.Stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.log.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
		}
		_ = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			p.signal(syscall.SIGKILL)
			<-p.done
		}
		if t.Failed() {
			t.Logf("sinergi %s:\n%s", strings.Join(args, " "), p.output())
		}
	})
	return p
}

func (p *process) signal(sig syscall.Signal) { _ = p.cmd.Process.Signal(sig) }

func (p *process) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// waitLog waits until the process's log has a line containing s.
func (p *process) waitLog(t *testing.T, s string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !strings.Contains(p.output(), s) {
		select {
		case <-p.done:
			t.Fatalf("sinergi exited before logging %q:\n%s", s, p.output())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the log after %s:\n%s", s, within, p.output())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// serve starts `sinergi serve` and returns its base URL once it is ready.
func (d deployment) serve(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	p := d.start(t, []string{"SINERGI_HTTP_ADDR=" + addr}, "serve")
	url := "http://" + addr
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get(url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url
			}
		}
		select {
		case <-p.done:
			t.Fatalf("sinergi serve exited:\n%s", p.output())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("sinergi serve not ready after a minute:\n%s", p.output())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// tryAnswer posts a query, bypassing the result cache, and returns the
// answer, or an error when the answer is one; it may run outside the
// test's goroutine.
func tryAnswer(url, query string) (string, error) {
	body, _ := json.Marshal(map[string]string{"query": query})
	req, _ := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Cache-Control", "no-cache")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK || bytes.Contains(b, []byte(`"errors"`)) {
		return "", fmt.Errorf("%d: %s", resp.StatusCode, b)
	}
	return string(b), nil
}

// status posts a query with an API key (none when key is "") and returns
// the HTTP status of the answer.
func status(t *testing.T, url, query, key string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	req, _ := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Cache-Control", "no-cache")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// answer posts a query and returns the answer's body and X-Sinergi-Cache;
// cached says whether the result cache may answer.
func answer(t *testing.T, url, query string, cached bool) (string, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	req, _ := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if !cached {
		req.Header.Set("Cache-Control", "no-cache")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || bytes.Contains(b, []byte(`"errors"`)) {
		t.Fatalf("%s: %s answered %d: %s", url, query, resp.StatusCode, b)
	}
	return string(b), resp.Header.Get("X-Sinergi-Cache")
}

// sameAnswers asks every query of both servers and fails on any
// difference, byte for byte.
func sameAnswers(t *testing.T, want, got string, queries []string) {
	t.Helper()
	for _, q := range queries {
		w, _ := answer(t, want, q, false)
		g, _ := answer(t, got, q, false)
		if w != g {
			t.Errorf("answers differ for %s\n want (%s): %s\n  got (%s): %s", q, want, clip(w), got, clip(g))
		}
	}
}

func clip(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}

func repoFile(t *testing.T, parts ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{"..", ".."}, parts...)...)
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(abs); err != nil {
		t.Fatalf("%s: %v", abs, err)
	}
	return abs
}

// tableRows counts the rows of a table on one server of the cluster.
func tableRows(t *testing.T, s *clustertest.Server, database, table string) uint64 {
	t.Helper()
	c := clustertest.Current(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := clickhouse.Open(ctx, clickhouse.Config{Addr: s.Addr(), Database: database, Username: c.User, Password: c.Password},
		slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n uint64
	if err := db.QueryRow(ctx, "SELECT count() FROM "+table, nil, &n); err != nil {
		t.Fatalf("%s on %s: %v", table, s.Addr(), err)
	}
	return n
}

func itoa(i int) string { return strconv.Itoa(i) }
