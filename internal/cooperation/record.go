package cooperation

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sinergi-id/sinergi/internal/region"
)

// Record is an agreement with what the register says around it, ready to
// store: its classification and the regions, villages and partners it
// touches, computed once at load from its parties and realisations.
type Record struct {
	Agreement
	Derived        []Issue
	RegionCodes    []region.Code
	VillageKeys    []string
	PartyTypes     []PartyType
	PartnerKeys    []string
	PartnerSectors []Sector
}

// Register is one validated register, ready to store.
type Register struct {
	Records      []Record
	Parties      []Party
	Realisations []Realisation
	Bodies       []Body
}

// PartnerKey identifies a partner across agreements: its name folded to
// lower case, words parted by spaces (any run of them) or by the dashes,
// slashes and the like that join words, and every other mark dropped
// without parting words, so "PT. Multi Harapan  Utama" and "PT Multi
// Harapan Utama" are one partner, as are "P.T. Kaltim Prima Coal" and "PT
// Kaltim Prima Coal", or "W.W.F. Indonesia" and "WWF Indonesia".
func PartnerKey(name string) string {
	// Nearly every name is ASCII: folded a byte at a time, as below.
	var room [128]byte
	b := room[:0]
	space := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= utf8.RuneSelf:
			return partnerKeyRunes(name)
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case partsWords(rune(c)):
			space = true
			continue
		default:
			continue
		}
		if space && len(b) > 0 {
			b = append(b, ' ')
		}
		space = false
		b = append(b, c)
	}
	return string(b)
}

// partsWords reports whether r separates the words of a name: spaces and
// the marks written between words (Kutai-Barat, Koperasi/BUMDes, A & B).
func partsWords(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("-_/\\&+|;:", r) || unicode.Is(unicode.Pd, r)
}

func partnerKeyRunes(name string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(name) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		case partsWords(r):
			space = true
		}
	}
	return b.String()
}

// VillageKey identifies a covered village: a desa by its code, a desa
// persiapan (no code yet) by the region it is created in and its name, so
// that the key still starts with the codes of the regions it lies in.
func VillageKey(p Party) string {
	if p.Type == PartyDesaPersiapan {
		return string(p.Region) + ":" + PartnerKey(p.Name)
	}
	return string(p.Region)
}

// IsPersiapanKey reports whether a village key is a desa persiapan's.
func IsPersiapanKey(key string) bool { return strings.Contains(key, ":") }

// RecordBuilder builds the records of a register's agreements from their
// parties and realised villages given one at a time, so that neither has
// to be held: a national register has millions of each. Per agreement it
// keeps only what the record says, as indexes into one table of the
// distinct strings (region codes, village keys, partner keys), its party
// types and sectors as bits, and what its issues are derived from
// (AddParty). Agreements are
// numbered 0, 1, … by the caller.
type RecordBuilder struct {
	// facts and slab hold no pointers, which the garbage collector would
	// have to follow: a national register has half a million agreements.
	facts   []agreementFacts
	lists   ValueLists        // the agreements' values
	strs    []string          // the distinct strings
	indexOf map[string]uint32 // their place in strs
	// places finds the values of agreements with more than maxScanned of
	// them (a national programme's villages) by their strs index.
	places map[int]map[uint32]int
}

// maxScanned is how many values of an agreement are looked through one by
// one.
const maxScanned = 64

// agreementFacts is what a record says of one agreement's parties and
// realisations.
type agreementFacts struct {
	// The agreement's values: its distinct strings, each as the index in
	// strs (low 32 bits),
	// what the string is to the agreement (factRegion, factVillage,
	// factPartner, and for a type or sector not among the enumerations
	// factType, factSector), and above factRealisedShift how many of its
	// realisations reached that village.
	values    ValueList
	types     uint16 // bit i: PartyTypes[i]
	sectors   uint16 // bit i: Sectors[i], of partners
	kabupaten uint32 // 1 + the strs index of the first kabupaten/kota of a party AddParty counts; 0: none
	issues    uint8  // factSeveralKabupaten, factOtherProvince, factEnergy
}

func (b *RecordBuilder) values(f *agreementFacts) []uint64 { return b.lists.Values(&f.values) }

