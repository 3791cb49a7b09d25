package register

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"slices"
	"strings"

	"github.com/agnivade/levenshtein"

	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/region"
)

// The parties table: each party checked against its agreement and the
// region register, exact copies left out.

func (p *registerParser) readParties(r *registerTable) error {
	cols := newPartyColumns(r)
	var party cooperation.Party
	var n int
	var ps problems
	err := p.read(r, nil, "", func(row registerRow) error {
		party, n, ps = p.party(r, cols, row)
		if len(ps) > 0 {
			p.refuse(r, row, ps)
			return nil
		}
		if !p.firstParty(n, &party) {
			return nil // an exact copy of a party already taken
		}
		if party.Type == cooperation.PartyDesa {
			if warning := p.desaNameWarning(cols.name.label, party); warning != "" {
				p.batch.Warnings = append(p.batch.Warnings, r.reject(row, cols.name.label, warning))
			}
		}
		p.batch.PartyRows++
		p.sinkErr = p.sink.Party(&party, n)
		return p.sinkErr
	})
	// What only parties need goes.
	p.partySums, p.partyRegions = partySums{}, nil
	if err != nil || p.sink.PartiesDone == nil {
		return err
	}
	p.sinkErr = p.sink.PartiesDone()
	return p.sinkErr
}

// partyColumns are the parties table's columns, located once.
type partyColumns struct{ agreement, partyType, name, region, sector, role, body located }

func newPartyColumns(r *registerTable) partyColumns {
	return partyColumns{r.locate("agreement_id"), r.locate("party_type"), r.locate("name"), r.locate("region_code"),
		r.locate("sector"), r.locate("role"), r.locate("body_id")}
}

func (p *registerParser) party(r *registerTable, c partyColumns, row registerRow) (cooperation.Party, int, problems) {
	var ps problems
	var reason string
	var n int
	var ref problem
	party := cooperation.Party{Name: c.name.text(row), Role: c.role.text(row), BodyID: c.body.text(row)}
	party.AgreementID, n, ref = p.agreementRef(r, c.agreement.text(row))
	ps.in(ref.column, ref.reason)
	party.Type = parseEnum(&ps, c.partyType.label, c.partyType.text(row), p.partyTypes.get, cooperation.PartyTypes)
	ps.requiredAt(row, c.name)
	party.Region, reason = p.partyRegionOnce(party.Type, c.region.label, c.region.text(row))
	ps.in(c.region.label, reason)
	var err error
	if party.Sector, err = p.sectors.get(c.sector.text(row)); err != nil {
		ps.in(c.sector.label, enumReason(c.sector.label, err, cooperation.Sectors))
	}
	return party, n, ps
}

