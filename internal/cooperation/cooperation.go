// Package cooperation holds village cooperation agreements (kerja sama desa):
// the register's types and enumerations, the rules that classify agreements
// into the four strategic issues, and the service answering planners'
// questions about them.
package cooperation

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/sinergi-id/sinergi/internal/label"
	"github.com/sinergi-id/sinergi/internal/region"
)

// Issue is one of the four strategic issues of village cooperation.
type Issue string

const (
	IssueInterVillageBody Issue = "INTER_VILLAGE_BODY" // BKAD, BUMDesa Bersama
	IssueThirdParty       Issue = "THIRD_PARTY"        // companies, zakat bodies, universities, …
	IssueCrossKabupaten   Issue = "CROSS_KABUPATEN"    // across kabupaten or provinces
	IssueEnergyMineral    Issue = "ENERGY_MINERAL"     // coal, oil and gas, electricity
)

// SimulationPrefix starts the id of every agreement and body of the
// simulated register that `sinergi dev` loads over the real villages, and
// of nothing else: a real register may not use it, so a simulated figure is
// always told apart from a real one.
const SimulationPrefix = "SIMULASI-"

// IsSimulated reports whether an agreement or body id is the simulation's.
func IsSimulated(id string) bool { return strings.HasPrefix(id, SimulationPrefix) }

// Issues lists the four issues in the order the API presents them.
var Issues = []Issue{IssueInterVillageBody, IssueThirdParty, IssueCrossKabupaten, IssueEnergyMineral}

// DocumentType is the kind of agreement document.
type DocumentType string

const (
	DocMoU         DocumentType = "MOU"                 // nota kesepahaman
	DocPKS         DocumentType = "PKS"                 // perjanjian kerja sama
	DocKesepakatan DocumentType = "KESEPAKATAN_BERSAMA" // kesepakatan bersama
	DocAddendum    DocumentType = "ADDENDUM"
	DocOther       DocumentType = "OTHER"
)

// DocumentTypes lists every document type.
var DocumentTypes = []DocumentType{DocMoU, DocPKS, DocKesepakatan, DocAddendum, DocOther}

// Status is where an agreement stands.
type Status string

const (
	StatusDraft      Status = "DRAFT"
	StatusActive     Status = "ACTIVE"
	StatusExpired    Status = "EXPIRED"
	StatusTerminated Status = "TERMINATED"
)

// Statuses lists every status.
var Statuses = []Status{StatusDraft, StatusActive, StatusExpired, StatusTerminated}

// PartyType is the kind of party to an agreement.
type PartyType string

const (
	PartyDesa            PartyType = "DESA"
	PartyDesaPersiapan   PartyType = "DESA_PERSIAPAN" // a village being created, no code yet
	PartyBKAD            PartyType = "BKAD"
	PartyBUMDesa         PartyType = "BUMDESA"
	PartyKabupatenGov    PartyType = "KABUPATEN_GOVERNMENT"
	PartyProvinceGov     PartyType = "PROVINCE_GOVERNMENT"
	PartyOtherProvince   PartyType = "OTHER_PROVINCE"
	PartyCompany         PartyType = "COMPANY"
	PartyStateEnterprise PartyType = "STATE_ENTERPRISE"
	PartyZakatBody       PartyType = "ZAKAT_BODY"
	PartyFoundation      PartyType = "FOUNDATION_NGO"
	PartyUniversity      PartyType = "UNIVERSITY"
	PartySectorAgency    PartyType = "SECTOR_AGENCY"
)

// PartyTypes lists every party type.
var PartyTypes = []PartyType{PartyDesa, PartyDesaPersiapan, PartyBKAD, PartyBUMDesa, PartyKabupatenGov,
	PartyProvinceGov, PartyOtherProvince, PartyCompany, PartyStateEnterprise, PartyZakatBody,
	PartyFoundation, PartyUniversity, PartySectorAgency}

// IsVillage reports whether the party is a village (with or without a code).
func (t PartyType) IsVillage() bool { return t == PartyDesa || t == PartyDesaPersiapan }

// IsPartner reports whether the party counts as a partner of the villages
// (anyone but the villages, their bodies and their own enterprises).
func (t PartyType) IsPartner() bool {
	switch t {
	case PartyDesa, PartyDesaPersiapan, PartyBKAD, PartyBUMDesa:
		return false
	}
	return true
}