const (
	factRegion uint64 = 1 << (32 + iota)
	factVillage
	factPartner
	factType
	factSector
	factRealisedShift = 32 + iota

	factIndex    = 1<<32 - 1
	factRealised = 1 << factRealisedShift
)

const (
	factSeveralKabupaten uint8 = 1 << iota
	factOtherProvince
	factEnergy
)

// NewRecordBuilder returns an empty builder.
func NewRecordBuilder() *RecordBuilder {
	return &RecordBuilder{indexOf: map[string]uint32{}, places: map[int]map[uint32]int{}}
}

func (b *RecordBuilder) of(agreement int) *agreementFacts {
	if agreement >= len(b.facts) {
		b.facts = slices.Grow(b.facts, agreement+1-len(b.facts))
		b.facts = b.facts[:agreement+1]
	}
	return &b.facts[agreement]
}

// intern is the strs index of s, which it copies when it is new: s may be
// a view of a much longer row.
func (b *RecordBuilder) intern(s string) uint32 {
	if i, ok := b.indexOf[s]; ok {
		return i
	}
	i := uint32(len(b.strs))
	s = strings.Clone(s)
	b.strs = append(b.strs, s)
	b.indexOf[s] = i
	return i
}

// note records strs[s] as what to agreement number agreement, plus
// realised realisations.
func (b *RecordBuilder) note(agreement int, s uint32, what, realised uint64) {
	f := &b.facts[agreement]
	values := b.values(f)
	i, found := -1, false
	if places := b.places[agreement]; places != nil {
		i, found = places[s]
	} else {
		i = slices.IndexFunc(values, func(v uint64) bool { return v&factIndex == uint64(s) })
		found = i >= 0
	}
	if found {
		values[i] = (values[i] | what) + realised<<factRealisedShift
		return
	}
	b.lists.Push(&f.values, uint64(s)|what|realised<<factRealisedShift)
	switch n := f.values.Len(); {
	case n == maxScanned+1:
		places := make(map[uint32]int, 2*n)
		for j, v := range b.values(f) {
			places[uint32(v&factIndex)] = j
		}
		b.places[agreement] = places
	case n > maxScanned+1:
		b.places[agreement][s] = n - 1
	}
}

// AddParty adds a party of agreement number agreement. It returns the
// party's partner key (PartnerKey of its name), which its stored row
// carries.
func (b *RecordBuilder) AddParty(agreement int, p *Party) string {
	f := b.of(agreement)
	note := func(s string, what uint64) { b.note(agreement, b.intern(s), what, 0) }
	key := PartnerKey(p.Name)
	if i := slices.Index(PartyTypes, p.Type); i >= 0 {
		f.types |= 1 << i
	} else {
		note(string(p.Type), factType)
	}
	if p.Region != "" {
		what := factRegion
		if p.Type.IsVillage() && p.Type != PartyDesaPersiapan {
			what |= factVillage
		}
		note(string(p.Region), what)
		if p.Type == PartyDesaPersiapan {
			note(VillageKey(*p), factVillage)
		}
	}
	if p.Type.IsPartner() {
		note(key, factPartner)
		if p.Sector != SectorNone {
			if i := slices.Index(Sectors, p.Sector); i >= 0 {
				f.sectors |= 1 << i
			} else {
				note(string(p.Sector), factSector)
			}
		}
	}
	// The issues the parties reveal, the one place they are derived:
	//   - CROSS_KABUPATEN when its villages and kabupaten governments lie
	//     in two or more kabupaten/kota, or a party is another province;
	//   - ENERGY_MINERAL when a party works in coal, oil and gas, minerals
	//     or energy.
	switch p.Type {
	case PartyDesa, PartyDesaPersiapan, PartyKabupatenGov:
		if k := p.Region.Ancestor(region.LevelKabupatenKota); k != "" {
			switch {
			case f.kabupaten == 0:
				f.kabupaten = 1 + b.intern(string(k))
			case b.strs[f.kabupaten-1] != string(k):
				f.issues |= factSeveralKabupaten
			}
		}
	case PartyOtherProvince:
		f.issues |= factOtherProvince
	}
	if p.Sector.IsEnergyMineral() {
		f.issues |= factEnergy
	}
	return key
}

