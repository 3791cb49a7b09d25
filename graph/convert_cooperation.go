package graph

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/sinergi-id/sinergi/graph/model"
	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/idm"
	"github.com/sinergi-id/sinergi/internal/region"
)

// filterFromModel converts and checks an AgreementFilter.
func (r *Resolver) filterFromModel(ctx context.Context, in *model.AgreementFilter) (cooperation.Filter, error) {
	var f cooperation.Filter
	if in == nil {
		return f, nil
	}
	f.Issues = enumsFrom[cooperation.Issue](in.Issues)
	f.PartyTypes = enumsFrom[cooperation.PartyType](in.PartyTypes)
	f.Sectors = enumsFrom[cooperation.Sector](in.PartnerSectors)
	f.Statuses = enumsFrom[cooperation.Status](in.Statuses)
	f.Fields = enumsFrom[cooperation.Field](in.Fields)
	f.Partner = deref(in.Partner, "")
	if in.ActiveDuring != nil {
		f.ActiveFrom, f.ActiveTo = in.ActiveDuring.From.Time, in.ActiveDuring.To.Time
	}
	if in.SignedDuring != nil {
		f.SignedFrom, f.SignedTo = in.SignedDuring.From.Time, in.SignedDuring.To.Time
	}
	return r.Cooperation.CheckFilter(ctx, f, deref(in.RegionCode, ""))
}

// enumsFrom converts between two string enums that share their values (the
// GraphQL enums are the domain's names, which TestEnumsBindToTheDomain
// checks value for value).
func enumsFrom[T, S ~string](in []S) []T {
	if in == nil {
		return nil
	}
	out := make([]T, len(in))
	for i, v := range in {
		out[i] = T(v)
	}
	return out
}

func dateOrNil(t time.Time) *model.Date {
	if t.IsZero() {
		return nil
	}
	return &model.Date{Time: t}
}

func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func agreementToModel(a cooperation.AgreementSummary) *model.Agreement {
	out := &model.Agreement{
		ID: a.ID, Simulated: cooperation.IsSimulated(a.ID), DocumentNumbers: a.DocumentNumbers, Title: a.Title,
		DocumentType: model.DocumentType(a.DocumentType), SignedOn: dateOrNil(a.SignedOn),
		SignedPlace: strOrNil(a.SignedPlace), StartsOn: dateOrNil(a.StartsOn), EndsOn: dateOrNil(a.EndsOn),
		Status:                      model.AgreementStatus(a.Status),
		DeclaredIssues:              enumsFrom[model.StrategicIssue](a.Classification.Declared),
		DerivedIssues:               enumsFrom[model.StrategicIssue](a.Classification.Derived),
		Issues:                      enumsFrom[model.StrategicIssue](a.Classification.Effective()),
		ClassificationDisagreements: enumsFrom[model.StrategicIssue](a.Classification.Disagreements()),
		Fields:                      enumsFrom[model.FieldOfWork](a.Fields),
		FundingSource:               strOrNil(a.FundingSource), SourceReference: strOrNil(a.SourceReference),
		RealisedValue: rupiah(a.RealisedValue), Beneficiaries: a.Beneficiaries,
	}
	if out.DocumentNumbers == nil {
		out.DocumentNumbers = []string{}
	}
	out.DeclaredIssues, out.DerivedIssues = nonNilList(out.DeclaredIssues), nonNilList(out.DerivedIssues)
	out.Issues, out.ClassificationDisagreements = nonNilList(out.Issues), nonNilList(out.ClassificationDisagreements)
	out.Fields = nonNilList(out.Fields)
	if a.CommittedValue != nil {
		v := model.RupiahOf(*a.CommittedValue)
		out.CommittedValue = &v
	}
	kab := map[string]bool{}
	for _, c := range a.RegionCodes {
		if k := c.Ancestor(region.LevelKabupatenKota); k != "" && !kab[string(k)] {
			kab[string(k)] = true
			out.KabupatenCodes = append(out.KabupatenCodes, string(k))
		}
	}
	for _, v := range a.VillageKeys {
		if cooperation.IsPersiapanKey(v) {
			out.PersiapanKeys = append(out.PersiapanKeys, v)
		} else {
			out.VillageCodes = append(out.VillageCodes, v)
		}
	}
	return out
}