// Sector is a company's or agency's line of business.
type Sector string

const (
	SectorNone        Sector = ""
	SectorCoal        Sector = "COAL"
	SectorOilGas      Sector = "OIL_GAS"
	SectorMineral     Sector = "MINERAL"
	SectorEnergy      Sector = "ENERGY" // electricity, renewables
	SectorPlantation  Sector = "PLANTATION"
	SectorForestry    Sector = "FORESTRY"
	SectorFinance     Sector = "FINANCE"
	SectorEducation   Sector = "EDUCATION"
	SectorHealth      Sector = "HEALTH"
	SectorPublicWorks Sector = "PUBLIC_WORKS"
	SectorSocial      Sector = "SOCIAL"
	SectorOther       Sector = "OTHER"
)

// Sectors lists every sector (without SectorNone).
var Sectors = []Sector{SectorCoal, SectorOilGas, SectorMineral, SectorEnergy, SectorPlantation, SectorForestry,
	SectorFinance, SectorEducation, SectorHealth, SectorPublicWorks, SectorSocial, SectorOther}

// IsEnergyMineral reports whether the sector makes an agreement with the
// party an ENERGY_MINERAL one.
func (s Sector) IsEnergyMineral() bool {
	switch s {
	case SectorCoal, SectorOilGas, SectorMineral, SectorEnergy:
		return true
	}
	return false
}

// Field is a field of work of an agreement.
type Field string

const (
	FieldUMKM              Field = "UMKM"                // coaching of micro and small enterprises
	FieldAgriculture       Field = "AGRICULTURE"         // pertanian
	FieldProductive        Field = "PRODUCTIVE_BUSINESS" // usaha produktif desa
	FieldBUMDesa           Field = "BUMDESA"
	FieldDigital           Field = "DIGITAL_SERVICES"
	FieldTourism           Field = "TOURISM"
	FieldFoodSecurity      Field = "FOOD_SECURITY"
	FieldLocalProducts     Field = "LOCAL_PRODUCTS" // Prudes, Prukades
	FieldCapacity          Field = "CAPACITY_BUILDING"
	FieldInfrastructure    Field = "INFRASTRUCTURE" // prasarana dan sarana desa
	FieldTechnicalAssist   Field = "TECHNICAL_ASSISTANCE"
	FieldThematicVillages  Field = "THEMATIC_VILLAGES" // desa adat, ekspor, anti korupsi, wisata
	FieldInformationAccess Field = "INFORMATION_ACCESS"
	FieldEnergy            Field = "ENERGY"
	FieldOther             Field = "OTHER"
)

// Fields lists every field of work.
var Fields = []Field{FieldUMKM, FieldAgriculture, FieldProductive, FieldBUMDesa, FieldDigital, FieldTourism,
	FieldFoodSecurity, FieldLocalProducts, FieldCapacity, FieldInfrastructure, FieldTechnicalAssist,
	FieldThematicVillages, FieldInformationAccess, FieldEnergy, FieldOther}

// Agreement is one agreement as the register records it.
type Agreement struct {
	ID              string
	DocumentNumbers []string
	Title           string
	DocumentType    DocumentType
	SignedOn        time.Time // zero when unknown
	SignedPlace     string
	StartsOn        time.Time // zero when unknown: the signing date counts
	EndsOn          time.Time // zero when open-ended or unknown
	Status          Status
	DeclaredIssues  []Issue
	Fields          []Field
	CommittedValue  *decimal.Decimal // Rp; nil when the register does not say
	FundingSource   string
	SourceReference string
}

// Party is one party to an agreement.
type Party struct {
	AgreementID string
	Type        PartyType
	Name        string
	// Region is the party's region code where it has one: the village of a
	// desa, the kecamatan or kabupaten a desa persiapan is created in, the
	// kabupaten of its government, …
	Region region.Code
	Sector Sector
	Role   string
	// BodyID links a BKAD party to its body in the bodies sheet, if given.
	BodyID string
}

// Body is an inter-village cooperation body (BKAD).
type Body struct {
	ID              string
	Name            string
	Region          region.Code // usually the kecamatan
	EstablishedOn   time.Time
	LegalBasis      string
	JointEnterprise string // BUMDesa Bersama
	Members         []region.Code
}