// AddRealised adds a realisation of agreement number agreement that
// reached village.
func (b *RecordBuilder) AddRealised(agreement int, village region.Code) {
	f := b.of(agreement)
	// Millions of realisations reach an agreement's few villages: its own
	// strings are looked at before the table of all.
	if f.values.Len() <= maxScanned {
		values := b.values(f)
		for i, v := range values {
			if b.strs[v&factIndex] == string(village) {
				values[i] = v + factRealised
				return
			}
		}
	}
	b.note(agreement, b.intern(string(village)), 0, 1)
}

// RemoveRealised takes back a realisation that AddRealised added.
func (b *RecordBuilder) RemoveRealised(agreement int, village region.Code) {
	if agreement >= len(b.facts) {
		return
	}
	i, ok := b.indexOf[string(village)]
	if !ok {
		return
	}
	values := b.values(&b.facts[agreement])
	for j, v := range values {
		if v&factIndex == uint64(i) && v>>factRealisedShift > 0 {
			values[j] = v - factRealised
			return
		}
	}
}

// Record is the record of agreement a, number agreement, from the parties
// and realisations added.
func (b *RecordBuilder) Record(agreement int, a Agreement) Record {
	rec := Record{Agreement: a}
	if agreement >= len(b.facts) {
		return rec
	}
	f := &b.facts[agreement]
	// The derived issues, in Issues order.
	if f.issues&(factSeveralKabupaten|factOtherProvince) != 0 {
		rec.Derived = append(rec.Derived, IssueCrossKabupaten)
	}
	if f.issues&factEnergy != 0 {
		rec.Derived = append(rec.Derived, IssueEnergyMineral)
	}
	for _, v := range b.values(f) {
		s, realised := b.strs[v&factIndex], v>>factRealisedShift > 0
		if v&factRegion != 0 || realised {
			rec.RegionCodes = append(rec.RegionCodes, region.Code(s))
		}
		if v&factVillage != 0 || realised {
			rec.VillageKeys = append(rec.VillageKeys, s)
		}
		if v&factPartner != 0 {
			rec.PartnerKeys = append(rec.PartnerKeys, s)
		}
		if v&factType != 0 {
			rec.PartyTypes = append(rec.PartyTypes, PartyType(s))
		}
		if v&factSector != 0 {
			rec.PartnerSectors = append(rec.PartnerSectors, Sector(s))
		}
	}
	for i, t := range PartyTypes {
		if f.types&(1<<i) != 0 {
			rec.PartyTypes = append(rec.PartyTypes, t)
		}
	}
	for i, s := range Sectors {
		if f.sectors&(1<<i) != 0 {
			rec.PartnerSectors = append(rec.PartnerSectors, s)
		}
	}
	// Each string comes once: only the order is left to make.
	slices.Sort(rec.RegionCodes)
	slices.Sort(rec.VillageKeys)
	slices.Sort(rec.PartnerKeys)
	slices.Sort(rec.PartyTypes)
	slices.Sort(rec.PartnerSectors)
	return rec
}

// RealisationWriter stores a register's realisations one by one as they are
// read, so that a national register never has to fit in memory.
type RealisationWriter interface {
	// Append adds an accepted realisation, read from line of its file.
	Append(r *Realisation, line int) error
	// Close sends what is left and waits until every row is stored.
	Close() error
	// Abort stops the writer without finishing; what was sent stays,
	// tagged with its run.
	Abort()
}

// PartyWriter stores a register's parties one by one as they are read.
type PartyWriter interface {
	// Append adds an accepted party with its partner key (PartnerKey of its
	// name, which the caller has at hand: RecordBuilder.AddParty).
	Append(p *Party, partnerKey string) error
	// Close sends what is left and waits until every row is stored; it may
	// be called again, and then does nothing more.
	Close() error
	// Abort stops the writer without finishing; what was sent stays,
	// tagged with its run.
	Abort()
}

// RecordWriter stores a register's agreement records one by one.
type RecordWriter interface {
	Append(r *Record) error
	Close() error
	Abort()
}

// RealisationCopy is one copy of a realisation that a register holds on
// several lines (one agreement, village and month), with its line.
type RealisationCopy struct {
	Realisation
	Line int
}
