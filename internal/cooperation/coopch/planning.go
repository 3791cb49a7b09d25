package coopch

import (
	"context"
	"fmt"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/idm"
	"github.com/sinergi-id/sinergi/internal/keyset"
	"github.com/sinergi-id/sinergi/internal/region"
)

// The planning queries join cooperation with the IDM and region snapshots;
// their table names are constants of those stores' migrations.
var (
	idmCurrentGen     = clickhouse.CurrentGeneration("idm_current")
	regionsCurrentGen = clickhouse.CurrentGeneration("regions_current")
)

// coveredDesa selects the desa codes covered by agreements in force at some
// time in [from, to].
func coveredDesa(from, to time.Time) (string, []any) {
	return `(SELECT arrayJoin(arrayFilter(v -> position(v, ':') = 0, village_keys)) FROM coop_agreements_current
		WHERE ` + currentRows(AgreementsTable) + ` AND ` + activeBetween + `)`, []any{day(to), day(from)}
}

func yearBounds(year int) (time.Time, time.Time) {
	return time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)
}

// targetOrder is the targeting list's sort key: weakest IDM first, then
// by code.
var targetOrder = []clickhouse.KeyColumn{
	{Expr: clickhouse.FloatBits("idm"), Kind: clickhouse.KeyUInt},
	{Expr: "village_code", Kind: clickhouse.KeyText},
}

// VillagesWithoutPartner lists the page, after seek's key, of the desa
// within a region whose status in idmYear is one of statuses and that no
// agreement in force at some time in [from, to] covers, weakest IDM first.
func (s *Store) VillagesWithoutPartner(ctx context.Context, within region.Code, statuses []idm.Status, idmYear int, from, to time.Time, seek keyset.Seek) ([]cooperation.VillageTarget, keyset.Found, error) {
	covered, coveredArgs := coveredDesa(from, to)
	names := make([]string, len(statuses))
	for i, st := range statuses {
		names[i] = st.String()
	}
	after, afterArgs, err := seekCond(targetOrder, seek)
	if err != nil {
		return nil, keyset.Found{}, err
	}
	base := &sqlText{}
	base.add(` FROM idm_current WHERE generation = `+idmCurrentGen+` AND index_name = ? AND year = ?
		AND startsWith(village_code, ?) AND has(?, toString(status))`, idm.DefaultIndex, uint16(idmYear), string(within), names)
	base.add(" AND village_code NOT IN "+covered, coveredArgs...)

	q := &sqlText{}
	// The alias must not be "status": ClickHouse would put it into the WHERE.
	q.add("SELECT village_code, toInt8(status) AS status_rank, idm, "+clickhouse.KeySelect(targetOrder)+base.String(), base.args...)
	q.add(" AND "+after, afterArgs...)
	q.add(" ORDER BY "+clickhouse.KeyOrder(targetOrder)+" LIMIT ?", seek.Limit+1)
	type target struct {
		village string
		rank    int8
		idm     float64
	}
	var rows []target
	var found keyset.Found
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		found.Keys, found.HasNext, err = s.keyedRows(gctx, "villages without partner", q, targetOrder, seek, func() []any {
			rows = append(rows, target{})
			r := &rows[len(rows)-1]
			return []any{&r.village, &r.rank, &r.idm}
		})
		return err
	})
	g.Go(func() error {
		total, before, err := s.listCounts(gctx, "villages without partner", base, after, afterArgs)
		found.TotalCount, found.HasPrevious = total, before > 0
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, keyset.Found{}, err
	}
	out := make([]cooperation.VillageTarget, len(found.Keys))
	for i := range out {
		out[i] = cooperation.VillageTarget{Village: region.Code(rows[i].village), Status: idm.Status(rows[i].rank), IDM: rows[i].idm}
	}
	return out, found, nil
}

