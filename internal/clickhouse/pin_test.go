package clickhouse_test

import (
	"context"
	"testing"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
)

// A request pinned to a generation reads that generation of every table,
// whatever was published since; unpinned reads the newest.
func TestPinnedReadsSeeOneGeneration(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		db := e.NewDB(t)
		ctx := context.Background()
		first, err := db.NewGeneration(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.PublishGenerations(ctx, nil, first, []string{"regions_current", "idm_current"}, nil); err != nil {
			t.Fatal(err)
		}
		second, err := db.NewGeneration(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.PublishGenerations(ctx, nil, second, []string{"idm_current"}, nil); err != nil {
			t.Fatal(err)
		}
		read := func(ctx context.Context) (regions, idm uint64) {
			t.Helper()
			q := "SELECT " + clickhouse.CurrentGeneration("regions_current") + " AS r, " + clickhouse.CurrentGeneration("idm_current") + " AS i"
			if err := db.QueryRow(ctx, q, nil, &regions, &idm); err != nil {
				t.Fatal(err)
			}
			return regions, idm
		}
		if r, i := read(ctx); r != first || i != second {
			t.Errorf("unpinned: regions %d, idm %d; want %d, %d", r, i, first, second)
		}
		if r, i := read(clickhouse.PinGeneration(ctx, first)); r != first || i != first {
			t.Errorf("pinned to %d: regions %d, idm %d; want both %d", first, r, i, first)
		}
		if r, i := read(clickhouse.PinGeneration(ctx, 0)); r != first || i != second {
			t.Errorf("pinned to 0 (nothing known yet): regions %d, idm %d; want the newest", r, i)
		}
	})
}
