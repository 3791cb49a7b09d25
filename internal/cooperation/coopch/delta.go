package coopch

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/sinergi-id/sinergi/internal/cooperation"
)

// The running counts in force (coop_active_changes) and the realised totals
// (coop_realised_totals) are sums: an incremental generation keeps them
// from deltas instead of summing every agreement again. A row of the new
// generation is the published row, less what the changed agreements
// contributed to it in the published generation, plus what they contribute
// in the new one; rows that only the changed agreements contributed to and
// no longer do disappear, as they would from a whole rebuild.
//
// One case the sums cannot tell: a row the changed agreements contributed
// to, no longer contribute to, whose sums come to zero — either nothing
// else contributes (no row) or what does sums to zero (a row of zeros).
// When a delta has such a row, the table is rebuilt whole instead.

// additiveDelta maintains one such table from deltas.
type additiveDelta struct {
	table          string
	keys, measures []string
	grouped        string // the keys, delta_<measure>s, added and removed
	groupedArgs    []any
	gen            uint64
}

// contributionsOf states what a contributions statement reads: the rows
// of a generation of the shared tables, through rowsOf("?", "?") bound to
// args (so one statement serves a whole generation and a delta).
type contributionsOf func(g generationRows) []any

// rowsArgs binds rowsOf("?", "?") to g.
func (g generationRows) rowsArgs() []any { return []any{g.base, g.gen, g.gen} }

// newAdditiveDelta is the delta of table's generation gen from generation
// prev, where contributions is a statement summing, by the keys, the
// measures that the changed agreements contribute in a generation of the
// shared tables, bound to contributionArgs.
func newAdditiveDelta(table string, keys, measures []string, gen, prev generationRows,
	contributions string, contributionArgs contributionsOf) additiveDelta {
	k, m := strings.Join(keys, ", "), strings.Join(measures, ", ")
	var deltas []string
	for _, c := range measures {
		deltas = append(deltas, "sumIf("+c+", source != 2) - sumIf("+c+", source = 2) AS delta_"+c)
	}
	grouped := `
		SELECT ` + k + `, ` + strings.Join(deltas, ", ") + `, max(source = 1) AS added, max(source = 2) AS removed
		FROM (SELECT ` + k + `, ` + m + `, toUInt8(0) AS source FROM ` + table + ` WHERE generation = ?
		      UNION ALL
		      SELECT ` + k + `, ` + m + `, toUInt8(1) AS source FROM (` + contributions + `)
		      UNION ALL
		      SELECT ` + k + `, ` + m + `, toUInt8(2) AS source FROM (` + contributions + `))
		GROUP BY ` + k
	args := append([]any{prev.gen}, contributionArgs(gen)...)
	args = append(args, contributionArgs(prev)...)
	return additiveDelta{table: table, keys: keys, measures: measures, grouped: grouped, groupedArgs: args, gen: gen.gen}
}

// condition is the measures' deltas joined by op, each compared with zero
// by cmp.
func (d additiveDelta) condition(cmp, op string) string {
	var conds []string
	for _, c := range d.measures {
		conds = append(conds, "delta_"+c+" "+cmp+" 0")
	}
	return "(" + strings.Join(conds, " "+op+" ") + ")"
}

// insert writes the new generation's rows.
func (d additiveDelta) insert() rebuildStatement {
	var deltas []string
	for _, c := range d.measures {
		deltas = append(deltas, "delta_"+c)
	}
	k := strings.Join(d.keys, ", ")
	return rebuildStatement{d.table, `
		INSERT INTO ` + d.table + ` (generation, ` + k + `, ` + strings.Join(d.measures, ", ") + `)
		SELECT ?, ` + k + `, ` + strings.Join(deltas, ", ") + ` FROM (` + d.grouped + `)
		WHERE added OR NOT removed OR ` + d.condition("!=", "OR"), append([]any{d.gen}, d.groupedArgs...)}
}

// undecided counts the rows the sums cannot decide (see above).
func (d additiveDelta) undecided() (string, []any) {
	return `SELECT count() FROM (` + d.grouped + `) WHERE removed AND NOT added AND ` + d.condition("=", "AND"), d.groupedArgs
}

// fromDelta returns the statement writing d's table from its delta, or the
// statements rebuilding it whole when the delta has a row it cannot
// decide.
func (s *Store) fromDelta(ctx context.Context, d additiveDelta, whole []rebuildStatement) ([]rebuildStatement, error) {
	q, args := d.undecided()
	var n uint64
	if err := s.db.QueryRow(ctx, q, args, &n); err != nil {
		return nil, fmt.Errorf("rebuild %s: %w", d.table, err)
	}
	if n > 0 {
		s.log.Info("rebuild from deltas: rows the sums cannot decide, rebuilding the table whole", "table", d.table, "rows", n)
		return whole, nil
	}
	return []rebuildStatement{d.insert()}, nil
}

