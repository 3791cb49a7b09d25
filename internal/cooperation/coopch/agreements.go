package coopch

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/keyset"
	"github.com/sinergi-id/sinergi/internal/region"
)

type agreementRow struct {
	ID              string           `ch:"agreement_id"`
	RunID           uint64           `ch:"run_id"`
	DocumentNumbers []string         `ch:"document_numbers"`
	Title           string           `ch:"title"`
	DocumentType    string           `ch:"document_type"`
	SignedOn        *time.Time       `ch:"signed_on"`
	SignedPlace     string           `ch:"signed_place"`
	StartsOn        *time.Time       `ch:"starts_on"`
	EndsOn          *time.Time       `ch:"ends_on"`
	Status          string           `ch:"status"`
	DeclaredIssues  []string         `ch:"declared_issues"`
	DerivedIssues   []string         `ch:"derived_issues"`
	Fields          []string         `ch:"fields"`
	CommittedValue  *decimal.Decimal `ch:"committed_value"`
	FundingSource   string           `ch:"funding_source"`
	SourceReference string           `ch:"source_reference"`
	RegionCodes     []string         `ch:"region_codes"`
	VillageKeys     []string         `ch:"village_keys"`
	PartnerKeys     []string         `ch:"partner_keys"`
	// Read with the agreement in the same statement (AgreementsByID).
	Realised      float64 `ch:"realised"`
	Beneficiaries uint64  `ch:"beneficiaries"`
}

const agreementColumns = `agreement_id, run_id, document_numbers, title, document_type, signed_on, signed_place,
	starts_on, ends_on, status, declared_issues, derived_issues, fields, committed_value, funding_source,
	source_reference, region_codes, village_keys, partner_keys`

