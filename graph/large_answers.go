package graph

import (
	"bytes"
	"context"
	"io"
	"math"
	"slices"
	"strconv"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/sinergi-id/sinergi/graph/model"
	"github.com/sinergi-id/sinergi/internal/region"
)

// The two largest answers of the planners' dashboards — idmDistribution
// (one object per region, five status counts each) and cooperationStats
// (tens of thousands of column values) — are written here in one pass,
// with the bytes gqlgen's generated code would write. gqlgen marshals
// every list element in a goroutine of its own with a field context per
// field, and every scalar through a marshaler of its own: for these
// answers that cost two to four times the database's time (bench/README.md).
//
// How: the root-field hook hands the field a slot; the field hook, which
// sees the resolved value and the field's typed arguments, encodes the
// value into the slot and gives gqlgen an empty value of the same type to
// marshal; the root-field hook then answers with the slot's bytes. Any
// selection the encoders do not know (a nested resolver such as
// Region.parent, @defer, rows), a value gqlgen would refuse (NaN, a
// missing region) or a failing resolver leaves the field to gqlgen, which
// then answers or reports the error exactly as before. The test
// TestLargeAnswersSameBytes compares both paths byte for byte.

// encodedSlot carries one root field's encoded answer from the field hook
// to the root-field hook.
type encodedSlot struct {
	field string // the root field's name and alias: only that field fills the slot
	alias string
	json  []byte
}

type encodedSlotKey struct{}

// largeAnswerFields are the root fields encoded here.
var largeAnswerFields = map[string]bool{"idmDistribution": true, "cooperationStats": true}

// encodeLargeAnswersRoot answers a root field from its slot when the field
// hook filled it.
func encodeLargeAnswersRoot(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	fc := graphql.GetRootFieldContext(ctx)
	if fc == nil || !largeAnswerFields[fc.Field.Name] || len(fc.Field.Deferrables) > 0 {
		return next(ctx)
	}
	slot := &encodedSlot{field: fc.Field.Name, alias: fc.Field.Alias}
	m := next(context.WithValue(ctx, encodedSlotKey{}, slot))
	if slot.json == nil {
		return m
	}
	largeAnswersEncoded.Add(1)
	return rawJSON(slot.json)
}

// largeAnswersEncoded counts the root fields answered from a slot.
var largeAnswersEncoded atomic.Int64

// rawJSON is an answer already encoded.
type rawJSON []byte

func (r rawJSON) MarshalGQL(w io.Writer) { _, _ = w.Write(r) }

// encodeLargeAnswersField encodes the root field's resolved value into its
// slot and gives gqlgen an empty value to marshal instead.
func (r *Resolver) encodeLargeAnswersField(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	// Every field of every answer passes here: the field context is the
	// nearest context value, the slot further out.
	fc := graphql.GetFieldContext(ctx)
	if err != nil || fc == nil || fc.Object != "Query" || !largeAnswerFields[fc.Field.Name] {
		return res, err
	}
	slot, _ := ctx.Value(encodedSlotKey{}).(*encodedSlot)
	if slot == nil || slot.json != nil || fc.Field.Name != slot.field || fc.Field.Alias != slot.alias {
		return res, err
	}
	enc := answerEncoder{ctx: ctx, op: graphql.GetOperationContext(ctx), r: r}
	switch v := res.(type) {
	case []*model.IdmDistribution:
		if enc.distributions(fc.Field.Selections, v) {
			slot.json = enc.buf.Bytes()
			return []*model.IdmDistribution{}, nil
		}
	case *model.CooperationStats:
		if v != nil && enc.stats(fc.Field.Selections, v) {
			slot.json = enc.buf.Bytes()
			return &model.CooperationStats{Totals: &model.StatsMeasures{}, Columns: &model.StatsColumns{}}, nil
		}
	}
	return res, err
}

// answerEncoder writes one answer; each method reports false, having
// written garbage, when gqlgen must answer instead.
type answerEncoder struct {
	ctx context.Context
	op  *graphql.OperationContext
	r   *Resolver
	buf bytes.Buffer
}

