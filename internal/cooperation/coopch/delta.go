package coopch

import (
	"context"
	"fmt"
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

// newAdditiveDelta is the delta of table's generation gen from generation
// prev, where contributions(ids) is a statement summing, by the keys, the
// measures that the agreements of ids contribute in the generation bound to
// its first placeholder (ids are bound after it, contributionArgs).
func newAdditiveDelta(table string, keys, measures []string, gen, prev uint64,
	contributions string, contributionArgs func(gen uint64) []any) additiveDelta {
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
	args := append([]any{prev}, contributionArgs(gen)...)
	args = append(args, contributionArgs(prev)...)
	return additiveDelta{table: table, keys: keys, measures: measures, grouped: grouped, groupedArgs: args, gen: gen}
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
func activeChangesDelta(gen, prev uint64, ids []string) additiveDelta {
	return newAdditiveDelta(ActiveChanges, []string{"issue", "day"}, []string{"change"}, gen, prev,
		activeContributions(ids), func(g uint64) []any { return []any{g, ids} })
}

// realisedTotalsDelta is the delta of the realised totals from generation
// prev to gen, where the agreements of ids changed.
func realisedTotalsDelta(gen, prev uint64, ids []string) additiveDelta {
	return newAdditiveDelta(RealisedTotals, []string{"level", "region_code", "issue", "year", "in_force"},
		[]string{"value", "beneficiaries"}, gen, prev,
		realisedContributions, func(g uint64) []any { return []any{g, ids, g, ids} })
}

// realisedContributions sums, at every cube level, the yearly realised
// values of the agreements of an array (bound after the generation, twice),
// as realisedCubeStatements sums those of all.
const realisedContributions = `
		SELECT level, region_code, issue, year, in_force, sum(value) AS value, sum(beneficiaries) AS beneficiaries
		FROM (SELECT toUInt8(arrayJoin([0, 2, 4])) AS level, substring(village_code, 1, level) AS region_code,
		             ` + issueRows + ` AS issue, year, value, beneficiaries, ` + inForceInYear + ` AS in_force
		      FROM (SELECT agreement_id, village_code, year, value, beneficiaries
		            FROM coop_realised_yearly WHERE generation = ? AND agreement_id IN (SELECT arrayJoin(CAST(? AS Array(String))))) AS realised
		      ALL INNER JOIN (SELECT agreement_id, issues, status, ends_on,
		                             ifNull(ifNull(starts_on, signed_on), ` + epoch + `) AS first_day
		                      FROM coop_agreements_current
		                      WHERE generation = ? AND agreement_id IN (SELECT arrayJoin(CAST(? AS Array(String))))) AS agreements
		      USING agreement_id)
		GROUP BY level, region_code, issue, year, in_force`

// The agreement cube's agreements and committed value are sums over
// agreements, kept as above. Its villages (desa, persiapan) and partners are
// distinct counts, which are not: a village leaves a row only when the last
// agreement of the row covering it does. They are kept from deltas all the
// same, by recounting the candidate keys only — the villages and partners
// of the changed agreements, in the published generation or the new one.
// Whether any other key counts in a row depends on the unchanged agreements
// alone, so for each row
//
//	new count = published count − candidates counted in the published generation
//	                            + candidates counted in the new one
//
// where "counted" is the row's distinct count over every agreement of that
// generation holding a candidate key (the unchanged ones among them hold
// the same keys in both). A row holds at least one agreement, so a row whose
// agreements come to zero is gone, and no row is undecided: the statement
// needs no fallback. Exact whatever the keys are (a village code need not
// lie in one of the agreement's regions, a partner may serve many
// regions); TestPublicationEqualsFullRebuild compares it with the full
// rebuild.

// cubeKeys are an agreement's keys that the cube counts distinctly, each
// with its kind: 'd' a desa (or kelurahan) code, 's' a desa persiapan key
// (with ':'), 'p' a partner.
const cubeKeys = `arrayConcat(arrayMap(v -> (if(position(v, ':') = 0, 'd', 's'), v), village_keys),
	arrayMap(p -> ('p', p), partner_keys))`

// agreementCubeDelta writes the agreement cube of generation gen from the
// published generation prev, where the agreements of ids changed (see
// above). Rows of the agreements holding a candidate key come from gen
// (in_gen; in_prev unless the agreement changed) and from prev for the
// changed agreements (in_prev); each changed agreement adds a row of kind
// 'a' that carries its count and committed value. The ids are bound three
// times (see maxIncrementalBytes).
func agreementCubeDelta(gen, prev uint64, ids []string) rebuildStatement {
	regions := func(level int) string {
		arr, _ := regionArray(regionLevels[level], "", "region_codes")
		return regionsOrNone(arr)
	}
	const columns = `agreement_id, issues, signed_on, region_codes, committed_value, village_keys, partner_keys`
	const idList = `(SELECT arrayJoin(CAST(? AS Array(String))))`
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
		                   toInt64(uniqExactIf(agreement_id, kind = 'a' AND in_gen))
		                   - toInt64(uniqExactIf(agreement_id, kind = 'a' AND in_prev)) AS delta_agreements,
		                   toInt64(uniqExactIf(counted_key, kind = 'd' AND in_gen)) - toInt64(uniqExactIf(counted_key, kind = 'd' AND in_prev)) AS delta_desa,
		                   toInt64(uniqExactIf(counted_key, kind = 's' AND in_gen)) - toInt64(uniqExactIf(counted_key, kind = 's' AND in_prev)) AS delta_persiapan,
		                   toInt64(uniqExactIf(counted_key, kind = 'p' AND in_gen)) - toInt64(uniqExactIf(counted_key, kind = 'p' AND in_prev)) AS delta_partners,
		                   sumIf(assumeNotNull(committed_value), kind = 'a' AND in_gen AND isNotNull(committed_value))
		                   - sumIf(assumeNotNull(committed_value), kind = 'a' AND in_prev AND isNotNull(committed_value)) AS delta_committed
		            FROM (SELECT agreement_id, in_gen, in_prev, kind, counted_key, committed_value,
		                         arrayJoin([0, 2, 4]) AS level,
		                         arrayJoin(multiIf(level = 0, [''], level = 2, ` + regions(2) + `, ` + regions(4) + `)) AS region_code,
		                         ` + issueRows + ` AS issue,
		                         arrayJoin(['*', ` + periodDim("signed_on", cooperation.GrainYear) + `]) AS period
		                  FROM (SELECT agreement_id, in_gen, in_prev, issues, signed_on, region_codes, committed_value,
		                               tupleElement(agreement_key, 1) AS kind, tupleElement(agreement_key, 2) AS counted_key
		                        FROM (SELECT ` + columns + `, toUInt8(1) AS in_gen, agreement_id NOT IN ` + idList + ` AS in_prev
		                              FROM coop_agreements_current WHERE generation = ?
		                              UNION ALL
		                              SELECT ` + columns + `, toUInt8(0) AS in_gen, toUInt8(1) AS in_prev
		                              FROM coop_agreements_current WHERE generation = ? AND agreement_id IN ` + idList + `)
		                        ARRAY JOIN arrayConcat([('a', '')], ` + cubeKeys + `) AS agreement_key
		                        WHERE kind = 'a' AND NOT (in_gen AND in_prev)
		                           OR kind != 'a' AND (kind, counted_key) IN
		                              (SELECT tupleElement(candidate, 1), tupleElement(candidate, 2)
		                               FROM (SELECT arrayJoin(` + cubeKeys + `) AS candidate FROM coop_agreements_current
		                                     WHERE generation IN (?, ?) AND agreement_id IN ` + idList + `))))
		            WHERE kind IN ('a', 'p') OR level = 0 OR region_code != '' AND startsWith(counted_key, region_code)
		            GROUP BY level, region_code, issue, period)
		      GROUP BY level, region_code, issue, period)
		WHERE new_agreements > 0`, []any{gen, prev, ids, gen, prev, ids, gen, prev, ids}}
}
