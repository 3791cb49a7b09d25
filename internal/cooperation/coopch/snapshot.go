package coopch

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/cooperation"
)

// Snapshot tables this store rebuilds: the current register, then the
// rollups of it that queries read instead of scanning every agreement.
const (
	AgreementsTable   = "coop_agreements_current"
	PartiesTable      = "coop_parties"
	RealisationsTable = "coop_realisations"
	YearlyTable       = "coop_realised_yearly"
	BodiesTable       = "coop_bodies"
	ByRegionTable     = "coop_agreements_by_region"
	AgreementCube     = "coop_agreement_cube"
	RealisedTotals    = "coop_realised_totals"
	ActiveChanges     = "coop_active_changes"
	// ChangedAgreements lists, per delta generation of the shared tables,
	// the agreements changed since its base (see rowsOf).
	ChangedAgreements = "coop_changed_agreements"
)

// SnapshotTables lists them all; they are published together.
var SnapshotTables = []string{AgreementsTable, PartiesTable, RealisationsTable, BodiesTable,
	YearlyTable, ByRegionTable, AgreementCube, ActiveChanges, RealisedTotals, ChangedAgreements}

// cubeLevels are the region levels the cubes group by, as code lengths: 0
// for everywhere, then provinsi and kabupaten/kota. Finer levels are read
// from the snapshot.
var cubeLevels = []int{0, 2, 4}

// newestRuns selects, per agreement, the newest run that has it among the
// committed runs and those the new generation is to publish (bound to its
// one placeholder; onlyTouched binds its own). Pruning keeps them all: a
// withdrawn agreement's rows stay for its restoration.
const newestRuns = `(SELECT agreement_id, max(run_id) AS winning_run FROM coop_agreement_rows
	WHERE ` + clickhouse.IncludedRuns + onlyTouched + ` GROUP BY agreement_id)`

// winners are the newest runs of the agreements that count: a withdrawn
// agreement has none.
const winners = `(SELECT agreement_id, max(run_id) AS winning_run FROM coop_agreement_rows
	WHERE ` + clickhouse.IncludedRuns + onlyTouched + ` AND agreement_id NOT IN ` + withdrawnAgreements + ` GROUP BY agreement_id)`

// withdrawnAgreements are the agreements whose newest withdrawal row says
// withdrawn (withdrawAgreement; restoreAgreement writes a newer row).
const withdrawnAgreements = `(SELECT agreement_id FROM coop_agreement_withdrawals
	GROUP BY agreement_id HAVING argMax(withdrawn, version) = 1)`

// restoredAgreements are the agreements whose newest withdrawal row says
// restored (restoreAgreement).
const restoredAgreements = `(SELECT agreement_id FROM coop_agreement_withdrawals
	GROUP BY agreement_id HAVING argMax(withdrawn, version) = 0)`

// realisationWinners selects, per agreement that counts, the newest run
// that had a realisations sheet: a register sent without one leaves the
// realisations as they were.
const realisationWinners = `(SELECT agreement_id, max(run_id) AS winning_run FROM coop_agreement_rows
	WHERE ` + withRealisationsSheet + onlyTouched + `
	AND agreement_id NOT IN ` + withdrawnAgreements + `
	GROUP BY agreement_id)`

// newestRealisationRuns is realisationWinners with the withdrawn
// agreements too: pruning keeps these runs, since a restored agreement's
// realisations come from its newest run with a realisations sheet, which
// may be older than its newest run (the one newestRuns keeps). Without it
// a restoration published the realisations of an even older run, or none.
const newestRealisationRuns = `(SELECT agreement_id, max(run_id) AS winning_run FROM coop_agreement_rows
	WHERE ` + withRealisationsSheet + onlyTouched + `
	GROUP BY agreement_id)`

// withRealisationsSheet limits coop_agreement_rows to the included runs
// that had a realisations sheet (IncludedRuns binds one value).
const withRealisationsSheet = clickhouse.IncludedRuns + ` AND run_id NOT IN (SELECT run_id FROM coop_runs_without_realisations)`

