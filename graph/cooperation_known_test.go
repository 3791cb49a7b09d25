package graph_test

import (
	"bytes"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
	"github.com/sinergi-id/sinergi/internal/ingest"
)

// The test register with known answers (testdata/known_register). Every
// cooperation query is checked against answers computed here, in plain Go,
// from the fixture CSV files (read with encoding/csv), the real regions and
// the real IDM files, following docs/planner-questions.md. Nothing here
// uses the ETL's parser or the SQL.
//
// Readings of the spec the expectations rely on, where it leaves room:
//   - a region filter selects agreements touching the region, and then counts
//     only what lies in it: villages, desa persiapan, realisations, and the
//     kabupaten of partners (committed values and agreement counts are whole);
//   - with activeDuring, only realisations of months that overlap the period
//     count; villages covered do not depend on the period;
//   - cooperationStats rows: an agreement with no region at a region
//     dimension's level falls in the "" group (as a realisation without a
//     village does); PARTNERS under PARTY_TYPE or PARTNER_SECTOR counts the
//     partners of that type or sector; a filter on a list (issues, party
//     types, sectors, fields) narrows the same dimension to its values;
//   - unknown dates sort last in every agreement order.

const knownRegisterDir = "testdata/known_register"

func TestKnownRegister(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) { checkKnownRegister(t, newAPIOn(t, e)) })
}

