package graph

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/graph/model"
	"github.com/sinergi-id/sinergi/internal/account"
	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/idm"
	"github.com/sinergi-id/sinergi/internal/ingest"
	"github.com/sinergi-id/sinergi/internal/region"
)

// TestEnumsBindToTheDomain checks every GraphQL enum that the converters
// cast to or from a domain type (model.StrategicIssue(cooperation.Issue),
// enumsFrom, …) against the domain's values: the same set of names on both
// sides, so that no cast can make a value the other side does not know.
// gqlgen generates model.All* from schema.graphql, so a schema edit that
// adds, drops or renames a value fails here, not in production.
func TestEnumsBindToTheDomain(t *testing.T) {
	same := func(name string, schema, domain []string) {
		t.Helper()
		slices.Sort(schema)
		slices.Sort(domain)
		if !slices.Equal(schema, domain) {
			t.Errorf("%s: the schema has %v, the domain %v", name, schema, domain)
		}
	}
	same("StrategicIssue", names(model.AllStrategicIssue), names(cooperation.Issues))
	same("AgreementStatus", names(model.AllAgreementStatus), names(cooperation.Statuses))
	same("DocumentType", names(model.AllDocumentType), names(cooperation.DocumentTypes))
	same("PartyType", names(model.AllPartyType), names(cooperation.PartyTypes))
	same("Sector", names(model.AllSector), names(cooperation.Sectors))
	same("FieldOfWork", names(model.AllFieldOfWork), names(cooperation.Fields))
	same("StatsDimension", names(model.AllStatsDimension), names(cooperation.Dimensions))
	same("StatsMeasure", names(model.AllStatsMeasure), names(cooperation.Measures))
	same("TimeGrain", names(model.AllTimeGrain), names(slices.Collect(maps.Keys(cooperation.GrainLabels))))
	same("AgreementOrder", names(model.AllAgreementOrder), names([]cooperation.AgreementOrder{cooperation.OrderSignedDesc,
		cooperation.OrderSignedAsc, cooperation.OrderValueDesc, cooperation.OrderEndsAsc, cooperation.OrderIDAsc}))
	same("PartnerOrder", names(model.AllPartnerOrder), names([]cooperation.PartnerOrder{cooperation.PartnerByAgreements,
		cooperation.PartnerByValue, cooperation.PartnerByVillages, cooperation.PartnerByName}))
	var statuses []string
	for _, s := range idm.Statuses {
		statuses = append(statuses, s.String()) // statusToModel
	}
	same("IdmStatus", names(model.AllIdmStatus), statuses)
	var runStatuses []string
	for _, s := range []ingest.Status{ingest.StatusRunning, ingest.StatusLoaded, ingest.StatusSucceeded, ingest.StatusFailed, ingest.StatusWithdrawn} {
		runStatuses = append(runStatuses, strings.ToUpper(string(s))) // runToModel
	}
	same("EtlRunStatus", names(model.AllEtlRunStatus), runStatuses)
	var levels, kinds []string
	for _, l := range region.Levels {
		levels = append(levels, string(levelsToModel[l]))
	}
	for _, k := range kindsToModel {
		kinds = append(kinds, string(k))
	}
	same("RegionLevel", names(model.AllRegionLevel), levels)
	same("RegionKind", names(model.AllRegionKind), kinds)
	var roles []string
	for _, r := range account.Roles {
		roles = append(roles, string(roleToModel(r)))
	}
	same("Role", names(model.AllRole), roles)
	var keyStatuses []string
	for _, k := range []account.Key{{}, {RevokedAt: time.Unix(1, 0)}, {ExpiresAt: time.Unix(1, 0)}} {
		keyStatuses = append(keyStatuses, string(keyToModel(k).Status)) // every state Key.Status names
	}
	same("ApiKeyStatus", names(model.AllAPIKeyStatus), keyStatuses)
}

func names[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}