// onlyTouched limits a statement to the agreements an incremental
// generation rebuilds (bound as an array of ids); a full rebuild binds
// true first, which lets every agreement through.
// (An IN over a subquery, not has(): ClickHouse reads only the touched
// agreements' rows through the primary key, which starts with
// agreement_id in the raw tables and the agreements and realisations
// snapshots.)
const onlyTouched = ` AND (? OR agreement_id IN (SELECT arrayJoin(CAST(? AS Array(String)))))`

// touched is the pair of values onlyTouched binds: nil ids for every
// agreement.
func touched(ids []string) []any {
	if ids == nil {
		return []any{uint8(1), []string{}}
	}
	return []any{uint8(0), ids}
}

type rebuildStatement struct {
	table string
	q     string
	args  []any
}

// what says what the statement does, for the rebuild's log.
func (st rebuildStatement) what() string {
	what := "build"
	switch {
	case strings.Contains(st.q, "AND NOT has(CAST(? AS Array(String)), agreement_id)"):
		return "copy untouched agreements"
	case strings.Contains(st.q, "delta_"):
		return "from deltas"
	case strings.Contains(st.q, "SELECT ?, 0,"):
		what = "level 0"
	case strings.Contains(st.q, "SELECT ?, 2,"):
		what = "level 2"
	case strings.Contains(st.q, "SELECT ?, 4,"):
		what = "level 4"
	case st.table == ChangedAgreements:
		what = "list the agreements changed since the base"
	}
	return what
}

// SnapshotTables are the tables RebuildSnapshot writes, published together.
func (s *Store) SnapshotTables() []string { return SnapshotTables }

// RebuildSnapshot writes generation gen of every cooperation snapshot,
// whole, from the winning runs: an agreement, its parties and its
// realisations all come from the newest register that has the agreement,
// among the committed ones and the runs gen is to publish. The rollups
// follow, each once the tables it reads are written (rebuildOrder): two
// statements at a time, so that the rollups of the agreements run while
// the realisations are still being copied.
//
// In a cluster, a statement reads the sharded realisation tables through
// any replica of each shard, while the rows were inserted through one: it
// first waits until every replica holds them (clickhouse.DB.SyncReplicas).
func (s *Store) RebuildSnapshot(ctx context.Context, gen uint64, runs []uint64) error {
	if err := s.db.SyncReplicas(ctx, "coop_realisation_rows"); err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	return s.runInOrder(ctx, gen, rebuildOrder(gen, runs))
}

// rebuildOrder lists the statements of a whole rebuild, each with the
// tables it reads from the new generation, longest first among those that
// can start together (as the national register's rebuild measured them,
// bench/README.md): the realisations beside the agreements and parties, the
// yearly values (once the realisations are written) beside the by-region
// index and the agreement cube (once the agreements are).
func rebuildOrder(gen uint64, runs []uint64) []orderedStatement {
	register := registerStatements(gen, runs, nil) // agreements, parties, realisations, bodies
	rollups := rollupStatements(gen, nil)          // yearly, by-region
	whole := generationRows{gen: gen}
	var out []orderedStatement
	add := func(stmts []rebuildStatement, sync string, after ...string) {
		for _, st := range stmts {
			out = append(out, orderedStatement{st, after, sync})
		}
	}
	add(register[2:3], "")
	add(register[:2], "")
	add(register[3:], "")
	add(rollups[1:], "", AgreementsTable)
	add(rollups[:1], RealisationsTable, RealisationsTable)
	add(agreementCubeStatements(whole), "", AgreementsTable)
	add(activeChangesStatements(whole), "", AgreementsTable)
	add(realisedCubeStatements(whole), "", YearlyTable, AgreementsTable)
	return out
}

// An orderedStatement runs once every statement writing the tables after
// names is done, and, when sync names a sharded table, every replica holds
// its rows.
type orderedStatement struct {
	rebuildStatement
	after []string
	sync  string
}

