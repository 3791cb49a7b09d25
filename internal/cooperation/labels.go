package cooperation

import "github.com/sinergi-id/sinergi/internal/label"

// Display names of the register's values. The Indonesian and English names
// are also accepted as spellings when a register is read (see spellings), so
// that a table exported with Indonesian names can be loaded back.

// IssueLabels names the four strategic issues as the provincial office
// words them.
var IssueLabels = map[Issue]label.Text{
	IssueInterVillageBody: {ID: "Badan kerja sama antardesa", EN: "Inter-village bodies"},
	IssueThirdParty:       {ID: "Kerja sama pihak ketiga", EN: "Third parties"},
	IssueCrossKabupaten:   {ID: "Lintas kabupaten", EN: "Cross-kabupaten"},
	IssueEnergyMineral:    {ID: "Sumber daya energi dan mineral", EN: "Energy and minerals"},
}

// StatusLabels names where an agreement stands.
var StatusLabels = map[Status]label.Text{
	StatusDraft:      {ID: "Rancangan", EN: "Draft"},
	StatusActive:     {ID: "Aktif", EN: "Active"},
	StatusExpired:    {ID: "Berakhir", EN: "Expired"},
	StatusTerminated: {ID: "Dihentikan", EN: "Terminated"},
}

// DocumentTypeLabels names the kinds of agreement document.
var DocumentTypeLabels = map[DocumentType]label.Text{
	DocMoU:         {ID: "Nota kesepahaman (MoU)", EN: "Memorandum of understanding"},
	DocPKS:         {ID: "Perjanjian kerja sama (PKS)", EN: "Cooperation agreement"},
	DocKesepakatan: {ID: "Kesepakatan bersama", EN: "Joint agreement"},
	DocAddendum:    {ID: "Adendum", EN: "Addendum"},
	DocOther:       {ID: "Lainnya", EN: "Other"},
}

// PartyTypeLabels names the kinds of party.
var PartyTypeLabels = map[PartyType]label.Text{
	PartyDesa:            {ID: "Desa", EN: "Village (desa)"},
	PartyDesaPersiapan:   {ID: "Desa persiapan", EN: "Village in preparation"},
	PartyBKAD:            {ID: "Badan kerja sama antardesa (BKAD)", EN: "Inter-village body (BKAD)"},
	PartyBUMDesa:         {ID: "BUMDesa", EN: "Village enterprise (BUMDesa)"},
	PartyKabupatenGov:    {ID: "Pemerintah kabupaten/kota", EN: "Regency or city government"},
	PartyProvinceGov:     {ID: "Pemerintah provinsi", EN: "Provincial government"},
	PartyOtherProvince:   {ID: "Provinsi lain", EN: "Other province"},
	PartyCompany:         {ID: "Perusahaan", EN: "Company"},
	PartyStateEnterprise: {ID: "BUMN/BUMD", EN: "State or regional enterprise"},
	PartyZakatBody:       {ID: "Lembaga zakat", EN: "Zakat body"},
	PartyFoundation:      {ID: "Yayasan/LSM", EN: "Foundation or NGO"},
	PartyUniversity:      {ID: "Perguruan tinggi", EN: "University"},
	PartySectorAgency:    {ID: "Perangkat daerah/instansi sektoral", EN: "Sector agency"},
}

// SectorLabels names partners' lines of business.
var SectorLabels = map[Sector]label.Text{
	SectorCoal:        {ID: "Batu bara", EN: "Coal"},
	SectorOilGas:      {ID: "Minyak dan gas bumi", EN: "Oil and gas"},
	SectorMineral:     {ID: "Pertambangan mineral", EN: "Minerals"},
	SectorEnergy:      {ID: "Energi dan ketenagalistrikan", EN: "Energy and electricity"},
	SectorPlantation:  {ID: "Perkebunan", EN: "Plantations"},
	SectorForestry:    {ID: "Kehutanan", EN: "Forestry"},
	SectorFinance:     {ID: "Keuangan dan perbankan", EN: "Finance"},
	SectorEducation:   {ID: "Pendidikan", EN: "Education"},
	SectorHealth:      {ID: "Kesehatan", EN: "Health"},
	SectorPublicWorks: {ID: "Pekerjaan umum", EN: "Public works"},
	SectorSocial:      {ID: "Sosial", EN: "Social"},
	SectorOther:       {ID: "Lainnya", EN: "Other"},
}

