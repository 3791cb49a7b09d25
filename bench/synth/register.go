package synth

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	coop "github.com/sinergi-id/sinergi/internal/cooperation"
)

// The kinds of agreement the generator makes; each declares its issues.
type pattern int

const (
	patThirdParty   pattern = iota // THIRD_PARTY: companies, zakat bodies, campuses, dinas with villages of one kabupaten
	patEnergy                      // THIRD_PARTY + ENERGY_MINERAL: mining and energy companies, mostly in mining kabupaten
	patCrossKab                    // CROSS_KABUPATEN: desa of two kabupaten (sometimes with a partner, another province)
	patInterVillage                // INTER_VILLAGE_BODY: a BKAD and its member desa
)

// Shares of the patterns: inter-village and cross-kabupaten by draw; the
// rest third-party, of which those anchored in a mining kabupaten are often
// energy/mineral ones (and a few elsewhere: village electricity).
const (
	shareInterVillage   = 0.09
	shareCrossKab       = 0.11
	energyInMiningKab   = 0.30
	energyElsewhere     = 0.025
	shareDraft          = 0.03
	shareTerminated     = 0.04
	shareReporting      = 0.8  // agreements whose realisations are in the register
	shareUndeclaredEM   = 0.02 // energy agreements whose register omits ENERGY_MINERAL
	sharePersiapan      = 0.015
	shareSectorAgency   = 0.12
	shareNoValue        = 0.05
	minCommitted        = 10_000_000     // Rp 10 juta
	maxCommitted        = 50_000_000_000 // Rp 50 miliar
	notionalValue       = 150_000_000
	firstSigningYear    = 2015
	lastSigningYear     = 2025
	signingGrowthPerYer = 1.17
)

// Per pattern: the chance of a kabupaten government party, the median
// committed value, and the mix of document types (in coop.DocumentTypes
// order: MOU, PKS, KESEPAKATAN_BERSAMA, ADDENDUM, OTHER).
var (
	govChance      = [4]float64{patThirdParty: 0.3, patEnergy: 0.5, patCrossKab: 0.5, patInterVillage: 0.2}
	medianValue    = [4]float64{patThirdParty: 350e6, patEnergy: 1.5e9, patCrossKab: 300e6, patInterVillage: 200e6}
	docTypeWeights = [4][5]float64{
		patThirdParty:   {0.45, 0.42, 0.05, 0.05, 0.03},
		patEnergy:       {0.45, 0.45, 0.03, 0.05, 0.02},
		patCrossKab:     {0.25, 0.3, 0.4, 0.03, 0.02},
		patInterVillage: {0.15, 0.35, 0.45, 0.03, 0.02},
	}
)

// partyRow is one row of parties.csv.
type partyRow struct {
	typ    coop.PartyType
	name   string
	region string // flat code, "" for none
	sector coop.Sector
	role   string
	bodyID string
}

// agreementGen makes agreements one at a time into reused buffers.
type agreementGen struct {
	g       *generator
	w       *world
	cat     *catalogue
	bodies  []body
	bodyCum cumulative
	r       *rng
	yearCum cumulative
	months  []string // "YYYY-MM-01" by month index from monthBase
	stats   *registerStats

	// the current agreement
	desa       []int
	parties    []partyRow
	partners   []partner
	fields     []coop.Field
	issues     []coop.Issue
	kabWeights []float64 // scratch
}

// registerStats summarise the register for MANIFEST.txt and the tests.
type registerStats struct {
	ByPattern        [4]int64
	ByStatus         map[coop.Status]int64
	ByIssue          map[coop.Issue]int64
	DesaParties      int64
	PersiapanParty   int64
	OtherProvince    int64
	AgreementsOfDesa []int32 // per desa of the world
}

const monthBase = 2010 * 12

func monthIndex(t time.Time) int { return t.Year()*12 + int(t.Month()) - 1 }

func newAgreementGen(g *generator, cat *catalogue, bodies []body) *agreementGen {
	a := &agreementGen{g: g, w: g.w, cat: cat, bodies: bodies, bodyCum: bodyActivity(bodies, g.seed),
		r: newRNG(g.seed, streamAgreements)}
	var yw []float64
	for y := firstSigningYear; y <= lastSigningYear; y++ {
		yw = append(yw, math.Pow(signingGrowthPerYer, float64(y-firstSigningYear)))
	}
	a.yearCum = newCumulative(yw)
	for m := monthBase; m < 2041*12; m++ {
		a.months = append(a.months, fmt.Sprintf("%04d-%02d-01", m/12, m%12+1))
	}
	a.stats = &registerStats{ByStatus: map[coop.Status]int64{}, ByIssue: map[coop.Issue]int64{},
		AgreementsOfDesa: make([]int32, len(g.w.desa))}
	return a
}

