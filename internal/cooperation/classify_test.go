package cooperation

import (
	"reflect"
	"testing"
)

// TestDerivedIssues checks the issues RecordBuilder derives from an
// agreement's parties.
func TestDerivedIssues(t *testing.T) {
	tests := []struct {
		name    string
		parties []Party
		want    []Issue
	}{
		{"villages of one kabupaten with a coal company", []Party{
			{Type: PartyDesa, Region: "6402022010"}, {Type: PartyDesa, Region: "6402022007"},
			{Type: PartyCompany, Name: "PT Multi Harapan Utama", Sector: SectorCoal},
		}, []Issue{IssueEnergyMineral}},
		{"villages in two kabupaten", []Party{
			{Type: PartyDesa, Region: "6402022010"}, {Type: PartyDesa, Region: "6401012009"},
		}, []Issue{IssueCrossKabupaten}},
		{"a desa persiapan named under another kabupaten", []Party{
			{Type: PartyDesa, Region: "6402022010"}, {Type: PartyDesaPersiapan, Region: "640101"},
		}, []Issue{IssueCrossKabupaten}},
		{"two kabupaten governments", []Party{
			{Type: PartyKabupatenGov, Region: "6402"}, {Type: PartyKabupatenGov, Region: "6408"},
		}, []Issue{IssueCrossKabupaten}},
		{"another province, an energy agency", []Party{
			{Type: PartyProvinceGov, Region: "64"}, {Type: PartyOtherProvince, Region: "35"},
			{Type: PartySectorAgency, Sector: SectorEnergy},
		}, []Issue{IssueCrossKabupaten, IssueEnergyMineral}},
		{"a zakat body in one kabupaten", []Party{
			{Type: PartyDesa, Region: "6402022010"}, {Type: PartyZakatBody, Region: "6408"},
		}, nil},
	}
	for _, tt := range tests {
		b := NewRecordBuilder()
		for i := range tt.parties {
			b.AddParty(0, &tt.parties[i])
		}
		if got := b.Record(0, Agreement{}).Derived; !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestClassification(t *testing.T) {
	c := Classification{Declared: []Issue{IssueThirdParty}, Derived: []Issue{IssueEnergyMineral}}
	if got := c.Effective(); !reflect.DeepEqual(got, []Issue{IssueThirdParty, IssueEnergyMineral}) {
		t.Errorf("effective: %v", got)
	}
	if got := c.Disagreements(); !reflect.DeepEqual(got, []Issue{IssueEnergyMineral}) {
		t.Errorf("disagreements: %v", got)
	}
	c = Classification{Declared: []Issue{IssueCrossKabupaten, IssueInterVillageBody}, Derived: []Issue{IssueCrossKabupaten}}
	if got := c.Disagreements(); got != nil {
		t.Errorf("INTER_VILLAGE_BODY is not derivable, so it cannot disagree: %v", got)
	}
}

func TestParseEnumsInBothLanguages(t *testing.T) {
	for in, want := range map[string]Issue{"pihak ketiga": IssueThirdParty, "THIRD_PARTY": IssueThirdParty,
		"Lintas Kabupaten": IssueCrossKabupaten, "ESDM": IssueEnergyMineral, "bkad": IssueInterVillageBody} {
		if got, err := ParseIssue(in); err != nil || got != want {
			t.Errorf("ParseIssue(%q) = %v, %v", in, got, err)
		}
	}
	for in, want := range map[string]Status{"aktif": StatusActive, "Berakhir": StatusExpired, "DIHENTIKAN": StatusTerminated, "draft": StatusDraft} {
		if got, err := ParseStatus(in); err != nil || got != want {
			t.Errorf("ParseStatus(%q) = %v, %v", in, got, err)
		}
	}
	for in, want := range map[string]DocumentType{"Nota Kesepahaman": DocMoU, "PKS": DocPKS, "kesepakatan bersama": DocKesepakatan} {
		if got, err := ParseDocumentType(in); err != nil || got != want {
			t.Errorf("ParseDocumentType(%q) = %v, %v", in, got, err)
		}
	}
	for in, want := range map[string]PartyType{"Baznas": PartyZakatBody, "yayasan": PartyFoundation, "desa persiapan": PartyDesaPersiapan, "perusahaan": PartyCompany} {
		if got, err := ParsePartyType(in); err != nil || got != want {
			t.Errorf("ParsePartyType(%q) = %v, %v", in, got, err)
		}
	}
	if s, err := ParseSector("batu bara"); err != nil || s != SectorCoal {
		t.Errorf("ParseSector: %v %v", s, err)
	}
	if _, err := ParseIssue("pariwisata"); err == nil {
		t.Error("an unknown issue was accepted")
	}
}