func checkKnownRegister(t *testing.T, a *api) {
	dir := sharedData(t)
	a.load(etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
	a.load(etl.DatasetIDM, filepath.Join(dir, "kaltim_idm_2023.csv"), filepath.Join(dir, "kaltim_idm_2024.csv"))

	today := plannersToday()
	base := world{today: today, regions: readRegions(t, dir), idm: map[int]map[string]idmRow{}}
	for _, y := range []int{2023, 2024} {
		base.idm[y] = map[string]idmRow{}
		for code, r := range readIDM(t, filepath.Join(dir, fmt.Sprintf("kaltim_idm_%d.csv", y))) {
			base.idm[y][dotted(code)] = r
		}
	}

	v1 := loadKnownRegister(t, a, "v1", today)
	w1 := base
	w1.reg = v1
	t.Run("the fixture covers its cases", func(t *testing.T) { checkFixtureCases(t, &w1) })
	t.Run("v1", func(t *testing.T) { checkEveryQuery(t, a.in(t), &w1) })
	t.Run("numbers are plain and rounded", func(t *testing.T) { checkPlainNumbers(t, a.in(t)) })

	v2 := loadKnownRegister(t, a, "v2", today)
	w2 := base
	w2.reg = v1.amendedBy(v2)
	t.Run("v2", func(t *testing.T) { checkEveryQuery(t, a.in(t), &w2) })
	t.Run("v2 replaced the amended agreement", func(t *testing.T) { checkAmendment(t, a.in(t), &w2) })

	t.Run("bad input", func(t *testing.T) { checkBadInput(t, a.in(t)) })
}

// in returns the endpoint reporting to t (a subtest), so that its helpers
// fail the right test.
func (a *api) in(t *testing.T) *api {
	c := *a
	c.t = t
	return &c
}

func loadKnownRegister(t *testing.T, a *api, version string, today time.Time) register {
	t.Helper()
	files := expandRegister(t, filepath.Join(knownRegisterDir, version), today)
	res := a.load(etl.DatasetRegister, files...)
	if len(res.Runs) != 1 || res.Runs[0].Status != ingest.StatusSucceeded || res.Runs[0].RowsRejected != 0 {
		t.Fatalf("register %s: runs %+v, rejects %+v", version, res.Runs, res.Rejects)
	}
	return readRegister(t, files)
}

func checkEveryQuery(t *testing.T, a *api, w *world) {
	t.Run("agreements", func(t *testing.T) { checkAgreements(t, a.in(t), w) })
	t.Run("agreement", func(t *testing.T) { checkAgreementDetails(t, a.in(t), w) })
	t.Run("strategicIssues", func(t *testing.T) { checkStrategicIssues(t, a.in(t), w) })
	t.Run("cooperationStats", func(t *testing.T) { checkStats(t, a.in(t), w) })
	t.Run("compareRegions", func(t *testing.T) { checkCompareRegions(t, a.in(t), w) })
	t.Run("villagesWithoutPartner", func(t *testing.T) { checkVillagesWithoutPartner(t, a.in(t), w) })
	t.Run("interVillageBodies", func(t *testing.T) { checkBodies(t, a.in(t), w) })
	t.Run("crossRegionLinks", func(t *testing.T) { checkLinks(t, a.in(t), w) })
	t.Run("partners", func(t *testing.T) { checkPartners(t, a.in(t), w) })
	t.Run("expiringAgreements", func(t *testing.T) { checkExpiring(t, a.in(t), w) })
	t.Run("cooperationImpact", func(t *testing.T) { checkImpact(t, a.in(t), w) })
}

// checkFixtureCases guards the fixture against drift (it is partly written
// relative to today): the cases the checks rely on are there, on any date.
func checkFixtureCases(t *testing.T, w *world) {
	ag := w.reg.agreements
	issues := map[string]bool{}
	for _, a := range w.all() {
		for _, i := range a.issues() {
			issues[i] = true
		}
	}
	expiring := map[string]bool{}
	for _, a := range w.all() {
		if a.inForceOn(w.today) && !a.End.IsZero() && !a.End.After(w.today.AddDate(0, 6, 0)) {
			expiring[a.ID] = true
		}
	}
	covered2024 := w.coveredDuring(*year(2024))
	for _, c := range []struct {
		what string
		ok   bool
	}{
		{"every issue occurs", len(issues) == 4},
		{"a cross-kabupaten agreement of villages", slices.Contains(ag["KUBAR-KUKAR-2024"].derived(), "CROSS_KABUPATEN")},
		{"a cross-province agreement", slices.Contains(ag["JATIM-KALTIM-2025"].derived(), "CROSS_KABUPATEN")},
		{"an energy/mineral partner, derived but not declared", slices.Contains(ag["BKAD-BS-2024"].disagreements(), "ENERGY_MINERAL")},
		{"a desa persiapan", len(ag["KUKAR-2025-001"].persiapan()) == 1},
		{"a BKAD party by body_id and one by name", ag["BKAD-BS-2024"].Parties[0].BodyID == "BKAD-BS-01" &&
			ag["BKAD-LOAKULU-2023"].Parties[0].BodyID == ""},
		{"the body matched by name is inactive", !ag["BKAD-LOAKULU-2023"].inForceOn(w.today)},
		{"the body linked by id is active", ag["BKAD-BS-2024"].inForceOn(w.today)},
		{"a draft and a terminated agreement", ag["PU-2022-004"].Status == "DRAFT" && ag["PLN-MUHURAN-2024"].Status == "TERMINATED"},
		{"an ACTIVE agreement ending today expires soon", expiring["PELA-MADU"]},
		{"one ending in two months expires soon", expiring["BKAD-BS-2024"]},
		{"one not started yet does not", !expiring["YAYASAN-MUARATUBO"] && !ag["YAYASAN-MUARATUBO"].End.After(w.today.AddDate(0, 6, 0))},
		{"one marked ACTIVE that ended yesterday does not", !expiring["BAZNAS-TANIBARU-2024"]},
		{"one ending in eight months only within 12", !expiring["PHSS-MUARABADAK-2023"]},
		{"an agreement without any date counts as started", ag["PASER-BUSUI-NOSIGN"].inForceOn(w.today)},
		{"the terminated agreement's village is not covered", !covered2024["64.02.08.2008"]},
		{"a realisation-only village is covered", covered2024["64.07.12.2003"]},
	} {
		if !c.ok {
			t.Errorf("fixture: %s: no longer true", c.what)
		}
	}
}

// ---------------------------------------------------------------------------
// agreements and agreement(id)

type gqlParty struct {
	Type, Name         string
	RegionCode, Sector *string
	Role               *string
	Region             *code
}

type gqlRealisation struct {
	Month         string
	Village       *code
	Value         float64
	Beneficiaries int
	Outputs       *string
}

type gqlAgreement struct {
	ID, Title, DocumentType, Status                                            string
	DocumentNumbers                                                            []string
	SignedOn, SignedPlace, StartsOn, EndsOn, FundingSource, SourceReference    *string
	DeclaredIssues, DerivedIssues, Issues, ClassificationDisagreements, Fields []string
	CommittedValue                                                             *float64
	RealisedValue                                                              float64
	Beneficiaries                                                              int
	Villages, Kabupaten                                                        []code
	DesaPersiapan                                                              []struct {
		Name   string
		Region *code
	}
	Parties      []gqlParty
	Realisations []gqlRealisation
}

const agreementSummaryFields = `id documentNumbers title documentType signedOn signedPlace startsOn endsOn status
	declaredIssues derivedIssues issues classificationDisagreements fields committedValue fundingSource sourceReference
	realisedValue beneficiaries villages { code } desaPersiapan { name region { code } } kabupaten { code }`

const agreementsQuery = `query($f: AgreementFilter, $first: Int, $after: String, $order: AgreementOrder) {
  agreements(filter: $f, first: $first, after: $after, orderBy: $order) {
    totalCount nodes { ` + agreementSummaryFields + ` } pageInfo { endCursor hasNextPage } } }`

type agreementPage struct {
	Agreements struct {
		TotalCount int
		Nodes      []gqlAgreement
		PageInfo   struct {
			EndCursor   *string
			HasNextPage bool
		}
	}
}

// agreementFilters are the filters the list queries are checked with.
func agreementFilters(w *world) map[string]kFilter {
	return map[string]kFilter{
		"none":                               {},
		"Kukar":                              {Region: "64.02"},
		"the province":                       {Region: "64"},
		"Busui, touched by a realisation":    {Region: "64.01.01.2010"},
		"Loa Kulu kecamatan, flat code":      {Region: "640202"},
		"cross-kabupaten":                    {Issues: []string{"CROSS_KABUPATEN"}},
		"energy or bodies":                   {Issues: []string{"ENERGY_MINERAL", "INTER_VILLAGE_BODY"}},
		"with a desa persiapan":              {PartyTypes: []string{"DESA_PERSIAPAN"}},
		"universities or zakat bodies":       {PartyTypes: []string{"UNIVERSITY", "ZAKAT_BODY"}},
		"partner Baznas, spelled loosely":    {Partner: "BAZNAS kukar"},
		"partner PT Sawit Kenohan (v1 only)": {Partner: "pt  sawit kenohan"},
		"coal partners":                      {Sectors: []string{"COAL"}},
		"energy or oil and gas partners":     {Sectors: []string{"ENERGY", "OIL_GAS"}},
		"drafts and terminated":              {Statuses: []string{"DRAFT", "TERMINATED"}},
		"agriculture":                        {Fields: []string{"AGRICULTURE"}},
		"in force in 2023":                   {Active: year(2023)},
		"in force in 2024":                   {Active: year(2024)},
		"in force today":                     {Active: &period{w.today, w.today}},
		"signed in 2024":                     {Signed: year(2024)},
		"Kukar third party in force in 2025": {Region: "64.02", Issues: []string{"THIRD_PARTY"}, Active: year(2025)},
	}
}

func checkAgreements(t *testing.T, a *api, w *world) {
	for name, f := range agreementFilters(w) {
		t.Run(name, func(t *testing.T) {
			var out agreementPage
			a.in(t).mustQuery(agreementsQuery, map[string]any{"f": f.vars(), "first": 50, "order": "ID_ASC"}, &out)
			want := w.selected(f)
			if out.Agreements.TotalCount != len(want) {
				t.Errorf("totalCount %d, want %d", out.Agreements.TotalCount, len(want))
			}
			var got []string
			for _, n := range out.Agreements.Nodes {
				got = append(got, n.ID)
			}
			if !slices.Equal(got, ids(want)) {
				t.Fatalf("agreements (ID_ASC)\n got %v\nwant %v", got, ids(want))
			}
			if out.Agreements.PageInfo.HasNextPage {
				t.Errorf("hasNextPage on a complete page")
			}
			for i, n := range out.Agreements.Nodes {
				checkAgreement(t, w, n, want[i], false)
			}
		})
	}

	// Paging: every order, small pages, no item twice and none missing.
	orders := map[string]func(x, y *kAgreement) (ordered bool){
		"SIGNED_DESC":          func(x, y *kAgreement) bool { return dateOrder(x.Signed, y.Signed, true) },
		"SIGNED_ASC":           func(x, y *kAgreement) bool { return dateOrder(x.Signed, y.Signed, false) },
		"ENDS_ASC":             func(x, y *kAgreement) bool { return dateOrder(x.End, y.End, false) },
		"ID_ASC":               func(x, y *kAgreement) bool { return x.ID < y.ID },
		"COMMITTED_VALUE_DESC": committedOrder,
	}
	for order, ordered := range orders {
		for _, f := range []kFilter{{}, {Region: "64.02"}} {
			t.Run("paging "+order+" "+orNull(f.Region), func(t *testing.T) {
				want := w.selected(f)
				var got []*kAgreement
				var after any
				for page := 0; ; page++ {
					var out agreementPage
					a.in(t).mustQuery(agreementsQuery, map[string]any{"f": f.vars(), "first": 4, "after": after, "order": order}, &out)
					if out.Agreements.TotalCount != len(want) {
						t.Fatalf("page %d: totalCount %d, want %d", page, out.Agreements.TotalCount, len(want))
					}
					for _, n := range out.Agreements.Nodes {
						got = append(got, w.reg.agreements[n.ID])
					}
					if len(got) > len(want) || page > len(want) {
						t.Fatalf("paging does not end: %d items so far", len(got))
					}
					if !out.Agreements.PageInfo.HasNextPage {
						break
					}
					if len(out.Agreements.Nodes) != 4 || out.Agreements.PageInfo.EndCursor == nil {
						t.Fatalf("page %d: %d nodes, cursor %v, and a next page", page, len(out.Agreements.Nodes), out.Agreements.PageInfo.EndCursor)
					}
					after = *out.Agreements.PageInfo.EndCursor
				}
				if gotIDs := ids(got); !sameSet(gotIDs, ids(want)) || len(gotIDs) != len(want) {
					t.Fatalf("pages hold %v, want each of %v once", gotIDs, ids(want))
				}
				for i := 1; i < len(got); i++ {
					if !ordered(got[i-1], got[i]) && ordered(got[i], got[i-1]) {
						t.Errorf("%s: %s before %s", order, got[i-1].ID, got[i].ID)
					}
				}
			})
		}
	}
}

// dateOrder reports whether x may come before y: by date, unknown last.
func dateOrder(x, y time.Time, desc bool) bool {
	switch {
	case x.IsZero():
		return y.IsZero()
	case y.IsZero():
		return true
	case desc:
		return !x.Before(y)
	}
	return !x.After(y)
}

func committedOrder(x, y *kAgreement) bool {
	switch {
	case x.Committed == nil:
		return y.Committed == nil
	case y.Committed == nil:
		return true
	}
	return *x.Committed >= *y.Committed
}

func checkAgreement(t *testing.T, w *world, got gqlAgreement, want *kAgreement, detail bool) {
	t.Helper()
	errorf := func(format string, args ...any) { t.Errorf(want.ID+": "+format, args...) }
	if got.Title != want.Title || got.DocumentType != want.DocType || got.Status != want.Status {
		errorf("title/type/status %q %s %s, want %q %s %s", got.Title, got.DocumentType, got.Status, want.Title, want.DocType, want.Status)
	}
	if !slices.Equal(got.DocumentNumbers, nonNil(want.DocNumbers)) {
		errorf("documentNumbers %q, want %q", got.DocumentNumbers, want.DocNumbers)
	}
	for _, d := range []struct {
		name string
		got  *string
		want string
	}{
		{"signedOn", got.SignedOn, dateStr(want.Signed)}, {"startsOn", got.StartsOn, dateStr(want.Start)},
		{"endsOn", got.EndsOn, dateStr(want.End)}, {"signedPlace", got.SignedPlace, orNull(want.SignedPlace)},
		{"fundingSource", got.FundingSource, orNull(want.Funding)}, {"sourceReference", got.SourceReference, orNull(want.Source)},
	} {
		if str(d.got) != d.want {
			errorf("%s %s, want %s", d.name, str(d.got), d.want)
		}
	}
	for _, l := range []struct {
		name      string
		got, want []string
	}{
		{"declaredIssues", got.DeclaredIssues, want.Declared}, {"derivedIssues", got.DerivedIssues, want.derived()},
		{"issues", got.Issues, want.issues()}, {"classificationDisagreements", got.ClassificationDisagreements, want.disagreements()},
		{"fields", got.Fields, want.Fields},
		{"villages", codesOf(got.Villages), want.villages()},
		{"kabupaten", codesOf(got.Kabupaten), kabupatenOf(want.regionCodes(), func(c string) bool { _, ok := w.regions[regionAt(c, 2)]; return ok })},
	} {
		if !sameSet(l.got, l.want) {
			errorf("%s %v, want %v", l.name, l.got, l.want)
		}
	}
	if (got.CommittedValue == nil) != (want.Committed == nil) || (want.Committed != nil && !near(*got.CommittedValue, *want.Committed)) {
		errorf("committedValue %v, want %v", got.CommittedValue, want.Committed)
	}
	value, ben := want.realised()
	if !near(got.RealisedValue, value) || got.Beneficiaries != ben {
		errorf("realised %v for %d people, want %v for %d", got.RealisedValue, got.Beneficiaries, value, ben)
	}
	var gotPersiapan, wantPersiapan []string
	for _, p := range got.DesaPersiapan {
		region := "<null>"
		if p.Region != nil {
			region = p.Region.Code
		}
		gotPersiapan = append(gotPersiapan, p.Name+" @ "+region)
	}
	for _, p := range want.persiapan() {
		wantPersiapan = append(wantPersiapan, p.Name+" @ "+p.Region)
	}
	if !sameSet(gotPersiapan, wantPersiapan) {
		errorf("desaPersiapan %q, want %q", gotPersiapan, wantPersiapan)
	}
	if !detail {
		return
	}
	var gotParties, wantParties []string
	for _, p := range got.Parties {
		region := "<null>"
		if p.Region != nil {
			region = p.Region.Code
		}
		gotParties = append(gotParties, fmt.Sprintf("%s|%s|%s|%s|%s|%s", p.Type, p.Name, str(p.RegionCode), region, str(p.Sector), str(p.Role)))
	}
	for _, p := range want.Parties {
		region := orNull(p.Region)
		if _, known := w.regions[p.Region]; !known {
			region = "<null>" // e.g. another province: not in the region register
		}
		wantParties = append(wantParties, fmt.Sprintf("%s|%s|%s|%s|%s|%s", p.Type, p.Name, orNull(p.Region), region, orNull(p.Sector), orNull(p.Role)))
	}
	if slices.Sort(gotParties); !slices.Equal(gotParties, sortedCopy(wantParties)) {
		errorf("parties\n got %q\nwant %q", gotParties, sortedCopy(wantParties))
	}
	var gotReal, wantReal []string
	for _, r := range got.Realisations {
		village := "<null>"
		if r.Village != nil {
			village = r.Village.Code
		}
		gotReal = append(gotReal, fmt.Sprintf("%s|%s|%.2f|%d|%s", r.Month, village, r.Value, r.Beneficiaries, str(r.Outputs)))
	}
	for _, r := range want.Realisations {
		wantReal = append(wantReal, fmt.Sprintf("%s|%s|%.2f|%d|%s", r.Month.Format("2006-01"), orNull(r.Village), r.Value, r.Beneficiaries, orNull(r.Outputs)))
	}
	if slices.Sort(gotReal); !slices.Equal(gotReal, sortedCopy(wantReal)) {
		errorf("realisations\n got %q\nwant %q", gotReal, sortedCopy(wantReal))
	}
}

func sortedCopy(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return out
}

func nonNil(in []string) []string {
	if in == nil {
		return []string{}
	}
	return in
}

func checkAgreementDetails(t *testing.T, a *api, w *world) {
	q := `query($id: ID!) { agreement(id: $id) { ` + agreementSummaryFields + `
		parties { type name regionCode region { code } sector role }
		realisations { month village { code } value beneficiaries outputs } } }`
	for _, want := range w.all() {
		t.Run(want.ID, func(t *testing.T) {
			var out struct{ Agreement *gqlAgreement }
			a.in(t).mustQuery(q, map[string]any{"id": want.ID}, &out)
			if out.Agreement == nil || out.Agreement.ID != want.ID {
				t.Fatalf("agreement %s: got %+v", want.ID, out.Agreement)
			}
			checkAgreement(t, w, *out.Agreement, want, true)
		})
	}
	var out struct{ Agreement *gqlAgreement }
	a.mustQuery(q, map[string]any{"id": "NO-SUCH-AGREEMENT"}, &out)
	if out.Agreement != nil {
		t.Errorf("unknown id: got %+v, want null", out.Agreement)
	}
}

// ---------------------------------------------------------------------------
// cooperationStats and strategicIssues

var (
	agreementMeasures   = []string{"AGREEMENTS", "ACTIVE_AGREEMENTS", "VILLAGES_COVERED", "DESA_PERSIAPAN_COVERED", "PARTNERS", "COMMITTED_VALUE"}
	realisationMeasures = []string{"REALISED_VALUE", "BENEFICIARIES"}
	allMeasures         = append(slices.Clone(agreementMeasures), realisationMeasures...)
)

// tally accumulates one group's measures.
type tally struct {
	agreements, active, beneficiaries int
	villages, persiapan, partners     map[string]bool
	committed, realised               float64
}

func newTally() *tally {
	return &tally{villages: map[string]bool{}, persiapan: map[string]bool{}, partners: map[string]bool{}}
}

func (t *tally) measure(m string) float64 {
	switch m {
	case "AGREEMENTS":
		return float64(t.agreements)
	case "ACTIVE_AGREEMENTS":
		return float64(t.active)
	case "VILLAGES_COVERED":
		return float64(len(t.villages))
	case "DESA_PERSIAPAN_COVERED":
		return float64(len(t.persiapan))
	case "PARTNERS":
		return float64(len(t.partners))
	case "COMMITTED_VALUE":
		return t.committed
	case "REALISED_VALUE":
		return t.realised
	case "BENEFICIARIES":
		return float64(t.beneficiaries)
	}
	panic("unknown measure " + m)
}

func bucket(d time.Time, grain string) string {
	switch {
	case d.IsZero():
		return "UNDATED"
	case grain == "MONTH":
		return d.Format("2006-01")
	case grain == "QUARTER":
		return fmt.Sprintf("%d-Q%d", d.Year(), (int(d.Month())+2)/3)
	}
	return strconv.Itoa(d.Year())
}

// listValues are an agreement's values of a list dimension, narrowed to the
// filter's values of the same list when it has some (a filter on issues
// shows only those issues), or NONE.
func listValues(values, only []string) []string {
	if only != nil {
		values = slices.DeleteFunc(slices.Clone(values), func(v string) bool { return !slices.Contains(only, v) })
	}
	if len(values) == 0 {
		return []string{"NONE"}
	}
	return sortedSet(values)
}

// dimValues are the groups an agreement (or one of its realisations) falls
// into along one dimension.
func dimValues(a *kAgreement, r *kRealisation, dim string, f kFilter, grain string) []string {
	if lvl := regionDimLevel[dim]; lvl > 0 {
		if r != nil {
			return []string{regionAt(r.Village, lvl)}
		}
		var out []string
		for _, c := range a.regionCodes() {
			if g := regionAt(c, lvl); g != "" && f.counts(c) {
				out = append(out, g)
			}
		}
		if len(out) == 0 {
			return []string{""}
		}
		return sortedSet(out)
	}
	switch dim {
	case "ISSUE":
		return listValues(a.issues(), f.Issues)
	case "PARTY_TYPE":
		var types []string
		for _, p := range a.Parties {
			types = append(types, p.Type)
		}
		return listValues(types, f.PartyTypes)
	case "PARTNER_SECTOR":
		var sectors []string
		for _, p := range a.partners() {
			if p.Sector != "" {
				sectors = append(sectors, p.Sector)
			}
		}
		return listValues(sectors, f.Sectors)
	case "FIELD":
		return listValues(a.Fields, f.Fields)
	case "STATUS":
		return []string{a.Status}
	case "PERIOD":
		if r != nil {
			return []string{bucket(r.Month, grain)}
		}
		return []string{bucket(a.Signed, grain)}
	}
	panic("unknown dimension " + dim)
}

func product(lists [][]string) [][]string {
	out := [][]string{{}}
	for _, l := range lists {
		var next [][]string
		for _, p := range out {
			for _, v := range l {
				next = append(next, append(slices.Clone(p), v))
			}
		}
		out = next
	}
	return out
}

// stats computes cooperationStats: a tally per group (keys joined by "|") and
// the totals.
func (w *world) stats(dims, measures []string, f kFilter, grain string) (map[string]*tally, *tally) {
	rows, total := map[string]*tally{}, newTally()
	group := func(key []string) *tally {
		k := strings.Join(key, "|")
		if rows[k] == nil {
			rows[k] = newTally()
		}
		return rows[k]
	}
	// inGroup reports whether a located thing lies in the group's regions.
	inGroup := func(code string, key []string) bool {
		for i, d := range dims {
			if regionDimLevel[d] > 0 && (key[i] == "" || !within(code, key[i])) {
				return false
			}
		}
		return true
	}
	partnerInGroup := func(p kParty, key []string) bool {
		for i, d := range dims {
			switch {
			case d == "PARTY_TYPE" && p.Type != key[i]:
				return false
			case d == "PARTNER_SECTOR" && p.Sector != key[i] && !(key[i] == "NONE" && p.Sector == ""):
				return false
			}
		}
		return true
	}
	wantAgreements := slices.ContainsFunc(measures, func(m string) bool { return slices.Contains(agreementMeasures, m) })
	wantRealisations := slices.ContainsFunc(measures, func(m string) bool { return slices.Contains(realisationMeasures, m) })
	for _, a := range w.selected(f) {
		var lists [][]string
		for _, d := range dims {
			lists = append(lists, dimValues(a, nil, d, f, grain))
		}
		add := func(t *tally, key []string, all bool) {
			t.agreements++
			if a.inForceOn(w.today) {
				t.active++
			}
			t.committed += a.committed()
			for _, v := range a.villages() {
				if f.counts(v) && (all || inGroup(v, key)) {
					t.villages[v] = true
				}
			}
			for k, p := range a.persiapan() {
				if f.counts(p.Region) && (all || inGroup(p.Region, key)) {
					t.persiapan[k] = true
				}
			}
			for k, p := range a.partners() {
				if all || partnerInGroup(p, key) {
					t.partners[k] = true
				}
			}
		}
		add(total, nil, true)
		if wantAgreements {
			for _, key := range product(lists) {
				add(group(key), key, false)
			}
		}
		for _, r := range a.Realisations {
			if !f.countsRealisation(r) {
				continue
			}
			total.realised += r.Value
			total.beneficiaries += r.Beneficiaries
			if !wantRealisations {
				continue
			}
			var lists [][]string
			for _, d := range dims {
				lists = append(lists, dimValues(a, &r, d, f, grain))
			}
			for _, key := range product(lists) {
				g := group(key)
				g.realised += r.Value
				g.beneficiaries += r.Beneficiaries
			}
		}
	}
	return rows, total
}

type gqlMeasures struct {
	Agreements, ActiveAgreements, VillagesCovered, DesaPersiapanCovered, Partners, Beneficiaries *int
	CommittedValue, RealisedValue                                                                *float64
}

func (m gqlMeasures) get(name string) *float64 {
	asFloat := func(p *int) *float64 {
		if p == nil {
			return nil
		}
		v := float64(*p)
		return &v
	}
	switch name {
	case "AGREEMENTS":
		return asFloat(m.Agreements)
	case "ACTIVE_AGREEMENTS":
		return asFloat(m.ActiveAgreements)
	case "VILLAGES_COVERED":
		return asFloat(m.VillagesCovered)
	case "DESA_PERSIAPAN_COVERED":
		return asFloat(m.DesaPersiapanCovered)
	case "PARTNERS":
		return asFloat(m.Partners)
	case "BENEFICIARIES":
		return asFloat(m.Beneficiaries)
	case "COMMITTED_VALUE":
		return m.CommittedValue
	case "REALISED_VALUE":
		return m.RealisedValue
	}
	panic("unknown measure " + name)
}

type gqlStatsRow struct {
	Provinsi, KabupatenKota, Kecamatan, Desa, RegionName, Issue, PartyType, PartnerSector, Field, Status, Period *string
	gqlMeasures
}

func (r gqlStatsRow) dim(d string) *string {
	return map[string]*string{"PROVINSI": r.Provinsi, "KABUPATEN_KOTA": r.KabupatenKota, "KECAMATAN": r.Kecamatan,
		"DESA": r.Desa, "ISSUE": r.Issue, "PARTY_TYPE": r.PartyType, "PARTNER_SECTOR": r.PartnerSector,
		"FIELD": r.Field, "STATUS": r.Status, "PERIOD": r.Period}[d]
}

const statsQuery = `query($d: [StatsDimension!]!, $m: [StatsMeasure!]!, $f: AgreementFilter, $g: TimeGrain, $fill: Boolean) {
  cooperationStats(dimensions: $d, measures: $m, filter: $f, timeGrain: $g, fillPeriods: $fill) {
    rows { provinsi kabupatenKota kecamatan desa regionName issue partyType partnerSector field status period
      agreements activeAgreements villagesCovered desaPersiapanCovered partners committedValue realisedValue beneficiaries }
    totals { agreements activeAgreements villagesCovered desaPersiapanCovered partners committedValue realisedValue beneficiaries } } }`

type statsCase struct {
	name           string
	dims, measures []string
	filter         kFilter
	grain          string
}

func statsCases() []statsCase {
	q1 := []string{"AGREEMENTS", "VILLAGES_COVERED", "COMMITTED_VALUE", "REALISED_VALUE"}
	return []statsCase{
		{"Q1 kabupaten x issue, 2025", []string{"KABUPATEN_KOTA", "ISSUE"}, q1, kFilter{Region: "64", Active: year(2025)}, ""},
		{"Q1 kabupaten x issue, 2024", []string{"KABUPATEN_KOTA", "ISSUE"}, q1, kFilter{Region: "64", Active: year(2024)}, ""},
		{"Q4 issue x party type", []string{"ISSUE", "PARTY_TYPE"}, []string{"AGREEMENTS", "PARTNERS"}, kFilter{}, ""},
		{"Q7 energy: kabupaten x partner sector", []string{"KABUPATEN_KOTA", "PARTNER_SECTOR"},
			[]string{"AGREEMENTS", "ACTIVE_AGREEMENTS", "VILLAGES_COVERED"}, kFilter{Issues: []string{"ENERGY_MINERAL"}}, ""},
		{"Q10 period (quarter) x issue", []string{"PERIOD", "ISSUE"}, []string{"AGREEMENTS"}, kFilter{}, "QUARTER"},
		{"period (month): agreements and realisations", []string{"PERIOD"}, []string{"AGREEMENTS", "REALISED_VALUE", "BENEFICIARIES"}, kFilter{}, "MONTH"},
		{"period (year) x status", []string{"PERIOD", "STATUS"}, []string{"AGREEMENTS", "COMMITTED_VALUE", "REALISED_VALUE"}, kFilter{}, "YEAR"},
		{"field", []string{"FIELD"}, []string{"AGREEMENTS", "COMMITTED_VALUE", "PARTNERS"}, kFilter{}, ""},
		{"status", []string{"STATUS"}, []string{"AGREEMENTS", "ACTIVE_AGREEMENTS", "COMMITTED_VALUE"}, kFilter{}, ""},
		{"partner sector", []string{"PARTNER_SECTOR"}, []string{"AGREEMENTS", "PARTNERS", "VILLAGES_COVERED"}, kFilter{}, ""},
		{"province", []string{"PROVINSI"}, allMeasures, kFilter{}, ""},
		{"kabupaten, all measures", []string{"KABUPATEN_KOTA"}, allMeasures, kFilter{}, ""},
		{"kecamatan within Kukar", []string{"KECAMATAN"}, allMeasures, kFilter{Region: "64.02"}, ""},
		// A region dimension coarser than the filter: its rows count only
		// what lies in the filter's region, like the totals.
		{"kabupaten within a kecamatan filter", []string{"KABUPATEN_KOTA"}, allMeasures, kFilter{Region: "64.02.02"}, ""},
		{"province within a kabupaten filter", []string{"PROVINSI", "ISSUE"}, allMeasures, kFilter{Region: "64.02"}, ""},
		{"desa, signed in 2024", []string{"DESA"}, []string{"AGREEMENTS", "VILLAGES_COVERED", "REALISED_VALUE", "BENEFICIARIES"}, kFilter{Signed: year(2024)}, ""},
		{"no dimension: totals", nil, allMeasures, kFilter{}, ""},
		{"no dimension, in force mid-2024", nil, allMeasures, kFilter{Active: &period{time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 9, 30, 0, 0, 0, 0, time.UTC)}}, ""},
		{"four dimensions", []string{"KABUPATEN_KOTA", "ISSUE", "PARTY_TYPE", "STATUS"}, []string{"AGREEMENTS", "PARTNERS", "REALISED_VALUE"}, kFilter{}, ""},
		{"issue, BKAD party", []string{"ISSUE"}, allMeasures, kFilter{PartyTypes: []string{"BKAD"}}, ""},
		{"party type, partner Baznas", []string{"PARTY_TYPE"}, []string{"AGREEMENTS", "PARTNERS", "VILLAGES_COVERED"}, kFilter{Partner: "baznas KUKAR"}, ""},
		{"kecamatan, coal partners", []string{"KECAMATAN"}, []string{"AGREEMENTS", "VILLAGES_COVERED", "REALISED_VALUE"}, kFilter{Sectors: []string{"COAL"}}, ""},
		{"desa, expired or terminated", []string{"DESA"}, []string{"AGREEMENTS", "REALISED_VALUE"}, kFilter{Statuses: []string{"EXPIRED", "TERMINATED"}}, ""},
		{"issue, agriculture in Paser", []string{"ISSUE"}, allMeasures, kFilter{Fields: []string{"AGRICULTURE"}, Region: "64.01"}, ""},
		{"issue narrowed by the issue filter", []string{"ISSUE", "STATUS"}, allMeasures, kFilter{Issues: []string{"ENERGY_MINERAL", "CROSS_KABUPATEN"}}, ""},
		{"party type narrowed by the party type filter", []string{"PARTY_TYPE"}, []string{"AGREEMENTS", "PARTNERS"}, kFilter{PartyTypes: []string{"COMPANY", "ZAKAT_BODY"}}, ""},
		{"field narrowed by the field filter, by quarter", []string{"FIELD", "PERIOD"}, []string{"AGREEMENTS", "REALISED_VALUE"}, kFilter{Fields: []string{"ENERGY", "UMKM"}}, "QUARTER"},
		{"partner sector narrowed, kecamatan", []string{"PARTNER_SECTOR", "KECAMATAN"}, []string{"AGREEMENTS", "PARTNERS", "VILLAGES_COVERED"}, kFilter{Sectors: []string{"COAL", "OIL_GAS"}}, ""},
	}
}

