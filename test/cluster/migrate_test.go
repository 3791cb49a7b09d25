package cluster_test

import (
	"context"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clustertest"
	"github.com/sinergi-id/sinergi/internal/coordination"
)

var migrationApplied = regexp.MustCompile(`msg="migration applied" version=(\d+)`)

// Two `sinergi migrate` on one cluster database do not interleave: while
// another holds the cluster's migration lock (in ZooKeeper) both wait,
// saying so, and `migrate status` names the holder; released, they run
// one after the other, every migration is applied exactly once, and the
// schema ends current.
func TestConcurrentMigrationsOnClusterDoNotInterleave(t *testing.T) {
	c := clustertest.Current(t)
	database := newDatabase("migrate")
	d := onCluster(t, database)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	log := slog.New(slog.DiscardHandler)
	coord, err := coordination.Connect(ctx, strings.Split(c.ZooKeeper, ","), "/sinergi/"+database, 3*time.Second, log)
	if err != nil {
		t.Fatal(err)
	}
	defer coord.Close()
	held, err := coord.LockMigrations(ctx, log)
	if err != nil {
		t.Fatal(err)
	}
	first := d.start(t, nil, "migrate")
	second := d.start(t, nil, "migrate")
	const waiting = "waiting for the migration of another process to finish"
	first.waitLog(t, waiting, 2*time.Minute)
	second.waitLog(t, waiting, 2*time.Minute)
	status := d.sinergi(t, "migrate", "status")
	if !strings.Contains(status, "a migration is running: process ") {
		t.Fatalf("migrate status while the lock is held does not say so:\n%s", status)
	}
	time.Sleep(2 * time.Second) // long enough for a migration that ignored the lock to show
	for _, p := range []*process{first, second} {
		if m := migrationApplied.FindString(p.output()); m != "" {
			t.Fatalf("a migrate applied %q while another held the lock:\n%s", m, p.output())
		}
	}
	if err := held.Release(ctx); err != nil {
		t.Fatal(err)
	}
	applied := map[int]int{}
	for _, p := range []*process{first, second} {
		select {
		case <-p.done:
		case <-time.After(5 * time.Minute):
			t.Fatalf("migrate still running 5 minutes after the lock was released:\n%s", p.output())
		}
		if code := p.cmd.ProcessState.ExitCode(); code != 0 {
			t.Fatalf("migrate exited %d:\n%s", code, p.output())
		}
		for _, m := range migrationApplied.FindAllStringSubmatch(p.output(), -1) {
			v, _ := strconv.Atoi(m[1])
			applied[v]++
		}
	}
	ms, err := clickhouse.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != len(ms) {
		t.Errorf("%d migrations applied between the two, want %d: %v", len(applied), len(ms), applied)
	}
	for _, m := range ms {
		if n := applied[int(m.Version)]; n != 1 {
			t.Errorf("migration %04d %s applied %d times, want once:\nfirst:\n%s\nsecond:\n%s", m.Version, m.Name, n, first.output(), second.output())
		}
	}
	status = d.sinergi(t, "migrate", "status")
	if !strings.Contains(status, "no migration is pending") || !strings.Contains(status, "no migration is running") {
		t.Fatalf("migrate status after both:\n%s", status)
	}

	// The tests' clean-up drops a database from every server of the cluster.
	cfg := clickhouse.Config{Addr: c.Addrs(), Username: c.User, Password: c.Password, Database: database, Cluster: clustertest.Name}
	if err := clickhousetest.DropDatabase(ctx, cfg, log); err != nil {
		t.Fatal(err)
	}
	for _, s := range c.Servers {
		on := cfg
		on.Addr, on.Database, on.Cluster = s.Addr(), "default", ""
		db, err := clickhouse.Open(ctx, on, log)
		if err != nil {
			t.Fatal(err)
		}
		var n uint64
		err = db.QueryRow(ctx, "SELECT count() FROM system.databases WHERE name = ?", []any{database}, &n)
		db.Close()
		if err != nil || n != 0 {
			t.Errorf("%s: database %s still there after DropDatabase (%d, %v)", s.Addr(), database, n, err)
		}
	}
}
