// Package clustertest starts what sinergi's cluster mode runs on, for
// tests: a ZooKeeper (Debian's zookeeper package, installed when missing
// and this process may) and four ClickHouse servers (Debian's 18.16), two
// shards of two replicas, on free loopback ports in a temporary directory.
// A test binary starts one cluster and shares it:
//
//	func TestMain(m *testing.M) { os.Exit(clustertest.Main(m)) }
//
// Tests take a fresh, migrated database on it with NewDB (or Config and
// their own migrate), kill a server with Kill and start it again with
// Start. When ZooKeeper or ClickHouse cannot be installed or started, the
// tests fail; they never skip.
package clustertest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"text/template"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/chserver"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
)

// Name is the cluster's name in the servers' remote_servers.
const Name = "sinergi"

// Shards and ReplicasPerShard are the cluster's shape.
const (
	Shards           = 2
	ReplicasPerShard = 2
)

// Cluster is a running ZooKeeper and the ClickHouse servers.
type Cluster struct {
	Dir       string
	ZooKeeper string // host:port
	User      string
	Password  string
	Servers   []*Server

	binary string
	zk     *exec.Cmd
	log    *slog.Logger
	keep   bool // keep Dir when stopping
}

// Server is one ClickHouse server of the cluster.
type Server struct {
	Shard, Replica int
	Port           int // native protocol
	dir            string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// Addr is the server's native protocol address.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)) }

var (
	current *Cluster
	counter atomic.Int64
)

// Main starts the cluster, runs the tests and stops it; it returns the exit
// code for os.Exit.
func Main(m *testing.M) int {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute) // apt-get on a fresh machine
	defer cancel()
	c, err := Start(ctx, log)
	if err != nil {
		fmt.Fprintf(os.Stderr, "clustertest: %v\n", err)
		return 1
	}
	current = c
	fmt.Printf("engine: clickhouse-server cluster of %d×%d, ZooKeeper %s (%s)\n", Shards, ReplicasPerShard, c.ZooKeeper,
		strings.TrimSuffix(filepath.Base(os.Args[0]), ".test"))
	code := m.Run()
	if code != 0 {
		c.keep = true // the servers' logs tell what happened
		fmt.Fprintf(os.Stderr, "clustertest: the tests failed; the cluster's directory (logs) is kept: %s\n", c.Dir)
	}
	c.Stop()
	return code
}

// Current is the test binary's cluster (started by Main).
func Current(t testing.TB) *Cluster {
	t.Helper()
	if current == nil {
		t.Fatal("clustertest: no cluster: call clustertest.Main from TestMain")
	}
	return current
}

// Start installs what is missing, then starts ZooKeeper and the servers in
// a new temporary directory, and waits until every server answers.
func Start(ctx context.Context, log *slog.Logger) (*Cluster, error) {
	binary, err := chserver.EnsureInstalled(ctx, log)
	if err != nil {
		return nil, err
	}
	if err := ensureZooKeeper(ctx, log); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "sinergi-clustertest-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir, User: "sinergi", Password: randomHex(16), binary: binary, log: log}
	ports, err := freePorts(1 + 2*Shards*ReplicasPerShard)
	if err != nil {
		return nil, err
	}
	c.ZooKeeper = net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0]))
	if err := c.startZooKeeper(ctx, ports[0]); err != nil {
		c.Stop()
		return nil, err
	}
	for s := 1; s <= Shards; s++ {
		for r := 1; r <= ReplicasPerShard; r++ {
			i := len(c.Servers)
			c.Servers = append(c.Servers, &Server{Shard: s, Replica: r, Port: ports[1+2*i],
				dir: filepath.Join(dir, fmt.Sprintf("s%dr%d", s, r))})
		}
	}
	for i, s := range c.Servers {
		if err := c.writeServerConfig(s, ports[2+2*i]); err != nil {
			c.Stop()
			return nil, err
		}
		if err := c.start(s); err != nil {
			c.Stop()
			return nil, err
		}
	}
	for _, s := range c.Servers {
		if err := c.waitReady(ctx, s); err != nil {
			c.Stop()
			return nil, err
		}
	}
	return c, nil
}

// Addrs are the servers' addresses, comma-separated, as Config.Addr takes
// them.
func (c *Cluster) Addrs() string {
	addrs := make([]string, len(c.Servers))
	for i, s := range c.Servers {
		addrs[i] = s.Addr()
	}
	return strings.Join(addrs, ",")
}

// Config is a cluster-mode configuration for a database no other test
// uses (not created yet), over every server. Loads and rebuilds wait at most
// a minute for a replica that is down.
func (c *Cluster) Config(t testing.TB) clickhouse.Config {
	return clickhouse.Config{
		Addr:               c.Addrs(),
		Database:           fmt.Sprintf("cluster_%d_%d", os.Getpid(), counter.Add(1)),
		Username:           c.User,
		Password:           c.Password,
		Cluster:            Name,
		ReplicaSyncTimeout: time.Minute,
	}
}