// Impact compares the IDM change between two years of desa covered by an
// agreement in force at some time between them against the other desa.
func (s *Store) Impact(ctx context.Context, within region.Code, fromYear, toYear int) (with, without cooperation.ImpactGroup, err error) {
	from, _ := yearBounds(fromYear)
	_, to := yearBounds(toYear)
	covered, coveredArgs := coveredDesa(from, to)
	q := &sqlText{}
	q.add("SELECT village_code IN "+covered+" AS with_cooperation,", coveredArgs...)
	q.add(` count() AS desa, avg(idm_from) AS mean_from, avg(idm_to) AS mean_to, avg(idm_to - idm_from) AS mean_change,
		countIf(status_to > status_from) AS up, countIf(status_to = status_from) AS same, countIf(status_to < status_from) AS down
	FROM (
		SELECT village_code, idm AS idm_from, toInt8(status) AS status_from FROM idm_current
		WHERE generation = `+idmCurrentGen+` AND index_name = ? AND year = ? AND startsWith(village_code, ?)
	) AS earlier ALL INNER JOIN (
		SELECT village_code, idm AS idm_to, toInt8(status) AS status_to FROM idm_current
		WHERE generation = `+idmCurrentGen+` AND index_name = ? AND year = ? AND startsWith(village_code, ?)
	) AS later USING village_code
	GROUP BY with_cooperation`, idm.DefaultIndex, uint16(fromYear), string(within), idm.DefaultIndex, uint16(toYear), string(within))
	var rows []struct {
		With       uint8   `ch:"with_cooperation"`
		Desa       uint64  `ch:"desa"`
		MeanFrom   float64 `ch:"mean_from"`
		MeanTo     float64 `ch:"mean_to"`
		MeanChange float64 `ch:"mean_change"`
		Up         uint64  `ch:"up"`
		Same       uint64  `ch:"same"`
		Down       uint64  `ch:"down"`
	}
	if err := s.db.Select(ctx, &rows, q.String(), q.args...); err != nil {
		return with, without, fmt.Errorf("cooperation impact: %w", err)
	}
	for _, r := range rows {
		g := cooperation.ImpactGroup{Desa: int(r.Desa), MeanFrom: ptr(r.MeanFrom), MeanTo: ptr(r.MeanTo),
			MeanChange: ptr(r.MeanChange), MovedUp: int(r.Up), Unchanged: int(r.Same), MovedDown: int(r.Down)}
		if r.With == 1 {
			with = g
		} else {
			without = g
		}
	}
	return with, without, nil
}

func ptr(v float64) *float64 { return &v }

// Links counts, for every pair of regions at level that agreements in force
// during year join, the agreements and their committed value.
func (s *Store) Links(ctx context.Context, level region.Level, year int, f cooperation.Filter) ([]cooperation.Link, error) {
	from, to := yearBounds(year)
	f.ActiveFrom, f.ActiveTo = from, to
	c := agreementConds(f, true)
	arr, arrArgs := regionArray(level, "", "region_codes")
	q := &sqlText{}
	q.add(`SELECT from_code, arrayJoin(arrayFilter(code -> code > from_code, regions)) AS to_code,
		toFloat64(uniqExact(agreement_id)) AS agreements, `+committedSum+` AS value
	FROM (SELECT agreement_id, committed_value, `+arr+` AS regions`, arrArgs...)
	q.add(" FROM coop_agreements_current WHERE "+c.sql()+")", c.args...)
	q.add(` ARRAY JOIN regions AS from_code
	GROUP BY from_code, to_code ORDER BY agreements DESC, from_code, to_code LIMIT ?`, cooperation.MaxStatsRows)
	var rows []struct {
		From       string  `ch:"from_code"`
		To         string  `ch:"to_code"`
		Agreements float64 `ch:"agreements"`
		Value      float64 `ch:"value"`
	}
	if err := s.db.Select(ctx, &rows, q.String(), q.args...); err != nil {
		return nil, fmt.Errorf("cross-region links: %w", err)
	}
	out := make([]cooperation.Link, len(rows))
	for i, r := range rows {
		out[i] = cooperation.Link{From: region.Code(r.From), To: region.Code(r.To), Agreements: int(r.Agreements), CommittedValue: r.Value}
	}
	return out, nil
}