// fields collects a selection as gqlgen does (fragments, @skip, @include,
// merged aliases) and reports false if any field is deferred or unknown.
func (e *answerEncoder) fields(sel ast.SelectionSet, typ string, known func(name string) bool) ([]graphql.CollectedField, bool) {
	fields := graphql.CollectFields(e.op, sel, []string{typ})
	for _, f := range fields {
		if len(f.Deferrables) > 0 || f.Name != "__typename" && !known(f.Name) {
			return nil, false
		}
	}
	return fields, true
}

func oneOf(names ...string) func(string) bool {
	return func(name string) bool { return slices.Contains(names, name) }
}

// key writes the separator and the field's response key.
func (e *answerEncoder) key(i int, f graphql.CollectedField) {
	if i > 0 {
		e.buf.WriteByte(',')
	}
	e.str(f.Alias)
	e.buf.WriteByte(':')
}

// str writes a string as gqlgen does: only control characters, the quote
// and the backslash are escaped.
func (e *answerEncoder) str(s string) {
	const hex = "0123456789ABCDEF"
	e.buf.WriteByte('"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '\\' && c != '"' {
			continue
		}
		e.buf.WriteString(s[start:i])
		switch c {
		case '\t':
			e.buf.WriteString(`\t`)
		case '\r':
			e.buf.WriteString(`\r`)
		case '\n':
			e.buf.WriteString(`\n`)
		case '\\':
			e.buf.WriteString(`\\`)
		case '"':
			e.buf.WriteString(`\"`)
		default:
			e.buf.WriteString(`\u00`)
			e.buf.WriteByte(hex[c>>4])
			e.buf.WriteByte(hex[c&0xf])
		}
		start = i + 1
	}
	e.buf.WriteString(s[start:])
	e.buf.WriteByte('"')
}

// enum writes an enum value as the generated MarshalGQL does.
func (e *answerEncoder) enum(s string) {
	e.buf.Write(strconv.AppendQuote(e.buf.AvailableBuffer(), s))
}

func (e *answerEncoder) int(n int) {
	e.buf.Write(strconv.AppendInt(e.buf.AvailableBuffer(), int64(n), 10))
}

// float writes a Float as model.MarshalPlainFloat does; NaN and infinities
// (which gqlgen reports as errors) are refused.
func (e *answerEncoder) float(f float64) bool {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return false
	}
	e.buf.Write(strconv.AppendFloat(e.buf.AvailableBuffer(), f, 'f', -1, 64))
	return true
}

func (e *answerEncoder) optFloat(f *float64) bool {
	if f == nil {
		e.buf.WriteString("null")
		return true
	}
	return e.float(*f)
}

var (
	distributionFields = oneOf("id", "index", "region", "year", "total", "byStatus", "meanIdm", "meanIks", "meanIke", "meanIkl")
	statusCountFields  = oneOf("status", "count", "share")
	plainRegionFields  = oneOf("id", "code", "codeFlat", "name", "level", "kind", "desaCount", "kelurahanCount")
)

func (e *answerEncoder) distributions(sel ast.SelectionSet, ds []*model.IdmDistribution) bool {
	fields, ok := e.fields(sel, "IdmDistribution", distributionFields)
	if !ok {
		return false
	}
	var regionFields, countFields []graphql.CollectedField
	wantRegion := false
	for _, f := range fields {
		switch f.Name {
		case "region":
			wantRegion = true
			if regionFields, ok = e.fields(f.Selections, "Region", plainRegionFields); !ok {
				return false
			}
		case "byStatus":
			if countFields, ok = e.fields(f.Selections, "IdmStatusCount", statusCountFields); !ok {
				return false
			}
		}
	}
	var regions []*region.Region
	if wantRegion {
		codes := make([]region.Code, len(ds))
		for i, d := range ds {
			codes[i] = region.Code(d.RegionCode)
		}
		var err error
		if regions, err = e.r.loaders(e.ctx).region.LoadAll(e.ctx, codes); err != nil {
			return false
		}
	}
	e.buf.Grow(len(ds) * 256)
	e.buf.WriteByte('[')
	for j, d := range ds {
		if j > 0 {
			e.buf.WriteByte(',')
		}
		e.buf.WriteByte('{')
		for i, f := range fields {
			e.key(i, f)
			ok := true
			switch f.Name {
			case "__typename":
				e.str("IdmDistribution")
			case "id":
				e.str(d.ID)
			case "index":
				e.str(d.Index)
			case "region":
				if regions[j] == nil {
					return false // gqlgen reports the missing region
				}
				e.region(regionFields, regionToModel(*regions[j]))
			case "year":
				e.int(d.Year)
			case "total":
				e.int(d.Total)
			case "byStatus":
				ok = e.statusCounts(countFields, d.ByStatus)
			case "meanIdm":
				ok = e.optFloat(d.MeanIdm)
			case "meanIks":
				ok = e.optFloat(d.MeanIks)
			case "meanIke":
				ok = e.optFloat(d.MeanIke)
			case "meanIkl":
				ok = e.optFloat(d.MeanIkl)
			}
			if !ok {
				return false
			}
		}
		e.buf.WriteByte('}')
	}
	e.buf.WriteByte(']')
	return true
}