// NewDB creates and migrates a fresh database on the cluster and returns a
// connection to it; the database is dropped from every server when the
// test ends.
func (c *Cluster) NewDB(t testing.TB) *clickhouse.DB {
	t.Helper()
	cfg := c.Config(t)
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := clickhouse.CreateDatabase(ctx, cfg, log); err != nil {
		t.Fatalf("clustertest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if err := clickhousetest.DropDatabase(ctx, cfg, log); err != nil {
			t.Errorf("clustertest: %v", err)
		}
	})
	db, err := clickhouse.Open(ctx, cfg, log)
	if err != nil {
		t.Fatalf("clustertest: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx, log); err != nil {
		t.Fatalf("clustertest: %v", err)
	}
	return db
}

// Kill ends a server with SIGKILL, as a crash would, and waits until it is
// gone.
func (c *Cluster) Kill(s *Server) {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	<-done
}

// Restart starts a killed server again on its data and waits until it
// answers.
func (c *Cluster) Restart(ctx context.Context, s *Server) error {
	if err := c.start(s); err != nil {
		return err
	}
	return c.waitReady(ctx, s)
}

// Stop ends every server and ZooKeeper and removes the directory.
func (c *Cluster) Stop() {
	for _, s := range c.Servers {
		s.mu.Lock()
		cmd, done := s.cmd, s.done
		s.cmd = nil
		s.mu.Unlock()
		if cmd != nil {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				<-done
			}
		}
	}
	if c.zk != nil && c.zk.Process != nil {
		_ = syscall.Kill(-c.zk.Process.Pid, syscall.SIGKILL)
		_ = c.zk.Wait()
	}
	if !c.keep {
		_ = os.RemoveAll(c.Dir)
	}
}