func checkStats(t *testing.T, a *api, w *world) {
	for _, c := range statsCases() {
		fills := []bool{false}
		if slices.Contains(c.dims, "PERIOD") {
			fills = append(fills, true)
		}
		for _, fill := range fills {
			name := c.name
			if fill {
				name += ", every period filled in"
			}
			t.Run(name, func(t *testing.T) { checkStatsCase(t, a, w, c, fill) })
		}
	}
}

func checkStatsCase(t *testing.T, a *api, w *world, c statsCase, fill bool) {
	vars := map[string]any{"d": nonNil(c.dims), "m": c.measures, "f": c.filter.vars(), "fill": fill}
	if c.grain != "" {
		vars["g"] = c.grain
	}
	var out struct {
		CooperationStats struct {
			Rows   []gqlStatsRow
			Totals gqlMeasures
		}
	}
	a.in(t).mustQuery(statsQuery, vars, &out)
	wantRows, wantTotal := w.stats(c.dims, c.measures, c.filter, c.grain)
	if fill {
		wantRows = filledPeriods(t, wantRows, c.dims, c.grain, c.filter)
	}
	got := map[string]gqlStatsRow{}
	var order [][]string
	for _, r := range out.CooperationStats.Rows {
		var key []string
		for _, d := range c.dims {
			v := r.dim(d)
			if v == nil {
				t.Fatalf("row %+v has no %s", r, d)
			}
			key = append(key, *v) // "no value" is NONE for every list dimension
		}
		k := strings.Join(key, "|")
		if _, dup := got[k]; dup {
			t.Errorf("group %q appears twice", k)
		}
		got[k] = r
		order = append(order, key)
	}
	if !slices.IsSortedFunc(order, slices.Compare) {
		t.Errorf("rows are not ordered by their dimension values: %q", order)
	}
	if gk, wk := setOf(got), setOf(wantRows); !slices.Equal(gk, wk) {
		t.Errorf("groups\n got %q\nwant %q", gk, wk)
	}
	for k, want := range wantRows {
		r, ok := got[k]
		if !ok {
			continue
		}
		for _, m := range c.measures {
			if v := r.get(m); !nearPtr(v, want.measure(m)) {
				t.Errorf("%q %s: got %v, want %v", k, m, deref(v), want.measure(m))
			}
		}
		for _, m := range allMeasures {
			if !slices.Contains(c.measures, m) && r.get(m) != nil {
				t.Errorf("%q %s: got %v, not asked for", k, m, *r.get(m))
			}
		}
		checkRegionName(t, w, c.dims, strings.Split(k, "|"), r.RegionName)
	}
	for _, m := range c.measures {
		if v := out.CooperationStats.Totals.get(m); !nearPtr(v, wantTotal.measure(m)) {
			t.Errorf("totals %s: got %v, want %v", m, deref(v), wantTotal.measure(m))
		}
	}
}

