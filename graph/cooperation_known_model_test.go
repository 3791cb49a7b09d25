package graph_test

// The independent model behind TestKnownRegister: the fixture read with
// encoding/csv, and the definitions of docs/planner-questions.md (touching a
// region, in force during a period or today, villages covered, effective
// issues, partners, filters) written in plain Go.

import (
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
)

// ---------------------------------------------------------------------------
// The fixture, read independently.

var relativeDate = regexp.MustCompile(`\{\{today(?:([+-]\d+)([dmy]))?\}\}`)

// expandRegister writes the CSV files of src into a temporary directory with
// their relative dates ({{today+2m}}) resolved, and returns their paths.
func expandRegister(t testing.TB, src string, today time.Time) []string {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	var files []string
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".csv" {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		text := relativeDate.ReplaceAllStringFunc(string(raw), func(m string) string {
			sub := relativeDate.FindStringSubmatch(m)
			d := today
			if sub[1] != "" {
				n, _ := strconv.Atoi(sub[1])
				switch sub[2] {
				case "d":
					d = d.AddDate(0, 0, n)
				case "m":
					d = d.AddDate(0, n, 0)
				case "y":
					d = d.AddDate(n, 0, 0)
				}
			}
			return d.Format(time.DateOnly)
		})
		path := filepath.Join(dst, e.Name())
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
	}
	return files
}

type kParty struct{ Type, Name, Region, Sector, Role, BodyID string }

type kRealisation struct {
	Village       string
	Month         time.Time
	Value         float64
	Beneficiaries int
	Outputs       string
}

type kAgreement struct {
	ID, Title, DocType, Status, SignedPlace, Funding, Source string
	DocNumbers                                               []string
	Signed, Start, End                                       time.Time
	Declared, Fields                                         []string
	Committed                                                *float64
	Parties                                                  []kParty
	Realisations                                             []kRealisation
}

type kBody struct {
	ID, Name, Region, Established, Legal, Joint string
	Members                                     []string
}

type register struct {
	agreements map[string]*kAgreement
	bodies     map[string]*kBody
}

func readRegister(t *testing.T, files []string) register {
	t.Helper()
	byName := map[string]string{}
	for _, f := range files {
		byName[filepath.Base(f)] = f
	}
	r := register{agreements: map[string]*kAgreement{}, bodies: map[string]*kBody{}}
	for _, m := range readCSV(t, byName["agreements.csv"]) {
		a := &kAgreement{
			ID: m["agreement_id"], Title: m["title"], DocType: m["document_type"], Status: m["status"],
			SignedPlace: m["signed_place"], Funding: m["funding_source"], Source: m["source_reference"],
			DocNumbers: list(m["document_numbers"], ";"),
			Signed:     day(t, m["signed_date"]), Start: day(t, m["start_date"]), End: day(t, m["end_date"]),
			Declared: list(m["issues"], ";,"), Fields: list(m["fields"], ";,"),
		}
		if v := m["committed_value"]; v != "" {
			f := number(t, v)
			a.Committed = &f
		}
		r.agreements[a.ID] = a // the fixture's duplicate rows are identical copies
	}
	for _, m := range readCSV(t, byName["parties.csv"]) {
		a := r.agreements[m["agreement_id"]]
		p := kParty{Type: m["party_type"], Name: m["name"], Region: dotted(m["region_code"]), Sector: m["sector"],
			Role: m["role"], BodyID: m["body_id"]}
		if !slices.Contains(a.Parties, p) { // identical party rows are kept once
			a.Parties = append(a.Parties, p)
		}
	}
	if f, ok := byName["realisations.csv"]; ok {
		for _, m := range readCSV(t, f) {
			a := r.agreements[m["agreement_id"]]
			month, err := time.Parse("2006-01", m["month"])
			if err != nil {
				t.Fatal(err)
			}
			ben := 0
			if m["beneficiaries"] != "" {
				ben = int(number(t, m["beneficiaries"]))
			}
			a.Realisations = append(a.Realisations, kRealisation{Village: dotted(m["village_code"]), Month: month,
				Value: number(t, m["value"]), Beneficiaries: ben, Outputs: m["outputs"]})
		}
	}
	if f, ok := byName["bodies.csv"]; ok {
		for _, m := range readCSV(t, f) {
			b := &kBody{ID: m["body_id"], Name: m["name"], Region: dotted(m["region_code"]), Established: m["established_date"],
				Legal: m["legal_basis"], Joint: m["joint_enterprise"]}
			for _, c := range list(m["member_villages"], ";,") {
				b.Members = append(b.Members, dotted(c))
			}
			r.bodies[b.ID] = b
		}
	}
	return r
}

