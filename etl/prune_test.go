package etl_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/etl/etltest"
	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
	"github.com/sinergi-id/sinergi/internal/cooperation/coopch"
	"github.com/sinergi-id/sinergi/internal/realdata"
)

// waitMutations waits until ClickHouse has applied the deletes pruning
// asked for (mutations run in the background).
func waitMutations(t *testing.T, db *clickhouse.DB) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		var pending uint64
		if err := db.QueryRow(context.Background(), `SELECT count() FROM system.mutations WHERE database = currentDatabase() AND is_done = 0`, nil, &pending); err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d mutations still running after a minute", pending)
		}
	}
}

// rowsByRun counts a raw table's rows per run.
func rowsByRun(t *testing.T, db *clickhouse.DB, table string) map[uint64]uint64 {
	t.Helper()
	var rows []struct {
		RunID uint64 `ch:"run_id"`
		N     uint64 `ch:"n"`
	}
	if err := db.Select(context.Background(), &rows, `SELECT run_id, count() AS n FROM `+table+` GROUP BY run_id`); err != nil {
		t.Fatal(err)
	}
	out := map[uint64]uint64{}
	for _, r := range rows {
		out[r.RunID] = r.N
	}
	return out
}

// generations counts the generations (partitions) a snapshot table holds.
func generations(t *testing.T, db *clickhouse.DB, table string) uint64 {
	t.Helper()
	var n uint64
	if err := db.QueryRow(context.Background(), `SELECT uniqExact(partition) FROM system.parts
		WHERE database = currentDatabase() AND table = ? AND active`, []any{table}, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// keptGenerations is how many generations pruning keeps of a snapshot
// table: the current and the previous one, and a base they are deltas of
// (a base outlives them; clickhouse/deltagen_test.go checks which).
func keptGenerations(t *testing.T, db *clickhouse.DB, table string) uint64 {
	t.Helper()
	var deltas uint64
	if err := db.QueryRow(context.Background(), `SELECT uniqExact(base_generation) FROM (SELECT generation, any(base_generation) AS base_generation
		FROM snapshot_generations WHERE snapshot = ? GROUP BY generation ORDER BY generation DESC LIMIT 2) WHERE base_generation != 0`,
		[]any{table}, &deltas); err != nil {
		t.Fatal(err)
	}
	return 2 + deltas
}

// TestPruneKeepsWhatAnswersNeed is issue 16's eighth finding: every run's
// rows stayed, and every failed refresh left a half-built generation. The
// same register loaded six times, one load interrupted and one refresh that
// fails before its publish: afterwards the rows are those of the winning
// run and the two runs it superseded last, the snapshot tables hold two
// generations (and the base of either, when it is a delta generation),
// and a load on top of the pruned rows answers as a database that never
// pruned.
func TestPruneKeepsWhatAnswersNeed(t *testing.T) {
	// No grace for superseded generations (clickhouse.Config.GenerationGrace):
	// this test's loads follow each other within seconds.
	cfg := clickhousetest.Config(t)
	cfg.GenerationGrace = -1
	f := newFixtureOver(t, clickhousetest.OpenDB(t, cfg))
	ctx := context.Background()
	wilayah := realdata.Path(t, realdata.Wilayah)
	f.mustLoad(etl.DatasetRegions, wilayah)
	known := etltest.KaltimRegions(t)
	regA := etltest.GeneratedRegister(t, t.TempDir(), known, 4000, 12, "A", 1)
	regC := etltest.GeneratedRegister(t, t.TempDir(), known, 500, 6, "C", 1)

	var loads []uint64
	for range 6 {
		loads = append(loads, f.mustLoad(etl.DatasetRegister, regA...).Runs[0].ID)
	}
	// Interrupted after its rows are stored; then a refresh that fails at
	// its publish.
	for _, point := range []string{"inserted", "publishing"} {
		cctx, cancel := context.WithCancel(ctx)
		f.runner.SetPause(func(_ context.Context, p string) {
			if p == point {
				cancel()
			}
		})
		if _, err := f.load(cctx, etl.DatasetRegister, regA...); err == nil {
			t.Fatalf("the load stopped at %s succeeded", point)
		}
		f.runner.SetPause(nil)
		cancel()
	}
	for _, table := range coopch.SnapshotTables {
		if n, kept := generations(t, f.db, table), keptGenerations(t, f.db, table); n > kept {
			t.Errorf("%s holds %d generations after a failed refresh, want at most %d", table, n, kept)
		}
	}

	res := f.mustLoad(etl.DatasetRegister, regC...)
	waitMutations(t, f.db)
	byRun := rowsByRun(t, f.db, "coop_realisation_rows")
	want := map[uint64]uint64{loads[5]: 4000, loads[4]: 4000, loads[3]: 4000, res.Runs[0].ID: 500}
	if len(byRun) != len(want) {
		t.Errorf("realisation rows by run %v, want those of %v", byRun, want)
	}
	for run, n := range want {
		if byRun[run] != n {
			t.Errorf("run %d keeps %d realisation rows, want %d", run, byRun[run], n)
		}
	}
	for _, table := range coopch.SnapshotTables {
		if n, kept := generations(t, f.db, table), keptGenerations(t, f.db, table); n > kept {
			t.Errorf("%s holds %d generations, want at most %d", table, n, kept)
		}
	}

	// The pruned rows still give every answer: reload C on top and compare
	// with a database that saw A and C only.
	f.mustLoad(etl.DatasetRegister, regC...)
	ref := &fixture{t: t, db: clickhousetest.NewDB(t)}
	ref.runner = etltest.NewRunner(ref.db, clickhousetest.Logger(t))
	ref.mustLoad(etl.DatasetRegions, wilayah)
	ref.mustLoad(etl.DatasetRegister, regA...)
	ref.mustLoad(etl.DatasetRegister, regC...)
	sameSnapshots(t, publishedSnapshots(t, f.db), publishedSnapshots(t, ref.db))
}

// TestPruneKeepsAWithdrawnAgreementsRealisations: an agreement whose
// realisations come from an older run than its newest (the newer register
// was sent without a realisations sheet) is withdrawn, enough registers
// are loaded after it to prune the older run were it not kept, and the
// agreement is restored. Its realisations must be those of the older run
// again, and the published generation that of a full rebuild (which alone
// cannot tell: a rebuild over pruned rows loses them too). Withdrawn after
// the register without realisations, and before it.
func TestPruneKeepsAWithdrawnAgreementsRealisations(t *testing.T) {
	for _, withdrawFirst := range []bool{false, true} {
		name := "withdrawn after the register without realisations"
		if withdrawFirst {
			name = "withdrawn before the register without realisations"
		}
		t.Run(name, func(t *testing.T) {
			clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
				cfg := clickhousetest.Config(t)
				cfg.GenerationGrace = -1
				f := newFixtureOver(t, e.OpenDB(t, cfg))
				ctx := context.Background()
				known := registerFiles(filepath.Join("register", "testdata", "known"))
				withRealisations := amendedRegister(t, known) // KUKAR-2025-001 alone
				const id = "KUKAR-2025-001"
				var withoutRealisations []string
				for _, p := range withRealisations {
					if filepath.Base(p) != "realisations.csv" {
						withoutRealisations = append(withoutRealisations, p)
					}
				}
				sharing, _ := sharingRegisters(t)
				withdraw := func(withdrawn bool) {
					f.changeWithdrawal(t, id, withdrawn)
					if err := f.runner.Republish(ctx, etl.DatasetRegister); err != nil {
						t.Fatal(err)
					}
				}
				realisations := func() []string {
					return f.rows(t, coopch.RealisationsTable, coopch.PublishedRows(coopch.RealisationsTable)+" AND agreement_id = '"+id+"'")
				}

				f.mustLoad(etl.DatasetRegions, realdataPath(t))
				f.mustLoad(etl.DatasetRegister, known...)
				r1 := f.mustLoad(etl.DatasetRegister, withRealisations...).Runs[0].ID
				want := realisations()
				if len(want) == 0 {
					t.Fatalf("%s has no realisations after run %d", id, r1)
				}
				if withdrawFirst {
					withdraw(true)
				}
				f.mustLoad(etl.DatasetRegister, withoutRealisations...)
				if !withdrawFirst {
					if got := realisations(); !slices.Equal(got, want) {
						t.Fatalf("a register without realisations changed %s's: %q, want %q", id, got, want)
					}
					withdraw(true)
				}
				// Three more registers: run r1 is the oldest of more than
				// retainSuperseded superseded runs, unless pruning keeps it.
				for range 3 {
					f.mustLoad(etl.DatasetRegister, sharing...)
				}
				waitMutations(t, f.db)
				if rowsByRun(t, f.db, "coop_realisation_rows")[r1] == 0 {
					t.Errorf("pruning deleted the realisation rows of run %d, which withdrawn %s's come from", r1, id)
				}
				withdraw(false)
				if got := realisations(); !slices.Equal(got, want) {
					t.Errorf("restored %s has realisations %q, want run %d's %q", id, got, r1, want)
				}
				f.checkPublishedEqualsRebuild(t, "the restoration")
			})
		})
	}
}
