package clickhouse_test

import (
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
)

// Both engines read, write, batch and bind alike.
func TestEnginesAgree(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		db := e.NewDB(t)
		ctx := t.Context()
		var version string
		if err := db.QueryRow(ctx, "SELECT version()", nil, &version); err != nil || version != e.Version {
			t.Fatalf("version %q, %v; want %q", version, err, e.Version)
		}
		if err := db.Exec(ctx, "CREATE TABLE people (name String, born Date, tags Array(String)) ENGINE = MergeTree() ORDER BY name"); err != nil {
			t.Fatal(err)
		}
		batch, err := db.PrepareBatch(ctx, "INSERT INTO people (name, born, tags)")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []struct {
			name string
			born string
			tags []string
		}{{"alice", "1990-02-03", []string{"a"}}, {"bob", "2001-12-31", nil}} {
			if err := batch.Append(p.name, date(t, p.born), p.tags); err != nil {
				t.Fatal(err)
			}
		}
		if err := batch.Send(); err != nil {
			t.Fatal(clickhouse.MapError(err))
		}
		var got []struct {
			Name string `ch:"name"`
			N    uint64 `ch:"n"`
		}
		if err := db.Select(ctx, &got, "SELECT name, length(tags) + 0 AS n FROM people WHERE born < toDate(?) AND has(?, name) ORDER BY name",
			"2000-01-01", []string{"alice", "bob"}); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Name != "alice" || got[0].N != 1 {
			t.Fatalf("got %+v", got)
		}
	})
}

func date(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
