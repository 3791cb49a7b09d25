package cooperation

import (
	"testing"

	"github.com/sinergi-id/sinergi/internal/label"
)

// checkLabels checks that every value has a name in both languages, that no
// two values share a name, and, with parse, that the names read back as the
// value (an exported table with Indonesian names loads again).
func checkLabels[T ~string](t *testing.T, kind string, values []T, labels map[T]label.Text, parse func(string) (T, error)) {
	t.Helper()
	if len(labels) != len(values) {
		t.Errorf("%s: %d labels for %d values", kind, len(labels), len(values))
	}
	seen := map[string]T{}
	for _, v := range values {
		l, ok := labels[v]
		if !ok || l.ID == "" || l.EN == "" {
			t.Errorf("%s %s: label %+v, want a name in each language", kind, v, l)
			continue
		}
		for _, name := range []string{l.ID, l.EN} {
			if other, dup := seen[normalizeEnum(name)]; dup && other != v {
				t.Errorf("%s: %s and %s are both named %q", kind, other, v, name)
			}
			seen[normalizeEnum(name)] = v
			if parse == nil {
				continue
			}
			if got, err := parse(name); err != nil || got != v {
				t.Errorf("%s %s: its name %q reads as %q, %v", kind, v, name, got, err)
			}
		}
	}
}

func TestLabels(t *testing.T) {
	checkLabels(t, "issue", Issues, IssueLabels, ParseIssue)
	checkLabels(t, "agreement status", Statuses, StatusLabels, ParseStatus)
	checkLabels(t, "document type", DocumentTypes, DocumentTypeLabels, ParseDocumentType)
	checkLabels(t, "party type", PartyTypes, PartyTypeLabels, ParsePartyType)
	checkLabels(t, "sector", Sectors, SectorLabels, ParseSector)
	checkLabels(t, "field", Fields, FieldLabels, ParseField)
	checkLabels(t, "dimension", Dimensions, DimensionLabels, nil)
	checkLabels(t, "measure", Measures, MeasureLabels, nil)
	checkLabels(t, "time grain", []TimeGrain{GrainMonth, GrainQuarter, GrainYear}, GrainLabels, nil)
}