func nonNilList[T any](in []T) []T {
	if in == nil {
		return []T{}
	}
	return in
}

func agreementsToModel(in []cooperation.AgreementSummary) []*model.Agreement {
	out := make([]*model.Agreement, len(in))
	for i, a := range in {
		out[i] = agreementToModel(a)
	}
	return out
}

func partyToModel(p cooperation.Party) *model.Party {
	out := &model.Party{Type: model.PartyType(p.Type), Name: p.Name, Role: strOrNil(p.Role)}
	if p.Region != "" {
		c := p.Region.Dotted()
		out.RegionCode = &c
	}
	if p.Sector != cooperation.SectorNone {
		s := model.Sector(p.Sector)
		out.Sector = &s
	}
	return out
}

func realisationToModel(r cooperation.Realisation) *model.Realisation {
	return &model.Realisation{Month: r.Month.Format("2006-01"), VillageCode: string(r.Village),
		Value: model.RupiahOf(r.Value), Beneficiaries: r.Beneficiaries, Outputs: strOrNil(r.Outputs)}
}

// statsRowToModel puts each key and value into its field.
// statsToModel converts a cooperationStats answer, building rows and
// columns only when the query selects them.
func statsToModel(ctx context.Context, q cooperation.StatsQuery, res cooperation.StatsResult) *model.CooperationStats {
	selected := graphql.CollectAllFields(ctx)
	out := &model.CooperationStats{Totals: statsMeasuresToModel(q.Measures, res.Totals)}
	if slices.Contains(selected, "rows") {
		out.Rows = make([]*model.StatsRow, len(res.Rows))
		for i, row := range res.Rows {
			out.Rows[i] = statsRowToModel(q.Dimensions, q.Measures, row.Keys, row.Values)
		}
	}
	if slices.Contains(selected, "columns") {
		out.Columns = statsColumnsToModel(q, res.Rows)
	}
	return out
}

// statsColumnsToModel turns rows into one list per dimension and measure;
// keys read as in rows (dotted region codes).
func statsColumnsToModel(q cooperation.StatsQuery, rows []cooperation.StatsRow) *model.StatsColumns {
	out := &model.StatsColumns{}
	for i, d := range q.Dimensions {
		values := make([]string, len(rows))
		for j, r := range rows {
			values[j] = r.Keys[i]
			if d.RegionLevel() != 0 && values[j] != "" {
				values[j] = region.Code(values[j]).Dotted()
			}
		}
		out.Dimensions = append(out.Dimensions, &model.StatsDimensionColumn{Dimension: model.StatsDimension(d), Values: values})
	}
	for i, m := range q.Measures {
		values := make([]float64, len(rows))
		for j, r := range rows {
			values[j] = r.Values[i]
			if m.IsMoney() {
				values[j] = roundSen(values[j])
			}
		}
		out.Measures = append(out.Measures, &model.StatsMeasureColumn{Measure: model.StatsMeasure(m), Values: values})
	}
	return out
}

func statsRowToModel(dims []cooperation.Dimension, measures []cooperation.Measure, keys []string, values []float64) *model.StatsRow {
	row := &model.StatsRow{}
	for i, d := range dims {
		k := keys[i]
		if lvl := d.RegionLevel(); lvl != 0 && k != "" {
			row.RegionCode = k
			k = region.Code(k).Dotted()
		}
		v := &k
		switch d {
		case cooperation.DimProvinsi:
			row.Provinsi = v
		case cooperation.DimKabupatenKota:
			row.KabupatenKota = v
		case cooperation.DimKecamatan:
			row.Kecamatan = v
		case cooperation.DimDesa:
			row.Desa = v
		case cooperation.DimIssue:
			row.Issue = v
		case cooperation.DimPartyType:
			row.PartyType = v
		case cooperation.DimPartnerSector:
			row.PartnerSector = v
		case cooperation.DimField:
			row.Field = v
		case cooperation.DimStatus:
			row.Status = v
		case cooperation.DimPeriod:
			row.Period = v
		}
	}
	m := statsMeasuresToModel(measures, values)
	row.Agreements, row.ActiveAgreements, row.VillagesCovered = m.Agreements, m.ActiveAgreements, m.VillagesCovered
	row.DesaPersiapanCovered, row.Partners, row.CommittedValue = m.DesaPersiapanCovered, m.Partners, m.CommittedValue
	row.RealisedValue, row.Beneficiaries = m.RealisedValue, m.Beneficiaries
	return row
}

