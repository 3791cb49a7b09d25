package coopch

import (
	"strconv"
	"strings"

	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/region"
)

// The cubes (coop_agreement_cube, coop_realised_totals, coop_active_changes)
// answer cooperationStats questions without filters — the national and
// provincial dashboards — by reading their precomputed rows instead of
// every agreement. A question they cannot answer exactly (a filter, a finer
// region, another dimension) is answered from the snapshot as before; the
// answers are the same either way (tested in cube_test.go).

// regionLevels maps the cube levels (code lengths) to region levels.
var regionLevels = map[int]region.Level{2: region.LevelProvinsi, 4: region.LevelKabupatenKota}

// cubeShape is how a question maps onto a cube: the level its region
// dimension groups at (0 for none), and the column of each dimension.
type cubeShape struct {
	level   int
	columns []string
	issue   conds // which issue rows
}

// cubeShapeOf returns the shape of a question the cubes can answer, with
// period the cube's column for PERIOD, or false. The filter may name one
// issue (or several when issues are a dimension) and nothing else.
func cubeShapeOf(q cooperation.StatsQuery, dims []cooperation.Dimension, period string) (cubeShape, bool) {
	f := q.Filter
	if f.Region != "" || len(f.PartyTypes) > 0 || f.Partner != "" || len(f.Sectors) > 0 || len(f.Statuses) > 0 ||
		len(f.Fields) > 0 || !f.ActiveFrom.IsZero() || !f.SignedFrom.IsZero() {
		return cubeShape{}, false
	}
	var sh cubeShape
	byIssue := false
	for _, d := range dims {
		switch {
		case d.RegionLevel() != 0:
			n := codeLength(d.RegionLevel())
			if sh.level != 0 || regionLevels[n] == 0 {
				return cubeShape{}, false
			}
			sh.level = n
			sh.columns = append(sh.columns, "region_code")
		case d == cooperation.DimIssue:
			byIssue = true
			sh.columns = append(sh.columns, "issue")
		case d == cooperation.DimPeriod && q.Grain == cooperation.GrainYear:
			sh.columns = append(sh.columns, period)
		default:
			return cubeShape{}, false
		}
	}
	switch {
	case len(f.Issues) == 1:
		sh.issue.add("issue = ?", string(f.Issues[0]))
	case len(f.Issues) > 1 && byIssue:
		sh.issue.add("has(?, issue)", strs(f.Issues))
	case len(f.Issues) > 1:
		return cubeShape{}, false
	case byIssue:
		sh.issue.add("issue != '*'")
	default:
		sh.issue.add("issue = '*'")
	}
	return sh, true
}

// selectDims writes the dimension columns as d0, d1, … and returns their
// names.
func (sh cubeShape) selectDims(s *sqlText) string {
	names := make([]string, len(sh.columns))
	for i, c := range sh.columns {
		names[i] = "d" + strconv.Itoa(i)
		s.add(c + " AS " + names[i] + ", ")
	}
	return strings.Join(names, ", ")
}

// agreementCubeColumns are the agreement cube's column for each measure it
// holds.
var agreementCubeColumns = map[cooperation.Measure]string{
	cooperation.MeasureAgreements:       "agreements",
	cooperation.MeasureVillagesCovered:  "desa",
	cooperation.MeasurePersiapanCovered: "persiapan",
	cooperation.MeasurePartners:         "partners",
	cooperation.MeasureCommittedValue:   "committed",
	cooperation.MeasureActiveAgreements: "active",
}

// agreementCubeQuery is the statement answering an agreement-measure question
// from coop_agreement_cube, or nil when the cube cannot answer it. Agreements
// in force on AsOf come from the running counts of coop_active_changes, which
// are kept by issue only.
func agreementCubeQuery(q cooperation.StatsQuery, dims []cooperation.Dimension, measures []cooperation.Measure) *sqlText {
	sh, ok := cubeShapeOf(q, dims, "period")
	if !ok {
		return nil
	}
	active := false
	for _, m := range measures {
		if _, ok := agreementCubeColumns[m]; !ok {
			return nil
		}
		active = active || m == cooperation.MeasureActiveAgreements
	}
	byIssueOnly := sh.level == 0 && (len(sh.columns) == 0 || len(sh.columns) == 1 && sh.columns[0] == "issue")
	if active && !byIssueOnly {
		return nil
	}
	inner := &sqlText{}
	inner.add("SELECT region_code, issue, period, agreements, desa, persiapan, partners, committed FROM coop_agreement_cube"+
		" WHERE generation = "+current(AgreementCube)+" AND level = ? AND period "+periodCond(sh, "period")+" AND "+sh.issue.sql(),
		append([]any{uint8(sh.level)}, sh.issue.args...)...)
	s := &sqlText{}
	s.add("SELECT ")
	group := sh.selectDims(s)
	for i, m := range measures {
		if i > 0 {
			s.add(", ")
		}
		s.add("toFloat64(" + agreementCubeColumns[m] + ") AS m" + strconv.Itoa(i))
	}
	s.add(" FROM ("+inner.String()+") AS cube_rows", inner.args...)
	if active {
		s.add(" ANY LEFT JOIN (SELECT issue, sum(change) AS active FROM coop_active_changes WHERE generation = "+
			current(ActiveChanges)+" AND day <= toDate(?) GROUP BY issue) AS active_by_issue USING issue", day(q.AsOf))
	}
	return orderAndLimit(s, group)
}

// periodCond selects the cube's rows for the period: every signing year
// when PERIOD is a dimension, else the rows of all years ('*').
func periodCond(sh cubeShape, period string) string {
	for _, c := range sh.columns {
		if c == period {
			return "!= '*'"
		}
	}
	return "= '*'"
}

// realisedCubeQuery is the statement answering a realisation-measure
// question from coop_realised_totals, or nil when the cube cannot answer it.
// Its rows are per year, so they are summed over what is not grouped.
func realisedCubeQuery(q cooperation.StatsQuery, dims []cooperation.Dimension, measures []cooperation.Measure) *sqlText {
	sh, ok := cubeShapeOf(q, dims, "toString(year)")
	if !ok {
		return nil
	}
	s := &sqlText{}
	s.add("SELECT ")
	group := sh.selectDims(s)
	for i, m := range measures {
		if i > 0 {
			s.add(", ")
		}
		switch m {
		case cooperation.MeasureRealisedValue:
			s.add("toFloat64(sum(value)) AS m" + strconv.Itoa(i))
		case cooperation.MeasureBeneficiaries:
			s.add("toFloat64(sum(beneficiaries)) AS m" + strconv.Itoa(i))
		default:
			return nil
		}
	}
	s.add(" FROM coop_realised_totals WHERE generation = "+current(RealisedTotals)+" AND level = ? AND "+sh.issue.sql(),
		append([]any{uint8(sh.level)}, sh.issue.args...)...)
	if group != "" {
		s.add(" GROUP BY " + group)
	}
	return orderAndLimit(s, group)
}

func orderAndLimit(s *sqlText, group string) *sqlText {
	if group != "" {
		s.add(" ORDER BY " + group)
	}
	return s.add(" LIMIT ?", cooperation.MaxStatsRows+1)
}