// FieldLabels names the fields of work.
var FieldLabels = map[Field]label.Text{
	FieldUMKM:              {ID: "Pembinaan UMKM", EN: "Small business coaching (UMKM)"},
	FieldAgriculture:       {ID: "Pertanian", EN: "Agriculture"},
	FieldProductive:        {ID: "Usaha produktif desa", EN: "Productive village business"},
	FieldBUMDesa:           {ID: "Penguatan BUMDesa", EN: "Village enterprises (BUMDesa)"},
	FieldDigital:           {ID: "Layanan desa digital", EN: "Digital village services"},
	FieldTourism:           {ID: "Desa wisata", EN: "Village tourism"},
	FieldFoodSecurity:      {ID: "Ketahanan pangan", EN: "Food security"},
	FieldLocalProducts:     {ID: "Produk unggulan desa", EN: "Local products"},
	FieldCapacity:          {ID: "Peningkatan kapasitas", EN: "Capacity building"},
	FieldInfrastructure:    {ID: "Prasarana dan sarana desa", EN: "Village infrastructure"},
	FieldTechnicalAssist:   {ID: "Pendampingan teknis", EN: "Technical assistance"},
	FieldThematicVillages:  {ID: "Desa tematik", EN: "Thematic villages"},
	FieldInformationAccess: {ID: "Akses informasi", EN: "Information access"},
	FieldEnergy:            {ID: "Energi desa", EN: "Village energy"},
	FieldOther:             {ID: "Lainnya", EN: "Other"},
}

// DimensionLabels names the groupings of cooperationStats.
var DimensionLabels = map[Dimension]label.Text{
	DimProvinsi:      {ID: "Provinsi", EN: "Province"},
	DimKabupatenKota: {ID: "Kabupaten/Kota", EN: "Regency/City"},
	DimKecamatan:     {ID: "Kecamatan", EN: "District"},
	DimDesa:          {ID: "Desa", EN: "Village"},
	DimIssue:         {ID: "Isu strategis", EN: "Strategic issue"},
	DimPartyType:     {ID: "Jenis pihak", EN: "Party type"},
	DimPartnerSector: {ID: "Sektor mitra", EN: "Partner sector"},
	DimField:         {ID: "Bidang kerja sama", EN: "Field of work"},
	DimStatus:        {ID: "Status perjanjian", EN: "Agreement status"},
	DimPeriod:        {ID: "Periode", EN: "Period"},
}

// MeasureLabels names the figures of cooperationStats.
var MeasureLabels = map[Measure]label.Text{
	MeasureAgreements:       {ID: "Jumlah kerja sama", EN: "Agreements"},
	MeasureActiveAgreements: {ID: "Kerja sama berlaku hari ini", EN: "Agreements in force today"},
	MeasureVillagesCovered:  {ID: "Desa tercakup", EN: "Villages covered"},
	MeasurePersiapanCovered: {ID: "Desa persiapan tercakup", EN: "Villages in preparation covered"},
	MeasurePartners:         {ID: "Jumlah mitra", EN: "Partners"},
	MeasureCommittedValue:   {ID: "Nilai komitmen (Rp)", EN: "Committed value (Rp)"},
	MeasureRealisedValue:    {ID: "Nilai realisasi (Rp)", EN: "Realised value (Rp)"},
	MeasureBeneficiaries:    {ID: "Penerima manfaat", EN: "Beneficiaries"},
}

// GrainLabels names the time grains of PERIOD.
var GrainLabels = map[TimeGrain]label.Text{
	GrainMonth:   {ID: "Bulan", EN: "Month"},
	GrainQuarter: {ID: "Triwulan", EN: "Quarter"},
	GrainYear:    {ID: "Tahun", EN: "Year"},
}

// The groups cooperationStats forms for what has no value.
var (
	// NoValueLabel names the NoValue group of a list dimension.
	NoValueLabel = label.Text{ID: "Tidak ada", EN: "None"}
	// UndatedLabel names the Undated period.
	UndatedLabel = label.Text{ID: "Tanpa tanggal", EN: "Undated"}
	// NoRegionLabel names the group of a region dimension for what lies in
	// no region at its level (a provincial agreement by kabupaten, a
	// realisation without a village).
	NoRegionLabel = label.Text{ID: "Tanpa wilayah", EN: "No region"}
)