// amendedBy is the register after a later submission: its agreements replace
// the earlier ones by id, with all their parties and realisations; its bodies
// replace by id; everything else stays.
func (r register) amendedBy(next register) register {
	out := register{agreements: maps.Clone(r.agreements), bodies: maps.Clone(r.bodies)}
	maps.Copy(out.agreements, next.agreements)
	maps.Copy(out.bodies, next.bodies)
	return out
}

func list(s, seps string) []string {
	var out []string
	for _, item := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func day(t *testing.T, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func number(t *testing.T, s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// dotted writes a flat Kemendagri code with dots.
func dotted(code string) string {
	code = strings.TrimSpace(code)
	if code == "" || strings.Contains(code, ".") {
		return code
	}
	var parts []string
	for _, n := range []int{2, 2, 2, 4} {
		if len(code) < n {
			break
		}
		parts = append(parts, code[:n])
		code = code[n:]
	}
	return strings.Join(parts, ".")
}

// fold is how a partner's name is compared: case, spaces and punctuation
// folded.
func fold(name string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

// ---------------------------------------------------------------------------
// Regions and the world the answers are computed in.

type kRegion struct{ Code, Name, Level, Kind string }

func readRegions(t *testing.T, dir string) map[string]kRegion {
	out := map[string]kRegion{}
	for _, m := range readCSV(t, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv")) {
		out[m["kode"]] = kRegion{Code: m["kode"], Name: m["nama"], Level: m["level"], Kind: m["jenis"]}
	}
	return out
}

type world struct {
	today   time.Time
	regions map[string]kRegion
	idm     map[int]map[string]idmRow // by dotted desa code
	reg     register
}

// within reports whether a code lies in a region ("" is everywhere).
func within(code, region string) bool {
	return region == "" || code == region || strings.HasPrefix(code, region+".")
}

// regionAt is the region of a code at a level (1 province … 4 village), ""
// when the code is coarser.
func regionAt(code string, level int) string {
	parts := strings.Split(code, ".")
	if code == "" || len(parts) < level {
		return ""
	}
	return strings.Join(parts[:level], ".")
}

var regionDimLevel = map[string]int{"PROVINSI": 1, "KABUPATEN_KOTA": 2, "KECAMATAN": 3, "DESA": 4}

var issueOrder = []string{"INTER_VILLAGE_BODY", "THIRD_PARTY", "CROSS_KABUPATEN", "ENERGY_MINERAL"}

var statusRank = map[string]int{"SANGAT_TERTINGGAL": 0, "TERTINGGAL": 1, "BERKEMBANG": 2, "MAJU": 3, "MANDIRI": 4}

var idmStatuses = []string{"MANDIRI", "MAJU", "BERKEMBANG", "TERTINGGAL", "SANGAT_TERTINGGAL"}

func (w *world) isDesa(code string) bool {
	r, ok := w.regions[code]
	return ok && r.Level == "desa_kelurahan" && (r.Kind == "desa" || r.Kind == "desa_adat")
}

func (w *world) all() []*kAgreement {
	return slices.SortedFunc(maps.Values(w.reg.agreements), func(a, b *kAgreement) int { return strings.Compare(a.ID, b.ID) })
}

func (w *world) selected(f kFilter) []*kAgreement {
	return slices.DeleteFunc(w.all(), func(a *kAgreement) bool { return !f.selects(a) })
}

// villages are the desa an agreement covers: its DESA parties and the desa
// of its realisations.
func (a *kAgreement) villages() []string {
	var out []string
	for _, p := range a.Parties {
		if p.Type == "DESA" {
			out = append(out, p.Region)
		}
	}
	for _, r := range a.Realisations {
		if r.Village != "" {
			out = append(out, r.Village)
		}
	}
	return sortedSet(out)
}

// persiapan are its desa persiapan by key (region and folded name).
func (a *kAgreement) persiapan() map[string]kParty {
	out := map[string]kParty{}
	for _, p := range a.Parties {
		if p.Type == "DESA_PERSIAPAN" {
			out[p.Region+":"+fold(p.Name)] = p
		}
	}
	return out
}

// regionCodes are where it lies: its parties' codes and its realisations'
// villages.
func (a *kAgreement) regionCodes() []string {
	var out []string
	for _, p := range a.Parties {
		if p.Region != "" {
			out = append(out, p.Region)
		}
	}
	for _, r := range a.Realisations {
		if r.Village != "" {
			out = append(out, r.Village)
		}
	}
	return sortedSet(out)
}

// derived: CROSS_KABUPATEN when its villages lie in two or more kabupaten or
// a party is another province; ENERGY_MINERAL when a party works in coal,
// oil and gas, minerals or energy. (The fixture keeps kabupaten governments
// and realisation villages within the kabupaten of the agreement's party
// villages, so the readings of "its villages" agree on it.)
func (a *kAgreement) derived() []string {
	kab := map[string]bool{}
	cross, energy := false, false
	for _, v := range a.villages() {
		kab[regionAt(v, 2)] = true
	}
	for _, p := range a.Parties {
		switch {
		case p.Type == "DESA_PERSIAPAN":
			kab[regionAt(p.Region, 2)] = true
		case p.Type == "OTHER_PROVINCE":
			cross = true
		}
		if slices.Contains([]string{"COAL", "OIL_GAS", "MINERAL", "ENERGY"}, p.Sector) {
			energy = true
		}
	}
	var out []string
	if cross || len(kab) > 1 {
		out = append(out, "CROSS_KABUPATEN")
	}
	if energy {
		out = append(out, "ENERGY_MINERAL")
	}
	return out
}

func (a *kAgreement) issues() []string {
	return slices.DeleteFunc(slices.Clone(issueOrder), func(i string) bool {
		return !slices.Contains(a.Declared, i) && !slices.Contains(a.derived(), i)
	})
}

func (a *kAgreement) disagreements() []string {
	var out []string
	for _, i := range []string{"CROSS_KABUPATEN", "ENERGY_MINERAL"} {
		if slices.Contains(a.Declared, i) != slices.Contains(a.derived(), i) {
			out = append(out, i)
		}
	}
	return out
}

// partners are the parties other than desa, desa persiapan, BKAD and
// BUMDesa, by folded name.
func (a *kAgreement) partners() map[string]kParty {
	out := map[string]kParty{}
	for _, p := range a.Parties {
		if !slices.Contains([]string{"DESA", "DESA_PERSIAPAN", "BKAD", "BUMDESA"}, p.Type) {
			out[fold(p.Name)] = p
		}
	}
	return out
}

func (a *kAgreement) startDay() time.Time {
	if !a.Start.IsZero() {
		return a.Start
	}
	return a.Signed
}

// inForceDuring: ACTIVE or EXPIRED, started by the period's end (unknown
// counts as started), not ended before its start.
func (a *kAgreement) inForceDuring(p period) bool {
	if a.Status != "ACTIVE" && a.Status != "EXPIRED" {
		return false
	}
	if s := a.startDay(); !s.IsZero() && s.After(p.to) {
		return false
	}
	return a.End.IsZero() || !a.End.Before(p.from)
}

// inForceOn: ACTIVE, started, and no end date before the day.
func (a *kAgreement) inForceOn(d time.Time) bool {
	if a.Status != "ACTIVE" {
		return false
	}
	if s := a.startDay(); !s.IsZero() && s.After(d) {
		return false
	}
	return a.End.IsZero() || !a.End.Before(d)
}

func (a *kAgreement) realised() (value float64, beneficiaries int) {
	for _, r := range a.Realisations {
		value += r.Value
		beneficiaries += r.Beneficiaries
	}
	return value, beneficiaries
}

func (a *kAgreement) committed() float64 {
	if a.Committed == nil {
		return 0
	}
	return *a.Committed
}

type period struct{ from, to time.Time }

func year(y int) *period {
	return &period{time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)}
}

// kFilter is an AgreementFilter: the GraphQL variables and the predicate.
type kFilter struct {
	Region                                        string
	Issues, PartyTypes, Sectors, Statuses, Fields []string
	Partner                                       string
	Active, Signed                                *period
}

func (f kFilter) vars() map[string]any {
	m := map[string]any{}
	if f.Region != "" {
		m["regionCode"] = f.Region
	}
	for name, l := range map[string][]string{"issues": f.Issues, "partyTypes": f.PartyTypes,
		"partnerSectors": f.Sectors, "statuses": f.Statuses, "fields": f.Fields} {
		if l != nil {
			m[name] = l
		}
	}
	if f.Partner != "" {
		m["partner"] = f.Partner
	}
	for name, p := range map[string]*period{"activeDuring": f.Active, "signedDuring": f.Signed} {
		if p != nil {
			m[name] = map[string]any{"from": p.from.Format(time.DateOnly), "to": p.to.Format(time.DateOnly)}
		}
	}
	return m
}

func (f kFilter) selects(a *kAgreement) bool {
	anyParty := func(ok func(kParty) bool) bool { return slices.ContainsFunc(a.Parties, ok) }
	switch {
	case f.Region != "" && !slices.ContainsFunc(a.regionCodes(), f.counts):
		return false
	case f.Issues != nil && !slices.ContainsFunc(a.issues(), func(i string) bool { return slices.Contains(f.Issues, i) }):
		return false
	case f.PartyTypes != nil && !anyParty(func(p kParty) bool { return slices.Contains(f.PartyTypes, p.Type) }):
		return false
	case f.Sectors != nil && !anyParty(func(p kParty) bool { return slices.Contains(f.Sectors, p.Sector) }):
		return false
	case f.Statuses != nil && !slices.Contains(f.Statuses, a.Status):
		return false
	case f.Fields != nil && !slices.ContainsFunc(a.Fields, func(x string) bool { return slices.Contains(f.Fields, x) }):
		return false
	case f.Active != nil && !a.inForceDuring(*f.Active):
		return false
	case f.Signed != nil && (a.Signed.IsZero() || a.Signed.Before(f.Signed.from) || a.Signed.After(f.Signed.to)):
		return false
	}
	if f.Partner != "" {
		if _, ok := a.partners()[fold(f.Partner)]; !ok {
			return false
		}
	}
	return true
}

// counts reports whether something located at code counts under the filter's
// region.
func (f kFilter) counts(code string) bool { return within(code, dotted(f.Region)) }

// countsRealisation: within the filter's region and, with activeDuring, of a
// month that overlaps the period.
func (f kFilter) countsRealisation(r kRealisation) bool {
	if f.Region != "" && !f.counts(r.Village) {
		return false
	}
	if f.Active != nil {
		last := r.Month.AddDate(0, 1, -1)
		return !r.Month.After(f.Active.to) && !last.Before(f.Active.from)
	}
	return true
}

func sortedSet(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

func setOf[T any](m map[string]T) []string { return slices.Sorted(maps.Keys(m)) }

// ---------------------------------------------------------------------------
// Comparison helpers.

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

// The API's rounding rule (schema.graphql), computed here from whole
// numbers: means of 4-decimal scores and shares to 4 decimals, rates per
// 100 desa and money to 2, halves away from zero.
func scoreUnits(v float64) int64 { return int64(math.Round(v * 1e4)) }

func roundDiv(num, den int64) int64 {
	if num < 0 {
		return -roundDiv(-num, den)
	}
	return (2*num + den) / (2 * den)
}

func mean4(sumUnits int64, n int) float64 { return float64(roundDiv(sumUnits, int64(n))) / 1e4 }
func share4(count, total int) float64     { return float64(roundDiv(int64(count)*1e4, int64(total))) / 1e4 }
func per100(count, total int) float64     { return float64(roundDiv(int64(count)*1e4, int64(total))) / 100 }
func senPer(amount float64, n int) float64 {
	return float64(roundDiv(int64(math.Round(amount*100)), int64(n))) / 100
}

func nearPtr(got *float64, want float64) bool { return got != nil && near(*got, want) }

func sameSet(got, want []string) bool { return slices.Equal(sortedSet(got), sortedSet(want)) }

func str(p *string) string {
	if p == nil {
		return "<null>"
	}
	return *p
}

func dateStr(d time.Time) string {
	if d.IsZero() {
		return "<null>"
	}
	return d.Format(time.DateOnly)
}

func orNull(s string) string {
	if s == "" {
		return "<null>"
	}
	return s
}

type code struct{ Code string }

func codesOf(rs []code) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Code
	}
	return out
}

func ids(as []*kAgreement) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

func kabupatenOf(codes []string, keep func(string) bool) []string {
	var out []string
	for _, c := range codes {
		if k := regionAt(c, 2); k != "" && keep(c) {
			out = append(out, k)
		}
	}
	return sortedSet(out)
}