func (c *Cluster) start(s *Server) error {
	console, err := os.OpenFile(filepath.Join(s.dir, "log", "console.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer console.Close()
	args := []string{"--config-file=" + filepath.Join(s.dir, "config.xml")}
	if filepath.Base(c.binary) == "clickhouse" {
		args = append([]string{"server"}, args...)
	}
	cmd := exec.Command(c.binary, args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = s.dir, console, console
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("clustertest: start %s: %w", c.binary, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()
	return nil
}

func (c *Cluster) waitReady(ctx context.Context, s *Server) error {
	// ctx alone bounds the wait: a restarted 18.16 replica re-attaches every replicated table
	// before it answers, which takes minutes on a busy machine.
	cfg := clickhouse.Config{Addr: s.Addr(), Database: "default", Username: c.User, Password: c.Password}
	for {
		db, err := clickhouse.Open(ctx, cfg, c.log)
		if err == nil {
			db.Close()
			return nil
		}
		s.mu.Lock()
		done := s.done
		s.mu.Unlock()
		select {
		case <-done:
			return fmt.Errorf("clustertest: server %s exited while starting: %s", s.Addr(), tail(filepath.Join(s.dir, "log", "err.log")))
		default:
		}
		if ctx.Err() != nil {
			return fmt.Errorf("clustertest: server %s not ready: %w: %s", s.Addr(), err, tail(filepath.Join(s.dir, "log", "err.log")))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// ensureZooKeeper installs Debian's zookeeper package when it is missing.
func ensureZooKeeper(ctx context.Context, log *slog.Logger) error {
	if _, err := os.Stat(zooKeeperJar); err == nil {
		if _, err := exec.LookPath("java"); err == nil {
			return nil
		}
	}
	if os.Geteuid() != 0 {
		return errors.New("clustertest: the cluster tests need ZooKeeper: sudo apt-get install zookeeper")
	}
	log.Info("ZooKeeper is not installed, installing Debian's zookeeper package with apt-get")
	for _, args := range [][]string{{"update"}, {"install", "-y", "zookeeper"}} {
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("clustertest: apt-get %s zookeeper: %w", args[0], err)
		}
	}
	if _, err := os.Stat(zooKeeperJar); err != nil {
		return fmt.Errorf("clustertest: apt-get installed zookeeper but: %w", err)
	}
	return nil
}

// zooKeeperJar is where Debian's package puts ZooKeeper (its manifest
// names the libraries it needs).
const zooKeeperJar = "/usr/share/java/zookeeper.jar"

func (c *Cluster) startZooKeeper(ctx context.Context, port int) error {
	dir := filepath.Join(c.Dir, "zookeeper")
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o700); err != nil {
		return err
	}
	// A short tick: sessions of killed processes expire in seconds.
	cfg := fmt.Sprintf("tickTime=500\ndataDir=%s\nclientPort=%d\nclientPortAddress=127.0.0.1\nmaxClientCnxns=0\nadmin.enableServer=false\n4lw.commands.whitelist=ruok\n",
		filepath.Join(dir, "data"), port)
	log4j := "log4j.rootLogger=WARN, F\nlog4j.appender.F=org.apache.log4j.FileAppender\nlog4j.appender.F.File=" +
		filepath.Join(dir, "zookeeper.log") + "\nlog4j.appender.F.layout=org.apache.log4j.PatternLayout\nlog4j.appender.F.layout.ConversionPattern=%d %p %c: %m%n\n"
	if err := os.WriteFile(filepath.Join(dir, "zoo.cfg"), []byte(cfg), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "log4j.properties"), []byte(log4j), 0o600); err != nil {
		return err
	}
	out, err := os.Create(filepath.Join(dir, "console.log"))
	if err != nil {
		return err
	}
	defer out.Close()
	cmd := exec.Command("java", "-Xmx256m", "-cp", dir+":"+zooKeeperJar, "-Dzookeeper.log.dir="+dir,
		"org.apache.zookeeper.server.ZooKeeperServerMain", filepath.Join(dir, "zoo.cfg"))
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("clustertest: start ZooKeeper: %w", err)
	}
	c.zk = cmd
	deadline := time.Now().Add(time.Minute)
	for {
		if ruok(c.ZooKeeper) {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("clustertest: ZooKeeper not ready on %s: %s", c.ZooKeeper, tail(filepath.Join(dir, "console.log")))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// ruok asks ZooKeeper whether it serves.
func ruok(addr string) bool {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := conn.Write([]byte("ruok")); err != nil {
		return false
	}
	b := make([]byte, 4)
	n, _ := conn.Read(b)
	return string(b[:n]) == "imok"
}

var serverConfig = template.Must(template.New("config.xml").Parse(`<?xml version="1.0"?>
<!-- Written by sinergi's clustertest: shard {{.Shard}}, replica {{.Replica}}. -->
<yandex>
    <logger>
        <level>warning</level>
        <log>{{.Dir}}/log/server.log</log>
        <errorlog>{{.Dir}}/log/err.log</errorlog>
        <console>0</console>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>{{.Port}}</tcp_port>
    <interserver_http_port>{{.InterserverPort}}</interserver_http_port>
    <interserver_http_host>127.0.0.1</interserver_http_host>
    <path>{{.Dir}}/data/</path>
    <tmp_path>{{.Dir}}/tmp/</tmp_path>
    <users_config>{{.Dir}}/users.xml</users_config>
    <default_profile>default</default_profile>
    <timezone>UTC</timezone>
    <mark_cache_size>67108864</mark_cache_size>
    <uncompressed_cache_size>67108864</uncompressed_cache_size>
    <zookeeper>
        <node><host>127.0.0.1</host><port>{{.ZooKeeperPort}}</port></node>
        <session_timeout_ms>5000</session_timeout_ms>
    </zookeeper>
    <macros>
        <shard>{{.Shard}}</shard>
        <replica>s{{.Shard}}r{{.Replica}}</replica>
    </macros>
    <!-- ON CLUSTER DDL: the queue every server reads in ZooKeeper. -->
    <distributed_ddl>
        <path>/clickhouse/task_queue/ddl</path>
    </distributed_ddl>
    <remote_servers>
        <{{.Name}}>
{{- range .Shards}}
            <shard>
                <internal_replication>true</internal_replication>
{{- range .}}
                <replica><host>127.0.0.1</host><port>{{.Port}}</port><user>{{$.User}}</user><password>{{$.Password}}</password></replica>
{{- end}}
            </shard>
{{- end}}
        </{{.Name}}>
    </remote_servers>
</yandex>
`))

var usersConfig = template.Must(template.New("users.xml").Parse(`<?xml version="1.0"?>
<yandex>
    <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
    <users>
        <{{.User}}>
            <password>{{.Password}}</password>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </{{.User}}>
    </users>
    <quotas><default></default></quotas>
</yandex>
`))

func (c *Cluster) writeServerConfig(s *Server, interserverPort int) error {
	for _, sub := range []string{"data", "tmp", "log"} {
		if err := os.MkdirAll(filepath.Join(s.dir, sub), 0o700); err != nil {
			return err
		}
	}
	zkPort, _ := strconv.Atoi(c.ZooKeeper[strings.LastIndex(c.ZooKeeper, ":")+1:])
	shards := make([][]*Server, Shards)
	for _, o := range c.Servers {
		shards[o.Shard-1] = append(shards[o.Shard-1], o)
	}
	var cfg, users bytes.Buffer
	if err := serverConfig.Execute(&cfg, map[string]any{
		"Shard": s.Shard, "Replica": s.Replica, "Dir": s.dir, "Port": s.Port, "InterserverPort": interserverPort,
		"ZooKeeperPort": zkPort, "Name": Name, "Shards": shards, "User": c.User, "Password": c.Password,
	}); err != nil {
		return err
	}
	if err := usersConfig.Execute(&users, map[string]any{"User": c.User, "Password": c.Password}); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(s.dir, "config.xml"), cfg.Bytes(), 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(s.dir, "users.xml"), users.Bytes(), 0o600)
}

func freePorts(n int) ([]int, error) {
	var ports []int
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("clustertest: free port: %w", err)
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// tail is the end of a log file, for error messages.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}