// Realisation is what an agreement delivered to a village in a month.
type Realisation struct {
	AgreementID   string
	Village       region.Code // "" when not attributed to one village
	Month         time.Time   // first day of the month
	Value         decimal.Decimal
	Beneficiaries int
	Outputs       string
}

// normalizeEnum folds a spelling for lookup: lower case, separators removed.
func normalizeEnum(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		switch r {
		case ' ', '_', '-', '.', '/', '(', ')':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// enumSpellings maps folded spellings (Indonesian and English) to values.
func lookupEnum[T ~string](kind, s string, spellings map[string]T) (T, error) {
	if v, ok := spellings[normalizeEnum(s)]; ok {
		return v, nil
	}
	return "", fmt.Errorf("unknown %s %q", kind, s)
}

// spellings folds the accepted spellings of each value: the value itself,
// its display names and the other names people write.
func spellings[T ~string](pairs map[T][]string, labels map[T]label.Text) map[string]T {
	out := map[string]T{}
	for v, names := range pairs {
		out[normalizeEnum(string(v))] = v
		for _, n := range append(slices.Clone(names), labels[v].ID, labels[v].EN) {
			out[normalizeEnum(n)] = v
		}
	}
	return out
}

var issueSpellings = spellings(map[Issue][]string{
	IssueInterVillageBody: {"inter village body", "bkad", "badan kerja sama antar desa", "badan kerjasama antar desa", "kerja sama antar desa", "antar desa", "penguatan badan kerja sama antar desa"},
	IssueThirdParty:       {"third party", "pihak ketiga", "kerja sama pihak ketiga", "kerjasama pihak ketiga"},
	IssueCrossKabupaten:   {"cross kabupaten", "cross regency", "lintas kabupaten", "antar kabupaten", "lintas daerah", "lintas provinsi", "antar provinsi"},
	IssueEnergyMineral:    {"energy mineral", "energi mineral", "energi dan mineral", "sumber daya energi dan mineral", "esdm"},
}, IssueLabels)

// ParseIssue reads an issue in English or Indonesian.
func ParseIssue(s string) (Issue, error) { return lookupEnum("strategic issue", s, issueSpellings) }

var documentTypeSpellings = spellings(map[DocumentType][]string{
	DocMoU:         {"mou", "memorandum of understanding", "nota kesepahaman", "nota kesepakatan"},
	DocPKS:         {"pks", "perjanjian kerja sama", "perjanjian kerjasama", "cooperation agreement"},
	DocKesepakatan: {"kesepakatan bersama", "joint agreement", "kb"},
	DocAddendum:    {"addendum", "adendum", "amendment", "perubahan"},
	DocOther:       {"other", "lainnya", "lain lain"},
}, DocumentTypeLabels)

// ParseDocumentType reads a document type in English or Indonesian.
func ParseDocumentType(s string) (DocumentType, error) {
	return lookupEnum("document type", s, documentTypeSpellings)
}

var statusSpellings = spellings(map[Status][]string{
	StatusDraft:      {"draft", "rancangan", "konsep"},
	StatusActive:     {"active", "aktif", "berlaku", "berjalan"},
	StatusExpired:    {"expired", "berakhir", "selesai", "kedaluwarsa", "habis"},
	StatusTerminated: {"terminated", "dihentikan", "diputus", "batal", "dibatalkan"},
}, StatusLabels)

// ParseStatus reads an agreement status in English or Indonesian.
func ParseStatus(s string) (Status, error) { return lookupEnum("agreement status", s, statusSpellings) }

var partyTypeSpellings = spellings(map[PartyType][]string{
	PartyDesa:            {"desa", "village", "pemerintah desa", "desa adat"},
	PartyDesaPersiapan:   {"desa persiapan", "village in preparation", "prospective village"},
	PartyBKAD:            {"bkad", "badan kerja sama antar desa", "inter village body"},
	PartyBUMDesa:         {"bumdes", "bumdesa", "bumdesa bersama", "bumdes bersama", "village enterprise"},
	PartyKabupatenGov:    {"kabupaten", "kota", "pemerintah kabupaten", "pemkab", "pemkot", "pemerintah kota", "regency government", "city government", "bupati", "dpmd"},
	PartyProvinceGov:     {"provinsi", "pemerintah provinsi", "pemprov", "province government", "provincial government", "dpmpd"},
	PartyOtherProvince:   {"provinsi lain", "other province", "pemerintah provinsi lain"},
	PartyCompany:         {"company", "perusahaan", "swasta", "private company", "pt"},
	PartyStateEnterprise: {"bumn", "bumd", "state enterprise", "state owned enterprise", "badan usaha milik negara"},
	PartyZakatBody:       {"baznas", "laz", "zakat", "zakat body", "lembaga zakat"},
	PartyFoundation:      {"yayasan", "foundation", "ngo", "lsm", "foundation ngo", "ormas", "organisasi masyarakat sipil"},
	PartyUniversity:      {"university", "universitas", "perguruan tinggi", "kampus", "politeknik", "institut"},
	PartySectorAgency:    {"sector agency", "dinas", "opd", "perangkat daerah", "instansi sektoral", "kementerian"},
}, PartyTypeLabels)

// ParsePartyType reads a party type in English or Indonesian.
func ParsePartyType(s string) (PartyType, error) {
	return lookupEnum("party type", s, partyTypeSpellings)
}

var sectorSpellings = spellings(map[Sector][]string{
	SectorCoal:        {"coal", "batubara", "batu bara", "tambang batubara"},
	SectorOilGas:      {"oil gas", "oil and gas", "migas", "minyak dan gas", "minyak gas"},
	SectorMineral:     {"mineral", "mining", "pertambangan", "tambang"},
	SectorEnergy:      {"energy", "energi", "listrik", "electricity", "ketenagalistrikan", "energi terbarukan"},
	SectorPlantation:  {"plantation", "perkebunan", "kelapa sawit", "sawit"},
	SectorForestry:    {"forestry", "kehutanan"},
	SectorFinance:     {"finance", "keuangan", "perbankan", "bank"},
	SectorEducation:   {"education", "pendidikan"},
	SectorHealth:      {"health", "kesehatan"},
	SectorPublicWorks: {"public works", "pekerjaan umum", "pu", "infrastruktur"},
	SectorSocial:      {"social", "sosial", "zakat", "filantropi", "philanthropy"},
	SectorOther:       {"other", "lainnya"},
}, SectorLabels)

// ParseSector reads a sector in English or Indonesian; "" is no sector.
func ParseSector(s string) (Sector, error) {
	if strings.TrimSpace(s) == "" {
		return SectorNone, nil
	}
	return lookupEnum("sector", s, sectorSpellings)
}

var fieldSpellings = spellings(map[Field][]string{
	FieldUMKM:              {"umkm", "pembinaan umkm", "msme", "ukm"},
	FieldAgriculture:       {"agriculture", "pertanian", "sektor pertanian", "penguatan sektor pertanian"},
	FieldProductive:        {"productive business", "usaha produktif", "usaha produktif desa", "pengembangan usaha produktif desa"},
	FieldBUMDesa:           {"bumdesa", "bumdes", "penguatan bumdesa", "badan usaha milik desa"},
	FieldDigital:           {"digital services", "digitalisasi", "digitalisasi layanan desa", "layanan digital", "desa digital"},
	FieldTourism:           {"tourism", "desa wisata", "pariwisata", "wisata"},
	FieldFoodSecurity:      {"food security", "ketahanan pangan"},
	FieldLocalProducts:     {"local products", "produk unggulan", "prudes", "prukades", "produk lokal", "produk unggulan desa"},
	FieldCapacity:          {"capacity building", "pengembangan kapasitas", "peningkatan kapasitas", "pelatihan", "sdm", "pengembangan kapasitas sdm"},
	FieldInfrastructure:    {"infrastructure", "prasarana dan sarana desa", "sarana prasarana", "infrastruktur", "prasarana"},
	FieldTechnicalAssist:   {"technical assistance", "pendampingan teknis", "pendampingan"},
	FieldThematicVillages:  {"thematic villages", "desa tematik", "desa adat", "desa ekspor", "desa anti korupsi"},
	FieldInformationAccess: {"information access", "akses informasi"},
	FieldEnergy:            {"energy", "energi", "listrik desa", "village electricity"},
	FieldOther:             {"other", "lainnya"},
}, FieldLabels)

// ParseField reads a field of work in English or Indonesian.
func ParseField(s string) (Field, error) { return lookupEnum("field of work", s, fieldSpellings) }