// writeRegister streams n agreements with their parties and realisations.
func (g *generator) writeRegister(n int, cat *catalogue, bodies []body) (*registerStats, error) {
	if err := g.writeBodies(bodies); err != nil {
		return nil, err
	}
	agreements, err := g.create("register/agreements.csv", "agreement_id", "document_numbers", "title", "document_type",
		"signed_date", "signed_place", "start_date", "end_date", "status", "issues", "fields", "committed_value",
		"funding_source", "source_reference")
	if err != nil {
		return nil, err
	}
	parties, err := g.create("register/parties.csv", "agreement_id", "party_type", "name", "region_code", "sector", "role", "body_id")
	if err != nil {
		return nil, err
	}
	realisations, err := g.create("register/realisations.csv", "agreement_id", "village_code", "month", "value", "beneficiaries", "outputs")
	if err != nil {
		return nil, err
	}
	a := newAgreementGen(g, cat, bodies)
	for i := 0; i < n; i++ {
		if i&0xff == 0 && g.err != nil {
			break
		}
		a.one(i, agreements, parties, realisations)
	}
	for _, f := range []*csvFile{agreements, parties, realisations} {
		if err := f.close(); err != nil {
			return nil, err
		}
	}
	return a.stats, g.err
}

// one makes agreement i and writes its rows.
func (a *agreementGen) one(i int, af, pf, rf *csvFile) {
	w, r := a.w, a.r.at(a.g.seed, streamAgreements, uint64(i))
	a.desa, a.parties, a.partners, a.fields, a.issues = a.desa[:0], a.parties[:0], a.partners[:0], a.fields[:0], a.issues[:0]

	// What kind of agreement, where, with whom.
	pat := patThirdParty
	var b *body
	switch roll := r.Float64(); {
	case roll < shareInterVillage && len(a.bodies) > 0:
		pat = patInterVillage
		b = &a.bodies[a.bodyCum.pick(r, 0, len(a.bodies))]
	case roll < shareInterVillage+shareCrossKab:
		pat = patCrossKab
	}
	var kab int
	var kab2 = -1
	switch pat {
	case patInterVillage:
		kab = w.kecs[b.kec].kab
		a.desa = append(a.desa, b.members...)
		if len(b.members) > 2 && r.chance(0.4) { // not every member joins every agreement
			r.Shuffle(len(a.desa), func(x, y int) { a.desa[x], a.desa[y] = a.desa[y], a.desa[x] })
			a.desa = a.desa[:r.between(2, len(b.members)-1)]
			slices.Sort(a.desa)
		}
	default:
		anchor := w.cum.pick(r, 0, len(w.desa))
		kab = w.kabOfDesa(anchor)
		if pat == patCrossKab {
			kab2 = a.otherKab(r, kab)
			if kab2 < 0 {
				pat = patThirdParty
			}
		}
		switch pat {
		case patCrossKab:
			a.pickDesa(r, anchor, kab, 1+r.weighted([]float64{4, 3, 2, 1}), 0.5)
			a.pickDesa(r, -1, kab2, 1+r.weighted([]float64{4, 3, 2, 1}), 0.5)
		default:
			k := &w.kabs[kab]
			if (k.mining && len(k.operators) > 0 && r.chance(energyInMiningKab)) || r.chance(energyElsewhere) {
				pat = patEnergy
				a.pickDesa(r, anchor, kab, a.energyDesaCount(r), 0.7)
			} else {
				a.pickDesa(r, anchor, kab, a.thirdPartyDesaCount(r), 0.6)
			}
		}
	}
	k := &w.kabs[kab]

	// Partners.
	switch pat {
	case patThirdParty:
		n := 1 + r.weighted([]float64{0.82, 0.15, 0.03})
		for j := 0; j < n; j++ {
			a.addPartner(a.thirdParty(r, kab))
		}
	case patEnergy:
		a.addPartner(a.energyPartner(r, kab))
		if r.chance(0.2) {
			a.addPartner(a.thirdParty(r, kab))
		}
	case patCrossKab:
		if r.chance(0.25) {
			a.addPartner(a.thirdParty(r, kab))
		}
	case patInterVillage:
		if r.chance(0.15) {
			a.addPartner(a.thirdParty(r, kab))
		}
	}

	// Dates and status.
	year := firstSigningYear + a.yearCum.pick(r, 0, len(a.yearCum))
	signed := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(365))
	if b != nil && signed.Before(b.established) {
		signed = b.established.AddDate(0, 0, 30+r.IntN(400))
	}
	if signed.After(DataAsOf) {
		signed = DataAsOf.AddDate(0, 0, -r.IntN(60))
	}
	start := signed
	if r.chance(0.5) {
		start = time.Date(signed.Year(), signed.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	}
	years := 1 + r.weighted([]float64{0.25, 0.25, 0.25, 0.10, 0.15})
	end := start.AddDate(years, 0, -1)
	status := coop.StatusActive
	lastMonth := min(monthIndex(end), monthIndex(DataAsOf))
	switch {
	case r.chance(shareDraft):
		status = coop.StatusDraft
		start = DataAsOf.AddDate(0, 1+r.IntN(6), 0)
		start = time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC)
		end = start.AddDate(years, 0, -1)
		signed = time.Time{}
		lastMonth = -1
	case !start.After(DataAsOf) && r.chance(shareTerminated):
		status = coop.StatusTerminated
		lastMonth = monthIndex(start) + r.IntN(lastMonth-monthIndex(start)+1)
	case end.Before(DataAsOf):
		status = coop.StatusExpired
	}
	if !r.chance(shareReporting) {
		lastMonth = -1
	}

	// Parties: partners, villages, bodies, governments.
	for _, p := range a.partners {
		a.parties = append(a.parties, partyRow{typ: p.typ, name: p.name, region: k.code, sector: p.sector, role: "partner"})
	}
	if pat != patInterVillage && r.chance(shareSectorAgency) {
		p := sectorAgency(r, k)
		a.parties = append(a.parties, partyRow{typ: p.typ, name: p.name, region: k.code, sector: p.sector, role: "technical partner"})
	}
	if pat == patInterVillage {
		a.parties = append(a.parties, partyRow{typ: coop.PartyBKAD, name: b.name, region: w.kecs[b.kec].code, role: "signatory", bodyID: b.id})
		if b.joint != "" && r.chance(0.5) {
			a.parties = append(a.parties, partyRow{typ: coop.PartyBUMDesa, name: b.joint, region: w.kecs[b.kec].code, role: "joint enterprise"})
		}
	}
	role := "village"
	if pat == patInterVillage {
		role = "member"
	}
	for _, d := range a.desa {
		v := w.villages[w.desa[d]]
		a.parties = append(a.parties, partyRow{typ: coop.PartyDesa, name: v.name, region: v.code, role: role})
		a.stats.AgreementsOfDesa[d]++
	}
	a.stats.DesaParties += int64(len(a.desa))
	if pat != patInterVillage && r.chance(sharePersiapan) {
		kec := w.kecOfDesa(a.desa[0])
		a.parties = append(a.parties, partyRow{typ: coop.PartyDesaPersiapan, name: a.persiapanName(kec, r.IntN(2)),
			region: w.kecs[kec].code, role: "village in preparation"})
		a.stats.PersiapanParty++
	}
	if pat == patThirdParty && r.chance(0.05) {
		v := w.villages[w.desa[a.desa[0]]]
		a.parties = append(a.parties, partyRow{typ: coop.PartyBUMDesa, name: "BUMDesa " + v.name, region: v.code, role: "implementer"})
	}
	if r.chance(govChance[pat]) {
		a.parties = append(a.parties, partyRow{typ: coop.PartyKabupatenGov, name: kabGovName(k, r), region: k.code, role: "facilitator"})
		if kab2 >= 0 {
			k2 := &w.kabs[kab2]
			a.parties = append(a.parties, partyRow{typ: coop.PartyKabupatenGov, name: kabGovName(k2, r), region: k2.code, role: "facilitator"})
		}
	}
	if r.chance(0.06) || (pat == patCrossKab && r.chance(0.3)) {
		p := w.provs[k.prov]
		a.parties = append(a.parties, partyRow{typ: coop.PartyProvinceGov, name: provGovName(p.name), region: p.code, role: "facilitator"})
	}
	if pat == patCrossKab && r.chance(0.08) {
		code, name := w.otherProvince(r, k)
		a.parties = append(a.parties, partyRow{typ: coop.PartyOtherProvince, name: name, region: code, role: "partner"})
		a.stats.OtherProvince++
	}

	// Issues and fields.
	switch pat {
	case patThirdParty:
		a.issues = append(a.issues, coop.IssueThirdParty)
	case patEnergy:
		a.issues = append(a.issues, coop.IssueThirdParty)
		if !r.chance(shareUndeclaredEM) {
			a.issues = append(a.issues, coop.IssueEnergyMineral)
		}
	case patCrossKab:
		a.issues = append(a.issues, coop.IssueCrossKabupaten)
		if len(a.partners) > 0 {
			a.issues = append(a.issues, coop.IssueThirdParty)
		}
	case patInterVillage:
		a.issues = append(a.issues, coop.IssueInterVillageBody)
		if len(a.partners) > 0 {
			a.issues = append(a.issues, coop.IssueThirdParty)
		}
	}
	slices.SortFunc(a.issues, func(x, y coop.Issue) int { return slices.Index(coop.Issues, x) - slices.Index(coop.Issues, y) })
	a.stats.ByPattern[pat]++
	a.stats.ByStatus[status]++
	for _, is := range a.issues {
		a.stats.ByIssue[is]++
	}
	a.pickFields(r, pat)

	// Money.
	median := medianValue[pat]
	if len(a.partners) > 0 {
		switch a.partners[0].typ {
		case coop.PartyZakatBody:
			median *= 0.4
		case coop.PartyUniversity, coop.PartyFoundation:
			median *= 0.3
		case coop.PartyStateEnterprise:
			median *= 1.5
		}
	}
	value := int64(clamp(r.logNormal(median, 1.3), minCommitted, maxCommitted))
	if value >= 100_000_000 {
		value = value / 1_000_000 * 1_000_000
	} else {
		value = value / 100_000 * 100_000
	}
	hasValue := !r.chance(shareNoValue)

	// The agreement row.
	idYear := signed.Year()
	if signed.IsZero() { // a draft: the year it is planned for
		idYear = start.Year()
	}
	id := fmt.Sprintf("%s-%s-%d-%06d", a.g.label.IDPrefix, k.code, idYear, i+1)
	docType := coop.DocumentTypes[r.weighted(docTypeWeights[pat][:])]
	af.str(id)
	if status == coop.StatusDraft {
		af.str("")
	} else {
		num := a.docNumber(r, docType, k.code, signed.Year(), i)
		if r.chance(0.1) {
			num += ";" + a.docNumber(r, docType, k.code, signed.Year(), i+7)
		}
		af.str(num)
	}
	af.str(a.title(pat, b, docType))
	af.str(string(docType))
	af.date(signed)
	switch {
	case status == coop.StatusDraft:
		af.str("")
	case pat == patInterVillage:
		af.str("Kecamatan " + w.kecs[b.kec].name)
	default:
		af.str(k.name)
	}
	af.date(start)
	af.date(end)
	af.str(string(status))
	af.str(joinEnum(a.issues))
	af.str(joinEnum(a.fields))
	if hasValue {
		af.int(value)
	} else {
		af.str("")
	}
	af.str(a.funding(r, pat))
	af.str(a.g.label.Marker)
	af.end()

	for _, p := range a.parties {
		pf.str(id)
		pf.str(string(p.typ))
		pf.str(p.name)
		if p.region == "" {
			pf.str("")
		} else {
			pf.dotted(p.region)
		}
		pf.str(string(p.sector))
		pf.str(p.role)
		pf.str(p.bodyID)
		pf.end()
	}

	// Realisations: monthly, within the period up to the data date (or the
	// termination), for the agreement's desa, not every month reported.
	first := monthIndex(start)
	if lastMonth < first {
		return
	}
	total := float64(value)
	if !hasValue {
		total = notionalValue
	}
	q := a.g.p.RealisationRate
	periodMonths := float64(monthIndex(end) - first + 1)
	perCell := total * clamp(r.normal(0.75, 0.2), 0.1, 1.1) / (float64(len(a.desa)) * periodMonths * q)
	perHead := r.logNormal(400_000, 0.6)
	output := outputText[a.fields[0]]
	for m := first; m <= lastMonth; m++ {
		for _, d := range a.desa {
			if !r.chance(q) {
				continue
			}
			v := int64(perCell*r.logNormal(1, 0.4)) / 1000 * 1000
			v = max(v, 100_000)
			rf.str(id)
			rf.str(w.villages[w.desa[d]].code)
			rf.str(a.months[m-monthBase])
			rf.int(v)
			rf.int(int64(min(5000, 1+float64(v)/perHead)))
			if r.chance(0.85) {
				rf.str(output)
			} else {
				rf.str("")
			}
			rf.end()
		}
	}
}

