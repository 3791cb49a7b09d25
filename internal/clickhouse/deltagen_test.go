package clickhouse_test

import (
	"context"
	"slices"
	"testing"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
)

// A delta generation shares the rows of its base: pruning keeps the base
// while a live generation (the current or the previous one) is a delta of
// it, and drops it once none is; CurrentBase names it, pinned as
// CurrentGeneration is.
func TestPruningKeepsTheBaseOfLiveDeltas(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		cfg := clickhousetest.Config(t)
		cfg.GenerationGrace = -1
		db := e.OpenDB(t, cfg)
		ctx := context.Background()
		const table = "coop_agreements_current"
		publish := func(base uint64) uint64 {
			t.Helper()
			gen, err := db.NewGeneration(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Exec(ctx, `INSERT INTO coop_agreements_current (generation, agreement_id) SELECT ?, 'A'`, gen); err != nil {
				t.Fatal(err)
			}
			var bases map[string]uint64
			if base != 0 {
				bases = map[string]uint64{table: base}
			}
			if err := db.PublishGenerations(ctx, nil, gen, []string{table}, bases); err != nil {
				t.Fatal(err)
			}
			return gen
		}
		stored := func() []uint64 {
			t.Helper()
			var gens []struct {
				Generation uint64 `ch:"generation"`
			}
			if err := db.Select(ctx, &gens, `SELECT DISTINCT generation FROM coop_agreements_current ORDER BY generation`); err != nil {
				t.Fatal(err)
			}
			out := make([]uint64, len(gens))
			for i, g := range gens {
				out[i] = g.Generation
			}
			return out
		}
		base := publish(0)
		d1 := publish(base)
		d2 := publish(base)
		d3 := publish(base)
		if got, want := stored(), []uint64{base, d2, d3}; !slices.Equal(got, want) {
			t.Errorf("after three deltas on a base: generations %v, want %v (the base, the current and the previous)", got, want)
		}
		var current uint64
		if err := db.QueryRow(ctx, `SELECT `+clickhouse.CurrentBase(table), nil, &current); err != nil || current != base {
			t.Errorf("current base %d (%v), want %d", current, err, base)
		}
		full := publish(0)
		if got, want := stored(), []uint64{base, d3, full}; !slices.Equal(got, want) {
			t.Errorf("after a whole generation: generations %v, want %v (the previous is a delta of the base)", got, want)
		}
		if err := db.QueryRow(clickhouse.PinGeneration(ctx, d1), `SELECT `+clickhouse.CurrentBase(table), nil, &current); err != nil || current != base {
			t.Errorf("pinned to %d: base %d (%v), want %d", d1, current, err, base)
		}
		if err := db.QueryRow(ctx, `SELECT `+clickhouse.CurrentBase(table), nil, &current); err != nil || current != 0 {
			t.Errorf("current base %d (%v), want 0 (whole)", current, err)
		}
		next := publish(0)
		if got, want := stored(), []uint64{full, next}; !slices.Equal(got, want) {
			t.Errorf("after two whole generations: generations %v, want %v", got, want)
		}
	})
}