// filledPeriods adds an empty group for every period from the first to
// the last (widened to the filter's periods) that a combination of the
// other dimensions lacks, as fillPeriods asks.
func filledPeriods(t *testing.T, rows map[string]*tally, dims []string, grain string, f kFilter) map[string]*tally {
	p := slices.Index(dims, "PERIOD")
	start := func(d time.Time) time.Time {
		switch grain {
		case "MONTH":
			return time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
		case "QUARTER":
			return time.Date(d.Year(), d.Month()-(d.Month()-1)%3, 1, 0, 0, 0, 0, time.UTC)
		}
		return time.Date(d.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	}
	next := map[string]func(time.Time) time.Time{
		"MONTH":   func(d time.Time) time.Time { return d.AddDate(0, 1, 0) },
		"QUARTER": func(d time.Time) time.Time { return d.AddDate(0, 3, 0) },
		"YEAR":    func(d time.Time) time.Time { return d.AddDate(1, 0, 0) },
		"":        func(d time.Time) time.Time { return d.AddDate(1, 0, 0) },
	}[grain]
	var first, last time.Time
	widen := func(d time.Time) {
		d = start(d)
		if first.IsZero() || d.Before(first) {
			first = d
		}
		if last.IsZero() || d.After(last) {
			last = d
		}
	}
	series := map[string][]string{}
	for k := range rows {
		key := strings.Split(k, "|")
		others := slices.Concat(key[:p], key[p+1:])
		series[strings.Join(others, "|")] = key
		for d := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2110; d = next(d) {
			if bucket(d, grain) == key[p] {
				widen(d)
				break
			}
		}
	}
	for _, per := range []*period{f.Signed, f.Active} {
		if per != nil {
			widen(per.from)
			widen(per.to)
		}
	}
	if first.IsZero() {
		return rows
	}
	out := maps.Clone(rows)
	for _, key := range series {
		for d := first; !d.After(last); d = next(d) {
			k := slices.Clone(key)
			k[p] = bucket(d, grain)
			if _, ok := out[strings.Join(k, "|")]; !ok {
				out[strings.Join(k, "|")] = newTally()
			}
		}
	}
	if len(out) == len(rows) {
		t.Logf("filling in periods added nothing")
	}
	return out
}

func deref(p *float64) any {
	if p == nil {
		return "<null>"
	}
	return *p
}

func checkRegionName(t *testing.T, w *world, dims, key []string, got *string) {
	t.Helper()
	want := "<null>"
	for i, d := range dims {
		if regionDimLevel[d] > 0 {
			if r, ok := w.regions[key[i]]; ok {
				want = r.Name
			}
		}
	}
	if str(got) != want {
		t.Errorf("%q regionName %s, want %s", strings.Join(key, "|"), str(got), want)
	}
}

func checkStrategicIssues(t *testing.T, a *api, w *world) {
	q := `query($f: AgreementFilter) { strategicIssues(filter: $f) {
		issue agreements activeAgreements villagesCovered partners committedValue realisedValue } }`
	measures := []string{"AGREEMENTS", "ACTIVE_AGREEMENTS", "VILLAGES_COVERED", "PARTNERS", "COMMITTED_VALUE", "REALISED_VALUE"}
	for name, f := range map[string]kFilter{
		"all":                         {},
		"Kukar":                       {Region: "64.02"},
		"in force in 2025":            {Active: year(2025)},
		"in force in 2024 in Paser":   {Active: year(2024), Region: "64.01"},
		"third party and energy only": {Issues: []string{"THIRD_PARTY", "ENERGY_MINERAL"}},
	} {
		t.Run(name, func(t *testing.T) {
			var out struct {
				StrategicIssues []struct {
					Issue                                                   string
					Agreements, ActiveAgreements, VillagesCovered, Partners int
					CommittedValue, RealisedValue                           float64
				}
			}
			a.in(t).mustQuery(q, map[string]any{"f": f.vars()}, &out)
			rows, _ := w.stats([]string{"ISSUE"}, measures, f, "")
			issues := issueOrder
			if f.Issues != nil {
				issues = f.Issues
			}
			var got []string
			for _, s := range out.StrategicIssues {
				got = append(got, s.Issue)
				want := rows[s.Issue]
				if want == nil {
					want = newTally()
				}
				for _, m := range []struct {
					name      string
					got, want float64
				}{
					{"agreements", float64(s.Agreements), want.measure("AGREEMENTS")},
					{"activeAgreements", float64(s.ActiveAgreements), want.measure("ACTIVE_AGREEMENTS")},
					{"villagesCovered", float64(s.VillagesCovered), want.measure("VILLAGES_COVERED")},
					{"partners", float64(s.Partners), want.measure("PARTNERS")},
					{"committedValue", s.CommittedValue, want.measure("COMMITTED_VALUE")},
					{"realisedValue", s.RealisedValue, want.measure("REALISED_VALUE")},
				} {
					if !near(m.got, m.want) {
						t.Errorf("%s %s: got %v, want %v", s.Issue, m.name, m.got, m.want)
					}
				}
			}
			if !slices.Equal(got, issues) {
				t.Errorf("issues %v, want %v", got, issues)
			}
		})
	}
}

// ---------------------------------------------------------------------------
// compareRegions

type gqlStatusCount struct {
	Status string
	Count  int
	Share  *float64
}

func checkCompareRegions(t *testing.T, a *api, w *world) {
	q := `query($codes: [ID!]!, $year: Int!, $idmYear: Int) { compareRegions(codes: $codes, year: $year, idmYear: $idmYear) {
		region { code name } year desaCount agreements agreementsPer100Desa desaCovered desaCoveredShare
		desaPersiapanCovered committedValue valuePerDesa realisedValue byIssue { issue agreements }
		idm { year scored meanIdm byStatus { status count share } movedUp movedDown } } }`
	codes := []string{"64.02", "6401", "64.07", "64", "64.02.02", "64.72"}
	// The IDM side shows the year's IDM, else the latest before it (IDM
	// stops at 2024), else none; or the IDM year asked for.
	for _, c := range []struct{ year, idmYear, wantIDM int }{
		{2023, 0, 2023}, {2024, 0, 2024}, {2025, 0, 2024}, {2022, 0, 0}, {2025, 2023, 2023},
	} {
		y := c.year
		t.Run(fmt.Sprintf("%d IDM %d", c.year, c.wantIDM), func(t *testing.T) {
			var out struct {
				CompareRegions []struct {
					Region                                                               struct{ Code, Name string }
					Year, DesaCount, Agreements, DesaCovered, DesaPersiapanCovered       int
					AgreementsPer100Desa, DesaCoveredShare, CommittedValue, ValuePerDesa float64
					RealisedValue                                                        float64
					ByIssue                                                              []struct {
						Issue      string
						Agreements int
					}
					Idm *scorecardIDM
				}
			}
			vars := map[string]any{"codes": codes, "year": y}
			if c.idmYear != 0 {
				vars["idmYear"] = c.idmYear
			}
			a.in(t).mustQuery(q, vars, &out)
			if len(out.CompareRegions) != len(codes) {
				t.Fatalf("%d scorecards for %d regions", len(out.CompareRegions), len(codes))
			}
			for i, got := range out.CompareRegions {
				code := dotted(codes[i])
				errorf := func(format string, args ...any) { t.Errorf(code+": "+format, args...) }
				if got.Region.Code != code || got.Region.Name != w.regions[code].Name || got.Year != y {
					errorf("region %+v year %d", got.Region, got.Year)
				}
				// The independent scorecard.
				desa := 0
				for c := range w.regions {
					if w.isDesa(c) && within(c, code) {
						desa++
					}
				}
				f := kFilter{Region: code, Active: year(y)}
				agreements := w.selected(f)
				covered, persiapan := map[string]bool{}, map[string]bool{}
				committed, realised := 0.0, 0.0
				byIssue := map[string]int{}
				for _, ag := range agreements {
					for _, v := range ag.villages() {
						if within(v, code) && w.isDesa(v) {
							covered[v] = true
						}
					}
					for k, p := range ag.persiapan() {
						if within(p.Region, code) {
							persiapan[k] = true
						}
					}
					committed += ag.committed()
					for _, r := range ag.Realisations {
						if f.countsRealisation(r) {
							realised += r.Value
						}
					}
					for _, i := range ag.issues() {
						byIssue[i]++
					}
				}
				n := float64(desa)
				ratio := func(x func() float64) float64 { // a kota has no desa: its ratios are 0
					if desa == 0 {
						return 0
					}
					return x()
				}
				for _, c := range []struct {
					name      string
					got, want float64
				}{
					{"desaCount", float64(got.DesaCount), n},
					{"agreements", float64(got.Agreements), float64(len(agreements))},
					{"agreementsPer100Desa", got.AgreementsPer100Desa, ratio(func() float64 { return per100(len(agreements), desa) })},
					{"desaCovered", float64(got.DesaCovered), float64(len(covered))},
					{"desaCoveredShare", got.DesaCoveredShare, ratio(func() float64 { return share4(len(covered), desa) })},
					{"desaPersiapanCovered", float64(got.DesaPersiapanCovered), float64(len(persiapan))},
					{"committedValue", got.CommittedValue, committed},
					{"valuePerDesa", got.ValuePerDesa, ratio(func() float64 { return senPer(committed, desa) })},
					{"realisedValue", got.RealisedValue, realised},
				} {
					if !near(c.got, c.want) {
						errorf("%s %v, want %v", c.name, c.got, c.want)
					}
				}
				var issues []string
				for _, bi := range got.ByIssue {
					issues = append(issues, bi.Issue)
					if bi.Agreements != byIssue[bi.Issue] {
						errorf("%s agreements %d, want %d", bi.Issue, bi.Agreements, byIssue[bi.Issue])
					}
				}
				if !slices.Equal(issues, issueOrder) {
					errorf("byIssue lists %v, want all four in order", issues)
				}
				checkScorecardIDM(t, w, code, c.wantIDM, got.Idm)
			}
		})
	}
}

type scorecardIDM struct {
	Year, Scored       int
	MeanIdm            *float64
	ByStatus           []gqlStatusCount
	MovedUp, MovedDown *int
}

// checkScorecardIDM checks a scorecard's IDM side against IDM year y (0: it
// has none).
func checkScorecardIDM(t *testing.T, w *world, code string, y int, got *scorecardIDM) {
	t.Helper()
	scores, ok := w.idm[y]
	if !ok {
		if got != nil {
			t.Errorf("%s: idm %+v, want null (no IDM at or before the year)", code, got)
		}
		return
	}
	if got == nil || got.Year != y {
		t.Errorf("%s: idm %+v, want IDM %d", code, got, y)
		return
	}
	counts, sum, scored := map[string]int{}, int64(0), 0
	for c, r := range scores {
		if within(c, code) {
			counts[r.status]++
			sum += scoreUnits(r.idm)
			scored++
		}
	}
	if got.Scored != scored || (scored > 0 && !nearPtr(got.MeanIdm, mean4(sum, scored))) || (scored == 0 && got.MeanIdm != nil) {
		t.Errorf("%s %d: scored %d mean %v, want %d mean %v", code, y, got.Scored, deref(got.MeanIdm), scored, mean4(sum, max(scored, 1)))
	}
	var statuses []string
	for _, sc := range got.ByStatus {
		statuses = append(statuses, sc.Status)
		if sc.Count != counts[sc.Status] {
			t.Errorf("%s %d %s: %d, want %d", code, y, sc.Status, sc.Count, counts[sc.Status])
		}
		if scored > 0 && !nearPtr(sc.Share, share4(counts[sc.Status], scored)) {
			t.Errorf("%s %d %s share %v", code, y, sc.Status, deref(sc.Share))
		}
	}
	if !slices.Equal(statuses, idmStatuses) {
		t.Errorf("%s %d: byStatus %v, want every status in order", code, y, statuses)
	}
	prev, ok := w.idm[y-1]
	if !ok {
		if got.MovedUp != nil || got.MovedDown != nil {
			t.Errorf("%s %d: moved %v/%v without the previous year, want null", code, y, got.MovedUp, got.MovedDown)
		}
		return
	}
	up, down := 0, 0
	for c, r := range scores {
		if p, ok := prev[c]; ok && within(c, code) {
			switch d := statusRank[r.status] - statusRank[p.status]; {
			case d > 0:
				up++
			case d < 0:
				down++
			}
		}
	}
	if got.MovedUp == nil || got.MovedDown == nil || *got.MovedUp != up || *got.MovedDown != down {
		t.Errorf("%s %d: moved up %v down %v, want %d %d", code, y, got.MovedUp, got.MovedDown, up, down)
	}
}

// ---------------------------------------------------------------------------
// villagesWithoutPartner and cooperationImpact (the IDM side)

// coveredDuring are the desa covered by an agreement in force in the period.
func (w *world) coveredDuring(p period) map[string]bool {
	out := map[string]bool{}
	for _, a := range w.selected(kFilter{Active: &p}) {
		for _, v := range a.villages() {
			out[v] = true
		}
	}
	return out
}

func checkVillagesWithoutPartner(t *testing.T, a *api, w *world) {
	q := `query($r: ID, $s: [IdmStatus!], $iy: Int, $p: DateRange, $y: Int, $first: Int, $after: String) {
		villagesWithoutPartner(regionCode: $r, statuses: $s, idmYear: $iy, activeDuring: $p, year: $y, first: $first, after: $after) {
		totalCount nodes { village { code } kecamatan { code } kabupaten { code } status idm } pageInfo { endCursor hasNextPage }
		idmYear activeDuring { from to } } }`
	type page struct {
		VillagesWithoutPartner struct {
			TotalCount   int
			IdmYear      int
			ActiveDuring struct{ From, To string }
			Nodes        []struct {
				Village, Kecamatan, Kabupaten code
				Status                        string
				Idm                           float64
			}
			PageInfo struct {
				EndCursor   *string
				HasNextPage bool
			}
		}
	}
	today := &period{w.today, w.today}
	cases := []struct {
		name       string
		region     string
		statuses   []string
		idmYear    int     // 0: the default, the latest year
		active     *period // nil: the default, today
		legacyYear int     // the deprecated year: IDM and period of that year
		pageSize   int
	}{
		{"Kukar, default statuses, IDM 2024, in force during 2024", "64.02", nil, 2024, year(2024), 0, 7},
		{"Kukar, berkembang, year 2023 (deprecated)", "64.02", []string{"BERKEMBANG"}, 0, nil, 2023, 5},
		{"Kutai Barat, tertinggal, the latest IDM and partners today", "6407", []string{"TERTINGGAL"}, 0, nil, 0, 1},
		{"Kutai Barat, weakest, IDM 2023 and partners today", "64.07", []string{"TERTINGGAL", "SANGAT_TERTINGGAL"}, 2023, nil, 0, 2},
		{"everywhere, every status, the latest IDM, in force during 2025", "", idmStatuses, 0, year(2025), 0, 200},
		{"Paser kecamatan Batu Sopang, IDM 2024, first half of 2024", "64.01.01", idmStatuses, 2024,
			&period{time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC)}, 0, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			y, active := c.idmYear, c.active
			switch {
			case c.legacyYear != 0:
				y, active = c.legacyYear, year(c.legacyYear)
			case y == 0:
				y = 2024
			}
			if active == nil {
				active = today
			}
			statuses := c.statuses
			if statuses == nil {
				statuses = []string{"SANGAT_TERTINGGAL", "TERTINGGAL", "BERKEMBANG"}
			}
			covered := w.coveredDuring(*active)
			var want []idmRow
			for v, r := range w.idm[y] {
				if within(v, dotted(c.region)) && slices.Contains(statuses, r.status) && !covered[v] {
					want = append(want, r)
				}
			}
			slices.SortFunc(want, func(x, y idmRow) int {
				if x.idm != y.idm {
					return cmpFloat(x.idm, y.idm)
				}
				return strings.Compare(x.village, y.village)
			})
			vars := func(first int, after any) map[string]any {
				v := map[string]any{"first": first, "after": after}
				if c.region != "" {
					v["r"] = c.region
				}
				if c.statuses != nil {
					v["s"] = c.statuses
				}
				if c.idmYear != 0 {
					v["iy"] = c.idmYear
				}
				if c.active != nil {
					v["p"] = map[string]any{"from": dateStr(c.active.from), "to": dateStr(c.active.to)}
				}
				if c.legacyYear != 0 {
					v["y"] = c.legacyYear
				}
				return v
			}
			// One page with everything.
			var all page
			a.in(t).mustQuery(q, vars(1000, nil), &all)
			got := all.VillagesWithoutPartner
			if got.TotalCount != len(want) || len(got.Nodes) != len(want) || got.PageInfo.HasNextPage {
				t.Fatalf("totalCount %d, %d nodes, next %v; want %d", got.TotalCount, len(got.Nodes), got.PageInfo.HasNextPage, len(want))
			}
			if got.IdmYear != y || got.ActiveDuring.From != dateStr(active.from) || got.ActiveDuring.To != dateStr(active.to) {
				t.Errorf("answered for IDM %d and %+v, want %d and %s..%s", got.IdmYear, got.ActiveDuring, y, dateStr(active.from), dateStr(active.to))
			}
			var order []string
			for i, n := range got.Nodes {
				order = append(order, n.Village.Code)
				if i > 0 && n.Idm < got.Nodes[i-1].Idm {
					t.Errorf("%s (%v) after %s (%v): weakest first", n.Village.Code, n.Idm, got.Nodes[i-1].Village.Code, got.Nodes[i-1].Idm)
				}
			}
			wantByCode := map[string]idmRow{}
			var wantCodes []string
			for _, r := range want {
				wantByCode[dotted(r.village)] = r
				wantCodes = append(wantCodes, dotted(r.village))
			}
			if !sameSet(order, wantCodes) {
				t.Fatalf("villages\n got %v\nwant %v", order, wantCodes)
			}
			for _, n := range got.Nodes {
				r := wantByCode[n.Village.Code]
				if n.Status != r.status || !near(n.Idm, r.idm) || n.Kecamatan.Code != dotted(r.kecamatan) || n.Kabupaten.Code != dotted(r.kabupaten) {
					t.Errorf("%s: %s %v in %s/%s, want %s %v in %s/%s", n.Village.Code, n.Status, n.Idm, n.Kecamatan.Code,
						n.Kabupaten.Code, r.status, r.idm, dotted(r.kecamatan), dotted(r.kabupaten))
				}
			}
			// The same list in pages: nothing twice, nothing missing.
			var paged []string
			var after any
			for len(paged) <= len(want) {
				var p page
				a.in(t).mustQuery(q, vars(c.pageSize, after), &p)
				for _, n := range p.VillagesWithoutPartner.Nodes {
					paged = append(paged, n.Village.Code)
				}
				if !p.VillagesWithoutPartner.PageInfo.HasNextPage {
					break
				}
				after = *p.VillagesWithoutPartner.PageInfo.EndCursor
			}
			if !slices.Equal(paged, order) {
				t.Errorf("pages of %d\n got %v\nwant %v", c.pageSize, paged, order)
			}
		})
	}
}

func cmpFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func checkImpact(t *testing.T, a *api, w *world) {
	q := `query($r: ID, $from: Int!, $to: Int!) { cooperationImpact(regionCode: $r, fromYear: $from, toYear: $to) {
		region { code } fromYear toYear withCooperation { ...g } withoutCooperation { ...g } } }
		fragment g on ImpactGroup { desa meanIdmFrom meanIdmTo meanChange movedUp unchanged movedDown }`
	type impactGroup struct {
		Desa, MovedUp, Unchanged, MovedDown int
		MeanIdmFrom, MeanIdmTo, MeanChange  *float64
	}
	for _, region := range []string{"", "64.02", "6407", "64.01.01", "64.02.02"} {
		t.Run(orNull(region), func(t *testing.T) {
			var out struct {
				CooperationImpact struct {
					Region                              *code
					FromYear, ToYear                    int
					WithCooperation, WithoutCooperation impactGroup
				}
			}
			vars := map[string]any{"from": 2023, "to": 2024}
			if region != "" {
				vars["r"] = region
			}
			a.in(t).mustQuery(q, vars, &out)
			got := out.CooperationImpact
			if got.FromYear != 2023 || got.ToYear != 2024 || (region == "" && got.Region != nil) ||
				(region != "" && (got.Region == nil || got.Region.Code != dotted(region))) {
				t.Errorf("impact header: %+v", got)
			}
			covered := w.coveredDuring(period{year(2023).from, year(2024).to})
			type acc struct {
				n, up, same, down int
				from, to          int64 // sums of scores, in ten-thousandths
			}
			var with, without acc
			for v, r23 := range w.idm[2023] {
				r24, ok := w.idm[2024][v]
				if !ok || !within(v, dotted(region)) {
					continue
				}
				g := &without
				if covered[v] {
					g = &with
				}
				g.n++
				g.from += scoreUnits(r23.idm)
				g.to += scoreUnits(r24.idm)
				switch d := statusRank[r24.status] - statusRank[r23.status]; {
				case d > 0:
					g.up++
				case d < 0:
					g.down++
				default:
					g.same++
				}
			}
			for name, c := range map[string]struct {
				got  impactGroup
				want acc
			}{"with": {got.WithCooperation, with}, "without": {got.WithoutCooperation, without}} {
				g, wnt := c.got, c.want
				if g.Desa != wnt.n || g.MovedUp != wnt.up || g.Unchanged != wnt.same || g.MovedDown != wnt.down {
					t.Errorf("%s cooperation: desa %d up %d same %d down %d, want %d %d %d %d", name, g.Desa, g.MovedUp, g.Unchanged, g.MovedDown,
						wnt.n, wnt.up, wnt.same, wnt.down)
				}
				if wnt.n == 0 {
					if g.MeanIdmFrom != nil || g.MeanIdmTo != nil || g.MeanChange != nil {
						t.Errorf("%s cooperation: means for no desa, want null", name)
					}
					continue
				}
				from, to, change := mean4(wnt.from, wnt.n), mean4(wnt.to, wnt.n), mean4(wnt.to-wnt.from, wnt.n)
				if !nearPtr(g.MeanIdmFrom, from) || !nearPtr(g.MeanIdmTo, to) || !nearPtr(g.MeanChange, change) {
					t.Errorf("%s cooperation: means %v %v %v, want %v %v %v", name, deref(g.MeanIdmFrom), deref(g.MeanIdmTo), deref(g.MeanChange),
						from, to, change)
				}
			}
			if region == "" && (with.n == 0 || without.n == 0) {
				t.Errorf("the fixture should put desa on both sides: %d with, %d without", with.n, without.n)
			}
		})
	}
}