func (a *agreementGen) addPartner(p partner) {
	for _, q := range a.partners {
		if q.name == p.name {
			return
		}
	}
	a.partners = append(a.partners, p)
}

// thirdParty draws a partner for kabupaten kab: a national one (Zipf over
// the country) or one of the kabupaten's own (Zipf within it).
func (a *agreementGen) thirdParty(r *rng, kab int) partner {
	if r.chance(0.45) {
		return a.cat.national[a.cat.nationalCum.pick(r, 0, len(a.cat.national))]
	}
	k := &a.w.kabs[kab]
	return a.cat.local[kab][k.localCum.pick(r, 0, k.localCount)]
}

// energyPartner draws an energy or mining company working in kab; outside
// mining kabupaten, mostly the state electricity company.
func (a *agreementGen) energyPartner(r *rng, kab int) partner {
	k := &a.w.kabs[kab]
	if k.mining && len(k.operators) > 0 {
		return a.cat.energy[k.operators[k.operatorCum.pick(r, 0, len(k.operators))]]
	}
	if r.chance(0.7) {
		return a.cat.energy[a.cat.electricity]
	}
	for {
		p := a.cat.energy[a.cat.energyCum.pick(r, 0, len(a.cat.energy))]
		if p.sector == coop.SectorEnergy || r.chance(0.2) {
			return p
		}
	}
}

