package cooperation

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/sinergi-id/sinergi/internal/region"
)

// buildRecords builds the records of agreements with RecordBuilder, as a
// register load does, from whole lists: realised gives, per agreement id, the villages its
// realisations reached (in any order, repeats allowed).
func buildRecords(agreements []Agreement, parties []Party, realised map[string][]region.Code) []Record {
	// Agreements are numbered by their id's first place, so that two
	// agreements of one id (which a register never accepts) share facts.
	number := make(map[string]int, len(agreements))
	for i, a := range agreements {
		if _, ok := number[a.ID]; !ok {
			number[a.ID] = i
		}
	}
	b := NewRecordBuilder()
	for i := range parties {
		if n, ok := number[parties[i].AgreementID]; ok {
			b.AddParty(n, &parties[i])
		}
	}
	for id, villages := range realised {
		if n, ok := number[id]; ok {
			for _, v := range villages {
				b.AddRealised(n, v)
			}
		}
	}
	out := make([]Record, 0, len(agreements))
	for _, a := range agreements {
		out = append(out, b.Record(number[a.ID], a))
	}
	return out
}

// issuesByList is the issue classification written over a whole list of
// an agreement's parties: the reference RecordBuilder's derived issues
// must agree with.
func issuesByList(parties []Party) []Issue {
	kabupaten := map[region.Code]bool{}
	var cross, energy bool
	for _, p := range parties {
		switch p.Type {
		case PartyDesa, PartyDesaPersiapan, PartyKabupatenGov:
			if k := p.Region.Ancestor(region.LevelKabupatenKota); k != "" {
				kabupaten[k] = true
			}
		case PartyOtherProvince:
			cross = true
		}
		if p.Sector.IsEnergyMineral() {
			energy = true
		}
	}
	var out []Issue
	if cross || len(kabupaten) > 1 {
		out = append(out, IssueCrossKabupaten)
	}
	if energy {
		out = append(out, IssueEnergyMineral)
	}
	return out
}