// runInOrder runs the statements of a rebuild of generation gen two at a
// time, each as soon as what it reads is written, the first of those ready
// first. The first error stops it.
func (s *Store) runInOrder(ctx context.Context, gen uint64, stmts []orderedStatement) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	unwritten := map[string]int{} // statements not yet done, per table
	for _, st := range stmts {
		unwritten[st.table]++
	}
	ready := func(st orderedStatement) bool {
		for _, t := range st.after {
			if unwritten[t] > 0 {
				return false
			}
		}
		return true
	}
	type result struct {
		i   int
		err error
	}
	done := make(chan result)
	started := make([]bool, len(stmts))
	running, left := 0, len(stmts)
	var first error
	for left > 0 {
		for i, st := range stmts {
			if running < 2 && first == nil && !started[i] && ready(st) {
				started[i], running = true, running+1
				go func() { done <- result{i, s.runStatement(ctx, gen, st)} }()
			}
		}
		if running == 0 {
			if first == nil {
				first = fmt.Errorf("rebuild: statements waiting for tables nothing writes")
			}
			return first
		}
		r := <-done
		running, left = running-1, left-1
		unwritten[stmts[r.i].table]--
		if r.err != nil && first == nil {
			first = r.err
			cancel()
		}
		if first != nil && running == 0 {
			return first
		}
	}
	return first
}

// runStatement runs one statement of a rebuild of generation gen, after
// every replica holds the rows it reads, and logs how long it took.
func (s *Store) runStatement(ctx context.Context, gen uint64, st orderedStatement) error {
	if st.sync != "" {
		if err := s.db.SyncReplicas(ctx, st.sync); err != nil {
			return fmt.Errorf("rebuild: %w", err)
		}
	}
	start := time.Now()
	if err := s.db.Exec(ctx, st.q, st.args...); err != nil {
		return fmt.Errorf("rebuild %s: %w", st.table, err)
	}
	s.log.Debug("rebuild statement", "generation", gen, "table", st.table, "what", st.what(),
		"took", time.Since(start).Round(time.Millisecond))
	return nil
}

// UpdateSnapshot writes what RebuildSnapshot would, from the published
// generation where it can (see incrementalBase). The shared tables
// (sharedTables) become a delta on the published generation's base: only
// the rows of the agreements changed since that base — those of the
// published delta that did not change now, copied, and those that did,
// rebuilt — and the list of them (coop_changed_agreements); every other
// agreement's rows stay in the base, which readers read through rowsOf.
// When the changes since the base outgrow maxIncremental, it rebuilds
// everything: a new base. It maintains the rollups from deltas — the
// published rows, less what the changed agreements contributed to them,
// plus what they contribute now (the agreement cube's distinct counts by
// recounting the changed agreements' villages and partners only:
// delta.go). It returns the base of each shared table (none when it
// rebuilt everything).
func (s *Store) UpdateSnapshot(ctx context.Context, gen uint64, runs []uint64) (map[string]uint64, error) {
	prev, ids, err := s.incrementalBase(ctx, runs)
	if err != nil {
		return nil, err
	}
	var changed []string
	if ids != nil {
		if changed, err = s.changedSinceBase(ctx, prev, ids); err != nil {
			return nil, err
		}
	}
	if changed == nil {
		return nil, s.RebuildSnapshot(ctx, gen, runs)
	}
	next := generationRows{gen: gen, base: prev.baseOrSelf()}
	var register []rebuildStatement
	if prev.base != 0 {
		// The published delta's rows of the agreements still changed.
		register = copyUntouched(gen, prev.gen, ids, AgreementsTable, PartiesTable, RealisationsTable)
	}
	register = append(append(register, registerStatements(gen, runs, ids)...), rebuildStatement{ChangedAgreements, `
		INSERT INTO ` + ChangedAgreements + ` (generation, agreement_id)
		SELECT ?, arrayJoin(CAST(? AS Array(String)))`, []any{gen, changed}})
	if err := s.run(ctx, gen, stage{"coop_realisation_rows", register}); err != nil {
		return nil, err
	}
	active, err := s.fromDelta(ctx, activeChangesDelta(next, prev, ids), activeChangesStatements(next))
	if err != nil {
		return nil, err
	}
	var rollups []rebuildStatement
	if prev.base != 0 {
		// The published delta's rows of the agreements still changed.
		rollups = copyUntouched(gen, prev.gen, ids, YearlyTable, ByRegionTable)
	}
	rollups = append(append(append(rollups, rollupStatements(gen, ids)...), active...), agreementCubeDelta(next, prev, ids))
	if err := s.run(ctx, gen, stage{RealisationsTable, rollups}); err != nil {
		return nil, err
	}
	totals, err := s.fromDelta(ctx, realisedTotalsDelta(next, prev, ids), realisedCubeStatements(next))
	if err != nil {
		return nil, err
	}
	if err := s.run(ctx, gen, stage{"", totals}); err != nil {
		return nil, err
	}
	bases := map[string]uint64{}
	for _, t := range sharedTables {
		bases[t] = next.base
	}
	return bases, nil
}