func (a *agreementGen) thirdPartyDesaCount(r *rng) int {
	switch r.weighted([]float64{0.6, 0.18, 0.09, 0.09, 0.04}) {
	case 0:
		return 1
	case 1:
		return 2
	case 2:
		return 3
	case 3:
		return r.between(4, 6)
	}
	return r.between(7, 12)
}

func (a *agreementGen) energyDesaCount(r *rng) int {
	switch r.weighted([]float64{0.35, 0.2, 0.3, 0.15}) {
	case 0:
		return 1
	case 1:
		return 2
	case 2:
		return r.between(3, 5)
	}
	return r.between(6, 12)
}

// otherKab picks the second kabupaten of a cross-kabupaten agreement:
// usually in the same province, weighted by how much its villages
// cooperate; -1 when no other kabupaten has desa.
func (a *agreementGen) otherKab(r *rng, kab int) int {
	w := a.w
	if a.kabWeights == nil {
		a.kabWeights = make([]float64, len(w.kabs))
	}
	weights := a.kabWeights
	own := w.kabs[kab].prov
	for ki, k := range w.kabs {
		weights[ki] = 0
		if ki == kab || k.desaHi <= k.desaLo {
			continue
		}
		weights[ki] = w.cum.total(k.desaLo, k.desaHi)
		if k.prov != own {
			weights[ki] *= 0.002
		}
	}
	total := 0.0
	for _, x := range weights {
		total += x
	}
	if total == 0 {
		return -1
	}
	return r.weighted(weights)
}

