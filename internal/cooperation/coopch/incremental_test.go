package coopch_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/etl/etltest"
	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
	"github.com/sinergi-id/sinergi/internal/cooperation/coopch"
	"github.com/sinergi-id/sinergi/internal/realdata"
)

// A refresh that publishes a register of a few agreements rebuilds those
// agreements only, and writes them alone into a delta generation that
// shares the others' rows with the published base; one without new runs
// (a withdrawal) the agreements withdrawn or restored. Checked on both
// engines. (etl.TestPublicationEqualsFullRebuild checks that both publish
// the same rows.)
func TestIncrementalGenerationRebuildsTheTouchedAgreements(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		ctx := context.Background()
		db := e.NewDB(t)
		runner := etltest.NewRunner(db, clickhousetest.Logger(t))
		seed := filepath.Join("..", "..", "..", "etl", "seed")
		known := filepath.Join("..", "..", "..", "etl", "register", "testdata", "known")
		loads := [][]string{
			{etl.DatasetRegions, realdata.Path(t, "kaltim_wilayah_kemendagri_2025.csv")},
			{etl.DatasetRegister, filepath.Join(seed, "agreements.csv"), filepath.Join(seed, "parties.csv")},
			{etl.DatasetRegister, filepath.Join(known, "agreements.csv"), filepath.Join(known, "parties.csv")},
		}
		var last etl.Result
		for _, l := range loads {
			var err error
			if last, err = runner.Load(ctx, l[0], l[1:]...); err != nil {
				t.Fatalf("load %v: %v", l, err)
			}
		}
		// The known register's load was a delta on the seed's generation:
		// it holds the known agreements' rows only, and lists them.
		var gen, base, own, listed, total uint64
		if err := db.QueryRow(ctx, `SELECT `+clickhouse.CurrentGeneration(coopch.AgreementsTable)+`, `+
			clickhouse.CurrentBase(coopch.AgreementsTable), nil, &gen, &base); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow(ctx, `SELECT (SELECT count() FROM coop_agreements_current WHERE generation = ?),
			(SELECT count() FROM coop_changed_agreements WHERE generation = ?),
			(SELECT count() FROM coop_agreements_current WHERE `+coopch.PublishedRows(coopch.AgreementsTable)+`)`,
			[]any{gen, gen}, &own, &listed, &total); err != nil {
			t.Fatal(err)
		}
		if base == 0 || base == gen || own == 0 || own >= total || listed < own {
			t.Errorf("generation %d on base %d: %d agreements of its own, %d listed changed, %d in all; want a delta of a few",
				gen, base, own, listed, total)
		}

		store := coopch.NewStore(db)
		_, ids, err := store.IncrementalBase(ctx, []uint64{last.Runs[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) == 0 {
			t.Fatalf("a register of a few agreements: rebuild %v, want its agreements", ids)
		}
		for _, id := range []string{"JATIM-KALTIM-2025", "KUKAR-2025-001"} { // two of the known register's
			if !slices.Contains(ids, id) {
				t.Errorf("rebuild %v: %s is missing", ids, id)
			}
		}
		if uint64(len(ids)) >= total {
			t.Errorf("rebuild %d agreements of %d: the seed's should be copied", len(ids), total)
		}
		if _, ids, err := store.IncrementalBase(ctx, nil); err != nil || ids == nil || len(ids) != 0 {
			t.Errorf("without new runs or withdrawals: rebuild %v (%v), want none", ids, err)
		}
		if err := db.Exec(ctx, `INSERT INTO coop_agreement_withdrawals (agreement_id, version, withdrawn, actor, at, reason)
			SELECT 'KUKAR-2025-001', 1, 1, 'test', now(), 'test'`); err != nil {
			t.Fatal(err)
		}
		if _, ids, err := store.IncrementalBase(ctx, nil); err != nil || !slices.Equal(ids, []string{"KUKAR-2025-001"}) {
			t.Errorf("an agreement withdrawn: rebuild %v (%v), want it alone", ids, err)
		}
	})
}

// A read pinned to a whole generation of the shared tables sends the plain
// `generation = current` (no NOT IN over the changed agreements, which
// cost 2.9-3x the scan), one pinned to a delta the base + delta
// condition, and both answer what the base + delta condition answers
// under the same pin. Checked on both engines, for the five tables.
func TestPinnedReadsOfAWholeGenerationSendThePlainCondition(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		ctx := context.Background()
		db := e.NewDB(t)
		runner := etltest.NewRunner(db, clickhousetest.Logger(t))
		dir := filepath.Join("..", "..", "..", "etl", "register", "testdata", "known")
		var known []string
		for _, f := range []string{"agreements", "parties", "bodies", "realisations"} {
			known = append(known, filepath.Join(dir, f+".csv"))
		}
		load := func(dataset string, files ...string) uint64 {
			t.Helper()
			if _, err := runner.Load(ctx, dataset, files...); err != nil {
				t.Fatalf("load %v: %v", files, err)
			}
			gen, err := db.LatestGeneration(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return gen
		}
		load(etl.DatasetRegions, realdata.Path(t, "kaltim_wilayah_kemendagri_2025.csv"))
		// The first register is a whole generation; the same sent again, a
		// delta of it.
		whole := load(etl.DatasetRegister, known...)
		delta := load(etl.DatasetRegister, known...)

		for _, table := range []string{coopch.AgreementsTable, coopch.PartiesTable, coopch.RealisationsTable, coopch.YearlyTable, coopch.ByRegionTable} {
			cur := clickhouse.CurrentGeneration(table)
			general := "((generation = " + clickhouse.CurrentBase(table) + " AND agreement_id GLOBAL NOT IN (SELECT agreement_id FROM " +
				coopch.ChangedAgreements + " WHERE generation = " + cur + ")) OR generation = " + cur + ")"
			read := func(ctx context.Context, cond string) (rows, hash uint64) {
				t.Helper()
				if err := db.QueryRow(ctx, `SELECT count(), sum(cityHash64(agreement_id, generation)) FROM `+table+` WHERE `+cond, nil, &rows, &hash); err != nil {
					t.Fatal(err)
				}
				return rows, hash
			}
			for _, pin := range []struct {
				gen   uint64
				whole bool
			}{{whole, true}, {delta, false}} {
				pinned := clickhouse.PinGeneration(ctx, pin.gen)
				stmt, err := db.PinnedStatement(pinned, `SELECT count() FROM `+table+` WHERE `+coopch.PublishedRows(table))
				if err != nil {
					t.Fatal(err)
				}
				if plain := !strings.Contains(stmt, "NOT IN"); plain != pin.whole {
					t.Errorf("%s pinned to %d (whole: %v) sends %s", table, pin.gen, pin.whole, stmt)
				}
				gotRows, gotHash := read(pinned, coopch.PublishedRows(table))
				wantRows, wantHash := read(pinned, general)
				if gotRows != wantRows || gotHash != wantHash || gotRows == 0 {
					t.Errorf("%s pinned to %d (whole: %v): %d rows (hash %d), the base + delta condition %d (hash %d)",
						table, pin.gen, pin.whole, gotRows, gotHash, wantRows, wantHash)
				}
			}
		}
	})
}