// changedSinceBase is what a delta generation on prev's base lists as
// changed: the agreements prev lists, and ids. Nil when they are more than
// maxIncremental (or take more than maxIncrementalBytes): the new
// generation is then built whole, a new base, so that reads never filter
// through a long list.
func (s *Store) changedSinceBase(ctx context.Context, prev generationRows, ids []string) ([]string, error) {
	var listed []struct {
		ID string `ch:"agreement_id"`
	}
	if prev.base != 0 {
		if err := s.db.Select(ctx, &listed, `SELECT DISTINCT agreement_id FROM `+ChangedAgreements+`
			WHERE generation = ? LIMIT ?`, prev.gen, maxIncremental+1); err != nil {
			return nil, fmt.Errorf("rebuild: agreements changed since generation %d: %w", prev.base, err)
		}
	}
	seen := make(map[string]bool, len(ids)+len(listed))
	changed := make([]string, 0, len(ids)+len(listed))
	size := 0
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			changed = append(changed, id)
			size += len(id) + 4 // 'id',
		}
	}
	for _, id := range ids {
		add(id)
	}
	for _, l := range listed {
		add(l.ID)
	}
	if len(changed) > s.maxChanged() || size > maxIncrementalBytes {
		return nil, nil
	}
	return changed, nil
}

// A stage of a rebuild: statements that run side by side, after every
// replica holds the rows of the sharded table sync (none: "") that they
// read, and the stages before them are done.
type stage struct {
	sync       string
	statements []rebuildStatement
}

