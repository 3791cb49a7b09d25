package model

import (
	"io"
	"strconv"
	"time"

	"github.com/sinergi-id/sinergi/internal/fault"
)

// Date is a calendar day, YYYY-MM-DD on the wire.
type Date struct{ time.Time }

// MarshalGQL writes the date as "YYYY-MM-DD".
func (d Date) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(d.Format(time.DateOnly))) }

// The days a request may name: those ClickHouse 18.16 and current releases
// both hold alike (18.16's dates end with 2105; current releases clamp a
// later one to 2149-06-06 where 18.16 makes it 1970-01-01).
var (
	FirstDate = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	LastDate  = time.Date(2105, 12, 31, 0, 0, 0, 0, time.UTC)
)

// UnmarshalGQL reads "YYYY-MM-DD" between FirstDate and LastDate.
func (d *Date) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fault.Invalid("a date must be a string YYYY-MM-DD")
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return fault.Invalid("%q is not a date YYYY-MM-DD", s)
	}
	if t.Before(FirstDate) || t.After(LastDate) {
		return fault.Invalid("%s is outside the dates sinergi answers for (%s to %s)", s, FirstDate.Format(time.DateOnly), LastDate.Format(time.DateOnly))
	}
	d.Time = t
	return nil
}

// The types below carry region codes; their region fields are resolved
// through the request's region loader.

type Agreement struct {
	ID                          string           `json:"id"`
	Simulated                   bool             `json:"simulated"`
	DocumentNumbers             []string         `json:"documentNumbers"`
	Title                       string           `json:"title"`
	DocumentType                DocumentType     `json:"documentType"`
	SignedOn                    *Date            `json:"signedOn"`
	SignedPlace                 *string          `json:"signedPlace"`
	StartsOn                    *Date            `json:"startsOn"`
	EndsOn                      *Date            `json:"endsOn"`
	Status                      AgreementStatus  `json:"status"`
	DeclaredIssues              []StrategicIssue `json:"declaredIssues"`
	DerivedIssues               []StrategicIssue `json:"derivedIssues"`
	Issues                      []StrategicIssue `json:"issues"`
	ClassificationDisagreements []StrategicIssue `json:"classificationDisagreements"`
	Fields                      []FieldOfWork    `json:"fields"`
	CommittedValue              *Rupiah          `json:"committedValue"`
	FundingSource               *string          `json:"fundingSource"`
	SourceReference             *string          `json:"sourceReference"`
	RealisedValue               Rupiah           `json:"realisedValue"`
	Beneficiaries               int              `json:"beneficiaries"`
	VillageCodes                []string
	PersiapanKeys               []string
	KabupatenCodes              []string
}

type DesaPersiapan struct {
	Name       string `json:"name"`
	RegionCode string
}

type Party struct {
	Type       PartyType `json:"type"`
	Name       string    `json:"name"`
	RegionCode *string   `json:"regionCode"`
	Sector     *Sector   `json:"sector"`
	Role       *string   `json:"role"`
}

type Realisation struct {
	Month         string `json:"month"`
	VillageCode   string
	Value         Rupiah  `json:"value"`
	Beneficiaries int     `json:"beneficiaries"`
	Outputs       *string `json:"outputs"`
}

type StatsRow struct {
	Provinsi             *string `json:"provinsi"`
	KabupatenKota        *string `json:"kabupatenKota"`
	Kecamatan            *string `json:"kecamatan"`
	Desa                 *string `json:"desa"`
	Issue                *string `json:"issue"`
	PartyType            *string `json:"partyType"`
	PartnerSector        *string `json:"partnerSector"`
	Field                *string `json:"field"`
	Status               *string `json:"status"`
	Period               *string `json:"period"`
	Agreements           *int    `json:"agreements"`
	ActiveAgreements     *int    `json:"activeAgreements"`
	VillagesCovered      *int    `json:"villagesCovered"`
	DesaPersiapanCovered *int    `json:"desaPersiapanCovered"`
	Partners             *int    `json:"partners"`
	CommittedValue       *Rupiah `json:"committedValue"`
	RealisedValue        *Rupiah `json:"realisedValue"`
	Beneficiaries        *int    `json:"beneficiaries"`
	// RegionCode is the flat code of the row's region dimension, if any.
	RegionCode string
}

type RegionScorecard struct {
	ID                   string `json:"id"`
	RegionCode           string
	Year                 int           `json:"year"`
	DesaCount            int           `json:"desaCount"`
	Agreements           int           `json:"agreements"`
	AgreementsPer100Desa float64       `json:"agreementsPer100Desa"`
	DesaCovered          int           `json:"desaCovered"`
	DesaCoveredShare     float64       `json:"desaCoveredShare"`
	DesaPersiapanCovered int           `json:"desaPersiapanCovered"`
	CommittedValue       Rupiah        `json:"committedValue"`
	ValuePerDesa         Rupiah        `json:"valuePerDesa"`
	RealisedValue        Rupiah        `json:"realisedValue"`
	ByIssue              []*IssueCount `json:"byIssue"`
	Idm                  *ScorecardIdm `json:"idm"`
}

type VillageTarget struct {
	ID          string `json:"id"`
	VillageCode string
	Status      IdmStatus `json:"status"`
	Idm         float64   `json:"idm"`
}

type InterVillageBody struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	RegionCode       string
	EstablishedOn    *Date   `json:"establishedOn"`
	LegalBasis       *string `json:"legalBasis"`
	JointEnterprise  *string `json:"jointEnterprise"`
	MemberCodes      []string
	Agreements       int  `json:"agreements"`
	ActiveAgreements int  `json:"activeAgreements"`
	Active           bool `json:"active"`
}

type RegionLink struct {
	FromCode       string `json:"fromCode"`
	ToCode         string `json:"toCode"`
	Agreements     int    `json:"agreements"`
	CommittedValue Rupiah `json:"committedValue"`
}

type Partner struct {
	ID               string    `json:"id"`
	Key              string    `json:"key"`
	Name             string    `json:"name"`
	Type             PartyType `json:"type"`
	Sector           *Sector   `json:"sector"`
	Agreements       int       `json:"agreements"`
	ActiveAgreements int       `json:"activeAgreements"`
	VillagesCovered  int       `json:"villagesCovered"`
	KabupatenCodes   []string
	Issues           []StrategicIssue `json:"issues"`
	Fields           []FieldOfWork    `json:"fields"`
	CommittedValue   Rupiah           `json:"committedValue"`
	RealisedValue    Rupiah           `json:"realisedValue"`
}

type CooperationImpact struct {
	ID                 string `json:"id"`
	RegionCode         string
	FromYear           int          `json:"fromYear"`
	ToYear             int          `json:"toYear"`
	WithCooperation    *ImpactGroup `json:"withCooperation"`
	WithoutCooperation *ImpactGroup `json:"withoutCooperation"`
}
