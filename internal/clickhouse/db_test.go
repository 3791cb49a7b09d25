package clickhouse_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
	"github.com/sinergi-id/sinergi/internal/fault"
)

const codeReadonly = 164 // ClickHouse: "Cannot ... in readonly mode"

func TestReadsWork(t *testing.T) {
	db := clickhousetest.NewDB(t)
	var version string
	if err := db.QueryRow(t.Context(), "SELECT version()", nil, &version); err != nil {
		t.Fatalf("SELECT version(): %v", err)
	}
	if version == "" {
		t.Fatal("SELECT version() returned an empty string")
	}
	var readonly string
	if err := db.QueryRow(t.Context(), "SELECT value FROM system.settings WHERE name = 'readonly'", nil, &readonly); err != nil {
		t.Fatalf("read the readonly setting: %v", err)
	}
	if readonly != "2" {
		t.Errorf("readonly = %s in a read, want 2", readonly)
	}
}

func TestReadTimeout(t *testing.T) {
	cfg := clickhousetest.Config(t)
	cfg.QueryTimeout = time.Second
	db := clickhousetest.OpenDB(t, cfg)
	// Sleeps about 2.6 s per block of system.numbers without using a CPU;
	// the server checks the time limit between blocks.
	var n uint64
	err := db.QueryRow(t.Context(), "SELECT count() FROM system.numbers WHERE sleepEachRow(0.00004) = 0", nil, &n)
	if !errors.Is(err, fault.ErrTimeout) {
		t.Fatalf("err = %v, want fault.ErrTimeout", err)
	}
}

func TestMaxResultRows(t *testing.T) {
	cfg := clickhousetest.Config(t)
	cfg.MaxResultRows = 10
	db := clickhousetest.OpenDB(t, cfg)
	var rows []struct {
		Number uint64 `ch:"number"`
	}
	err := db.Select(t.Context(), &rows, "SELECT number FROM system.numbers LIMIT 100")
	if !errors.Is(err, fault.ErrTooLarge) {
		t.Fatalf("err = %v, want fault.ErrTooLarge", err)
	}
	rows = nil
	if err := db.Select(t.Context(), &rows, "SELECT number FROM system.numbers LIMIT 10"); err != nil || len(rows) != 10 {
		t.Fatalf("10 rows at the limit: %d rows, err %v", len(rows), err)
	}
}

func TestClosedPortIsUnavailable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = clickhouse.Open(t.Context(), clickhouse.Config{Addr: addr}, clickhousetest.Logger(t))
	if !errors.Is(err, fault.ErrUnavailable) {
		t.Fatalf("err = %v, want fault.ErrUnavailable", err)
	}
}

// peopleDB is a fresh database with a table holding one row, alice.
func peopleDB(t *testing.T) *clickhouse.DB {
	t.Helper()
	db := clickhousetest.NewDB(t)
	ctx := t.Context()
	if err := db.Exec(ctx, "CREATE TABLE people (name String) ENGINE = MergeTree() ORDER BY name"); err != nil {
		t.Fatal(err)
	}
	batch, err := db.PrepareBatch(ctx, "INSERT INTO people (name)")
	if err != nil {
		t.Fatal(err)
	}
	if err := batch.Append("alice"); err != nil {
		t.Fatal(err)
	}
	if err := batch.Send(); err != nil {
		t.Fatal(clickhouse.MapError(err))
	}
	return db
}

func countPeople(t *testing.T, db *clickhouse.DB, name string) uint64 {
	t.Helper()
	var n uint64
	if err := db.QueryRow(t.Context(), "SELECT count() FROM people WHERE name = ?", []any{name}, &n); err != nil {
		t.Fatalf("count %q: %v", name, err)
	}
	return n
}

func TestBoundValuesAreNotSQL(t *testing.T) {
	db := peopleDB(t)
	if n := countPeople(t, db, "alice"); n != 1 {
		t.Fatalf("alice: %d rows, want 1", n)
	}
	for _, attack := range []string{"' OR 1=1 --", `\' OR 1=1 --`, "alice' OR '1'='1"} {
		if n := countPeople(t, db, attack); n != 0 {
			t.Errorf("%q: %d rows, want 0", attack, n)
		}
	}
}

func TestReadsCannotWrite(t *testing.T) {
	db := peopleDB(t)
	// A refused statement must fail at once, never wait for data to insert.
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	const insert = "INSERT INTO people (name) SELECT 'mallory'"

	rows, err := db.Query(ctx, insert)
	if err == nil {
		rows.Close()
	}
	assertReadonly(t, "Query", err)
	var dest []struct {
		Name string `ch:"name"`
	}
	assertReadonly(t, "Select", db.Select(ctx, &dest, insert))
	assertReadonly(t, "Select DROP", db.Select(ctx, &dest, "DROP TABLE people"))

	if n := countPeople(t, db, "mallory"); n != 0 {
		t.Errorf("a read inserted %d rows", n)
	}
	if err := db.Exec(ctx, insert); err != nil {
		t.Errorf("the same INSERT through Exec: %v", err)
	}
	if n := countPeople(t, db, "mallory"); n != 1 {
		t.Errorf("Exec inserted %d rows, want 1", n)
	}
}

func assertReadonly(t *testing.T, what string, err error) {
	t.Helper()
	var exc *clickhouse.Exception
	if !errors.As(err, &exc) || exc.Code != codeReadonly {
		t.Errorf("%s of a write: err = %v, want ClickHouse exception %d (readonly)", what, err, codeReadonly)
	}
}