func statsMeasuresToModel(measures []cooperation.Measure, values []float64) *model.StatsMeasures {
	out := &model.StatsMeasures{}
	for i, m := range measures {
		n, money := int(values[i]), rupiah(values[i])
		switch m {
		case cooperation.MeasureAgreements:
			out.Agreements = &n
		case cooperation.MeasureActiveAgreements:
			out.ActiveAgreements = &n
		case cooperation.MeasureVillagesCovered:
			out.VillagesCovered = &n
		case cooperation.MeasurePersiapanCovered:
			out.DesaPersiapanCovered = &n
		case cooperation.MeasurePartners:
			out.Partners = &n
		case cooperation.MeasureCommittedValue:
			out.CommittedValue = &money
		case cooperation.MeasureRealisedValue:
			out.RealisedValue = &money
		case cooperation.MeasureBeneficiaries:
			out.Beneficiaries = &n
		}
	}
	return out
}

func scorecardToModel(c cooperation.RegionComparison) *model.RegionScorecard {
	out := &model.RegionScorecard{
		ID:         fmt.Sprintf("%s:%d", c.Region.Dotted(), c.Year),
		RegionCode: string(c.Region), Year: c.Year, DesaCount: c.DesaCount, Agreements: c.Agreements,
		AgreementsPer100Desa: per100(c.Agreements, c.DesaCount), DesaCovered: c.DesaCovered,
		DesaCoveredShare: deref(shareOf(c.DesaCovered, c.DesaCount), 0), DesaPersiapanCovered: c.DesaPersiapan,
		CommittedValue: rupiah(c.CommittedValue), ValuePerDesa: rupiahPer(c.CommittedValue, c.DesaCount),
		RealisedValue: rupiah(c.RealisedValue),
	}
	for _, i := range cooperation.Issues {
		out.ByIssue = append(out.ByIssue, &model.IssueCount{Issue: model.StrategicIssue(i), Agreements: c.ByIssue[i]})
	}
	if c.IDM != nil {
		s := &model.ScorecardIdm{Year: c.IDM.Year, Scored: c.IDM.Scored, MeanIdm: roundMean(c.IDM.Mean, c.IDM.Scored), MovedUp: c.IDM.MovedUp, MovedDown: c.IDM.MovedDown}
		for _, sc := range c.IDM.ByStatus {
			s.ByStatus = append(s.ByStatus, &model.IdmStatusCount{Status: statusToModel(sc.Status), Count: sc.Count,
				Share: shareOf(sc.Count, c.IDM.Scored)})
		}
		out.Idm = s
		out.ID += fmt.Sprintf(":IDM%d", c.IDM.Year)
	}
	return out
}

