package cooperation

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sinergi-id/sinergi/internal/idm"
	"github.com/sinergi-id/sinergi/internal/keyset"
	"github.com/sinergi-id/sinergi/internal/region"
)

// Filter narrows agreements. Every set field must hold; within a list any
// value matches.
type Filter struct {
	Region     region.Code // agreements with a party or realisation within it
	Issues     []Issue     // effective issues (declared or derived)
	PartyTypes []PartyType // agreements with a party of one of these types
	Partner    string      // agreements with this partner (a partner key)
	Sectors    []Sector    // agreements with a party in one of these sectors
	Statuses   []Status
	Fields     []Field
	// ActiveFrom/ActiveTo: agreements in force at some time in the period.
	ActiveFrom, ActiveTo time.Time
	// SignedFrom/SignedTo: agreements signed within the period.
	SignedFrom, SignedTo time.Time
}

// IsZero reports whether the filter selects every agreement.
func (f Filter) IsZero() bool { return f.Canonical() == (Filter{}).Canonical() }

// Canonical writes the filter out one way, whatever the order of its lists:
// equal filters give equal text. Cursors and client-cache ids are tied to
// it.
func (f Filter) Canonical() string {
	var b strings.Builder
	list := func(name string, values []string) {
		values = slices.Clone(values)
		slices.Sort(values)
		fmt.Fprintf(&b, "%s=%s;", name, strings.Join(slices.Compact(values), ","))
	}
	day := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(time.DateOnly)
	}
	fmt.Fprintf(&b, "region=%s;partner=%s;", f.Region, f.Partner)
	list("issues", enumStrings(f.Issues))
	list("partyTypes", enumStrings(f.PartyTypes))
	list("sectors", enumStrings(f.Sectors))
	list("statuses", enumStrings(f.Statuses))
	list("fields", enumStrings(f.Fields))
	fmt.Fprintf(&b, "active=%s..%s;signed=%s..%s", day(f.ActiveFrom), day(f.ActiveTo), day(f.SignedFrom), day(f.SignedTo))
	return b.String()
}

// Digest is a short digest of the canonical filter, for ids.
func (f Filter) Digest() string {
	sum := sha256.Sum256([]byte(f.Canonical()))
	return hex.EncodeToString(sum[:4])
}