func (e *answerEncoder) region(fields []graphql.CollectedField, reg *model.Region) {
	e.buf.WriteByte('{')
	for i, f := range fields {
		e.key(i, f)
		switch f.Name {
		case "__typename":
			e.str("Region")
		case "id", "code":
			e.str(reg.Code)
		case "codeFlat":
			e.str(reg.CodeFlat)
		case "name":
			e.str(reg.Name)
		case "level":
			e.enum(reg.Level.String())
		case "kind":
			e.enum(reg.Kind.String())
		case "desaCount":
			e.int(reg.DesaCount)
		case "kelurahanCount":
			e.int(reg.KelurahanCount)
		}
	}
	e.buf.WriteByte('}')
}

func (e *answerEncoder) statusCounts(fields []graphql.CollectedField, counts []*model.IdmStatusCount) bool {
	e.buf.WriteByte('[')
	for j, c := range counts {
		if c == nil {
			return false
		}
		if j > 0 {
			e.buf.WriteByte(',')
		}
		e.buf.WriteByte('{')
		for i, f := range fields {
			e.key(i, f)
			switch f.Name {
			case "__typename":
				e.str("IdmStatusCount")
			case "status":
				e.enum(c.Status.String())
			case "count":
				e.int(c.Count)
			case "share":
				if !e.optFloat(c.Share) {
					return false
				}
			}
		}
		e.buf.WriteByte('}')
	}
	e.buf.WriteByte(']')
	return true
}

var (
	statsFields           = oneOf("totals", "columns")
	statsColumnsFields    = oneOf("dimensions", "measures")
	dimensionColumnFields = oneOf("dimension", "values", "labels")
	measureColumnFields   = oneOf("measure", "values")
	statsMeasuresFields   = oneOf("agreements", "activeAgreements", "villagesCovered", "desaPersiapanCovered", "partners", "committedValue", "realisedValue", "beneficiaries")
)

// stats writes a cooperationStats answer asked as columns (rows, one
// object per group, are left to gqlgen).
func (e *answerEncoder) stats(sel ast.SelectionSet, st *model.CooperationStats) bool {
	fields, ok := e.fields(sel, "CooperationStats", statsFields)
	if !ok {
		return false
	}
	e.buf.WriteByte('{')
	for i, f := range fields {
		e.key(i, f)
		ok := true
		switch f.Name {
		case "__typename":
			e.str("CooperationStats")
		case "totals":
			ok = st.Totals != nil && e.statsMeasures(f.Selections, st.Totals)
		case "columns":
			ok = st.Columns != nil && e.statsColumns(f.Selections, st.Columns)
		}
		if !ok {
			return false
		}
	}
	e.buf.WriteByte('}')
	return true
}

func (e *answerEncoder) statsMeasures(sel ast.SelectionSet, m *model.StatsMeasures) bool {
	fields, ok := e.fields(sel, "StatsMeasures", statsMeasuresFields)
	if !ok {
		return false
	}
	optInt := func(n *int) {
		if n == nil {
			e.buf.WriteString("null")
			return
		}
		e.int(*n)
	}
	optRupiah := func(r *model.Rupiah) {
		if r == nil {
			e.buf.WriteString("null")
			return
		}
		r.MarshalGQL(&e.buf)
	}
	e.buf.WriteByte('{')
	for i, f := range fields {
		e.key(i, f)
		switch f.Name {
		case "__typename":
			e.str("StatsMeasures")
		case "agreements":
			optInt(m.Agreements)
		case "activeAgreements":
			optInt(m.ActiveAgreements)
		case "villagesCovered":
			optInt(m.VillagesCovered)
		case "desaPersiapanCovered":
			optInt(m.DesaPersiapanCovered)
		case "partners":
			optInt(m.Partners)
		case "committedValue":
			optRupiah(m.CommittedValue)
		case "realisedValue":
			optRupiah(m.RealisedValue)
		case "beneficiaries":
			optInt(m.Beneficiaries)
		}
	}
	e.buf.WriteByte('}')
	return true
}