// pickDesa adds n distinct desa of kabupaten kab (fewer if it has fewer):
// the anchor if given (>= 0), then neighbours from the anchor's kecamatan
// with probability sameKec, else from the kabupaten, weighted by their
// appetite for cooperation.
func (a *agreementGen) pickDesa(r *rng, anchor, kab, n int, sameKec float64) {
	w := a.w
	k := &w.kabs[kab]
	start := len(a.desa)
	n = min(n, k.desaHi-k.desaLo)
	if anchor < 0 {
		anchor = w.cum.pick(r, k.desaLo, k.desaHi)
	}
	a.desa = append(a.desa, anchor)
	kc := &w.kecs[w.kecOfDesa(anchor)]
	for len(a.desa)-start < n {
		lo, hi := k.desaLo, k.desaHi
		if r.chance(sameKec) && kc.desaHi-kc.desaLo > len(a.desa)-start {
			lo, hi = kc.desaLo, kc.desaHi
		}
		d := -1
		for try := 0; try < 20 && d < 0; try++ {
			if c := w.cum.pick(r, lo, hi); c >= 0 && !slices.Contains(a.desa[start:], c) {
				d = c
			}
		}
		for c := lo; d < 0 && c < hi; c++ { // the likely ones are taken: the first free one
			if !slices.Contains(a.desa[start:], c) {
				d = c
			}
		}
		if d < 0 {
			break
		}
		a.desa = append(a.desa, d)
	}
	slices.Sort(a.desa[start:])
}