// partnerOrderings are the partner lists' sort keys; the folded name
// breaks ties.
var partnerOrderings = map[cooperation.PartnerOrder][]clickhouse.KeyColumn{
	cooperation.PartnerByAgreements: {{Expr: "toUInt64(agreements)", Desc: true, Kind: clickhouse.KeyUInt}, partnerKey},
	cooperation.PartnerByValue:      {{Expr: clickhouse.FloatBits("committed"), Desc: true, Kind: clickhouse.KeyUInt}, partnerKey},
	cooperation.PartnerByVillages:   {{Expr: "toUInt64(villages)", Desc: true, Kind: clickhouse.KeyUInt}, partnerKey},
	cooperation.PartnerByName:       {partnerKey},
}

var partnerKey = clickhouse.KeyColumn{Expr: "partner_key", Kind: clickhouse.KeyText}

// Partners summarises the page, after seek's key, of the partners (parties
// that are not a village, a body or a village enterprise) of the agreements
// the filter selects.
func (s *Store) Partners(ctx context.Context, f cooperation.Filter, asOf time.Time, order cooperation.PartnerOrder, seek keyset.Seek) ([]cooperation.PartnerSummary, keyset.Found, error) {
	cols, ok := partnerOrderings[order]
	if !ok {
		return nil, keyset.Found{}, fmt.Errorf("partners: unknown order %q", order)
	}
	after, afterArgs, err := seekCond(cols, seek)
	if err != nil {
		return nil, keyset.Found{}, err
	}
	// What lies somewhere (villages, kabupaten, realisations) counts within
	// the filter's region; with an active period, only what was realised in it.
	within := string(f.Region)
	realised := &conds{}
	realised.add(currentRows(RealisationsTable))
	realised.add("startsWith(village_code, ?)", within)
	if !f.ActiveFrom.IsZero() {
		realised.add("month >= toStartOfMonth(toDate(?)) AND month <= toDate(?)", day(f.ActiveFrom), day(f.ActiveTo))
	}
	c := agreementConds(f, true)
	q := &sqlText{}
	q.add(`SELECT partner_key, any(partner_name) AS name, any(partner_type) AS party_type, max(partner_sector) AS sector,
		toFloat64(uniqExact(agreement_id)) AS agreements,
		toFloat64(uniqExactIf(agreement_id, `+activeOn+`)) AS active,
		toFloat64(length(groupUniqArrayArray(arrayFilter(v -> position(v, ':') = 0 AND startsWith(v, ?), village_keys)))) AS villages,
		groupUniqArrayArray(arrayFilter(code -> length(code) = 4,
			arrayMap(code -> substring(code, 1, 4), arrayFilter(code -> startsWith(code, ?), region_codes)))) AS kabupaten,
		groupUniqArrayArray(issues) AS issue_list, groupUniqArrayArray(fields) AS field_list,
		`+committedSum+` AS committed, sum(realised) AS realised`, day(asOf), day(asOf), within, within)
	q.add(`
	FROM (
		SELECT agreement_id, partner_key, any(name) AS partner_name, any(party_type) AS partner_type, max(sector) AS partner_sector
		FROM coop_parties WHERE `+currentRows(PartiesTable)+` AND NOT has(?, party_type)
		GROUP BY agreement_id, partner_key
	) AS partners ALL INNER JOIN (`, notPartners)
	q.add(`
		SELECT agreement_id, status, signed_on, starts_on, ends_on, village_keys, region_codes, issues, fields, committed_value, realised
		FROM (SELECT agreement_id, status, signed_on, starts_on, ends_on, village_keys, region_codes, issues, fields, committed_value
		      FROM coop_agreements_current WHERE `+c.sql()+`) AS selected`, c.args...)
	q.add(`
		ANY LEFT JOIN (SELECT agreement_id, toFloat64(sum(value)) AS realised FROM coop_realisations
		      WHERE `+realised.sql()+` GROUP BY agreement_id) AS realised_by_agreement USING agreement_id`, realised.args...)
	q.add(`
	) AS agreements USING agreement_id
	GROUP BY partner_key`)
	// The page and the counts read the same groups.
	page := &sqlText{}
	page.add(`SELECT partner_key, name, party_type, sector, agreements, active, villages, kabupaten, issue_list, field_list,
		committed, realised, `+clickhouse.KeySelect(cols)+` FROM (`+q.String()+`)`, q.args...)
	page.add(" WHERE "+after, afterArgs...)
	page.add(" ORDER BY "+clickhouse.KeyOrder(cols)+" LIMIT ?", seek.Limit+1)
	groups := &sqlText{}
	groups.add(" FROM ("+q.String()+")", q.args...)
	var rows []struct {
		Key        string   `ch:"partner_key"`
		Name       string   `ch:"name"`
		Type       string   `ch:"party_type"`
		Sector     string   `ch:"sector"`
		Agreements float64  `ch:"agreements"`
		Active     float64  `ch:"active"`
		Villages   float64  `ch:"villages"`
		Kabupaten  []string `ch:"kabupaten"`
		Issues     []string `ch:"issue_list"`
		Fields     []string `ch:"field_list"`
		Committed  float64  `ch:"committed"`
		Realised   float64  `ch:"realised"`
		K0         string   `ch:"k0"`
		K1         string   `ch:"k1"`
	}
	var found keyset.Found
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := s.db.Select(gctx, &rows, page.String(), page.args...); err != nil {
			return fmt.Errorf("partners: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		total, before, err := s.listCounts(gctx, "partners", groups, after, afterArgs)
		found.TotalCount, found.HasPrevious = total, before > 0
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, keyset.Found{}, err
	}
	if len(rows) > seek.Limit {
		rows, found.HasNext = rows[:seek.Limit], true
	}
	out := make([]cooperation.PartnerSummary, len(rows))
	found.Keys = make([][]string, len(rows))
	for i, r := range rows {
		found.Keys[i] = []string{r.K0, r.K1}[:len(cols)]
		out[i] = cooperation.PartnerSummary{Key: r.Key, Name: r.Name, Type: cooperation.PartyType(r.Type),
			Sector: cooperation.Sector(r.Sector), Agreements: int(r.Agreements), ActiveAgreements: int(r.Active),
			VillagesCovered: int(r.Villages), Kabupaten: sortedCodes(r.Kabupaten),
			Issues: sortedEnums[cooperation.Issue](r.Issues), Fields: sortedEnums[cooperation.Field](r.Fields),
			CommittedValue: r.Committed, RealisedValue: r.Realised}
	}
	return out, found, nil
}

func sortedCodes(in []string) []region.Code { return sortedEnums[region.Code](in) }

func sortedEnums[T ~string](in []string) []T {
	out := enums[T](in)
	slices.Sort(out)
	return out
}

// Bodies returns the current inter-village bodies within a region, with
// the agreements that name them (by body_id, or a BKAD party of the same
// name) and how many of those are in force on asOf.
func (s *Store) Bodies(ctx context.Context, within region.Code, asOf time.Time) ([]cooperation.BodySummary, error) {
	q := `SELECT body_id, name, region_code, established_on, legal_basis, joint_enterprise, members FROM coop_bodies
		WHERE generation = ` + current(BodiesTable) + ` AND (startsWith(region_code, ?) OR arrayExists(m -> startsWith(m, ?), members))
		ORDER BY body_id`
	var rows []struct {
		ID              string     `ch:"body_id"`
		Name            string     `ch:"name"`
		Region          string     `ch:"region_code"`
		EstablishedOn   *time.Time `ch:"established_on"`
		LegalBasis      string     `ch:"legal_basis"`
		JointEnterprise string     `ch:"joint_enterprise"`
		Members         []string   `ch:"members"`
	}
	if err := s.db.Select(ctx, &rows, q, string(within), string(within)); err != nil {
		return nil, fmt.Errorf("inter-village bodies: %w", err)
	}
	links := `SELECT body_id, partner_key, agreement_id, ` + activeOn + ` AS active
		FROM (SELECT agreement_id, body_id, partner_key FROM coop_parties WHERE ` + currentRows(PartiesTable) + ` AND party_type = 'BKAD') AS bkad
		ALL INNER JOIN (SELECT agreement_id, status, signed_on, starts_on, ends_on FROM coop_agreements_current
			WHERE ` + currentRows(AgreementsTable) + `) AS agreements USING agreement_id`
	var parties []struct {
		BodyID      string `ch:"body_id"`
		PartnerKey  string `ch:"partner_key"`
		AgreementID string `ch:"agreement_id"`
		Active      uint8  `ch:"active"`
	}
	if err := s.db.Select(ctx, &parties, links, day(asOf), day(asOf)); err != nil {
		return nil, fmt.Errorf("inter-village bodies: %w", err)
	}
	out := make([]cooperation.BodySummary, len(rows))
	for i, r := range rows {
		b := cooperation.BodySummary{Body: cooperation.Body{ID: r.ID, Name: r.Name, Region: region.Code(r.Region),
			EstablishedOn: deref(r.EstablishedOn), LegalBasis: r.LegalBasis, JointEnterprise: r.JointEnterprise,
			Members: enums[region.Code](r.Members)}}
		key := cooperation.PartnerKey(r.Name)
		seen := map[string]bool{}
		for _, p := range parties {
			if (p.BodyID == r.ID || p.BodyID == "" && p.PartnerKey == key) && !seen[p.AgreementID] {
				seen[p.AgreementID] = true
				b.Agreements++
				if p.Active == 1 {
					b.ActiveAgreements++
				}
			}
		}
		out[i] = b
	}
	return out, nil
}

// villageAncestors lists a village code and the codes of its ancestors.
const villageAncestors = "[substring(village_code, 1, 2), substring(village_code, 1, 4), substring(village_code, 1, 6), village_code]"

// Scorecards computes the cooperation side of compareRegions for several
// regions at once: agreements in force during [from, to] touching each
// region, by issue and in all, the region's desa and desa persiapan they
// cover, their committed value, and what was realised in the region in the
// period. Four queries, whatever the number of regions.
func (s *Store) Scorecards(ctx context.Context, codes []region.Code, from, to time.Time) (map[region.Code]*cooperation.RegionComparison, error) {
	out := make(map[region.Code]*cooperation.RegionComparison, len(codes))
	for _, c := range codes {
		out[c] = &cooperation.RegionComparison{Region: c, ByIssue: map[cooperation.Issue]int{}}
	}
	wanted := strs(codes)
	agreements, realised, args := s.scorecardSQL(wanted, from, to)
	var rows []struct {
		Region     string  `ch:"region"`
		Issue      string  `ch:"issue"`
		Agreements float64 `ch:"agreements"`
		Desa       float64 `ch:"desa"`
		Persiapan  float64 `ch:"persiapan"`
		Committed  float64 `ch:"committed"`
	}
	var sums []struct {
		Region   string  `ch:"region"`
		Realised float64 `ch:"realised"`
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.db.Select(gctx, &rows, agreements.String(), agreements.args...) })
	g.Go(func() error { return s.db.Select(gctx, &sums, realised, args...) })
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("scorecards: %w", err)
	}
	for _, r := range rows {
		c, ok := out[region.Code(r.Region)]
		if !ok {
			continue
		}
		if r.Issue != "" {
			c.ByIssue[cooperation.Issue(r.Issue)] = int(r.Agreements)
			continue
		}
		c.Agreements, c.DesaCovered, c.DesaPersiapan, c.CommittedValue = int(r.Agreements), int(r.Desa), int(r.Persiapan), r.Committed
	}
	for _, r := range sums {
		if c, ok := out[region.Code(r.Region)]; ok {
			c.RealisedValue = r.Realised
		}
	}
	return out, nil
}