// ---------------------------------------------------------------------------
// interVillageBodies, crossRegionLinks, partners, expiringAgreements

func checkBodies(t *testing.T, a *api, w *world) {
	q := `query($f: BodyFilter) { interVillageBodies(filter: $f) { id name region { code } kabupaten { code }
		establishedOn legalBasis jointEnterprise members { code } agreements activeAgreements active } }`
	for _, c := range []struct {
		name     string
		region   string
		inactive bool
	}{
		{"all", "", false}, {"Kukar", "64.02", false}, {"inactive", "", true}, {"inactive in Paser", "6401", true},
		{"Kecamatan Loa Kulu", "64.02.02", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			filter := map[string]any{"inactiveOnly": c.inactive}
			if c.region != "" {
				filter["regionCode"] = c.region
			}
			var out struct {
				InterVillageBodies []struct {
					ID, Name                                   string
					Region, Kabupaten                          *code
					EstablishedOn, LegalBasis, JointEnterprise *string
					Members                                    []code
					Agreements, ActiveAgreements               int
					Active                                     bool
				}
			}
			a.in(t).mustQuery(q, map[string]any{"f": filter}, &out)
			want := map[string]*kBody{}
			counts := map[string][2]int{}
			for id, b := range w.reg.bodies {
				n, active := 0, 0
				for _, ag := range w.all() {
					if slices.ContainsFunc(ag.Parties, func(p kParty) bool {
						return p.Type == "BKAD" && (p.BodyID == b.ID || p.BodyID == "" && fold(p.Name) == fold(b.Name))
					}) {
						n++
						if ag.inForceOn(w.today) {
							active++
						}
					}
				}
				if within(b.Region, dotted(c.region)) && (!c.inactive || active == 0) {
					want[id] = b
					counts[id] = [2]int{n, active}
				}
			}
			var got []string
			for _, b := range out.InterVillageBodies {
				got = append(got, b.ID)
				wb := want[b.ID]
				if wb == nil {
					continue
				}
				cnt := counts[b.ID]
				kab := "<null>"
				if b.Kabupaten != nil {
					kab = b.Kabupaten.Code
				}
				region := "<null>"
				if b.Region != nil {
					region = b.Region.Code
				}
				if b.Name != wb.Name || region != wb.Region || kab != regionAt(wb.Region, 2) ||
					str(b.EstablishedOn) != orNull(wb.Established) || str(b.LegalBasis) != orNull(wb.Legal) ||
					str(b.JointEnterprise) != orNull(wb.Joint) || !sameSet(codesOf(b.Members), wb.Members) {
					t.Errorf("%s: %+v, want %+v", b.ID, b, *wb)
				}
				if b.Agreements != cnt[0] || b.ActiveAgreements != cnt[1] || b.Active != (cnt[1] > 0) {
					t.Errorf("%s: %d agreements, %d active, active=%v; want %d, %d", b.ID, b.Agreements, b.ActiveAgreements, b.Active, cnt[0], cnt[1])
				}
			}
			if !sameSet(got, setOf(want)) || len(got) != len(want) {
				t.Errorf("bodies %v, want %v", got, setOf(want))
			}
		})
	}
}

