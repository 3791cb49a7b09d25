package main

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
)

func TestMain(m *testing.M) { os.Exit(clickhousetest.Main(m)) }

// openTestApp opens the app on a fresh migrated test database with the
// default configuration as change makes it, reading as an anonymous viewer
// unless change says otherwise; it closes when the test ends.
func openTestApp(t *testing.T, change func(*Config)) *app {
	t.Helper()
	chCfg := clickhousetest.NewDB(t).Config() // migrated
	cfg := defaultConfig()
	cfg.ClickHouse.Addr, cfg.ClickHouse.Database = chCfg.Addr, chCfg.Database
	cfg.ClickHouse.Username, cfg.ClickHouse.Password = chCfg.Username, chCfg.Password
	cfg.Auth.AnonymousRead = true
	if change != nil {
		change(&cfg)
	}
	a, err := openApp(t.Context(), cfg, clickhousetest.Logger(t), schemaRequire)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.close(context.Background()) })
	return a
}

// TestControlPathsAnswerWhenReadsAreExhausted is part of issue 16's third
// finding: ten heavy aliases took the whole connection pool, and the
// result cache's poll and readiness, which shared it, stopped answering.
// With every connection of the API's read pool held, readiness and the
// poll's statement still answer on their own pool.
func TestControlPathsAnswerWhenReadsAreExhausted(t *testing.T) {
	ctx := t.Context()
	a := openTestApp(t, nil)
	if err := a.openServing(ctx); err != nil {
		t.Fatal(err)
	}

	// Hold every connection of the read pool: reads whose rows nobody
	// reads keep theirs.
	var held []clickhouse.Rows
	defer func() {
		for _, r := range held {
			r.Close()
		}
	}()
	for range a.reads.Config().MaxOpenConns {
		rows, err := a.reads.Query(ctx, `SELECT number FROM system.numbers LIMIT 1000000000`)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, rows)
	}
	short, cancelShort := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancelShort()
	if err := a.reads.Ping(short); err == nil {
		t.Fatal("the read pool is not exhausted: the test proves nothing")
	}

	check, cancelCheck := context.WithTimeout(ctx, 3*time.Second)
	defer cancelCheck()
	if err := a.ready(check); err != nil {
		t.Errorf("readiness with the read pool exhausted: %v", err)
	}
	if _, err := a.control.LatestGeneration(check); err != nil {
		t.Errorf("the result cache's poll with the read pool exhausted: %v", err)
	}
}