// realisedFromCube reports whether coop_realised_totals holds the realised
// value of every region for the period: regions at its levels, and one
// calendar year.
func realisedFromCube(codes []string, from, to time.Time) bool {
	for _, c := range codes {
		if regionLevels[len(c)] == 0 {
			return false
		}
	}
	return from.Year() == to.Year() && from.YearDay() == 1 && to.Month() == time.December && to.Day() == 31
}

// scorecardSQL is the two statements of Scorecards: one row per (region,
// issue) and, with the issue empty, one per region counting each agreement
// once (its value too); and the value realised in the period within each
// region by the agreements counted (those in force during the period), as
// cooperationStats counts it. Realised values come from the yearly rollup,
// ordered by village: each region's rows are found through the primary key
// (the LIKE prefixes). The agreements come from coop_agreements_by_region,
// which lists each agreement under every region it lies in, with its
// villages there; or, reading the snapshot only, from every agreement.
func (s *Store) scorecardSQL(wanted []string, from, to time.Time) (agreements *sqlText, realised string, realisedArgs []any) {
	measures := `SELECT region, issue, toFloat64(uniqExact(agreement_id)) AS agreements,
		toFloat64(length(groupUniqArrayArray(arrayFilter(v -> position(v, ':') = 0 AND startsWith(v, region), village_keys)))) AS desa,
		toFloat64(length(groupUniqArrayArray(arrayFilter(v -> position(v, ':') > 0 AND startsWith(v, region), village_keys)))) AS persiapan,
		toFloat64(sumIf(assumeNotNull(issue_value), isNotNull(issue_value))) AS committed
	FROM `
	agreements = &sqlText{}
	in, inArgs := clickhouse.InList(wanted)
	var active string
	if s.snapshotOnly {
		agreements.add(measures+`(
		SELECT arrayJoin(?) AS region, arrayJoin(issue_rows) AS issue, agreement_id, village_keys,
		       if(issue = '', committed_value, NULL) AS issue_value
		FROM (
			-- every region an agreement lies in: its codes and their ancestors.
			-- (Set functions such as arrayIntersect crash 18.16 on String
			-- columns, and lambdas cannot capture a subquery's columns there.)
			SELECT arrayConcat(arrayMap(code -> substring(code, 1, 2), region_codes),
			                   arrayMap(code -> substring(code, 1, 4), region_codes),
			                   arrayMap(code -> substring(code, 1, 6), region_codes), region_codes) AS ancestors,
			       arrayConcat([''], issues) AS issue_rows, agreement_id, village_keys, committed_value
			FROM coop_agreements_current WHERE `+currentRows(AgreementsTable)+` AND `+activeBetween+`
		)
		WHERE hasAny(ancestors, ?) AND has(ancestors, region)
	)
	GROUP BY region, issue`, wanted, day(to), day(from), wanted)
		active = `SELECT agreement_id FROM coop_agreements_current WHERE ` + currentRows(AgreementsTable) + ` AND ` + activeBetween
		realisedArgs = []any{day(to), day(from)}
	} else {
		agreements.add(measures+`(
		SELECT region_code AS region, arrayJoin(arrayConcat([''], issues)) AS issue, agreement_id, village_keys,
		       if(issue = '', committed_value, NULL) AS issue_value
		FROM coop_agreements_by_region
		WHERE `+currentRows(ByRegionTable)+` AND region_code IN `+in+` AND `+activeBetween+`
	)
	GROUP BY region, issue`, append(inArgs, day(to), day(from))...)
		active = `SELECT agreement_id FROM coop_agreements_by_region WHERE ` + currentRows(ByRegionTable) +
			` AND region_code IN ` + in + ` AND ` + activeBetween
		realisedArgs = append(slices.Clone(inArgs), day(to), day(from))
	}
	if !s.snapshotOnly && realisedFromCube(wanted, from, to) {
		in, inArgs := clickhouse.InList(wanted)
		realised = `SELECT region_code AS region, toFloat64(sum(value)) AS realised FROM coop_realised_totals
		WHERE generation = ` + current(RealisedTotals) + ` AND level = length(region_code) AND region_code IN ` + in + `
		  AND issue = '*' AND year = toYear(toDate(?)) AND in_force = 1
		GROUP BY region_code`
		return agreements, realised, append(inArgs, day(from))
	}
	like, likeArgs := clickhouse.StartsWithAny("village_code", wanted)
	realised = `SELECT region, toFloat64(sum(value)) AS realised FROM (
		SELECT arrayJoin(?) AS region, village_code, value
		FROM coop_realised_yearly WHERE ` + currentRows(YearlyTable) + `
		  AND year >= toYear(toDate(?)) AND year <= toYear(toDate(?))
		  AND agreement_id IN (` + active + `)
		  AND ` + like + `)
	WHERE startsWith(village_code, region)
	GROUP BY region`
	realisedArgs = append(append([]any{wanted, day(from), day(to)}, realisedArgs...), likeArgs...)
	return agreements, realised, realisedArgs
}
