package graph

import (
	"context"
	"strings"

	"github.com/sinergi-id/sinergi/graph/model"
	"github.com/sinergi-id/sinergi/internal/account"
	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/idm"
	"github.com/sinergi-id/sinergi/internal/ingest"
	"github.com/sinergi-id/sinergi/internal/label"
	"github.com/sinergi-id/sinergi/internal/region"
)

// The display names live in the domain packages; here each GraphQL enum
// value is looked up in its table, in the enum's order.

func languageFromModel(l *model.Language) label.Language {
	if l != nil && *l == model.LanguageEn {
		return label.English
	}
	return label.Indonesian
}

// valueLabels pairs each value of a GraphQL enum with its display name.
func valueLabels[M ~string](values []M, name func(M) label.Text, lang label.Language) []*model.EnumValueLabel {
	out := make([]*model.EnumValueLabel, len(values))
	for i, v := range values {
		out[i] = &model.EnumValueLabel{Value: string(v), Label: name(v).In(lang)}
	}
	return out
}

// sameNamed looks a GraphQL enum value up in a domain table whose values
// are spelled the same.
func sameNamed[M, D ~string](table map[D]label.Text) func(M) label.Text {
	return func(v M) label.Text { return table[D(v)] }
}

// enumLabels lists the values of one enum with their names.
func enumLabels(e model.LabelledEnum, lang label.Language) []*model.EnumValueLabel {
	switch e {
	case model.LabelledEnumIDMStatus:
		return valueLabels(model.AllIdmStatus, func(s model.IdmStatus) label.Text {
			st, _ := idm.ParseStatus(string(s)) // every GraphQL status is a status
			return idm.StatusLabels[st]
		}, lang)
	case model.LabelledEnumStrategicIssue:
		return valueLabels(model.AllStrategicIssue, sameNamed[model.StrategicIssue](cooperation.IssueLabels), lang)
	case model.LabelledEnumAgreementStatus:
		return valueLabels(model.AllAgreementStatus, sameNamed[model.AgreementStatus](cooperation.StatusLabels), lang)
	case model.LabelledEnumDocumentType:
		return valueLabels(model.AllDocumentType, sameNamed[model.DocumentType](cooperation.DocumentTypeLabels), lang)
	case model.LabelledEnumPartyType:
		return valueLabels(model.AllPartyType, sameNamed[model.PartyType](cooperation.PartyTypeLabels), lang)
	case model.LabelledEnumSector:
		return valueLabels(model.AllSector, sameNamed[model.Sector](cooperation.SectorLabels), lang)
	case model.LabelledEnumFieldOfWork:
		return valueLabels(model.AllFieldOfWork, sameNamed[model.FieldOfWork](cooperation.FieldLabels), lang)
	case model.LabelledEnumRegionLevel:
		return valueLabels(model.AllRegionLevel, func(l model.RegionLevel) label.Text {
			lvl, _ := levelFromModel(l) // every GraphQL level is a level
			return region.LevelLabels[lvl]
		}, lang)
	case model.LabelledEnumRegionKind:
		return valueLabels(model.AllRegionKind, func(k model.RegionKind) label.Text {
			return region.KindLabels[region.Kind(strings.ToLower(string(k)))]
		}, lang)
	case model.LabelledEnumStatsDimension:
		return valueLabels(model.AllStatsDimension, sameNamed[model.StatsDimension](cooperation.DimensionLabels), lang)
	case model.LabelledEnumStatsMeasure:
		return valueLabels(model.AllStatsMeasure, sameNamed[model.StatsMeasure](cooperation.MeasureLabels), lang)
	case model.LabelledEnumTimeGrain:
		return valueLabels(model.AllTimeGrain, sameNamed[model.TimeGrain](cooperation.GrainLabels), lang)
	case model.LabelledEnumEtlRunStatus:
		return valueLabels(model.AllEtlRunStatus, func(s model.EtlRunStatus) label.Text {
			return ingest.StatusLabels[ingest.Status(strings.ToLower(string(s)))]
		}, lang)
	case model.LabelledEnumRole:
		return valueLabels(model.AllRole, func(r model.Role) label.Text { return account.RoleLabels[roleFromModel(r)] }, lang)
	case model.LabelledEnumAPIKeyStatus:
		return valueLabels(model.AllAPIKeyStatus, func(s model.APIKeyStatus) label.Text {
			return account.KeyStatusLabels[strings.ToLower(string(s))]
		}, lang)
	case model.LabelledEnumStatsNoValue:
		return []*model.EnumValueLabel{
			{Value: cooperation.NoValue, Label: cooperation.NoValueLabel.In(lang)},
			{Value: cooperation.Undated, Label: cooperation.UndatedLabel.In(lang)},
			{Value: "", Label: cooperation.NoRegionLabel.In(lang)},
		}
	}
	return nil
}

// labelsToModel answers labels(enums, language): every enum when none is
// asked for.
func labelsToModel(enums []model.LabelledEnum, lang label.Language) []*model.EnumLabels {
	if len(enums) == 0 {
		enums = model.AllLabelledEnum
	}
	out := make([]*model.EnumLabels, len(enums))
	for i, e := range enums {
		out[i] = &model.EnumLabels{Enum: e, Values: enumLabels(e, lang)}
	}
	return out
}

// dimensionLabels names each value of a cooperationStats column: regions
// by name, enum values by their label, periods as they are.
func (r *Resolver) dimensionLabels(ctx context.Context, col *model.StatsDimensionColumn, lang label.Language) ([]string, error) {
	d := cooperation.Dimension(col.Dimension)
	out := make([]string, len(col.Values))
	if d.RegionLevel() != 0 {
		var codes []region.Code // the "" group is no region
		for _, v := range col.Values {
			if v != "" {
				codes = append(codes, region.Code(strings.ReplaceAll(v, ".", "")))
			}
		}
		found, err := r.loaders(ctx).region.LoadAll(ctx, codes)
		if err != nil {
			return nil, err
		}
		for i, v := range col.Values {
			switch {
			case v == "":
				out[i] = cooperation.NoRegionLabel.In(lang)
			case found[0] != nil:
				out[i] = found[0].Name
				found = found[1:]
			default: // a code outside the register (another province): itself
				out[i] = v
				found = found[1:]
			}
		}
		return out, nil
	}
	for i, v := range col.Values {
		out[i] = dimensionValueLabel(d, v, lang)
	}
	return out, nil
}

// dimensionValueLabel names a value of a non-region dimension: its label,
// or the value itself (a period).
func dimensionValueLabel(d cooperation.Dimension, v string, lang label.Language) string {
	var name label.Text
	switch {
	case v == cooperation.NoValue:
		name = cooperation.NoValueLabel
	case v == cooperation.Undated:
		name = cooperation.UndatedLabel
	case d == cooperation.DimIssue:
		name = cooperation.IssueLabels[cooperation.Issue(v)]
	case d == cooperation.DimPartyType:
		name = cooperation.PartyTypeLabels[cooperation.PartyType(v)]
	case d == cooperation.DimPartnerSector:
		name = cooperation.SectorLabels[cooperation.Sector(v)]
	case d == cooperation.DimField:
		name = cooperation.FieldLabels[cooperation.Field(v)]
	case d == cooperation.DimStatus:
		name = cooperation.StatusLabels[cooperation.Status(v)]
	}
	if s := name.In(lang); s != "" {
		return s
	}
	return v
}