func (r agreementRow) summary() cooperation.AgreementSummary {
	a := cooperation.Agreement{
		ID: r.ID, DocumentNumbers: r.DocumentNumbers, Title: r.Title,
		DocumentType: cooperation.DocumentType(r.DocumentType), SignedOn: deref(r.SignedOn),
		SignedPlace: r.SignedPlace, StartsOn: deref(r.StartsOn), EndsOn: deref(r.EndsOn),
		Status: cooperation.Status(r.Status), DeclaredIssues: enums[cooperation.Issue](r.DeclaredIssues),
		Fields: enums[cooperation.Field](r.Fields), CommittedValue: r.CommittedValue,
		FundingSource: r.FundingSource, SourceReference: r.SourceReference,
	}
	return cooperation.AgreementSummary{
		Agreement:      a,
		Classification: cooperation.Classification{Declared: a.DeclaredIssues, Derived: enums[cooperation.Issue](r.DerivedIssues)},
		RegionCodes:    enums[region.Code](r.RegionCodes),
		VillageKeys:    r.VillageKeys,
		PartnerCount:   len(r.PartnerKeys),
		LatestRunID:    r.RunID,
		RealisedValue:  r.Realised,
		Beneficiaries:  int(r.Beneficiaries),
	}
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func enums[T ~string](in []string) []T {
	out := make([]T, len(in))
	for i, v := range in {
		out[i] = T(v)
	}
	return out
}

// orderings maps each order to its sort key; agreement_id breaks ties so
// pages never overlap. Unknown dates and values come last in every order.
var orderings = map[cooperation.AgreementOrder][]clickhouse.KeyColumn{
	cooperation.OrderSignedDesc: {{Expr: clickhouse.DateDays("ifNull(signed_on, " + epoch + ")"), Desc: true, Kind: clickhouse.KeyUInt}, idKey},
	cooperation.OrderSignedAsc:  {{Expr: clickhouse.DateDays("ifNull(signed_on, " + afterAll + ")"), Kind: clickhouse.KeyUInt}, idKey},
	cooperation.OrderValueDesc:  {{Expr: "ifNull(committed_value, toDecimal64(-1, 2))", Desc: true, Kind: clickhouse.KeyDecimal2}, idKey},
	cooperation.OrderEndsAsc:    {endsKey, idKey},
	cooperation.OrderIDAsc:      {idKey},
}

var (
	idKey   = clickhouse.KeyColumn{Expr: "agreement_id", Kind: clickhouse.KeyText}
	endsKey = clickhouse.KeyColumn{Expr: clickhouse.DateDays("ifNull(ends_on, " + afterAll + ")"), Kind: clickhouse.KeyUInt}
)

// afterAll sorts after every date the register accepts (1950..2100).
const afterAll = "toDate('2105-12-31')"

// agreementList is where a filter's agreements are listed from: for a
// filter with a region, the region's rows of coop_agreements_by_region;
// else (or reading the snapshot only) every agreement of the snapshot.
func (s *Store) agreementList(f cooperation.Filter) (table string, c *conds) {
	if f.Region != "" && !s.snapshotOnly {
		return ByRegionTable, byRegionConds(f)
	}
	return AgreementsTable, agreementConds(f, true)
}

// Agreements returns the page of the agreements the filter selects that
// follows seek's key in order, and the counts around it.
func (s *Store) Agreements(ctx context.Context, f cooperation.Filter, order cooperation.AgreementOrder, seek keyset.Seek) ([]cooperation.AgreementSummary, keyset.Found, error) {
	cols, ok := orderings[order]
	if !ok {
		return nil, keyset.Found{}, fmt.Errorf("agreements: unknown order %q", order)
	}
	table, c := s.agreementList(f)
	return s.agreementPage(ctx, "agreements", table, c, cols, seek)
}

// agreementPage lists a page of agreement ids from table in the order of
// cols with the counts of the list (scalar subqueries of the same
// statement: one round trip), then reads the agreements. An empty page
// carries no counts: they are read then on their own.
func (s *Store) agreementPage(ctx context.Context, what, table string, c *conds, cols []clickhouse.KeyColumn, seek keyset.Seek) ([]cooperation.AgreementSummary, keyset.Found, error) {
	after, afterArgs, err := seekCond(cols, seek)
	if err != nil {
		return nil, keyset.Found{}, err
	}
	from := &sqlText{}
	from.add(" FROM "+table+" WHERE "+c.sql(), c.args...)
	q := &sqlText{}
	// Both counts from one scan of the list, as an array (a scalar
	// subquery returns one value).
	q.add("SELECT agreement_id, (SELECT [count(), countIf(NOT "+after+")]", afterArgs...)
	q.add(from.String()+") AS list_counts, ", from.args...)
	q.add(clickhouse.KeySelect(cols)+" FROM "+table+" WHERE "+c.sql(), c.args...)
	q.add(" AND "+after, afterArgs...)
	q.add(" ORDER BY "+clickhouse.KeyOrder(cols)+" LIMIT ?", seek.Limit+1)
	var ids []string
	var found keyset.Found
	var counts []uint64
	found.Keys, found.HasNext, err = s.keyedRows(ctx, what, q, cols, seek, func() []any {
		ids = append(ids, "")
		return []any{&ids[len(ids)-1], &counts}
	})
	if err != nil {
		return nil, keyset.Found{}, err
	}
	if len(counts) == 2 {
		found.TotalCount, found.HasPrevious = int(counts[0]), counts[1] > 0
	}
	if len(ids) == 0 {
		t, b, err := s.listCounts(ctx, what, from, after, afterArgs)
		if err != nil {
			return nil, keyset.Found{}, err
		}
		found.TotalCount, found.HasPrevious = t, b > 0
	}
	out, err := s.AgreementsByID(ctx, ids[:len(found.Keys)])
	if err != nil {
		return nil, keyset.Found{}, err
	}
	// A load published between the statements may have removed an
	// agreement listed: keep the keys of those read.
	if len(out) < len(found.Keys) {
		keys := make([][]string, 0, len(out))
		for i, j := 0, 0; i < len(ids) && j < len(out); i++ {
			if ids[i] == out[j].ID {
				keys = append(keys, found.Keys[i])
				j++
			}
		}
		found.Keys = keys
	}
	return out, found, nil
}

// AgreementsByID returns the current agreements with the given ids, in the
// order of ids (unknown ids are left out), each with its realised value and
// beneficiaries: joined in the same statement for up to joinedIDs ids (a
// page), read by a second statement for more (the statement names the ids
// twice when joined, and ClickHouse bounds a statement's text).
func (s *Store) AgreementsByID(ctx context.Context, ids []string) ([]cooperation.AgreementSummary, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	in, args := clickhouse.InList(ids)
	agreements := "SELECT " + agreementColumns + " FROM coop_agreements_current WHERE " + currentRows(AgreementsTable) +
		" AND agreement_id IN " + in
	q := agreements
	joined := len(ids) <= joinedIDs
	if joined {
		q = "SELECT " + agreementColumns + ", realised, beneficiaries FROM (" + agreements + ") AS agreements ANY LEFT JOIN (" +
			realisedSums(in) + ") AS sums USING agreement_id"
		args = slices.Concat(args, args)
	}
	var rows []agreementRow
	if err := s.db.Select(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("agreements by id: %w", err)
	}
	position := make(map[string]int, len(ids))
	for i, id := range ids {
		position[id] = i
	}
	slices.SortFunc(rows, func(a, b agreementRow) int { return position[a.ID] - position[b.ID] })
	out := make([]cooperation.AgreementSummary, len(rows))
	for i, r := range rows {
		out[i] = r.summary()
	}
	if joined {
		return out, nil
	}
	return s.withRealised(ctx, out)
}

// joinedIDs is the most ids AgreementsByID joins their realised sums for
// in one statement: a page (MaxPageSize) and more.
const joinedIDs = 1000

// realisedSums is the statement summing the realisations of the agreements
// whose ids are in the list in.
func realisedSums(in string) string {
	return "SELECT agreement_id, toFloat64(sum(value)) AS realised, sum(beneficiaries) AS beneficiaries FROM coop_realisations" +
		" WHERE " + currentRows(RealisationsTable) + " AND agreement_id IN " + in + " GROUP BY agreement_id"
}

// withRealised adds each agreement's realised value and beneficiaries.
func (s *Store) withRealised(ctx context.Context, out []cooperation.AgreementSummary) ([]cooperation.AgreementSummary, error) {
	ids := make([]string, len(out))
	byID := map[string]int{}
	for i, a := range out {
		ids[i] = a.ID
		byID[a.ID] = i
	}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := clickhouse.InList(ids)
	var sums []struct {
		ID            string  `ch:"agreement_id"`
		Realised      float64 `ch:"realised"`
		Beneficiaries uint64  `ch:"beneficiaries"`
	}
	if err := s.db.Select(ctx, &sums, realisedSums(in), args...); err != nil {
		return nil, fmt.Errorf("realised values: %w", err)
	}
	for _, sm := range sums {
		i := byID[sm.ID]
		out[i].RealisedValue, out[i].Beneficiaries = sm.Realised, int(sm.Beneficiaries)
	}
	return out, nil
}

// Expiring returns the page, after seek's key, of the agreements in force
// on asOf whose end falls within [asOf, until], soonest first.
func (s *Store) Expiring(ctx context.Context, f cooperation.Filter, asOf, until time.Time, seek keyset.Seek) ([]cooperation.AgreementSummary, keyset.Found, error) {
	table, c := s.agreementList(f)
	c.add(activeOn, day(asOf), day(asOf))
	c.add("ends_on <= toDate(?)", day(until))
	return s.agreementPage(ctx, "expiring agreements", table, c, orderings[cooperation.OrderEndsAsc], seek)
}

// Parties returns the current parties of the given agreements.
func (s *Store) Parties(ctx context.Context, ids []string) ([]cooperation.Party, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	in, args := clickhouse.InList(ids)
	q := "SELECT agreement_id, party_type, name, region_code, sector, role, body_id FROM coop_parties WHERE " +
		currentRows(PartiesTable) + " AND agreement_id IN " + in + " ORDER BY agreement_id, party_type, name"
	var rows []struct {
		ID     string `ch:"agreement_id"`
		Type   string `ch:"party_type"`
		Name   string `ch:"name"`
		Region string `ch:"region_code"`
		Sector string `ch:"sector"`
		Role   string `ch:"role"`
		BodyID string `ch:"body_id"`
	}
	if err := s.db.Select(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("parties: %w", err)
	}
	out := make([]cooperation.Party, len(rows))
	for i, r := range rows {
		out[i] = cooperation.Party{AgreementID: r.ID, Type: cooperation.PartyType(r.Type), Name: r.Name,
			Region: region.Code(r.Region), Sector: cooperation.Sector(r.Sector), Role: r.Role, BodyID: r.BodyID}
	}
	return out, nil
}

// Realisations returns the current realisations of the given agreements.
func (s *Store) Realisations(ctx context.Context, ids []string) ([]cooperation.Realisation, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	in, args := clickhouse.InList(ids)
	q := "SELECT agreement_id, village_code, month, value, beneficiaries, outputs FROM coop_realisations WHERE " +
		currentRows(RealisationsTable) + " AND agreement_id IN " + in + " ORDER BY agreement_id, month, village_code"
	var rows []struct {
		ID            string          `ch:"agreement_id"`
		Village       string          `ch:"village_code"`
		Month         time.Time       `ch:"month"`
		Value         decimal.Decimal `ch:"value"`
		Beneficiaries uint32          `ch:"beneficiaries"`
		Outputs       string          `ch:"outputs"`
	}
	if err := s.db.Select(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("realisations: %w", err)
	}
	out := make([]cooperation.Realisation, len(rows))
	for i, r := range rows {
		out[i] = cooperation.Realisation{AgreementID: r.ID, Village: region.Code(r.Village), Month: r.Month.UTC(),
			Value: r.Value, Beneficiaries: int(r.Beneficiaries), Outputs: r.Outputs}
	}
	return out, nil
}