// firstParty reports whether party, of agreement number n, is the first of
// its exact copies. Parties are not held (a national register has
// millions): a 64-bit hash of each party taken is kept per agreement, so
// that two different parties of one agreement are taken for copies with a
// chance of 2^-64.
func (p *registerParser) firstParty(n int, party *cooperation.Party) bool {
	b := p.sumBuf[:0]
	for _, s := range [...]string{string(party.Type), party.Name, string(party.Region), string(party.Sector), party.Role, party.BodyID} {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	p.sumBuf = b
	return p.partySums.add(n, maphash.Bytes(p.agreements.seed, b), p.agreements.accepted)
}

// partySums are the hashes of the parties taken, per agreement, in lists
// without pointers (cooperation.ValueLists). An agreement with more than
// maxListedSums parties has them in a map.
type partySums struct {
	of    []cooperation.ValueList // by agreement number
	lists cooperation.ValueLists
	big   map[int]map[uint64]bool
}

// maxListedSums is how many parties of one agreement are compared one by
// one.
const maxListedSums = 32

// add adds sum to agreement n's, false when it is there already.
func (ps *partySums) add(n int, sum uint64, agreements int) bool {
	if ps.of == nil {
		ps.of = make([]cooperation.ValueList, agreements)
	}
	if big := ps.big[n]; big != nil {
		if big[sum] {
			return false
		}
		big[sum] = true
		return true
	}
	list := &ps.of[n]
	sums := ps.lists.Values(list)
	if slices.Contains(sums, sum) {
		return false
	}
	if list.Len() == maxListedSums {
		big := make(map[uint64]bool, 2*maxListedSums)
		for _, s := range sums {
			big[s] = true
		}
		big[sum] = true
		if ps.big == nil {
			ps.big = map[int]map[uint64]bool{}
		}
		ps.big[n] = big
		return true
	}
	ps.lists.Push(list, sum)
	return true
}

// partyRegionKey is a party's region code as written, for its type.
type partyRegionKey struct {
	t    cooperation.PartyType
	text string
}

// partyRegionOnce is partyRegion, remembered per type and text (the label
// is the table's).
func (p *registerParser) partyRegionOnce(t cooperation.PartyType, label, text string) (region.Code, string) {
	k := partyRegionKey{t, text}
	if c, ok := p.partyRegions[k]; ok {
		return c.code, c.reason
	}
	code, reason := p.partyRegion(t, label, text)
	if len(p.partyRegions) < maxCached {
		// Copies, so that the cache does not hold on to the row.
		code, k.text = region.Code(strings.Clone(string(code))), strings.Clone(text)
		p.partyRegions[k] = checkedCode{code, reason}
	}
	return code, reason
}

// partyRegion checks a party's region code against what its type needs.
func (p *registerParser) partyRegion(t cooperation.PartyType, label, text string) (region.Code, string) {
	switch t {
	case cooperation.PartyDesa:
		if text == "" {
			return "", fmt.Sprintf("empty %s: a DESA party needs the code of its desa", label)
		}
		return p.desaCode(label, text)
	case cooperation.PartyDesaPersiapan:
		return p.persiapanRegion(label, text)
	case cooperation.PartyOtherProvince:
		if text == "" {
			return "", ""
		}
		code, reason := region.ParseCodeField(label, text)
		if reason != "" || code.Level() == region.LevelProvinsi {
			return code, reason // any province: the register may hold only its own
		}
	}
	if text == "" {
		return "", ""
	}
	code, _, reason := p.knownCode(label, text)
	return code, reason
}

// persiapanRegion checks the region of a desa persiapan: a village being
// created has no code yet, so it is kept under the kecamatan or kabupaten it
// is created in.
func (p *registerParser) persiapanRegion(label, text string) (region.Code, string) {
	if text == "" {
		return "", fmt.Sprintf("empty %s: a DESA_PERSIAPAN party needs the kecamatan or kabupaten/kota it is created in", label)
	}
	code, reg, reason := p.knownCode(label, text)
	switch {
	case reason != "":
		return "", reason
	case reg.Level == region.LevelKecamatan || reg.Level == region.LevelKabupatenKota:
		return code, ""
	case reg.Level == region.LevelDesaKelurahan:
		return "", fmt.Sprintf("%s %s is a village code (%s), but a desa persiapan has no code yet: give the kecamatan or kabupaten/kota it is created in", label, code.Dotted(), reg.Name)
	}
	return "", fmt.Sprintf("%s %s is a %s, but a desa persiapan is kept under the kecamatan or kabupaten/kota it is created in", label, code.Dotted(), reg.Level)
}

// desaNameWarning says when a DESA party's name is not the name of the
// village its code designates: Kaltim has 30 desa names used twice, so a
// name with another village's code credits the wrong village. The row
// loads as written (the code decides; neither side is "fixed"); the
// warning is kept with the run. Case, spacing, punctuation, a leading
// "Desa"/"Kelurahan"/"Kampung" and one letter of spelling (the Kutai
// Barat names that IDM and the region list spell apart: Pepes/Pepas Asa)
// are tolerated.
func (p *registerParser) desaNameWarning(label string, party cooperation.Party) string {
	reg, ok := p.known.Region(party.Region)
	if !ok || reg.Name == "" || sameVillageName(party.Name, reg.Name) {
		return ""
	}
	return fmt.Sprintf("%s %q is not the name of desa %s (%s): loaded for %s; check the code", label, party.Name,
		party.Region.Dotted(), reg.Name, reg.Name)
}

// sameVillageName compares a village's name as written with its official
// name (see desaNameWarning).
func sameVillageName(written, official string) bool {
	a, b := villageNameKey(written), villageNameKey(official)
	if a == b {
		return true
	}
	// One letter of spelling, in names long enough for one letter not to
	// make another name.
	return min(len(a), len(b)) >= 5 && levenshtein.ComputeDistance(a, b) <= 1
}

// villageNameKey folds a village name: lower case, words only, without
// the words that say what kind of village it is.
func villageNameKey(name string) string {
	words := strings.Fields(cooperation.PartnerKey(name))
	for len(words) > 1 && (words[0] == "desa" || words[0] == "kelurahan" || words[0] == "kampung" || words[0] == "pemerintah") {
		words = words[1:]
	}
	return strings.Join(words, " ")
}