func enumStrings[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

// Dimension is a whitelisted grouping of cooperationStats.
type Dimension string

const (
	DimProvinsi      Dimension = "PROVINSI"
	DimKabupatenKota Dimension = "KABUPATEN_KOTA"
	DimKecamatan     Dimension = "KECAMATAN"
	DimDesa          Dimension = "DESA"
	DimIssue         Dimension = "ISSUE"
	DimPartyType     Dimension = "PARTY_TYPE"
	DimPartnerSector Dimension = "PARTNER_SECTOR"
	DimField         Dimension = "FIELD"
	DimStatus        Dimension = "STATUS"
	DimPeriod        Dimension = "PERIOD"
)

// Dimensions lists every dimension.
var Dimensions = []Dimension{DimProvinsi, DimKabupatenKota, DimKecamatan, DimDesa, DimIssue, DimPartyType,
	DimPartnerSector, DimField, DimStatus, DimPeriod}

// RegionLevel is the region level of a region dimension, 0 for others.
func (d Dimension) RegionLevel() region.Level {
	switch d {
	case DimProvinsi:
		return region.LevelProvinsi
	case DimKabupatenKota:
		return region.LevelKabupatenKota
	case DimKecamatan:
		return region.LevelKecamatan
	case DimDesa:
		return region.LevelDesaKelurahan
	}
	return 0
}

// Measure is a whitelisted figure of cooperationStats.
type Measure string

const (
	MeasureAgreements       Measure = "AGREEMENTS"
	MeasureActiveAgreements Measure = "ACTIVE_AGREEMENTS"
	MeasureVillagesCovered  Measure = "VILLAGES_COVERED"
	MeasurePartners         Measure = "PARTNERS"
	MeasureCommittedValue   Measure = "COMMITTED_VALUE"
	MeasureRealisedValue    Measure = "REALISED_VALUE"
	MeasureBeneficiaries    Measure = "BENEFICIARIES"
	// MeasurePersiapanCovered counts desa persiapan (villages being
	// created, without a code) covered; they are never counted as desa.
	MeasurePersiapanCovered Measure = "DESA_PERSIAPAN_COVERED"
)

// Measures lists every measure.
var Measures = []Measure{MeasureAgreements, MeasureActiveAgreements, MeasureVillagesCovered, MeasurePartners,
	MeasureCommittedValue, MeasureRealisedValue, MeasureBeneficiaries, MeasurePersiapanCovered}

// FromRealisations reports whether the measure is summed from realisation
// rows (grouped by the realisation's village and month) rather than from
// agreements (grouped by their regions and signing month).
func (m Measure) FromRealisations() bool {
	return m == MeasureRealisedValue || m == MeasureBeneficiaries
}

// TimeGrain buckets the PERIOD dimension.
type TimeGrain string

const (
	GrainMonth   TimeGrain = "MONTH"
	GrainQuarter TimeGrain = "QUARTER"
	GrainYear    TimeGrain = "YEAR"
)

// StatsQuery is a cooperationStats request.
type StatsQuery struct {
	Dimensions []Dimension
	Measures   []Measure
	Filter     Filter
	Grain      TimeGrain
	// AsOf is the day "active" is judged on (ACTIVE_AGREEMENTS).
	AsOf time.Time
	// FillPeriods adds a row of zeros for every period of the range that a
	// group lacks, when PERIOD is a dimension (see completePeriods).
	FillPeriods bool
}

// StatsRow is one group: a value per dimension (in query order) and per
// measure (in query order).
type StatsRow struct {
	Keys   []string
	Values []float64
}

// StatsResult is the rows plus totals over everything the filter selects.
// Totals count each agreement, village and partner once, so they can be
// less than the sum of the rows when an agreement falls into several groups.
type StatsResult struct {
	Rows   []StatsRow
	Totals []float64
}

// MaxStatsRows bounds a cooperationStats answer.
const MaxStatsRows = 50_000

// AgreementSummary is an agreement as lists show it.
type AgreementSummary struct {
	Agreement
	Classification Classification
	RegionCodes    []region.Code
	VillageKeys    []string
	PartnerCount   int
	RealisedValue  float64
	Beneficiaries  int
	LatestRunID    uint64
}

// AgreementOrder orders agreement lists.
type AgreementOrder string

const (
	OrderSignedDesc AgreementOrder = "SIGNED_DESC"
	OrderSignedAsc  AgreementOrder = "SIGNED_ASC"
	OrderValueDesc  AgreementOrder = "COMMITTED_VALUE_DESC"
	OrderEndsAsc    AgreementOrder = "ENDS_ASC"
	OrderIDAsc      AgreementOrder = "ID_ASC"
)

// Page size limits.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// RegionComparison is one region's scorecard for compareRegions.
type RegionComparison struct {
	Region region.Code
	// Compared is the region as the register has it: read to check the
	// codes, and shown by the API without reading it again.
	Compared         region.Region
	Year             int
	DesaCount        int
	Agreements       int // active in the year, touching the region
	AgreementsPer100 float64
	DesaCovered      int // desa with an agreement active in the year
	DesaCoveredShare float64
	DesaPersiapan    int // desa persiapan covered
	CommittedValue   float64
	ValuePerDesa     float64
	RealisedValue    float64 // realised in the year within the region
	ByIssue          map[Issue]int
	IDM              *RegionIDM // nil when no IDM is loaded for the year or before it
}

// RegionIDM is the IDM side of a scorecard.
type RegionIDM struct {
	Year     int // the IDM year shown: the scorecard's, or the latest before it
	Mean     *float64
	ByStatus []idm.StatusCount
	Scored   int
	// MovedUp counts desa whose status rose since the previous year; nil
	// when the previous year has no scores.
	MovedUp   *int
	MovedDown *int
}

// TargetPage is one page of the targeting list, with the question's
// defaults resolved.
type TargetPage struct {
	keyset.Page[VillageTarget]
	// IDMYear is the year whose IDM status the list is drawn by.
	IDMYear int
	// From and To bound the period agreements in force count in.
	From, To time.Time
}

// VillageTarget is a desa of the targeting list.
type VillageTarget struct {
	Village region.Code
	Status  idm.Status
	IDM     float64
}

// BodySummary is an inter-village body with its activity.
type BodySummary struct {
	Body
	ActiveAgreements int
	Agreements       int
}

// Link is a pair of regions that cooperate (for sankey/chord charts).
type Link struct {
	From, To       region.Code
	Agreements     int
	CommittedValue float64
}

// PartnerSummary is a partner and what it does.
type PartnerSummary struct {
	Key              string
	Name             string
	Type             PartyType
	Sector           Sector
	Agreements       int
	ActiveAgreements int
	VillagesCovered  int
	Kabupaten        []region.Code
	Issues           []Issue
	Fields           []Field
	CommittedValue   float64
	RealisedValue    float64
}

// PartnerOrder orders partner lists.
type PartnerOrder string

const (
	PartnerByAgreements PartnerOrder = "AGREEMENTS_DESC"
	PartnerByValue      PartnerOrder = "COMMITTED_VALUE_DESC"
	PartnerByVillages   PartnerOrder = "VILLAGES_DESC"
	PartnerByName       PartnerOrder = "NAME_ASC"
)

// ImpactGroup is one side of cooperationImpact.
type ImpactGroup struct {
	Desa       int // desa scored in both years
	MeanFrom   *float64
	MeanTo     *float64
	MeanChange *float64
	MovedUp    int
	Unchanged  int
	MovedDown  int
}

// Impact compares desa with active cooperation against desa without.
type Impact struct {
	Region             region.Code
	FromYear, ToYear   int
	WithCooperation    ImpactGroup
	WithoutCooperation ImpactGroup
}

// The groups cooperationStats forms for agreements without a value.
const (
	// NoValue is the group of a list dimension (issues, party types,
	// sectors, fields) for agreements with no value in the list.
	NoValue = "NONE"
	// Undated is the PERIOD of agreements without a signing date and of
	// realisations without a month.
	Undated = "UNDATED"
)

// IsMoney reports whether the measure is an amount in rupiah.
func (m Measure) IsMoney() bool { return m == MeasureCommittedValue || m == MeasureRealisedValue }
