package coopch

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/region"
)

// Stats answers cooperationStats. Measures counted over agreements group by
// the agreements' regions, issues, … and signing month; realisation measures
// group by the realised village and month. The two are queried separately
// and merged on the dimension values.
func (s *Store) Stats(ctx context.Context, q cooperation.StatsQuery) (cooperation.StatsResult, error) {
	agreementMeasures, realisationMeasures := splitMeasures(q.Measures)
	// Up to four independent statements (rows and totals, of agreements and
	// of realisations): run them side by side, merge in a fixed order.
	var parts []*statsPart
	if len(agreementMeasures) > 0 {
		parts = append(parts, &statsPart{measures: agreementMeasures, cube: agreementCubeQuery, snapshot: agreementStatsSQL})
	}
	if len(realisationMeasures) > 0 {
		parts = append(parts, &statsPart{measures: realisationMeasures, cube: realisedCubeQuery, snapshot: realisationStatsSQL})
	}
	g, gctx := errgroup.WithContext(ctx)
	for _, p := range parts {
		g.Go(func() (err error) {
			p.grouped, err = s.groups(gctx, s.statsSQL(p, q, q.Dimensions), len(q.Dimensions), len(p.measures))
			return err
		})
		g.Go(func() (err error) {
			p.total, err = s.groups(gctx, s.statsSQL(p, q, nil), 0, len(p.measures))
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return cooperation.StatsResult{}, err
	}
	return assembleStats(q.Measures, parts)
}

// splitMeasures separates the measures counted over agreements from those
// summed over realisations, each in the order asked.
func splitMeasures(measures []cooperation.Measure) (agreementMeasures, realisationMeasures []cooperation.Measure) {
	for _, m := range measures {
		if m.FromRealisations() {
			realisationMeasures = append(realisationMeasures, m)
		} else {
			agreementMeasures = append(agreementMeasures, m)
		}
	}
	return agreementMeasures, realisationMeasures
}

// statsBuilder writes a Stats statement for some dimensions and measures.
type statsBuilder func(cooperation.StatsQuery, []cooperation.Dimension, []cooperation.Measure) *sqlText

// statsPart is the measures of one kind (over agreements, or over
// realisations) of a Stats question, and their groups and totals.
type statsPart struct {
	measures []cooperation.Measure
	cube     statsBuilder // returns nil when the cube cannot answer
	snapshot statsBuilder
	grouped  []groupRow
	total    []groupRow
}

// statsSQL is part's statement for dims: from the cube when it can answer.
func (s *Store) statsSQL(p *statsPart, q cooperation.StatsQuery, dims []cooperation.Dimension) *sqlText {
	if !s.snapshotOnly {
		if c := p.cube(q, dims, p.measures); c != nil {
			return c
		}
	}
	return p.snapshot(q, dims, p.measures)
}

// assembleStats makes the answer of the parts' groups and totals: the rows
// of every measure in the order asked, sorted by their keys.
func assembleStats(measures []cooperation.Measure, parts []*statsPart) (cooperation.StatsResult, error) {
	out := cooperation.StatsResult{Totals: make([]float64, len(measures))}
	if len(parts) == 1 {
		// One statement holds every measure, in the order asked: its groups
		// are the rows.
		p := parts[0]
		out.Rows = make([]cooperation.StatsRow, len(p.grouped))
		for i, g := range p.grouped {
			out.Rows[i] = cooperation.StatsRow{Keys: g.keys, Values: g.values}
		}
		if len(p.total) == 1 {
			out.Totals = p.total[0].values
		}
	} else if len(parts) == 2 {
		out.Rows = mergeGroups(measures, out.Totals, parts[0].measures, parts[0].grouped, parts[0].total,
			parts[1].measures, parts[1].grouped, parts[1].total)
	}
	if len(out.Rows) > cooperation.MaxStatsRows {
		return cooperation.StatsResult{}, cooperation.ErrTooManyGroups
	}
	sortRows(out.Rows)
	return out, nil
}

// mergeGroups joins the groups of agreement measures and of realisation
// measures on their keys (a group may have only one kind), placing every
// value at its measure's position in all; totals are filled in likewise.
func mergeGroups(all []cooperation.Measure, totals []float64,
	aMeasures []cooperation.Measure, aGroups, aTotal []groupRow,
	bMeasures []cooperation.Measure, bGroups, bTotal []groupRow) []cooperation.StatsRow {
	rows := map[string]*cooperation.StatsRow{}
	var order []string
	add := func(measures []cooperation.Measure, grouped, total []groupRow) {
		for _, g := range grouped {
			key := strings.Join(g.keys, "\x00")
			r, ok := rows[key]
			if !ok {
				r = &cooperation.StatsRow{Keys: g.keys, Values: make([]float64, len(all))}
				rows[key] = r
				order = append(order, key)
			}
			for i, m := range measures {
				r.Values[indexOf(all, m)] = g.values[i]
			}
		}
		if len(total) == 1 {
			for i, m := range measures {
				totals[indexOf(all, m)] = total[0].values[i]
			}
		}
	}
	add(aMeasures, aGroups, aTotal)
	add(bMeasures, bGroups, bTotal)
	out := make([]cooperation.StatsRow, 0, len(order))
	for _, k := range order {
		out = append(out, *rows[k])
	}
	return out
}

func indexOf[T comparable](list []T, v T) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return -1
}

type groupRow struct {
	keys   []string
	values []float64
}

// groups runs a stats statement whose columns are the dimension keys
// (strings) then the measures (Float64).
func (s *Store) groups(ctx context.Context, q *sqlText, dims, measures int) ([]groupRow, error) {
	rows, err := s.db.Query(ctx, q.String(), q.args...)
	if err != nil {
		return nil, fmt.Errorf("cooperation stats: %w", err)
	}
	defer rows.Close()
	var out []groupRow
	// Keys and values live in blocks shared by many groups: two
	// allocations per block instead of three per group.
	const block = 1024
	var keys []string
	var values []float64
	dest := make([]any, dims+measures)
	for rows.Next() {
		if len(keys) < dims || len(values) < measures {
			keys, values = make([]string, block*dims), make([]float64, block*measures)
		}
		g := groupRow{keys: keys[:dims:dims], values: values[:measures:measures]}
		keys, values = keys[dims:], values[measures:]
		for i := range g.keys {
			dest[i] = &g.keys[i]
		}
		for i := range g.values {
			dest[dims+i] = &g.values[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("cooperation stats: %w", err)
		}
		out = append(out, g)
		if len(out) > cooperation.MaxStatsRows {
			return nil, cooperation.ErrTooManyGroups
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cooperation stats: %w", err)
	}
	return out, nil
}

// regionArray is the distinct codes at level of an agreement's regions,
// kept within the filter's region.
func regionArray(level region.Level, within region.Code, codes string) (string, []any) {
	n := strconv.Itoa(codeLength(level))
	expr := "arrayDistinct(arrayMap(code -> substring(code, 1, " + n + "), arrayFilter(code -> length(code) >= " + n
	if within != "" {
		return expr + " AND startsWith(code, ?), " + codes + ")))", []any{string(within)}
	}
	return expr + ", " + codes + ")))", nil
}

func codeLength(l region.Level) int {
	switch l {
	case region.LevelProvinsi:
		return 2
	case region.LevelKabupatenKota:
		return 4
	case region.LevelKecamatan:
		return 6
	}
	return 10
}

// listDim explodes an array column, keeping only the filter's values when
// it has some, and naming empty arrays with placeholder.
func listDim[T ~string](column string, only []T, placeholder string) (string, []any) {
	if len(only) == 0 {
		return orPlaceholder(column, nil, placeholder)
	}
	return orPlaceholder("arrayFilter(x -> has(?, x), "+column+")", []any{strs(only)}, placeholder)
}

// orPlaceholder explodes an array expression, naming an empty array with
// placeholder. The expression appears twice, so its values are bound twice.
func orPlaceholder(arr string, args []any, placeholder string) (string, []any) {
	return "arrayJoin(if(empty(" + arr + "), ['" + placeholder + "'], " + arr + "))", append(slices.Clone(args), args...)
}

// periodDim buckets a date column by grain as text: 2025-08, 2025-Q3, 2025.
func periodDim(column string, grain cooperation.TimeGrain) string {
	switch grain {
	case cooperation.GrainMonth:
		return "ifNull(substring(toString(toStartOfMonth(" + column + ")), 1, 7), '')"
	case cooperation.GrainQuarter:
		return "ifNull(concat(toString(toYear(" + column + ")), '-Q', toString(toQuarter(" + column + "))), '')"
	}
	return "ifNull(toString(toYear(" + column + ")), '')"
}

// dimensionExpr is the grouping expression of a dimension over agreement
// columns; dateColumn and villageColumn differ between the two grains.
func dimensionExpr(d cooperation.Dimension, q cooperation.StatsQuery, realisation bool) (string, []any) {
	f := q.Filter
	if lvl := d.RegionLevel(); lvl != 0 {
		if realisation {
			n := strconv.Itoa(codeLength(lvl))
			return "substring(village_code, 1, " + n + ")", nil
		}
		return regionArrayJoin(lvl, f.Region)
	}
	switch d {
	case cooperation.DimIssue:
		return listDim("issues", f.Issues, "NONE")
	case cooperation.DimPartyType:
		return listDim("party_types", f.PartyTypes, "NONE")
	case cooperation.DimPartnerSector:
		return listDim("partner_sectors", f.Sectors, "NONE")
	case cooperation.DimField:
		return listDim("fields", f.Fields, "NONE")
	case cooperation.DimStatus:
		return "status", nil
	case cooperation.DimPeriod:
		if realisation {
			return periodDim("month", q.Grain), nil
		}
		return periodDim("signed_on", q.Grain), nil
	}
	panic("coopch: unknown dimension " + string(d))
}

// regionArrayJoin explodes an agreement's regions at lvl; an agreement with
// none at that level (a provincial agreement at KABUPATEN_KOTA) falls in the
// "" group, as realisations without a village do, so that rows account for
// every agreement the totals count.
func regionArrayJoin(lvl region.Level, within region.Code) (string, []any) {
	arr, args := regionArray(lvl, within, "region_codes")
	return orPlaceholder(arr, args, "")
}

func dimColumns(s *sqlText, q cooperation.StatsQuery, dims []cooperation.Dimension, realisation bool) string {
	var names []string
	for i, d := range dims {
		expr, args := dimensionExpr(d, q, realisation)
		name := "d" + strconv.Itoa(i)
		s.add(expr+" AS "+name+", ", args...)
		names = append(names, name)
	}
	return strings.Join(names, ", ")
}

// regionDimName is the alias of the finest region dimension, "" for none.
func regionDimName(dims []cooperation.Dimension) string {
	best, name := 0, ""
	for i, d := range dims {
		if l := int(d.RegionLevel()); l > best {
			best, name = l, "d"+strconv.Itoa(i)
		}
	}
	return name
}

// dimName is the alias of dimension d, "" when it is not asked for.
func dimName(dims []cooperation.Dimension, d cooperation.Dimension) string {
	if i := indexOf(dims, d); i >= 0 {
		return "d" + strconv.Itoa(i)
	}
	return ""
}

// notPartners are the party types that are never partners.
var notPartners = []string{string(cooperation.PartyDesa), string(cooperation.PartyDesaPersiapan),
	string(cooperation.PartyBKAD), string(cooperation.PartyBUMDesa)}

// partnersByKind lists each agreement's partners as "TYPE|SECTOR|key"
// (SECTOR is NONE when the register gives none), so that PARTNERS can count,
// in a PARTY_TYPE or PARTNER_SECTOR group, only the partners of that type or
// sector. It binds notPartners.
func partnersByKind() string {
	return `(SELECT agreement_id,
		groupUniqArray(concat(party_type, '|', if(sector = '', 'NONE', sector), '|', partner_key)) AS typed_partners
	FROM coop_parties WHERE ` + currentRows(PartiesTable) + ` AND NOT has(?, party_type) GROUP BY agreement_id)`
}

// agreementStatsSQL groups agreements. The inner query explodes each
// agreement into its dimension values (arrayJoin); the outer one aggregates
// over plain columns, so measures can refer to the row's region.
func agreementStatsSQL(q cooperation.StatsQuery, dims []cooperation.Dimension, measures []cooperation.Measure) *sqlText {
	inner := &sqlText{}
	inner.add("SELECT ")
	group := dimColumns(inner, q, dims, false)
	c := agreementConds(q.Filter, true)
	inner.add("agreement_id, status, signed_on, starts_on, ends_on, village_keys, partner_keys, committed_value"+
		" FROM coop_agreements_current WHERE "+c.sql(), c.args...)

	// Villages count within the row's region (none in the "" group) and
	// within the filter's: a row of a coarser region than the filter counts
	// only what lies in the filter's region, as the totals do.
	villageScope, scopeArgs := "1", []any(nil)
	if q.Filter.Region != "" {
		villageScope, scopeArgs = "startsWith(v, ?)", []any{string(q.Filter.Region)}
	}
	if name := regionDimName(dims); name != "" {
		villageScope += " AND " + name + " != '' AND startsWith(v, " + name + ")"
	}
	// In a party type or sector group, only the partners of that type or
	// sector count.
	typeDim, sectorDim := dimName(dims, cooperation.DimPartyType), dimName(dims, cooperation.DimPartnerSector)
	typedPartners := (typeDim != "" || sectorDim != "") && slices.Contains(measures, cooperation.MeasurePartners)
	s := selectMeasures(group, measures, func(m cooperation.Measure) (string, []any) {
		switch m {
		case cooperation.MeasureAgreements:
			return "toFloat64(uniqExact(agreement_id))", nil
		case cooperation.MeasureActiveAgreements:
			return "toFloat64(uniqExactIf(agreement_id, " + activeOn + "))", []any{day(q.AsOf), day(q.AsOf)}
		case cooperation.MeasureVillagesCovered:
			return "toFloat64(length(groupUniqArrayArray(arrayFilter(v -> position(v, ':') = 0 AND " +
				villageScope + ", village_keys))))", scopeArgs
		case cooperation.MeasurePersiapanCovered:
			return "toFloat64(length(groupUniqArrayArray(arrayFilter(v -> position(v, ':') > 0 AND " +
				villageScope + ", village_keys))))", scopeArgs
		case cooperation.MeasurePartners:
			if !typedPartners {
				return "toFloat64(length(groupUniqArrayArray(partner_keys)))", nil
			}
			var match []string
			if typeDim != "" {
				match = append(match, "splitByChar('|', p)[1] = "+typeDim)
			}
			if sectorDim != "" {
				match = append(match, "splitByChar('|', p)[2] = "+sectorDim)
			}
			return "toFloat64(length(groupUniqArrayArray(arrayMap(p -> splitByChar('|', p)[3], arrayFilter(p -> " +
				strings.Join(match, " AND ") + ", typed_partners)))))", nil
		case cooperation.MeasureCommittedValue:
			return committedSum, nil
		}
		panic("coopch: not an agreement measure: " + string(m))
	})
	s.add(" FROM ("+inner.String()+") AS exploded", inner.args...)
	if typedPartners {
		s.add(" ANY LEFT JOIN "+partnersByKind()+" AS typed USING agreement_id", notPartners)
	}
	return groupAndLimit(s, group)
}

// realisationStatsSQL groups realisations by their village and month and
// by their agreement's attributes.
func realisationStatsSQL(q cooperation.StatsQuery, dims []cooperation.Dimension, measures []cooperation.Measure) *sqlText {
	r := &conds{}
	// Years are enough unless months are asked for (a period by month or
	// quarter, or an active period that cuts a year): then the monthly rows.
	source := "SELECT agreement_id, village_code, month, value, beneficiaries FROM coop_realisations"
	r.add(currentRows(RealisationsTable))
	if yearly(q, dims) {
		source = "SELECT agreement_id, village_code, toDate(concat(toString(year), '-01-01')) AS month, value, beneficiaries" +
			" FROM coop_realised_yearly"
		r = &conds{}
		r.add(currentRows(YearlyTable))
	}
	if q.Filter.Region != "" {
		r.add("village_code LIKE ?", string(q.Filter.Region)+"%")
	}
	if !q.Filter.ActiveFrom.IsZero() {
		r.add("toStartOfMonth(month) >= toStartOfMonth(toDate(?)) AND month <= toDate(?)", day(q.Filter.ActiveFrom), day(q.Filter.ActiveTo))
	}
	a := agreementConds(q.Filter, false)
	inner := &sqlText{}
	inner.add("SELECT ")
	group := dimColumns(inner, q, dims, true)
	inner.add("value, beneficiaries FROM ("+source+" WHERE "+r.sql()+")", r.args...)
	inner.add(" AS realised ALL INNER JOIN (SELECT agreement_id, issues, party_types, partner_sectors, fields, status"+
		" FROM coop_agreements_current WHERE "+a.sql()+") AS agreements USING agreement_id", a.args...)

	s := selectMeasures(group, measures, func(m cooperation.Measure) (string, []any) {
		switch m {
		case cooperation.MeasureRealisedValue:
			return "toFloat64(sum(value))", nil
		case cooperation.MeasureBeneficiaries:
			return "toFloat64(sum(beneficiaries))", nil
		}
		panic("coopch: not a realisation measure: " + string(m))
	})
	s.add(" FROM ("+inner.String()+")", inner.args...)
	return groupAndLimit(s, group)
}

// selectMeasures starts the outer SELECT: the dimension columns, then
// each measure's expression as m0, m1, ….
func selectMeasures(group string, measures []cooperation.Measure, expr func(cooperation.Measure) (string, []any)) *sqlText {
	s := &sqlText{}
	s.add("SELECT ")
	if group != "" {
		s.add(group + ", ")
	}
	for i, m := range measures {
		if i > 0 {
			s.add(", ")
		}
		e, args := expr(m)
		s.add(e+" AS m"+strconv.Itoa(i), args...)
	}
	return s
}

// yearly reports whether the yearly rollup answers a realisation query:
// no month or quarter is asked for, and the active period, if any, is whole
// years.
func yearly(q cooperation.StatsQuery, dims []cooperation.Dimension) bool {
	for _, d := range dims {
		if d == cooperation.DimPeriod && q.Grain != cooperation.GrainYear {
			return false
		}
	}
	if q.Filter.ActiveFrom.IsZero() {
		return true
	}
	from, to := q.Filter.ActiveFrom, q.Filter.ActiveTo
	return from.Month() == time.January && from.Day() == 1 && to.Month() == time.December && to.Day() == 31
}

func groupAndLimit(s *sqlText, group string) *sqlText {
	if group != "" {
		s.add(" GROUP BY " + group)
	}
	return orderAndLimit(s, group)
}

// sortRows orders rows by their keys, so merged answers are deterministic.
// Rows already in order (the warm rollups keep their groups sorted, see
// LoadWarm) are only checked, in one pass, not sorted again.
func sortRows(rows []cooperation.StatsRow) {
	byKeys := func(a, b cooperation.StatsRow) int { return slices.Compare(a.Keys, b.Keys) }
	if !slices.IsSortedFunc(rows, byKeys) {
		slices.SortFunc(rows, byKeys)
	}
}

// sortGroups orders groups by their keys, as sortRows orders the rows.
func sortGroups(groups []groupRow) {
	slices.SortFunc(groups, func(a, b groupRow) int { return slices.Compare(a.keys, b.keys) })
}