// recordsByLists is how records were built before RecordBuilder, from
// whole lists of parties: the reference RecordBuilder must agree with.
func recordsByLists(agreements []Agreement, parties []Party, realised map[string][]region.Code) []Record {
	byAgreement := map[string][]Party{}
	for _, p := range parties {
		byAgreement[p.AgreementID] = append(byAgreement[p.AgreementID], p)
	}
	out := make([]Record, 0, len(agreements))
	for _, a := range agreements {
		ps := byAgreement[a.ID]
		rec := Record{Agreement: a, Derived: issuesByList(ps)}
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

// TestRecordBuilderAgreesWithLists builds records of random registers (a
// few regions, names and sectors, so that values repeat and collide) party
// by party and compares them with records built from whole lists.
func TestRecordBuilderAgreesWithLists(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	regions := []region.Code{"", "64", "35", "6402", "6401", "640202", "640101", "6402022010", "6402022011", "6401012009", "6408"}
	names := []string{"Desa Lung Anai", "desa lung anai", "PT Multi Harapan Utama", "PT. Multi Harapan  Utama", "Baznas", "64", "...", ""}
	types := append([]PartyType{"UNKNOWN_TYPE"}, PartyTypes...)
	sectors := append([]Sector{SectorNone, SectorNone, "UNKNOWN_SECTOR"}, Sectors...)
	pick := func(n int) int { return rng.IntN(n) }
	for round := range 300 {
		var agreements []Agreement
		for i := range 1 + pick(6) {
			agreements = append(agreements, Agreement{ID: fmt.Sprintf("A-%d", i), Title: "t"})
		}
		if pick(4) == 0 { // an id twice: both share facts
			agreements = append(agreements, agreements[0])
		}
		var parties []Party
		for range pick(30) {
			parties = append(parties, Party{
				AgreementID: fmt.Sprintf("A-%d", pick(len(agreements)+1)), // sometimes none of them
				Type:        types[pick(len(types))],
				Name:        names[pick(len(names))],
				Region:      regions[pick(len(regions))],
				Sector:      sectors[pick(len(sectors))],
			})
		}
		realised := map[string][]region.Code{}
		for range pick(20) {
			id := fmt.Sprintf("A-%d", pick(len(agreements)+1))
			realised[id] = append(realised[id], regions[1+pick(len(regions)-1)])
		}
		got := buildRecords(agreements, parties, realised)
		want := recordsByLists(agreements, parties, realised)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: parties %+v, realised %v:\n got %+v\nwant %+v", round, parties, realised, got, want)
		}
	}
}

// TestRecordBuilderManyValues builds the record of an agreement with more
// villages than RecordBuilder looks through one by one.
func TestRecordBuilderManyValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	agreements := []Agreement{{ID: "A"}, {ID: "B"}}
	var parties []Party
	realised := map[string][]region.Code{}
	for range 2000 {
		v := region.Code(fmt.Sprintf("640202%04d", rng.IntN(300)))
		switch rng.IntN(3) {
		case 0:
			parties = append(parties, Party{AgreementID: "A", Type: PartyDesa, Name: "Desa " + string(v), Region: v})
		case 1:
			parties = append(parties, Party{AgreementID: "A", Type: PartyCompany, Name: fmt.Sprintf("PT %d", rng.IntN(100)), Region: v[:6]})
		default:
			realised["A"] = append(realised["A"], v)
		}
	}
	b := NewRecordBuilder()
	for i := range parties {
		b.AddParty(0, &parties[i])
	}
	for _, v := range realised["A"] {
		b.AddRealised(0, v)
	}
	for i := 0; i < len(realised["A"]); i += 2 {
		b.RemoveRealised(0, realised["A"][i])
	}
	var kept []region.Code
	for i := 1; i < len(realised["A"]); i += 2 {
		kept = append(kept, realised["A"][i])
	}
	want := recordsByLists(agreements, parties, map[string][]region.Code{"A": kept})
	got := []Record{b.Record(0, agreements[0]), b.Record(1, agreements[1])}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

// TestRecordBuilderRemoveRealised takes back realisations: a village stays
// while another realisation or a party still reaches it.
func TestRecordBuilderRemoveRealised(t *testing.T) {
	b := NewRecordBuilder()
	b.AddParty(0, &Party{AgreementID: "A", Type: PartyDesa, Name: "Desa Lung Anai", Region: "6402022010"})
	b.AddRealised(0, "6402022010")
	b.AddRealised(0, "6402022011")
	b.AddRealised(0, "6402022011")
	b.AddRealised(0, "6401012009")
	b.RemoveRealised(0, "6402022010") // the party still reaches it
	b.RemoveRealised(0, "6402022011") // one realisation of two
	b.RemoveRealised(0, "6401012009") // the only one
	b.RemoveRealised(0, "6401012009") // nothing left to take back
	b.RemoveRealised(5, "6401012009") // no such agreement
	rec := b.Record(0, Agreement{ID: "A"})
	if want := []string{"6402022010", "6402022011"}; !reflect.DeepEqual(rec.VillageKeys, want) || !reflect.DeepEqual(strs(rec.RegionCodes), want) {
		t.Errorf("villages %q, regions %q; want %q for both", rec.VillageKeys, rec.RegionCodes, want)
	}
	if key := b.AddParty(1, &Party{AgreementID: "B", Type: PartyCompany, Name: "PT. Multi Harapan  Utama"}); key != "pt multi harapan utama" {
		t.Errorf("partner key %q", key)
	}
}

// Punctuation does not part a name: abbreviations written with dots are
// the same partner as without; spaces and dashes still part words.
func TestPartnerKeyIgnoresPunctuation(t *testing.T) {
	for _, same := range [][]string{
		{"P.T. Kaltim Prima Coal", "PT Kaltim Prima Coal", "PT. Kaltim Prima Coal", "pt  kaltim prima coal"},
		{"W.W.F. Indonesia", "WWF Indonesia", "W.W.F Indonesia"},
		{"PT Pertamina (Persero)", "PT Pertamina Persero"},
		{"Yayasan Kutai-Barat", "Yayasan Kutai Barat", "Yayasan Kutai – Barat"},
		{"CV. Karya D'Jaya", "CV Karya DJaya"},
	} {
		for _, name := range same[1:] {
			if PartnerKey(name) != PartnerKey(same[0]) {
				t.Errorf("PartnerKey(%q) = %q, PartnerKey(%q) = %q: want one partner", name, PartnerKey(name), same[0], PartnerKey(same[0]))
			}
		}
	}
	if PartnerKey("PT Kaltim Prima Coal") == PartnerKey("PT Kaltim Prima") {
		t.Error("two partners folded into one")
	}
}

// TestPartnerKeyASCII checks PartnerKey's byte by byte folding of ASCII
// names against the general one.
func TestPartnerKeyASCII(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const alphabet = "aZ09 .,-_()&'/\t\x7f"
	for range 20000 {
		b := make([]byte, rng.IntN(150))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		if name := string(b); PartnerKey(name) != partnerKeyRunes(name) {
			t.Fatalf("PartnerKey(%q) = %q, want %q", name, PartnerKey(name), partnerKeyRunes(name))
		}
	}
	for _, name := range []string{"", "PT. Multi Harapan  Utama", "  BUMDesa\tBersama ", "Kopérasi Désa", "Yayasan Ünïcode 2"} {
		if PartnerKey(name) != partnerKeyRunes(name) {
			t.Errorf("PartnerKey(%q) = %q, want %q", name, PartnerKey(name), partnerKeyRunes(name))
		}
	}
}

func sortedUnique[T ~string](in []T) []T {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

func strs[T ~string](in []T) []string {
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = string(v)
	}
	return out
}