// activeChangesDelta is the delta of the running counts in force from
// generation prev to gen, where the agreements of ids changed.
func activeChangesDelta(gen, prev generationRows, ids []string) additiveDelta {
	return newAdditiveDelta(ActiveChanges, []string{"issue", "day"}, []string{"change"}, gen, prev,
		activeContributions(rowsOf("?", "?"), ids), func(g generationRows) []any { return append(g.rowsArgs(), ids) })
}

// realisedTotalsDelta is the delta of the realised totals from generation
// prev to gen, where the agreements of ids changed.
func realisedTotalsDelta(gen, prev generationRows, ids []string) additiveDelta {
	return newAdditiveDelta(RealisedTotals, []string{"level", "region_code", "issue", "year", "in_force"},
		[]string{"value", "beneficiaries"}, gen, prev,
		realisedContributions, func(g generationRows) []any {
			return slices.Concat(g.rowsArgs(), []any{ids}, g.rowsArgs(), []any{ids})
		})
}

// realisedContributions sums, at every cube level, the yearly realised
// values of the agreements of an array (bound after the generation's rows,
// twice), as realisedCubeStatements sums those of all.
var realisedContributions = `
		SELECT level, region_code, issue, year, in_force, sum(value) AS value, sum(beneficiaries) AS beneficiaries
		FROM (SELECT toUInt8(arrayJoin([0, 2, 4])) AS level, substring(village_code, 1, level) AS region_code,
		             ` + issueRows + ` AS issue, year, value, beneficiaries, ` + inForceInYear + ` AS in_force
		      FROM (SELECT agreement_id, village_code, year, value, beneficiaries
		            FROM coop_realised_yearly WHERE ` + rowsOf("?", "?") + ` AND agreement_id IN (SELECT arrayJoin(CAST(? AS Array(String))))) AS realised
		      ALL INNER JOIN (SELECT agreement_id, issues, status, ends_on,
		                             ifNull(ifNull(starts_on, signed_on), ` + epoch + `) AS first_day
		                      FROM coop_agreements_current
		                      WHERE ` + rowsOf("?", "?") + ` AND agreement_id IN (SELECT arrayJoin(CAST(? AS Array(String))))) AS agreements
		      USING agreement_id)
		GROUP BY level, region_code, issue, year, in_force`

// The agreement cube's agreements and committed value are sums over
// agreements, kept as above. Its villages (desa, persiapan) and partners are
// distinct counts, which are not: a village leaves a row only when the last
// agreement of the row covering it does. They are kept from deltas all the
// same, key by key. A key k (a village or partner) counts in a row r of a
// generation when some agreement of r holds it: an unchanged agreement
// (U, the same in both generations) or a changed one (C before, C' after).
// So the count of r changes by
//
//	Σ over the changed agreements' keys k of [U or C'] − [U or C]
//
// which is zero unless C' ≠ C and no unchanged agreement holds k in r: the
// statement pairs each key of the changed agreements with each row it
// counts in, keeps the pairs whose C and C' differ, and looks for
// unchanged agreements only among those holding such a key. An agreement
// sent again unchanged costs no search; an amendment, the agreements that
// share the keys it adds or drops. A row holds at least one agreement, so a
// row whose agreements come to zero is gone, and no row is undecided: no
// fallback is needed. Exact whatever the keys are (a village code need not
// lie in one of the agreement's regions, a partner may serve many
// regions); TestPublicationEqualsFullRebuild compares it with the full
// rebuild.

// cubeKeys are an agreement's keys that the cube counts distinctly, each
// prefixed with its kind: 'd' a desa (or kelurahan) code, 's' a desa
// persiapan key (with ':'), 'p' a partner. ('a' prefixes an agreement's
// own id, for its count.)
const cubeKeys = `arrayConcat(arrayMap(v -> concat(if(position(v, ':') = 0, 'd', 's'), v), village_keys),
	arrayMap(p -> concat('p', p), partner_keys))`

// cubePairs explodes the keys of from (counted_key, with in_gen, in_prev,
// unchanged, committed_value and the agreement's issues, signed_on and
// region_codes) into the cube rows they count in, at every level. A village
// counts in a region's row when it lies in the region, as
// agreementCubeSQL counts it.
func cubePairs(from string) string {
	regions := func(level int) string {
		arr, _ := regionArray(regionLevels[level], "", "region_codes")
		return regionsOrNone(arr)
	}
	return `
		SELECT level, region_code, issue, period, counted_key, in_gen, in_prev, unchanged, committed_value
		FROM (SELECT counted_key, in_gen, in_prev, unchanged, committed_value,
		             arrayJoin([0, 2, 4]) AS level,
		             arrayJoin(multiIf(level = 0, [''], level = 2, ` + regions(2) + `, ` + regions(4) + `)) AS region_code,
		             ` + issueRows + ` AS issue,
		             arrayJoin(['*', ` + periodDim("signed_on", cooperation.GrainYear) + `]) AS period
		      FROM (` + from + `))
		WHERE substring(counted_key, 1, 1) IN ('a', 'p') OR level = 0
		   OR region_code != '' AND startsWith(substring(counted_key, 2), region_code)`
}