func checkLinks(t *testing.T, a *api, w *world) {
	q := `query($l: RegionLevel!, $y: Int!, $f: AgreementFilter) { crossRegionLinks(level: $l, year: $y, filter: $f) {
		fromCode from { code name } toCode to { code name } agreements committedValue } }`
	levels := map[string]int{"PROVINSI": 1, "KABUPATEN_KOTA": 2, "KECAMATAN": 3}
	for _, c := range []struct {
		level  string
		year   int
		filter kFilter
	}{
		{"KABUPATEN_KOTA", 2024, kFilter{}}, {"KABUPATEN_KOTA", 2025, kFilter{}}, {"KABUPATEN_KOTA", 2023, kFilter{}},
		{"PROVINSI", 2025, kFilter{}}, {"PROVINSI", 2024, kFilter{}}, {"KECAMATAN", 2024, kFilter{}},
		{"KABUPATEN_KOTA", 2024, kFilter{Issues: []string{"THIRD_PARTY"}}},
	} {
		t.Run(fmt.Sprintf("%s %d %v", c.level, c.year, c.filter.Issues), func(t *testing.T) {
			var out struct {
				CrossRegionLinks []struct {
					FromCode, ToCode string
					From, To         *struct{ Code, Name string }
					Agreements       int
					CommittedValue   float64
				}
			}
			a.in(t).mustQuery(q, map[string]any{"l": c.level, "y": c.year, "f": c.filter.vars()}, &out)
			type link struct {
				agreements int
				value      float64
			}
			want := map[string]*link{}
			f := c.filter
			f.Active = year(c.year)
			for _, ag := range w.selected(f) {
				var regions []string
				for _, rc := range ag.regionCodes() {
					if r := regionAt(rc, levels[c.level]); r != "" {
						regions = append(regions, r)
					}
				}
				regions = sortedSet(regions)
				for i := range regions {
					for j := i + 1; j < len(regions); j++ {
						k := regions[i] + " -> " + regions[j]
						if want[k] == nil {
							want[k] = &link{}
						}
						want[k].agreements++
						want[k].value += ag.committed()
					}
				}
			}
			var got []string
			for _, l := range out.CrossRegionLinks {
				k := l.FromCode + " -> " + l.ToCode
				got = append(got, k)
				if wl := want[k]; wl != nil && (l.Agreements != wl.agreements || !near(l.CommittedValue, wl.value)) {
					t.Errorf("%s: %d agreements, %v; want %d, %v", k, l.Agreements, l.CommittedValue, wl.agreements, wl.value)
				}
				for _, end := range []struct {
					code   string
					region *struct{ Code, Name string }
				}{{l.FromCode, l.From}, {l.ToCode, l.To}} {
					r, known := w.regions[end.code]
					if known != (end.region != nil) || (known && end.region.Name != r.Name) {
						t.Errorf("%s: region %s resolved as %+v", k, end.code, end.region)
					}
				}
			}
			if !sameSet(got, setOf(want)) || len(got) != len(want) {
				t.Errorf("links\n got %v\nwant %v", got, setOf(want))
			}
		})
	}
}

type partnerWant struct {
	names                               []string
	typ, sector                         string
	agreements, active                  int
	villages, kabupaten, issues, fields map[string]bool
	committed, realised                 float64
}

func (w *world) partners(f kFilter) map[string]*partnerWant {
	out := map[string]*partnerWant{}
	for _, ag := range w.selected(f) {
		for k, p := range ag.partners() {
			pw := out[k]
			if pw == nil {
				pw = &partnerWant{typ: p.Type, villages: map[string]bool{}, kabupaten: map[string]bool{}, issues: map[string]bool{}, fields: map[string]bool{}}
				out[k] = pw
			}
			pw.names = append(pw.names, p.Name)
			if p.Sector != "" {
				pw.sector = p.Sector
			}
			pw.agreements++
			if ag.inForceOn(w.today) {
				pw.active++
			}
			for _, v := range ag.villages() {
				if f.counts(v) {
					pw.villages[v] = true
				}
			}
			for _, kab := range kabupatenOf(ag.regionCodes(), f.counts) {
				pw.kabupaten[kab] = true
			}
			for _, i := range ag.issues() {
				pw.issues[i] = true
			}
			for _, x := range ag.Fields {
				pw.fields[x] = true
			}
			pw.committed += ag.committed()
			for _, r := range ag.Realisations {
				if f.countsRealisation(r) {
					pw.realised += r.Value
				}
			}
		}
	}
	return out
}

type partner struct {
	Name, Type                    string
	Sector                        *string
	Agreements, ActiveAgreements  int
	VillagesCovered               int
	Kabupaten                     []code
	Issues, Fields                []string
	CommittedValue, RealisedValue float64
}

type partnerPage struct {
	Partners struct {
		TotalCount int
		Nodes      []partner
		PageInfo   struct {
			HasNextPage, HasPreviousPage bool
			EndCursor                    *string
		}
	}
}

func checkPartners(t *testing.T, a *api, w *world) {
	q := `query($f: AgreementFilter, $o: PartnerOrder, $first: Int, $after: String) {
		partners(filter: $f, orderBy: $o, first: $first, after: $after) { totalCount nodes {
		name type sector agreements activeAgreements villagesCovered kabupaten { code } issues fields committedValue realisedValue }
		pageInfo { hasNextPage hasPreviousPage endCursor } } }`
	orders := map[string]func(x, y partner) bool{ // x may come before y
		"AGREEMENTS_DESC":      func(x, y partner) bool { return x.Agreements >= y.Agreements },
		"COMMITTED_VALUE_DESC": func(x, y partner) bool { return x.CommittedValue >= y.CommittedValue },
		"VILLAGES_DESC":        func(x, y partner) bool { return x.VillagesCovered >= y.VillagesCovered },
		"NAME_ASC":             func(x, y partner) bool { return strings.ToLower(x.Name) <= strings.ToLower(y.Name) },
	}
	filters := map[string]kFilter{
		"all": {}, "Kukar": {Region: "64.02"}, "in force in 2024": {Active: year(2024)},
		"energy": {Issues: []string{"ENERGY_MINERAL"}}, "Lung Anai in 2025": {Region: "64.02.02.2010", Active: year(2025)},
	}
	for fname, f := range filters {
		for order, before := range orders {
			t.Run(fname+" "+order, func(t *testing.T) {
				var all partnerPage
				a.in(t).mustQuery(q, map[string]any{"f": f.vars(), "o": order, "first": 50}, &all)
				want := w.partners(f)
				nodes := all.Partners.Nodes
				if all.Partners.TotalCount != len(want) || all.Partners.PageInfo.HasNextPage || all.Partners.PageInfo.HasPreviousPage {
					t.Errorf("totalCount %d, want %d; pageInfo %+v on the only page", all.Partners.TotalCount, len(want), all.Partners.PageInfo)
				}
				var got []string
				for i, p := range nodes {
					k := fold(p.Name)
					got = append(got, k)
					if i > 0 && !before(nodes[i-1], p) {
						t.Errorf("%s: %q before %q", order, nodes[i-1].Name, p.Name)
					}
					pw := want[k]
					if pw == nil {
						continue
					}
					if !slices.Contains(pw.names, p.Name) || p.Type != pw.typ || str(p.Sector) != orNull(pw.sector) {
						t.Errorf("%s: name %q type %s sector %s; want one of %q, %s, %s", k, p.Name, p.Type, str(p.Sector), pw.names, pw.typ, orNull(pw.sector))
					}
					if p.Agreements != pw.agreements || p.ActiveAgreements != pw.active || p.VillagesCovered != len(pw.villages) {
						t.Errorf("%s: agreements %d active %d villages %d; want %d %d %d", k, p.Agreements, p.ActiveAgreements,
							p.VillagesCovered, pw.agreements, pw.active, len(pw.villages))
					}
					if !sameSet(codesOf(p.Kabupaten), setOf(pw.kabupaten)) || !sameSet(p.Issues, setOf(pw.issues)) || !sameSet(p.Fields, setOf(pw.fields)) {
						t.Errorf("%s: kabupaten %v issues %v fields %v; want %v %v %v", k, codesOf(p.Kabupaten), p.Issues, p.Fields,
							setOf(pw.kabupaten), setOf(pw.issues), setOf(pw.fields))
					}
					if !near(p.CommittedValue, pw.committed) || !near(p.RealisedValue, pw.realised) {
						t.Errorf("%s: committed %v realised %v; want %v %v", k, p.CommittedValue, p.RealisedValue, pw.committed, pw.realised)
					}
				}
				if !sameSet(got, setOf(want)) || len(got) != len(want) {
					t.Fatalf("partners\n got %q\nwant %q", got, setOf(want))
				}
				// Pages of 2 hold the same list, in the same order.
				var paged []string
				var after any
				for page := 0; ; page++ {
					var p partnerPage
					a.in(t).mustQuery(q, map[string]any{"f": f.vars(), "o": order, "first": 2, "after": after}, &p)
					for _, n := range p.Partners.Nodes {
						paged = append(paged, fold(n.Name))
					}
					if p.Partners.PageInfo.HasPreviousPage != (page > 0) || p.Partners.TotalCount != len(want) || page > len(want) {
						t.Fatalf("page %d: totalCount %d, pageInfo %+v", page, p.Partners.TotalCount, p.Partners.PageInfo)
					}
					if !p.Partners.PageInfo.HasNextPage {
						break
					}
					after = *p.Partners.PageInfo.EndCursor
				}
				if !slices.Equal(paged, got) {
					t.Errorf("pages of 2: %v, want %v", paged, got)
				}
			})
		}
	}
}