func (e *answerEncoder) statsColumns(sel ast.SelectionSet, cols *model.StatsColumns) bool {
	fields, ok := e.fields(sel, "StatsColumns", statsColumnsFields)
	if !ok {
		return false
	}
	e.buf.WriteByte('{')
	for i, f := range fields {
		e.key(i, f)
		ok := true
		switch f.Name {
		case "__typename":
			e.str("StatsColumns")
		case "dimensions":
			ok = e.dimensionColumns(f.Selections, cols.Dimensions)
		case "measures":
			ok = e.measureColumns(f.Selections, cols.Measures)
		}
		if !ok {
			return false
		}
	}
	e.buf.WriteByte('}')
	return true
}

func (e *answerEncoder) dimensionColumns(sel ast.SelectionSet, cols []*model.StatsDimensionColumn) bool {
	fields, ok := e.fields(sel, "StatsDimensionColumn", dimensionColumnFields)
	if !ok {
		return false
	}
	e.buf.WriteByte('[')
	for j, col := range cols {
		if col == nil {
			return false
		}
		if j > 0 {
			e.buf.WriteByte(',')
		}
		e.buf.WriteByte('{')
		for i, f := range fields {
			e.key(i, f)
			switch f.Name {
			case "__typename":
				e.str("StatsDimensionColumn")
			case "dimension":
				e.enum(col.Dimension.String())
			case "values":
				e.strings(col.Values)
			case "labels":
				lang, ok := e.language(f)
				if !ok {
					return false
				}
				labels, err := e.r.dimensionLabels(e.ctx, col, languageFromModel(&lang))
				if err != nil {
					return false // gqlgen reports it
				}
				e.strings(labels)
			}
		}
		e.buf.WriteByte('}')
	}
	e.buf.WriteByte(']')
	return true
}

// language is the labels field's argument (a literal or a variable,
// validated already; ID by default).
func (e *answerEncoder) language(f graphql.CollectedField) (model.Language, bool) {
	v, given := f.ArgumentMap(e.op.Variables)["language"]
	if !given || v == nil {
		return model.LanguageID, true
	}
	s, ok := v.(string)
	lang := model.Language(s)
	return lang, ok && lang.IsValid()
}

func (e *answerEncoder) strings(values []string) {
	n := 2
	for _, v := range values {
		n += len(v) + 3
	}
	e.buf.Grow(n)
	e.buf.WriteByte('[')
	for i, v := range values {
		if i > 0 {
			e.buf.WriteByte(',')
		}
		e.str(v)
	}
	e.buf.WriteByte(']')
}

func (e *answerEncoder) measureColumns(sel ast.SelectionSet, cols []*model.StatsMeasureColumn) bool {
	fields, ok := e.fields(sel, "StatsMeasureColumn", measureColumnFields)
	if !ok {
		return false
	}
	e.buf.WriteByte('[')
	for j, col := range cols {
		if col == nil {
			return false
		}
		if j > 0 {
			e.buf.WriteByte(',')
		}
		e.buf.WriteByte('{')
		for i, f := range fields {
			e.key(i, f)
			switch f.Name {
			case "__typename":
				e.str("StatsMeasureColumn")
			case "measure":
				e.enum(col.Measure.String())
			case "values":
				e.buf.Grow(len(col.Values)*8 + 2)
				e.buf.WriteByte('[')
				for k, v := range col.Values {
					if k > 0 {
						e.buf.WriteByte(',')
					}
					if !e.float(v) {
						return false
					}
				}
				e.buf.WriteByte(']')
			}
		}
		e.buf.WriteByte('}')
	}
	e.buf.WriteByte(']')
	return true
}