func statusesFromModel(in []model.IdmStatus) ([]idm.Status, error) {
	out := make([]idm.Status, 0, len(in))
	for _, s := range in {
		st, err := idm.ParseStatus(string(s))
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

func bodyToModel(b cooperation.BodySummary) *model.InterVillageBody {
	return &model.InterVillageBody{
		ID: b.ID, Name: b.Name, RegionCode: string(b.Region), EstablishedOn: dateOrNil(b.EstablishedOn),
		LegalBasis: strOrNil(b.LegalBasis), JointEnterprise: strOrNil(b.JointEnterprise),
		MemberCodes: enumsFrom[string](b.Members), Agreements: b.Agreements,
		ActiveAgreements: b.ActiveAgreements, Active: b.ActiveAgreements > 0,
	}
}

// partnerToModel converts a partner whose figures f selected: its id
// names the filter, since other filters give other figures.
func partnerToModel(p cooperation.PartnerSummary, f cooperation.Filter) *model.Partner {
	id := p.Key
	if !f.IsZero() {
		id += "@" + f.Digest()
	}
	out := &model.Partner{ID: id, Key: p.Key, Name: p.Name, Type: model.PartyType(p.Type), Agreements: p.Agreements,
		ActiveAgreements: p.ActiveAgreements, VillagesCovered: p.VillagesCovered,
		KabupatenCodes: enumsFrom[string](p.Kabupaten), Issues: nonNilList(enumsFrom[model.StrategicIssue](p.Issues)),
		Fields: nonNilList(enumsFrom[model.FieldOfWork](p.Fields)), CommittedValue: rupiah(p.CommittedValue), RealisedValue: rupiah(p.RealisedValue)}
	if p.Sector != cooperation.SectorNone {
		s := model.Sector(p.Sector)
		out.Sector = &s
	}
	return out
}

func impactToModel(imp cooperation.Impact) *model.CooperationImpact {
	where := "all"
	if imp.Region != "" {
		where = imp.Region.Dotted()
	}
	return &model.CooperationImpact{ID: fmt.Sprintf("%s:%d-%d", where, imp.FromYear, imp.ToYear),
		RegionCode: string(imp.Region), FromYear: imp.FromYear, ToYear: imp.ToYear,
		WithCooperation: impactGroupToModel(imp.WithCooperation), WithoutCooperation: impactGroupToModel(imp.WithoutCooperation)}
}

func villageTargetToModel(v cooperation.VillageTarget, idmYear int) *model.VillageTarget {
	return &model.VillageTarget{ID: fmt.Sprintf("%s:IDM%d", v.Village.Dotted(), idmYear),
		VillageCode: string(v.Village), Status: statusToModel(v.Status), Idm: v.IDM}
}

func impactGroupToModel(g cooperation.ImpactGroup) *model.ImpactGroup {
	return &model.ImpactGroup{Desa: g.Desa, MeanIdmFrom: roundMean(g.MeanFrom, g.Desa), MeanIdmTo: roundMean(g.MeanTo, g.Desa),
		MeanChange: roundMean(g.MeanChange, g.Desa),
		MovedUp:    g.MovedUp, Unchanged: g.Unchanged, MovedDown: g.MovedDown}
}

// persiapanToModel splits a desa persiapan key ("<region>:<folded name>");
// name is the name as the register writes it, if known.
func persiapanToModel(key, name string) *model.DesaPersiapan {
	code, folded, _ := strings.Cut(key, ":")
	if name == "" {
		name = folded
	}
	return &model.DesaPersiapan{Name: name, RegionCode: code}
}

// regionLoad returns the region with a flat code, or nil when it is not in
// the register (e.g. another province).
// prefetchRegions loads, in one batch, the regions of a list whose items
// select their region: gqlgen resolves each item in its own goroutine, and
// their loads would otherwise straggle into many small batches.
func (r *Resolver) prefetchRegions(ctx context.Context, codes []region.Code) {
	if len(codes) > 1 && slices.Contains(graphql.CollectAllFields(ctx), "region") {
		r.loaders(ctx).region.LoadAll(ctx, codes) // errors reach the fields that load them
	}
}

func (r *Resolver) regionLoad(ctx context.Context, code string) (*model.Region, error) {
	if code == "" {
		return nil, nil
	}
	reg, err := r.loaders(ctx).region.Load(ctx, region.Code(code))
	if err != nil || reg == nil {
		return nil, err
	}
	return regionToModel(*reg), nil
}

// regionsLoad returns the regions with the given flat codes, skipping codes
// not in the register.
func (r *Resolver) regionsLoad(ctx context.Context, codes []string) ([]*model.Region, error) {
	keys := make([]region.Code, len(codes))
	for i, c := range codes {
		keys[i] = region.Code(c)
	}
	found, err := r.loaders(ctx).region.LoadAll(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make([]*model.Region, 0, len(found))
	for _, reg := range found {
		if reg != nil {
			out = append(out, regionToModel(*reg))
		}
	}
	return out, nil
}