func checkExpiring(t *testing.T, a *api, w *world) {
	q := `query($n: Int!, $f: AgreementFilter, $first: Int) { expiringAgreements(withinMonths: $n, filter: $f, first: $first) {
		totalCount nodes { id endsOn status villages { code } } } }`
	for _, c := range []struct {
		months, first int
		filter        kFilter
	}{
		{1, 50, kFilter{}}, {3, 50, kFilter{}}, {6, 50, kFilter{}}, {12, 50, kFilter{}}, {120, 50, kFilter{}},
		{12, 50, kFilter{Region: "64.02"}}, {12, 50, kFilter{Region: "64.01"}}, {12, 1, kFilter{}},
		{12, 50, kFilter{Issues: []string{"ENERGY_MINERAL"}}},
	} {
		t.Run(fmt.Sprintf("%d months, first %d, %+v", c.months, c.first, c.filter.vars()), func(t *testing.T) {
			var out struct {
				ExpiringAgreements struct {
					TotalCount int
					Nodes      []struct {
						ID, Status string
						EndsOn     *string
					}
				}
			}
			a.in(t).mustQuery(q, map[string]any{"n": c.months, "f": c.filter.vars(), "first": c.first}, &out)
			until := w.today.AddDate(0, c.months, 0)
			want := slices.DeleteFunc(w.selected(c.filter), func(ag *kAgreement) bool {
				return !ag.inForceOn(w.today) || ag.End.IsZero() || ag.End.After(until)
			})
			slices.SortStableFunc(want, func(x, y *kAgreement) int { return x.End.Compare(y.End) })
			var got []string
			nodes := out.ExpiringAgreements.Nodes
			for i, e := range nodes {
				got = append(got, e.ID)
				if i > 0 && str(e.EndsOn) < str(nodes[i-1].EndsOn) {
					t.Errorf("%s ends %s after %s: soonest first", e.ID, str(e.EndsOn), str(nodes[i-1].EndsOn))
				}
				if ag := w.reg.agreements[e.ID]; ag != nil && (str(e.EndsOn) != dateStr(ag.End) || e.Status != "ACTIVE") {
					t.Errorf("%s: ends %s status %s", e.ID, str(e.EndsOn), e.Status)
				}
			}
			if out.ExpiringAgreements.TotalCount != len(want) {
				t.Errorf("totalCount %d, want %d", out.ExpiringAgreements.TotalCount, len(want))
			}
			if len(want) > c.first {
				want = want[:c.first] // the fixture has no ties on the cut
			}
			if !sameSet(got, ids(want)) || len(got) != len(want) {
				t.Errorf("expiring\n got %v\nwant %v", got, ids(want))
			}
		})
	}
}

// ---------------------------------------------------------------------------
// The amendment, and bad input.

func checkAmendment(t *testing.T, a *api, w *world) {
	const id = "KENOHAN-2024-010"
	var out struct {
		Agreements struct{ TotalCount int }
		Agreement  gqlAgreement
		Partners   struct{ Nodes []struct{ Name string } }
		Old        struct{ TotalCount int }
	}
	a.mustQuery(`{
		agreements(filter: {regionCode: "64.02.09"}) { totalCount }
		agreement(id: "`+id+`") { status committedValue realisedValue beneficiaries
			parties { type name regionCode sector role } realisations { month village { code } value beneficiaries outputs } }
		partners(filter: {regionCode: "64.02.09"}, orderBy: NAME_ASC) { nodes { name } }
		old: agreements(filter: {partner: "PT Sawit Kenohan"}) { totalCount } }`, nil, &out)
	// Kenohan (64.02.09) is touched by the amended agreement and the Kubar-Kukar one only.
	if out.Agreements.TotalCount != 2 {
		t.Errorf("agreements in Kenohan: %d, want 2 (the amendment counted once)", out.Agreements.TotalCount)
	}
	ag := out.Agreement
	if ag.Status != "ACTIVE" || !nearPtr(ag.CommittedValue, 80_000_000) || !near(ag.RealisedValue, 7_000_000) || ag.Beneficiaries != 16 {
		t.Errorf("amended agreement: status %s committed %v realised %v for %d, want ACTIVE 80000000 7000000 for 16",
			ag.Status, deref(ag.CommittedValue), ag.RealisedValue, ag.Beneficiaries)
	}
	if len(ag.Parties) != 3 || len(ag.Realisations) != 2 {
		t.Errorf("amended agreement: %d parties, %d realisations; want v2's 3 and 2", len(ag.Parties), len(ag.Realisations))
	}
	for _, r := range ag.Realisations {
		if r.Month == "2024-03" {
			t.Errorf("v1's realisation of 2024-03 is still there: %+v", r)
		}
	}
	for _, p := range out.Partners.Nodes {
		if p.Name == "PT Sawit Kenohan" {
			t.Errorf("v1's partner PT Sawit Kenohan is still a partner")
		}
	}
	if out.Old.TotalCount != 0 {
		t.Errorf("%d agreements with v1's partner PT Sawit Kenohan, want 0", out.Old.TotalCount)
	}
	if want := w.reg.agreements[id]; want.Status != "ACTIVE" || len(want.Parties) != 3 {
		t.Fatalf("the model did not take v2: %+v", want)
	}
}

func checkBadInput(t *testing.T, a *api) {
	for _, c := range []struct {
		name, query, message string
	}{
		{"two region dimensions", `{ cooperationStats(dimensions: [KABUPATEN_KOTA, KECAMATAN], measures: [AGREEMENTS]) { totals { agreements } } }`,
			"one region dimension"},
		{"five dimensions", `{ cooperationStats(dimensions: [KABUPATEN_KOTA, ISSUE, PARTY_TYPE, STATUS, PERIOD], measures: [AGREEMENTS]) { totals { agreements } } }`,
			"at most 4 dimensions"},
		{"a dimension twice", `{ cooperationStats(dimensions: [ISSUE, ISSUE], measures: [AGREEMENTS]) { totals { agreements } } }`,
			"listed twice"},
		{"no measure", `{ cooperationStats(dimensions: [ISSUE], measures: []) { totals { agreements } } }`, "at least one measure"},
		{"invalid cursor", `{ agreements(after: "not-a-cursor") { totalCount } }`, "not a cursor"},
		{"a cursor that is not an offset", `{ agreements(after: "bzotMQ") { totalCount } }`, "not a cursor"},
		{"first above 500", `{ agreements(first: 501) { totalCount } }`, "between 1 and 500"},
		{"partners first -1", `{ partners(first: -1) { totalCount } }`, "between 1 and 500"},
		{"agreements first 0", `{ agreements(first: 0) { totalCount } }`, "between 1 and 500"},
		{"expiring first 0", `{ expiringAgreements(withinMonths: 6, first: 0) { totalCount } }`, "between 1 and 500"},
		{"targets first 0", `{ villagesWithoutPartner(first: 0) { totalCount } }`, "between 1 and 1000"},
		{"villagesWithoutPartner first above 1000", `{ villagesWithoutPartner(first: 1001) { totalCount } }`, "between 1 and 1000"},
		{"withinMonths 0", `{ expiringAgreements(withinMonths: 0) { totalCount } }`, "withinMonths"},
		{"fromYear after toYear", `{ cooperationImpact(fromYear: 2024, toYear: 2023) { fromYear } }`, "must be before"},
		{"fromYear equals toYear", `{ cooperationImpact(fromYear: 2024, toYear: 2024) { fromYear } }`, "must be before"},
		{"impact year without IDM", `{ cooperationImpact(fromYear: 2022, toYear: 2024) { fromYear } }`, "no IDM scores are loaded for 2022"},
		{"targets in a year without IDM", `{ villagesWithoutPartner(year: 2025) { totalCount } }`, "no IDM scores are loaded for 2025"},
		{"active period backwards", `{ agreements(filter: {activeDuring: {from: "2025-01-01", to: "2024-01-01"}}) { totalCount } }`, "ends before it starts"},
		{"signing period backwards", `{ cooperationStats(dimensions: [], measures: [AGREEMENTS], filter: {signedDuring: {from: "2025-01-01", to: "2024-01-01"}}) { totals { agreements } } }`, "ends before it starts"},
		{"compare a village", `{ compareRegions(codes: ["64.02.02.2010"], year: 2024) { desaCount } }`, "is a village"},
		{"compare nothing", `{ compareRegions(codes: [], year: 2024) { desaCount } }`, "between 1 and 50"},
		{"links between villages", `{ crossRegionLinks(level: DESA_KELURAHAN, year: 2024) { fromCode } }`, "links are between"},
		{"a date written DD/MM/YYYY", `{ agreements(filter: {activeDuring: {from: "01/01/2024", to: "2024-12-31"}}) { totalCount } }`,
			`"01/01/2024" is not a date YYYY-MM-DD`},
		{"a date after 2105", `{ agreements(filter: {activeDuring: {from: "2024-01-01", to: "2200-01-01"}}) { totalCount } }`,
			"2200-01-01 is outside the dates sinergi answers for (1970-01-01 to 2105-12-31)"},
		{"a date before 1970", `{ cooperationStats(dimensions: [], measures: [AGREEMENTS], filter: {signedDuring: {from: "1969-12-31", to: "2024-01-01"}}) { totals { agreements } } }`,
			"1969-12-31 is outside"},
	} {
		t.Run(c.name, func(t *testing.T) {
			errs := a.in(t).query(c.query, nil, nil)
			if len(errs) != 1 {
				t.Fatalf("errors %+v, want one", errs)
			}
			if errs[0].Extensions["code"] != "BAD_USER_INPUT" || !strings.Contains(errs[0].Message, c.message) {
				t.Errorf("got %s %q, want BAD_USER_INPUT mentioning %q", errs[0].Extensions["code"], errs[0].Message, c.message)
			}
		})
	}
}

// checkPlainNumbers reads the raw answers of the queries with the largest
// amounts and the most decimals: no number is written with an exponent,
// and derived figures carry at most the decimals of the rounding rule.
func checkPlainNumbers(t *testing.T, a *api) {
	raw := a.rawQuery(`{
	  strategicIssues { committedValue realisedValue }
	  cooperationStats(dimensions: [KABUPATEN_KOTA], measures: [AGREEMENTS, COMMITTED_VALUE, REALISED_VALUE]) {
	    rows { committedValue realisedValue } totals { committedValue }
	    columns { measures { values } } }
	  agreements(orderBy: COMMITTED_VALUE_DESC, first: 5) { nodes { committedValue realisedValue } }
	  compareRegions(codes: ["64", "64.02", "64.01"], year: 2024) {
	    agreementsPer100Desa desaCoveredShare committedValue valuePerDesa idm { meanIdm byStatus { share } } }
	  idmDistribution(year: 2024, level: KECAMATAN) { meanIdm meanIks meanIke meanIkl byStatus { share } }
	}`, nil)
	if bytes.Contains(raw, []byte(`"errors"`)) {
		t.Fatalf("errors: %s", raw)
	}
	if m := regexp.MustCompile(`[0-9][eE][-+]?[0-9]`).Find(raw); m != nil {
		t.Errorf("a number in exponent notation (%s) in %s", m, raw)
	}
	for field, decimals := range map[string]int{"meanIdm": 4, "meanIks": 4, "meanIke": 4, "meanIkl": 4, "share": 4,
		"desaCoveredShare": 4, "agreementsPer100Desa": 2, "valuePerDesa": 2, "committedValue": 2} {
		re := regexp.MustCompile(`"` + field + `":-?[0-9]+\.([0-9]+)`)
		for _, m := range re.FindAllSubmatch(raw, -1) {
			if len(m[1]) > decimals {
				t.Errorf("%s: %s has more than %d decimals", field, m[0], decimals)
			}
		}
	}
}
