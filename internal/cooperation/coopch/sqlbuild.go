package coopch

import (
	"slices"
	"strings"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/cooperation"
)

// sqlText assembles a statement from fragments written in this package and
// the values bound to its placeholders, kept in order. Nothing a user sends
// is ever written into the text: identifiers come from the whitelists here,
// values go through args.
type sqlText struct {
	b    strings.Builder
	args []any
}

// add writes a fragment and the values of its placeholders.
func (s *sqlText) add(fragment string, args ...any) *sqlText {
	if strings.Count(fragment, "?") != len(args) {
		panic("coopch: placeholder count mismatch in " + fragment)
	}
	s.b.WriteString(fragment)
	s.args = append(s.args, args...)
	return s
}

func (s *sqlText) String() string { return s.b.String() }

// conds is a list of conditions joined with AND.
type conds struct {
	parts []string
	args  []any
}

func (c *conds) add(cond string, args ...any) {
	if strings.Count(cond, "?") != len(args) {
		panic("coopch: placeholder count mismatch in " + cond)
	}
	c.parts = append(c.parts, cond)
	c.args = append(c.args, args...)
}

func (c *conds) sql() string {
	if len(c.parts) == 0 {
		return "1"
	}
	return "(" + strings.Join(c.parts, ") AND (") + ")"
}

func current(table string) string { return clickhouse.CurrentGeneration(table) }

// Base + delta generations. The per-agreement snapshot tables
// (sharedTables) are published either whole or as a delta: the rows of
// only the agreements changed since a whole base generation (listed in
// coop_changed_agreements, withdrawn ones too), which shares the rows of
// every other agreement with its base. So an incremental publish writes
// what changed, not the nation. Every read of these tables selects a
// generation's rows with rowsOf: ONE condition for both kinds, since a
// whole generation's base is 0 and it lists no changed agreements.

// sharedTables are the per-agreement snapshot tables published as base +
// delta.
var sharedTables = []string{AgreementsTable, PartiesTable, RealisationsTable, YearlyTable, ByRegionTable}

// rowsOf is the condition selecting generation gen's rows of a shared
// table whose base is base (both SQL expressions): the base's rows of the
// agreements gen did not change, and gen's own. (GLOBAL: in a cluster
// the list is read once, on the server asked, and sent with the query to
// the shards of a sharded table, whose servers would look for the table
// in their default database; on one server it is a plain NOT IN. The
// partition key prunes every other generation, also of the OR.)
func rowsOf(gen, base string) string {
	return "((generation = " + base + " AND agreement_id GLOBAL NOT IN (SELECT agreement_id FROM " + ChangedAgreements +
		" WHERE generation = " + gen + ")) OR generation = " + gen + ")"
}

// currentRows selects the rows of the published generation of a shared
// table (pinned as current is). A pinned read of a whole generation sends
// `generation = current` instead (clickhouse.SharedRows): rowsOf would read
// agreement_id and evaluate its NOT IN for every row of it.
func currentRows(table string) string {
	return clickhouse.SharedRows(table, rowsOf(current(table), clickhouse.CurrentBase(table)))
}

// generationRows is one generation of the shared tables as a rebuild reads
// it: gen, a delta of base, or whole (base 0).
type generationRows struct{ gen, base uint64 }

// cond is the condition selecting its rows, bound to args.
func (g generationRows) cond() (string, []any) {
	if g.base == 0 {
		return "generation = ?", []any{g.gen}
	}
	return rowsOf("?", "?"), []any{g.base, g.gen, g.gen}
}

// baseOrSelf is the whole generation a delta built on g shares rows with.
func (g generationRows) baseOrSelf() uint64 {
	if g.base == 0 {
		return g.gen
	}
	return g.base
}

// epoch stands for an unknown start: such an agreement counts as started.
const epoch = "toDate('1970-01-01')"

// activeBetween is true for agreements in force at some time in [from, to]:
// not drafts or terminated, started by to, not ended before from.
const activeBetween = `status IN ('ACTIVE', 'EXPIRED')
	AND ifNull(ifNull(starts_on, signed_on), ` + epoch + `) <= toDate(?)
	AND (ends_on IS NULL OR ends_on >= toDate(?))`

// activeOn is true for agreements in force on a day.
const activeOn = `status = 'ACTIVE' AND ifNull(ifNull(starts_on, signed_on), ` + epoch + `) <= toDate(?)
	AND (ends_on IS NULL OR ends_on >= toDate(?))`

// day binds a calendar day. Dates are bound as text inside toDate(?):
// a bound time.Time arrives as a DateTime, which ClickHouse 18.16 does not
// compare correctly with a Date column.
func day(t time.Time) string { return t.Format(time.DateOnly) }

// agreementConds are the filter's conditions on coop_agreements_current
// columns. withRegion is false where the caller applies the region itself.
func agreementConds(f cooperation.Filter, withRegion bool) *conds {
	c := &conds{}
	c.add(currentRows(AgreementsTable))
	if withRegion && f.Region != "" {
		c.add("arrayExists(code -> startsWith(code, ?), region_codes)", string(f.Region))
	}
	addFilterConds(c, f)
	return c
}

// byRegionConds are the filter's conditions on coop_agreements_by_region,
// for a filter with a region: the region's rows, found through the primary
// key, hold every agreement that lies in it once.
func byRegionConds(f cooperation.Filter) *conds {
	c := &conds{}
	c.add(currentRows(ByRegionTable))
	c.add("region_code = ?", string(f.Region))
	addFilterConds(c, f)
	return c
}

// addFilterConds adds the filter's conditions other than its region, on
// columns both tables have.
func addFilterConds(c *conds, f cooperation.Filter) {
	if len(f.Issues) > 0 {
		c.add("hasAny(issues, ?)", strs(f.Issues))
	}
	if len(f.PartyTypes) > 0 {
		c.add("hasAny(party_types, ?)", strs(f.PartyTypes))
	}
	if f.Partner != "" {
		c.add("has(partner_keys, ?)", f.Partner)
	}
	if len(f.Sectors) > 0 {
		c.add("hasAny(partner_sectors, ?)", strs(f.Sectors))
	}
	if len(f.Statuses) > 0 {
		c.add("has(?, status)", strs(f.Statuses))
	}
	if len(f.Fields) > 0 {
		c.add("hasAny(fields, ?)", strs(f.Fields))
	}
	if !f.ActiveFrom.IsZero() {
		c.add(activeBetween, day(f.ActiveTo), day(f.ActiveFrom))
	}
	if !f.SignedFrom.IsZero() {
		c.add("signed_on >= toDate(?) AND signed_on <= toDate(?)", day(f.SignedFrom), day(f.SignedTo))
	}
}

// committedSum adds up committed values, leaving out agreements whose value
// the register does not know.
const committedSum = "toFloat64(sumIf(assumeNotNull(committed_value), isNotNull(committed_value)))"

// PublishedRows is the condition selecting the rows of the published
// generation of a cooperation snapshot table, for code that reads the
// tables directly (tests, tools): through rowsOf for a shared table, by
// its generation for the others.
func PublishedRows(table string) string {
	if slices.Contains(sharedTables, table) {
		return currentRows(table)
	}
	return "generation = " + current(table)
}