// run runs the stages of a rebuild of generation gen, one after the other.
func (s *Store) run(ctx context.Context, gen uint64, stages ...stage) error {
	for _, st := range stages {
		if st.sync != "" {
			if err := s.db.SyncReplicas(ctx, st.sync); err != nil {
				return fmt.Errorf("rebuild: %w", err)
			}
		}
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(2)
		for _, stmt := range st.statements {
			g.Go(func() error {
				start := time.Now()
				if err := s.db.Exec(gctx, stmt.q, stmt.args...); err != nil {
					return fmt.Errorf("rebuild %s: %w", stmt.table, err)
				}
				s.log.Debug("rebuild statement", "generation", gen, "table", stmt.table, "what", stmt.what(),
					"took", time.Since(start).Round(time.Millisecond))
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
	}
	return nil
}

// An incremental generation rebuilds at most maxIncremental agreements,
// whose ids take at most maxIncrementalBytes: they are bound into the
// statements as an array, up to four times in one statement (the realised
// totals' delta), which must stay well within the server's max_query_size
// (256 KiB by default). A load touching more (a whole register sent again)
// rebuilds everything.
const (
	maxIncremental      = 2_000
	maxIncrementalBytes = 48 << 10
)

// perAgreementTables are the snapshot tables whose rows each belong to one
// agreement: an incremental generation copies those of the untouched
// agreements from the published generation, with their columns.
var perAgreementTables = map[string]string{
	AgreementsTable: snapshotAgreementColumns, PartiesTable: snapshotPartyColumns, RealisationsTable: snapshotRealisationColumns,
	YearlyTable: snapshotYearlyColumns, ByRegionTable: snapshotByRegionColumns,
}

// incrementalBase decides how a new generation that is to publish runs is
// built from the published one. Whole (ids nil) when the snapshot tables
// were not all published together, or when more than maxIncremental
// agreements changed. Otherwise it returns the published generation prev
// and the agreements to rebuild: every agreement of runs, of a withdrawn
// run, every agreement prev holds from a run that no longer counts, every
// agreement prev holds that is withdrawn now, and every restored agreement
// prev lacks; the winners of all others cannot have changed (new runs only
// win the agreements they have). So a withdrawal recorded but not
// published (its publish failed) is published by the next load.
func (s *Store) incrementalBase(ctx context.Context, runs []uint64) (prev generationRows, ids []string, err error) {
	var published []struct {
		Snapshot   string `ch:"snapshot"`
		Generation uint64 `ch:"published"`
		Base       uint64 `ch:"base"`
	}
	if err := s.db.Select(ctx, &published, `SELECT snapshot, max(generation) AS published,
		argMax(base_generation, generation) AS base FROM snapshot_generations
		WHERE has(CAST(? AS Array(String)), snapshot) GROUP BY snapshot`, SnapshotTables); err != nil {
		return prev, nil, fmt.Errorf("rebuild: published generations: %w", err)
	}
	gens := map[string]uint64{}
	for _, p := range published {
		gens[p.Snapshot] = p.Generation
		if p.Snapshot == AgreementsTable {
			prev = generationRows{gen: p.Generation, base: p.Base}
		}
	}
	for _, t := range SnapshotTables {
		// The changed agreements' list counts only for a delta (a whole
		// generation lists none, and a sinergi older than the list
		// publishes none).
		if g, ok := gens[t]; (!ok || g != prev.gen) && (t != ChangedAgreements || prev.base != 0) {
			return prev, nil, nil
		}
	}
	rows, rowArgs := prev.cond()
	var found []struct {
		ID string `ch:"agreement_id"`
	}
	if err := s.db.Select(ctx, &found, `
		SELECT DISTINCT agreement_id FROM (
			SELECT agreement_id FROM coop_agreement_rows
			WHERE has(CAST(? AS Array(UInt64)), run_id) OR run_id IN (SELECT run_id FROM etl_withdrawn_runs)
			UNION ALL
			SELECT agreement_id FROM coop_agreements_current
			WHERE `+rows+` AND (NOT `+clickhouse.IncludedRuns+` OR agreement_id IN `+withdrawnAgreements+`)
			UNION ALL
			SELECT agreement_id FROM `+restoredAgreements+`
			WHERE agreement_id NOT IN (SELECT agreement_id FROM coop_agreements_current
				WHERE `+rows+` AND agreement_id IN `+restoredAgreements+`))
		LIMIT ?`, slices.Concat([]any{runs}, rowArgs, []any{runs}, rowArgs, []any{maxIncremental + 1})...); err != nil {
		return prev, nil, fmt.Errorf("rebuild: agreements the runs touch: %w", err)
	}
	if len(found) > maxIncremental {
		return prev, nil, nil
	}
	ids = make([]string, len(found))
	size := 0
	for i, f := range found {
		ids[i] = f.ID
		size += len(f.ID) + 4 // 'id',
	}
	if size > maxIncrementalBytes {
		return prev, nil, nil
	}
	return prev, ids, nil
}

// copyUntouched copies the rows of the agreements not in ids from
// generation prev into gen.
func copyUntouched(gen, prev uint64, ids []string, tables ...string) []rebuildStatement {
	out := make([]rebuildStatement, len(tables))
	for i, table := range tables {
		cols := perAgreementTables[table]
		out[i] = rebuildStatement{table, `
		INSERT INTO ` + table + ` (generation, ` + cols + `)
		SELECT ?, ` + cols + ` FROM ` + table + `
		WHERE generation = ? AND NOT has(CAST(? AS Array(String)), agreement_id)`, []any{gen, prev, ids}}
	}
	return out
}

// registerStatements copy the winning rows into the snapshot. The
// realisation tables are sharded in a cluster: their subqueries are GLOBAL,
// run once on this server rather than on each shard's (see
// clickhouse.Sharded).
func registerStatements(gen uint64, runs []uint64, ids []string) []rebuildStatement {
	only := touched(ids)
	args := func(head ...any) []any { return append(append(head, only...), append([]any{runs}, only...)...) }
	return []rebuildStatement{
		{AgreementsTable, `
		INSERT INTO coop_agreements_current (generation, ` + snapshotAgreementColumns + `)
		SELECT ?, agreement_id, run_id, document_numbers, title, document_type, signed_on, signed_place,
		       starts_on, ends_on, status, declared_issues, derived_issues,
		       arraySort(arrayDistinct(arrayConcat(declared_issues, derived_issues))), fields,
		       committed_value, funding_source, source_reference, region_codes, village_keys, party_types,
		       partner_keys, partner_sectors
		FROM coop_agreement_rows
		WHERE 1` + onlyTouched + ` AND (agreement_id, run_id) IN ` + winners, args(gen)},
		{PartiesTable, `
		INSERT INTO coop_parties (generation, ` + snapshotPartyColumns + `)
		SELECT ?, ` + snapshotPartyColumns + `
		FROM coop_party_rows
		WHERE 1` + onlyTouched + ` AND (agreement_id, run_id) IN ` + winners, args(gen)},
		{RealisationsTable, `
		INSERT INTO coop_realisations (generation, ` + snapshotRealisationColumns + `)
		SELECT ?, ` + snapshotRealisationColumns + `
		FROM coop_realisation_rows
		WHERE 1` + onlyTouched + ` AND (agreement_id, run_id) GLOBAL IN ` + realisationWinners + `
		  AND (run_id, line) GLOBAL NOT IN (SELECT run_id, line FROM coop_realisation_dropped)`, args(gen)},
		{BodiesTable, `
		INSERT INTO coop_bodies (generation, body_id, name, region_code, established_on, legal_basis, joint_enterprise, members)
		SELECT ?, body_id, name, region_code, established_on, legal_basis, joint_enterprise, members
		FROM coop_body_rows
		WHERE (body_id, run_id) IN (SELECT body_id, max(run_id) FROM coop_body_rows
			WHERE ` + clickhouse.IncludedRuns + ` GROUP BY body_id)`, []any{gen, runs}},
	}
}

// The columns of the per-agreement tables but the generation.
const (
	snapshotAgreementColumns = `agreement_id, run_id, document_numbers, title, document_type, signed_on, signed_place,
		starts_on, ends_on, status, declared_issues, derived_issues, issues, fields, committed_value, funding_source,
		source_reference, region_codes, village_keys, party_types, partner_keys, partner_sectors`
	snapshotPartyColumns       = `agreement_id, party_type, name, partner_key, region_code, sector, role, body_id`
	snapshotRealisationColumns = `agreement_id, village_code, month, value, beneficiaries, outputs`
	snapshotYearlyColumns      = `village_code, year, agreement_id, value, beneficiaries`
	snapshotByRegionColumns    = `region_code, agreement_id, status, signed_on, starts_on, ends_on, issues, fields,
		committed_value, village_keys, party_types, partner_keys, partner_sectors`
)

// issueRows explodes an agreement into its issue rows: '*' once, then each
// effective issue, or 'NONE' when it has none (as cooperationStats names
// that group).
const issueRows = "arrayJoin(arrayConcat(['*'], if(empty(issues), ['NONE'], issues)))"

// regionAncestors is every region an agreement lies in, at every level:
// the province, kabupaten/kota and kecamatan prefixes of its region codes,
// and its desa codes.
const regionAncestors = `arrayDistinct(arrayConcat(
	arrayMap(code -> substring(code, 1, 2), arrayFilter(code -> length(code) >= 2, region_codes)),
	arrayMap(code -> substring(code, 1, 4), arrayFilter(code -> length(code) >= 4, region_codes)),
	arrayMap(code -> substring(code, 1, 6), arrayFilter(code -> length(code) >= 6, region_codes)),
	arrayFilter(code -> length(code) >= 10, region_codes)))`

// rollupStatements build, from the agreements and realisations snapshots,
// the yearly realised values and the by-region index of the agreements in
// ids (nil: all).
func rollupStatements(gen uint64, ids []string) []rebuildStatement {
	only := append([]any{gen}, touched(ids)...)
	return []rebuildStatement{
		{YearlyTable, `
		INSERT INTO coop_realised_yearly (generation, ` + snapshotYearlyColumns + `)
		SELECT generation, village_code, toYear(month) AS year, agreement_id, sum(value), sum(beneficiaries)
		FROM coop_realisations
		WHERE generation = ?` + onlyTouched + `
		GROUP BY generation, village_code, year, agreement_id`, only},
		{ByRegionTable, `
		INSERT INTO coop_agreements_by_region (generation, ` + snapshotByRegionColumns + `)
		SELECT generation, region_code, agreement_id, status, signed_on, starts_on, ends_on, issues, fields,
		       committed_value, arrayFilter(v -> startsWith(v, region_code), village_keys), party_types,
		       partner_keys, partner_sectors
		FROM (SELECT generation, arrayJoin(` + regionAncestors + `) AS region_code, agreement_id, status, signed_on,
		             starts_on, ends_on, issues, fields, committed_value, village_keys, party_types, partner_keys,
		             partner_sectors
		      FROM coop_agreements_current WHERE generation = ?` + onlyTouched + `)`, only},
	}
}

// activeContributions are the changes of the running count in force that
// the agreements of a generation (selected by rows, bound first)
// contribute, by issue and day: +1 on the first day in force, -1 on the day
// after the last (an agreement ending before it starts is never in force),
// as activeOn judges it. Of the agreements in ids only, when ids are given
// (bound after the generation).
func activeContributions(rows string, ids []string) string {
	only := ""
	if ids != nil {
		only = " AND agreement_id IN (SELECT arrayJoin(CAST(? AS Array(String))))"
	}
	return `
		SELECT issue, day, sum(change) AS change
		FROM (SELECT ` + issueRows + ` AS issue,
		             arrayJoin(if(ends_on IS NULL, [(first_day, toInt64(1))],
		                          [(first_day, toInt64(1)), (assumeNotNull(ends_on) + 1, toInt64(-1))])) AS step,
		             tupleElement(step, 1) AS day, tupleElement(step, 2) AS change
		      FROM (SELECT issues, ends_on, ifNull(ifNull(starts_on, signed_on), ` + epoch + `) AS first_day
		            FROM coop_agreements_current
		            WHERE ` + rows + only + ` AND status = 'ACTIVE'
		              AND (ends_on IS NULL OR ends_on >= ifNull(ifNull(starts_on, signed_on), ` + epoch + `))))
		GROUP BY issue, day`
}

// activeChangesStatements build the running counts in force of generation
// g whole.
func activeChangesStatements(g generationRows) []rebuildStatement {
	rows, args := g.cond()
	return []rebuildStatement{{ActiveChanges, `
		INSERT INTO coop_active_changes (generation, issue, day, change)
		SELECT ?, issue, day, change FROM (` + activeContributions(rows, nil) + `)`, append([]any{g.gen}, args...)}}
}

// agreementCubeStatements build the agreement cube of generation g whole,
// a statement per level.
func agreementCubeStatements(g generationRows) []rebuildStatement {
	rows, args := g.cond()
	var stmts []rebuildStatement
	for _, level := range cubeLevels {
		stmts = append(stmts, rebuildStatement{AgreementCube, agreementCubeSQL(level, rows), append([]any{g.gen}, args...)})
	}
	return stmts
}

// agreementCubeSQL groups the agreements at one region level (0: all in
// one) by issue and signing year, with the grouping sets '*' for "not
// grouped". Villages count within the row's region, as cooperationStats
// counts them (and as agreementCubeDelta recounts them). The generation
// written is bound first, then the rows read (rows, a generation's
// condition).
func agreementCubeSQL(level int, rows string) string {
	region, inRegion := "''", "1"
	if level > 0 {
		arr, _ := regionArray(regionLevels[level], "", "region_codes")
		region = "arrayJoin(" + regionsOrNone(arr) + ")"
		inRegion = "region_code != '' AND startsWith(v, region_code)"
	}
	return `
		INSERT INTO coop_agreement_cube (generation, level, region_code, issue, period, agreements, desa, persiapan,
			partners, committed)
		SELECT ?, ` + strconv.Itoa(level) + `, region_code, issue, period, uniqExact(agreement_id),
		       length(groupUniqArrayArray(arrayFilter(v -> position(v, ':') = 0 AND ` + inRegion + `, village_keys))),
		       length(groupUniqArrayArray(arrayFilter(v -> position(v, ':') > 0 AND ` + inRegion + `, village_keys))),
		       length(groupUniqArrayArray(partner_keys)),
		       sumIf(assumeNotNull(committed_value), isNotNull(committed_value))
		FROM (SELECT ` + region + ` AS region_code, ` + issueRows + ` AS issue,
		             arrayJoin(['*', ` + periodDim("signed_on", cooperation.GrainYear) + `]) AS period,
		             agreement_id, village_keys, partner_keys, committed_value
		      FROM coop_agreements_current WHERE ` + rows + `)
		GROUP BY region_code, issue, period`
}

// regionsOrNone is an agreement's regions at a level, or [”] when it has
// none there (the cube's row for agreements without a region).
func regionsOrNone(arr string) string {
	return "if(empty(" + arr + "), [''], " + arr + ")"
}

// inForceInYear is whether the agreement was in force during the year (as
// activeBetween judges it for that year).
const inForceInYear = `status IN ('ACTIVE', 'EXPIRED') AND first_day <= toDate(concat(toString(year), '-12-31'))
		AND (ends_on IS NULL OR ends_on >= toDate(concat(toString(year), '-01-01')))`

// realisedCubeStatements sum the yearly realised values of generation g by
// the village's region at each cube level, issue, year and whether the
// agreement was in force during the year (as activeBetween judges it for
// that year): one statement for every level, which reads the yearly values
// and joins their agreements once (three statements, one a level, read and
// joined them three times).
func realisedCubeStatements(g generationRows) []rebuildStatement {
	rows, rowArgs := g.cond()
	return []rebuildStatement{{RealisedTotals, `
		INSERT INTO coop_realised_totals (generation, level, region_code, issue, year, in_force, value, beneficiaries)
		SELECT ?, level, region_code, issue, year, in_force, sum(value), sum(beneficiaries)
		FROM (SELECT ` + cubeLevelsArray + ` AS level, substring(village_code, 1, level) AS region_code,
		             ` + issueRows + ` AS issue, year, value, beneficiaries,
		             ` + inForceInYear + ` AS in_force
		      FROM (SELECT agreement_id, village_code, year, value, beneficiaries
		            FROM coop_realised_yearly WHERE ` + rows + `) AS realised
		      ALL INNER JOIN (SELECT agreement_id, issues, status, ends_on,
		                             ifNull(ifNull(starts_on, signed_on), ` + epoch + `) AS first_day
		                      FROM coop_agreements_current WHERE ` + rows + `) AS agreements
		      USING agreement_id)
		GROUP BY level, region_code, issue, year, in_force`, slices.Concat([]any{g.gen}, rowArgs, rowArgs)}}
}

// cubeLevelsArray explodes a row into one per cube level.
var cubeLevelsArray = func() string {
	levels := make([]string, len(cubeLevels))
	for i, l := range cubeLevels {
		levels[i] = strconv.Itoa(l)
	}
	return "toUInt8(arrayJoin([" + strings.Join(levels, ", ") + "]))"
}()