// persiapanName names desa persiapan idx of kecamatan kec (the same village
// in preparation appears in several agreements).
func (a *agreementGen) persiapanName(kec, idx int) string {
	r := newRNG(a.g.seed, streamLocal).at(a.g.seed, streamLocal, 1<<40|uint64(kec)<<2|uint64(idx))
	return "Desa Persiapan " + placeName(r)
}

var fieldWeights = map[any][]struct {
	f coop.Field
	w float64
}{
	coop.PartyCompany:         {{coop.FieldUMKM, 3}, {coop.FieldAgriculture, 3}, {coop.FieldInfrastructure, 2}, {coop.FieldProductive, 2}, {coop.FieldLocalProducts, 1}, {coop.FieldCapacity, 1}, {coop.FieldFoodSecurity, 1}},
	coop.PartyStateEnterprise: {{coop.FieldUMKM, 3}, {coop.FieldProductive, 2}, {coop.FieldBUMDesa, 2}, {coop.FieldDigital, 1}, {coop.FieldInfrastructure, 1}},
	coop.PartyZakatBody:       {{coop.FieldUMKM, 3}, {coop.FieldFoodSecurity, 2}, {coop.FieldCapacity, 1}, {coop.FieldProductive, 1}},
	coop.PartyFoundation:      {{coop.FieldCapacity, 2}, {coop.FieldFoodSecurity, 2}, {coop.FieldTourism, 1}, {coop.FieldLocalProducts, 1}, {coop.FieldThematicVillages, 1}, {coop.FieldUMKM, 1}},
	coop.PartyUniversity:      {{coop.FieldCapacity, 2}, {coop.FieldDigital, 2}, {coop.FieldTechnicalAssist, 2}, {coop.FieldTourism, 1}, {coop.FieldInformationAccess, 1}, {coop.FieldThematicVillages, 1}},
	patEnergy:                 {{coop.FieldEnergy, 3}, {coop.FieldInfrastructure, 2}, {coop.FieldUMKM, 2}, {coop.FieldCapacity, 1}, {coop.FieldAgriculture, 1}},
	patCrossKab:               {{coop.FieldTourism, 2}, {coop.FieldLocalProducts, 2}, {coop.FieldAgriculture, 1}, {coop.FieldFoodSecurity, 1}, {coop.FieldInfrastructure, 1}, {coop.FieldBUMDesa, 1}},
	patInterVillage:           {{coop.FieldBUMDesa, 3}, {coop.FieldProductive, 2}, {coop.FieldLocalProducts, 1}, {coop.FieldAgriculture, 1}, {coop.FieldTourism, 1}},
}

func (a *agreementGen) pickFields(r *rng, pat pattern) {
	var key any = pat
	if pat == patThirdParty {
		key = a.partners[0].typ
	}
	options := fieldWeights[key]
	n := 1 + r.weighted([]float64{0.45, 0.4, 0.15})
	weights := make([]float64, len(options))
	for i, o := range options {
		weights[i] = o.w
	}
	for len(a.fields) < n {
		i := r.weighted(weights)
		if weights[i] == 0 {
			break
		}
		a.fields = append(a.fields, options[i].f)
		weights[i] = 0
		if slices.Max(weights) == 0 {
			break
		}
	}
}

