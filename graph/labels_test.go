package graph_test

import (
	"slices"
	"testing"

	"github.com/sinergi-id/sinergi/graph/model"
)

func stringsOf[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

// labelledEnums are the schema's enums with display names and their values,
// from the generated code: a value added to the schema shows up here.
var labelledEnums = map[string]struct {
	enum   model.LabelledEnum
	values []string
}{
	"IdmStatus":       {model.LabelledEnumIDMStatus, stringsOf(model.AllIdmStatus)},
	"StrategicIssue":  {model.LabelledEnumStrategicIssue, stringsOf(model.AllStrategicIssue)},
	"AgreementStatus": {model.LabelledEnumAgreementStatus, stringsOf(model.AllAgreementStatus)},
	"DocumentType":    {model.LabelledEnumDocumentType, stringsOf(model.AllDocumentType)},
	"PartyType":       {model.LabelledEnumPartyType, stringsOf(model.AllPartyType)},
	"Sector":          {model.LabelledEnumSector, stringsOf(model.AllSector)},
	"FieldOfWork":     {model.LabelledEnumFieldOfWork, stringsOf(model.AllFieldOfWork)},
	"RegionLevel":     {model.LabelledEnumRegionLevel, stringsOf(model.AllRegionLevel)},
	"RegionKind":      {model.LabelledEnumRegionKind, stringsOf(model.AllRegionKind)},
	"StatsDimension":  {model.LabelledEnumStatsDimension, stringsOf(model.AllStatsDimension)},
	"StatsMeasure":    {model.LabelledEnumStatsMeasure, stringsOf(model.AllStatsMeasure)},
	"TimeGrain":       {model.LabelledEnumTimeGrain, stringsOf(model.AllTimeGrain)},
	"EtlRunStatus":    {model.LabelledEnumEtlRunStatus, stringsOf(model.AllEtlRunStatus)},
	"Role":            {model.LabelledEnumRole, stringsOf(model.AllRole)},
	"ApiKeyStatus":    {model.LabelledEnumAPIKeyStatus, stringsOf(model.AllAPIKeyStatus)},
}

// unlabelledEnums are the enums no planner reads as data: orders, and the
// enums of the labels query itself.
var unlabelledEnums = []string{"AgreementOrder", "PartnerOrder", "Language", "LabelledEnum"}

type enumLabelsAnswer struct {
	Labels []struct {
		Enum   string
		Values []struct{ Value, Label string }
	}
}

func TestLabelsForEveryEnumValue(t *testing.T) {
	a := newAPI(t)

	t.Run("every enum of the schema has labels or is listed as unlabelled", func(t *testing.T) {
		var out struct {
			Schema struct{ Types []struct{ Name, Kind string } } `json:"__schema"`
		}
		a.mustQuery(`{ __schema { types { name kind } } }`, nil, &out)
		for _, ty := range out.Schema.Types {
			if ty.Kind != "ENUM" || ty.Name[0] == '_' {
				continue
			}
			if _, ok := labelledEnums[ty.Name]; !ok && !slices.Contains(unlabelledEnums, ty.Name) {
				t.Errorf("enum %s has no labels: add them (LabelledEnum) or list it as unlabelled", ty.Name)
			}
		}
	})

	for _, lang := range []string{"ID", "EN"} {
		t.Run(lang, func(t *testing.T) {
			var out enumLabelsAnswer
			a.mustQuery(`query($l: Language) { labels(language: $l) { enum values { value label } } }`, map[string]any{"l": lang}, &out)
			got := map[string][]struct{ Value, Label string }{}
			for _, l := range out.Labels {
				got[l.Enum] = l.Values
			}
			if len(out.Labels) != len(model.AllLabelledEnum) {
				t.Errorf("labels lists %d enums, want all %d", len(out.Labels), len(model.AllLabelledEnum))
			}
			for name, e := range labelledEnums {
				var values []string
				seen := map[string]string{}
				for _, v := range got[string(e.enum)] {
					values = append(values, v.Value)
					if v.Label == "" {
						t.Errorf("%s %s: label %q", name, v.Value, v.Label)
					}
					if other, dup := seen[v.Label]; dup {
						t.Errorf("%s: %s and %s share the label %q", name, other, v.Value, v.Label)
					}
					seen[v.Label] = v.Value
				}
				if !slices.Equal(values, e.values) {
					t.Errorf("%s: labels for %v, want every value in order %v", name, values, e.values)
				}
			}
			noValue := got[string(model.LabelledEnumStatsNoValue)]
			if len(noValue) != 3 || noValue[0].Value != "NONE" || noValue[1].Value != "UNDATED" || noValue[2].Value != "" {
				t.Errorf("STATS_NO_VALUE: %+v", noValue)
			}
		})
	}

	t.Run("one enum, Indonesian by default", func(t *testing.T) {
		var out enumLabelsAnswer
		a.mustQuery(`{ labels(enums: [IDM_STATUS]) { enum values { value label } } }`, nil, &out)
		if len(out.Labels) != 1 || len(out.Labels[0].Values) != 5 || out.Labels[0].Values[4].Label != "Sangat Tertinggal" {
			t.Fatalf("labels(enums: [IDM_STATUS]): %+v", out.Labels)
		}
	})
}
