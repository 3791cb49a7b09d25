package cooperation

import (
	"slices"
	"strings"
	"unicode"

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
// lower case, punctuation dropped and spaces collapsed, so "PT. Multi
// Harapan Utama" and "PT Multi Harapan  Utama" are one partner.
func PartnerKey(name string) string {
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
		default:
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

// BuildRecords joins agreements with their parties and realisations (all of
// one register) into records.
func BuildRecords(agreements []Agreement, parties []Party, realisations []Realisation) []Record {
	realised := map[string][]region.Code{}
	for _, r := range realisations {
		if r.Village != "" {
			realised[r.AgreementID] = append(realised[r.AgreementID], r.Village)
		}
	}
	return BuildRecordsRealised(agreements, parties, realised)
}

// BuildRecordsRealised is BuildRecords for a register whose realisations
// are not in memory: realised gives, per agreement id, the villages its
// realisations reached (in any order, repeats allowed).
func BuildRecordsRealised(agreements []Agreement, parties []Party, realised map[string][]region.Code) []Record {
	byAgreement := map[string][]Party{}
	for _, p := range parties {
		byAgreement[p.AgreementID] = append(byAgreement[p.AgreementID], p)
	}
	out := make([]Record, 0, len(agreements))
	for _, a := range agreements {
		ps := byAgreement[a.ID]
		rec := Record{Agreement: a, Derived: DeriveIssues(ps)}
		var regions []region.Code
		var villages, partners []string
		var types []PartyType
		var sectors []Sector
		for _, p := range ps {
			types = append(types, p.Type)
			if p.Region != "" {
				regions = append(regions, p.Region)
			}
			if p.Type.IsVillage() && p.Region != "" {
				villages = append(villages, VillageKey(p))
			}
			if p.Type.IsPartner() {
				partners = append(partners, PartnerKey(p.Name))
				if p.Sector != SectorNone {
					sectors = append(sectors, p.Sector)
				}
			}
		}
		for _, v := range realised[a.ID] {
			regions = append(regions, v)
			villages = append(villages, string(v))
		}
		rec.RegionCodes = sortedUnique(regions)
		rec.VillageKeys = sortedUnique(villages)
		rec.PartyTypes = sortedUnique(types)
		rec.PartnerKeys = sortedUnique(partners)
		rec.PartnerSectors = sortedUnique(sectors)
		out = append(out, rec)
	}
	return out
}

func sortedUnique[T ~string](in []T) []T {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
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

// RealisationCopy is one copy of a realisation that a register holds on
// several lines (one agreement, village and month), with its line.
type RealisationCopy struct {
	Realisation
	Line int
}