var titlePhrase = map[coop.Field]string{
	coop.FieldUMKM: "Pembinaan UMKM desa", coop.FieldAgriculture: "Pengembangan pertanian desa",
	coop.FieldProductive: "Penguatan usaha produktif desa", coop.FieldBUMDesa: "Penguatan BUMDesa",
	coop.FieldDigital: "Digitalisasi layanan desa", coop.FieldTourism: "Pengembangan desa wisata",
	coop.FieldFoodSecurity: "Ketahanan pangan desa", coop.FieldLocalProducts: "Pengembangan produk unggulan desa",
	coop.FieldCapacity: "Peningkatan kapasitas aparatur desa", coop.FieldInfrastructure: "Pembangunan prasarana dan sarana desa",
	coop.FieldTechnicalAssist: "Pendampingan teknis desa", coop.FieldThematicVillages: "Pembinaan desa tematik",
	coop.FieldInformationAccess: "Keterbukaan informasi desa", coop.FieldEnergy: "Listrik dan energi desa",
	coop.FieldOther: "Kerja sama pembangunan desa",
}

var outputText = map[coop.Field]string{
	coop.FieldUMKM: "(SINTETIS) pelatihan UMKM", coop.FieldAgriculture: "(SINTETIS) bantuan bibit dan pupuk",
	coop.FieldProductive: "(SINTETIS) modal usaha produktif", coop.FieldBUMDesa: "(SINTETIS) pendampingan BUMDesa",
	coop.FieldDigital: "(SINTETIS) layanan desa digital", coop.FieldTourism: "(SINTETIS) fasilitas desa wisata",
	coop.FieldFoodSecurity: "(SINTETIS) lumbung pangan", coop.FieldLocalProducts: "(SINTETIS) kemasan produk unggulan",
	coop.FieldCapacity: "(SINTETIS) pelatihan aparatur", coop.FieldInfrastructure: "(SINTETIS) pembangunan jalan desa",
	coop.FieldTechnicalAssist: "(SINTETIS) pendampingan teknis", coop.FieldThematicVillages: "(SINTETIS) kegiatan desa tematik",
	coop.FieldInformationAccess: "(SINTETIS) papan informasi desa", coop.FieldEnergy: "(SINTETIS) sambungan listrik desa",
	coop.FieldOther: "(SINTETIS) kegiatan bulanan",
}

func (a *agreementGen) title(pat pattern, b *body, doc coop.DocumentType) string {
	var s strings.Builder
	s.WriteString(a.g.label.TitlePrefix)
	s.WriteByte(' ')
	if doc == coop.DocAddendum {
		s.WriteString("Addendum: ")
	}
	phrase := titlePhrase[a.fields[0]]
	switch pat {
	case patCrossKab:
		s.WriteString("Kerja sama antar desa lintas kabupaten: ")
		s.WriteString(strings.ToLower(phrase[:1]) + phrase[1:])
		if len(a.partners) > 0 {
			s.WriteString(" bersama " + a.partners[0].name)
		}
	case patInterVillage:
		s.WriteString(b.name + ": " + strings.ToLower(phrase[:1]) + phrase[1:])
	default:
		s.WriteString(phrase)
		if pat == patEnergy && a.partners[0].sector != coop.SectorEnergy {
			s.WriteString(" lingkar tambang")
		}
		s.WriteString(" bersama " + a.partners[0].name)
	}
	return s.String()
}

var docAbbrev = map[coop.DocumentType]string{coop.DocMoU: "MoU", coop.DocPKS: "PKS", coop.DocKesepakatan: "KB",
	coop.DocAddendum: "ADD", coop.DocOther: "KS"}

func (a *agreementGen) docNumber(r *rng, doc coop.DocumentType, kab string, year, seq int) string {
	prefix := []string{"100.3.7.1", "415.4", "140", "000.7.2"}[r.IntN(4)]
	return prefix + "/" + strconv.Itoa(seq%997+1) + "/" + docAbbrev[doc] + "/SIN-" + dotted(kab) + "/" + strconv.Itoa(year)
}

func (a *agreementGen) funding(r *rng, pat pattern) string {
	if r.chance(0.08) {
		return ""
	}
	if len(a.partners) == 0 {
		if pat == patInterVillage || pat == patCrossKab {
			return "APBDes"
		}
		return "APBD"
	}
	switch a.partners[0].typ {
	case coop.PartyCompany:
		return "CSR"
	case coop.PartyStateEnterprise:
		return "TJSL"
	case coop.PartyZakatBody:
		return "Zakat"
	case coop.PartyFoundation, coop.PartyUniversity:
		return "Hibah"
	}
	return "APBD"
}

func joinEnum[T ~string](vs []T) string {
	var s strings.Builder
	for i, v := range vs {
		if i > 0 {
			s.WriteByte(';')
		}
		s.WriteString(string(v))
	}
	return s.String()
}