// agreementCubeDelta writes the agreement cube of generation gen from the
// published generation prev, where the agreements of ids changed (see
// above). The ids are bound three times (see maxIncrementalBytes).
func agreementCubeDelta(gen, prev generationRows, ids []string) rebuildStatement {
	const columns = `issues, signed_on, region_codes, committed_value`
	const idList = `(SELECT arrayJoin(CAST(? AS Array(String))))`
	changedKeys := `
		SELECT counted_key, generation = ? AS in_gen, generation != ? AS in_prev, toUInt8(0) AS unchanged, ` + columns + `
		FROM (SELECT generation, agreement_id, village_keys, partner_keys, ` + columns + ` FROM coop_agreements_current
		      WHERE (generation = ? OR ` + rowsOf("?", "?") + `) AND agreement_id IN ` + idList + `)
		ARRAY JOIN arrayConcat([concat('a', agreement_id)], ` + cubeKeys + `) AS counted_key`
	// (gen's rows of the changed agreements are its own; prev's may lie in
	// its base: every row read is of one or the other.)
	changedArgs := slices.Concat([]any{gen.gen, gen.gen, gen.gen}, prev.rowsArgs(), []any{ids})
	// The keys whose rows may change: in a row, held by the changed
	// agreements before or after, not both.
	differing := `(SELECT counted_key FROM (` + cubePairs(changedKeys) + `)
		GROUP BY level, region_code, issue, period, counted_key HAVING max(in_gen) != max(in_prev))`
	unchangedKeys := `
		SELECT counted_key, toUInt8(0) AS in_gen, toUInt8(0) AS in_prev, toUInt8(1) AS unchanged, ` + columns + `
		FROM (SELECT village_keys, partner_keys, ` + columns + ` FROM coop_agreements_current
		      WHERE ` + rowsOf("?", "?") + ` AND agreement_id NOT IN ` + idList + `)
		ARRAY JOIN ` + cubeKeys + ` AS counted_key
		WHERE counted_key IN ` + differing
	args := slices.Concat([]any{gen.gen, prev.gen}, changedArgs, gen.rowsArgs(), []any{ids}, changedArgs)
	return rebuildStatement{AgreementCube, `
		INSERT INTO coop_agreement_cube (generation, level, region_code, issue, period, agreements, desa, persiapan,
			partners, committed)
		SELECT ?, level, region_code, issue, period, new_agreements, new_desa, new_persiapan, new_partners, new_committed
		FROM (SELECT level, region_code, issue, period, sum(agreements) AS new_agreements, sum(desa) AS new_desa,
		             sum(persiapan) AS new_persiapan, sum(partners) AS new_partners, sum(committed) AS new_committed
		      FROM (SELECT level, region_code, issue, period, toInt64(agreements) AS agreements, toInt64(desa) AS desa,
		                   toInt64(persiapan) AS persiapan, toInt64(partners) AS partners, committed
		            FROM coop_agreement_cube WHERE generation = ?
		            UNION ALL
		            SELECT level, region_code, issue, period,
		                   sumIf(change, kind = 'a') AS delta_agreements, sumIf(change, kind = 'd') AS delta_desa,
		                   sumIf(change, kind = 's') AS delta_persiapan, sumIf(change, kind = 'p') AS delta_partners,
		                   sum(pair_committed) AS delta_committed
		            FROM (SELECT level, region_code, issue, period, substring(counted_key, 1, 1) AS kind,
		                         if(max(unchanged) = 1, toInt64(0), toInt64(max(in_gen)) - toInt64(max(in_prev))) AS change,
		                         sumIf(assumeNotNull(committed_value), in_gen AND isNotNull(committed_value) AND kind = 'a')
		                         - sumIf(assumeNotNull(committed_value), in_prev AND isNotNull(committed_value) AND kind = 'a') AS pair_committed
		                  FROM (` + cubePairs(changedKeys) + `
		                        UNION ALL` + cubePairs(unchangedKeys) + `)
		                  GROUP BY level, region_code, issue, period, counted_key)
		            GROUP BY level, region_code, issue, period)
		      GROUP BY level, region_code, issue, period)
		WHERE new_agreements > 0`, args}
}
