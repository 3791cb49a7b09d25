package coopch

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/sync/errgroup"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/cooperation"
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

// orderings maps each order to its ORDER BY; agreement_id breaks ties so
// pages never overlap. Unknown dates and values come last in every order.
var orderings = map[cooperation.AgreementOrder]string{
	cooperation.OrderSignedDesc: "ifNull(signed_on, " + epoch + ") DESC, agreement_id",
	cooperation.OrderSignedAsc:  "ifNull(signed_on, " + afterAll + "), agreement_id",
	cooperation.OrderValueDesc:  committedOrder + " DESC, agreement_id",
	cooperation.OrderEndsAsc:    "ifNull(ends_on, " + afterAll + "), agreement_id",
	cooperation.OrderIDAsc:      "agreement_id",
}

const committedOrder = "ifNull(toFloat64(committed_value), -1)"

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

// Agreements returns one page of the agreements the filter selects, and how
// many it selects in all.
func (s *Store) Agreements(ctx context.Context, f cooperation.Filter, order cooperation.AgreementOrder, offset, limit int) ([]cooperation.AgreementSummary, int, error) {
	by, ok := orderings[order]
	if !ok {
		return nil, 0, fmt.Errorf("agreements: unknown order %q", order)
	}
	table, c := s.agreementList(f)
	q := &sqlText{}
	q.add("SELECT agreement_id FROM "+table+" WHERE "+c.sql(), c.args...)
	q.add(" ORDER BY "+by+" LIMIT ?, ?", offset, limit)
	// The page and the count read the same rows: run them side by side.
	var ids []string
	var total uint64
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		ids, err = s.agreementIDs(gctx, q)
		return err
	})
	g.Go(func() error {
		if err := s.db.QueryRow(gctx, "SELECT count() FROM "+table+" WHERE "+c.sql(), c.args, &total); err != nil {
			return fmt.Errorf("agreements count: %w", err)
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return nil, 0, err
	}
	out, err := s.AgreementsByID(ctx, ids)
	return out, int(total), err
}

// agreementIDs runs a statement listing agreement ids.
func (s *Store) agreementIDs(ctx context.Context, q *sqlText) ([]string, error) {
	var rows []struct {
		ID string `ch:"agreement_id"`
	}
	if err := s.db.Select(ctx, &rows, q.String(), q.args...); err != nil {
		return nil, fmt.Errorf("agreements: %w", err)
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids, nil
}

// AgreementsByID returns the current agreements with the given ids, in the
// order of ids (unknown ids are left out).
func (s *Store) AgreementsByID(ctx context.Context, ids []string) ([]cooperation.AgreementSummary, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	in, args := clickhouse.InList(ids)
	q := "SELECT " + agreementColumns + " FROM coop_agreements_current WHERE generation = " + current(AgreementsTable) +
		" AND agreement_id IN " + in
	var rows []agreementRow
	if err := s.db.Select(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("agreements by id: %w", err)
	}
	position := make(map[string]int, len(ids))
	for i, id := range ids {
		position[id] = i
	}
	slices.SortFunc(rows, func(a, b agreementRow) int { return position[a.ID] - position[b.ID] })
	return s.withRealised(ctx, rows)
}

// Expiring returns agreements in force on asOf whose end falls within
// [asOf, until], soonest first.
func (s *Store) Expiring(ctx context.Context, f cooperation.Filter, asOf, until time.Time, limit int) ([]cooperation.AgreementSummary, error) {
	table, c := s.agreementList(f)
	c.add(activeOn, day(asOf), day(asOf))
	c.add("ends_on <= toDate(?)", day(until))
	q := &sqlText{}
	q.add("SELECT agreement_id FROM "+table+" WHERE "+c.sql(), c.args...)
	q.add(" ORDER BY ends_on, agreement_id LIMIT ?", limit)
	ids, err := s.agreementIDs(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("expiring %w", err)
	}
	return s.AgreementsByID(ctx, ids)
}

// withRealised adds each agreement's realised value and beneficiaries.
func (s *Store) withRealised(ctx context.Context, rows []agreementRow) ([]cooperation.AgreementSummary, error) {
	out := make([]cooperation.AgreementSummary, len(rows))
	ids := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.summary()
		ids[i] = r.ID
	}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := clickhouse.InList(ids)
	q := "SELECT agreement_id, toFloat64(sum(value)) AS realised, sum(beneficiaries) AS beneficiaries FROM coop_realisations" +
		" WHERE generation = " + current(RealisationsTable) + " AND agreement_id IN " + in + " GROUP BY agreement_id"
	var sums []struct {
		ID            string  `ch:"agreement_id"`
		Realised      float64 `ch:"realised"`
		Beneficiaries uint64  `ch:"beneficiaries"`
	}
	if err := s.db.Select(ctx, &sums, q, args...); err != nil {
		return nil, fmt.Errorf("realised values: %w", err)
	}
	byID := map[string]int{}
	for i, id := range ids {
		byID[id] = i
	}
	for _, sm := range sums {
		i := byID[sm.ID]
		out[i].RealisedValue, out[i].Beneficiaries = sm.Realised, int(sm.Beneficiaries)
	}
	return out, nil
}

// Parties returns the current parties of the given agreements.
func (s *Store) Parties(ctx context.Context, ids []string) ([]cooperation.Party, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	in, args := clickhouse.InList(ids)
	q := "SELECT agreement_id, party_type, name, region_code, sector, role, body_id FROM coop_parties WHERE generation = " +
		current(PartiesTable) + " AND agreement_id IN " + in + " ORDER BY agreement_id, party_type, name"
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
	q := "SELECT agreement_id, village_code, month, value, beneficiaries, outputs FROM coop_realisations WHERE generation = " +
		current(RealisationsTable) + " AND agreement_id IN " + in + " ORDER BY agreement_id, month, village_code"
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
