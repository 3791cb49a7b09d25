package graph

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/xuri/excelize/v2"

	"github.com/sinergi-id/sinergi/graph/model"
	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/label"
)

// exportPlan is how an answer becomes rows: the path of the list to export
// and the columns each item gives, read from the query and the schema.
type exportPlan struct {
	list    []string      // response keys from data to the list
	columns []*exportNode // the fields of each item, in the query's order
	lang    label.Language
	// A connection's pages, when its after is a variable and the query
	// selects pageInfo { hasNextPage endCursor }: the variable, and the
	// response keys of pageInfo and its two fields.
	pageVariable                    string
	pageInfo, hasNextKey, cursorKey string
}

// exportNode is a selected field: a value, or an object with its fields,
// or a list of either.
type exportNode struct {
	key      string // the response key (alias or name)
	field    string // the field's name, for headers
	list     bool
	object   bool
	enum     string // the enum type of an enum value, for labels
	parent   string // the type the field belongs to
	afterVar string // the variable the field's after argument takes, if any
	children []*exportNode
	longest  int // for a list of objects: the most items any row has
}

// The lists a connection or a stats answer holds, in order of preference
// when a query selects several.
var preferredLists = []string{"nodes", "rows", "edges"}

// planExport finds the list the query selects and the columns of its items.
func planExport(schema *ast.Schema, req exportRequest) (*exportPlan, error) {
	doc, errs := gqlparser.LoadQuery(schema, req.Query)
	if len(errs) > 0 {
		return nil, fmt.Errorf("the query: %s", errs[0].Message)
	}
	op := doc.Operations.ForName(req.OperationName)
	if op == nil {
		return nil, fmt.Errorf("the query has no operation %q", req.OperationName)
	}
	if op.Operation != ast.Query {
		return nil, fmt.Errorf("only queries are exported")
	}
	plan := &exportPlan{lang: req.lang}
	nodes := exportNodes(op.SelectionSet, "Query")
	if req.path != nil {
		root := findNode(nodes, req.path[0])
		for i, key := range req.path {
			n := findNode(nodes, key)
			if n == nil {
				return nil, fmt.Errorf("path: the query selects no %s", strings.Join(req.path[:i+1], "."))
			}
			if i == len(req.path)-1 {
				if !n.list || !n.object {
					return nil, fmt.Errorf("path: %s is not a list of objects", strings.Join(req.path, "."))
				}
				plan.list, plan.columns = req.path, n.children
				if len(req.path) == 2 {
					plan.pagesOf(root)
				}
				return plan, nil
			}
			if n.list || !n.object {
				return nil, fmt.Errorf("path: %s is not an object", strings.Join(req.path[:i+1], "."))
			}
			nodes = n.children
		}
	}
	// The one root field, then down through objects to the first list of
	// objects: the list itself, a connection's nodes or edges, stats rows.
	if len(nodes) != 1 {
		return nil, fmt.Errorf("export one field at a time (the query selects %d), or name the list with path", len(nodes))
	}
	n := nodes[0]
	for {
		plan.list = append(plan.list, n.key)
		if n.list && n.object {
			plan.columns = n.children
			if len(plan.list) == 2 {
				plan.pagesOf(nodes[0])
			}
			return plan, nil
		}
		if !n.object {
			return nil, fmt.Errorf("%s is not a list: select a list (rows of cooperationStats, nodes of a connection) or name it with path",
				strings.Join(plan.list, "."))
		}
		var lists []*exportNode
		for _, c := range n.children {
			if c.list && c.object {
				lists = append(lists, c)
			}
		}
		switch {
		case len(lists) == 1:
			n = lists[0]
		case len(lists) > 1:
			if n = preferredList(lists); n == nil {
				return nil, fmt.Errorf("%s holds several lists: name the one to export with path", strings.Join(plan.list, "."))
			}
		default:
			var objects []*exportNode
			for _, c := range n.children {
				if c.object {
					objects = append(objects, c)
				}
			}
			if len(objects) != 1 {
				return nil, fmt.Errorf("%s holds no list to export (for cooperationStats select rows): name it with path",
					strings.Join(plan.list, "."))
			}
			n = objects[0]
		}
	}
}

// preferredList is the list to export of several a query selects: nodes
// before rows before edges; nil when none of them is selected.
func preferredList(lists []*exportNode) *exportNode {
	for _, name := range preferredLists {
		if i := slices.IndexFunc(lists, func(c *exportNode) bool { return c.field == name }); i >= 0 {
			return lists[i]
		}
	}
	return nil
}

func findNode(nodes []*exportNode, key string) *exportNode {
	for _, n := range nodes {
		if n.key == key {
			return n
		}
	}
	return nil
}

// exportNodes lists the fields a selection set selects, fragments
// expanded, in order; a response key selected twice is one column. The
// schema has no interfaces or unions: every fragment applies.
func exportNodes(set ast.SelectionSet, parent string) []*exportNode {
	var out []*exportNode
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if strings.HasPrefix(s.Name, "__") || s.Definition == nil {
					continue // __typename and introspection are not data
				}
				key := s.Alias
				if key == "" {
					key = s.Name
				}
				if old := findNode(out, key); old != nil {
					old.children = append(old.children, exportNodes(s.SelectionSet, s.Definition.Type.Name())...)
					continue
				}
				t := s.Definition.Type
				n := &exportNode{key: key, field: s.Name, parent: parent, list: t.Elem != nil}
				if after := s.Arguments.ForName("after"); after != nil && after.Value.Kind == ast.Variable {
					n.afterVar = after.Value.Raw
				}
				if len(s.SelectionSet) > 0 {
					n.object = true
					n.children = exportNodes(s.SelectionSet, t.Name())
				} else {
					n.enum = t.Name() // kept only for enums (labelledEnumOf)
				}
				out = append(out, n)
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			case *ast.FragmentSpread:
				if s.Definition != nil {
					walk(s.Definition.SelectionSet)
				}
			}
		}
	}
	walk(set)
	return out
}

// eachItem calls fn with each item of the list, decoded one at a time.
func (p *exportPlan) eachItem(data json.RawMessage, fn func(any) error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // numbers stay as written: 4150000000, 0.6912
	for _, key := range p.list {
		found, err := seekKey(dec, key)
		if err != nil || !found {
			return err // null on the way: no rows
		}
	}
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return err // a null list: no rows
	}
	if tok != json.Delim('[') {
		return fmt.Errorf("export: %s is not a list in the answer", strings.Join(p.list, "."))
	}
	for dec.More() {
		var item any
		if err := dec.Decode(&item); err != nil {
			return err
		}
		if err := fn(item); err != nil {
			return err
		}
	}
	return nil
}

// seekKey moves the decoder into the value of key of the object it is at;
// false when the object is null or has no such key.
func seekKey(dec *json.Decoder, key string) (bool, error) {
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return false, err
	}
	if tok != json.Delim('{') {
		return false, fmt.Errorf("export: not an object at %s", key)
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return false, err
		}
		if k == key {
			return true, nil
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return false, err
		}
	}
	return false, nil
}

// measure notes the longest list of objects of an item.
func (p *exportPlan) measure(item any) error {
	measureNodes(p.columns, item)
	return nil
}

func measureNodes(nodes []*exportNode, v any) {
	obj, _ := v.(map[string]any)
	for _, n := range nodes {
		switch {
		case !n.object:
		case n.list:
			items, _ := obj[n.key].([]any)
			n.longest = max(n.longest, len(items))
			for _, it := range items {
				measureNodes(n.children, it)
			}
		default:
			measureNodes(n.children, obj[n.key])
		}
	}
}

// headers are the column names: dotted response keys (region.name,
// byStatus.1.count), or with a language, the fields' names in it.
func (p *exportPlan) headers() []string {
	var out []string
	var walk func(nodes []*exportNode, prefix []string)
	walk = func(nodes []*exportNode, prefix []string) {
		for _, n := range nodes {
			name := n.key
			if p.lang != "" {
				name = columnName(n.field, n.key, p.lang)
			}
			path := append(slices.Clone(prefix), name)
			switch {
			case n.object && n.list:
				for i := 1; i <= n.longest; i++ {
					numbered := slices.Clone(path)
					numbered[len(numbered)-1] += "." + strconv.Itoa(i)
					if p.lang != "" {
						numbered[len(numbered)-1] = name + " " + strconv.Itoa(i)
					}
					walk(n.children, numbered)
				}
			case n.object:
				walk(n.children, path)
			default:
				out = append(out, p.joinHeader(path))
			}
		}
	}
	walk(p.columns, nil)
	return out
}

func (p *exportPlan) joinHeader(path []string) string {
	if p.lang != "" {
		return strings.Join(slices.DeleteFunc(path, func(s string) bool { return s == "" }), " / ")
	}
	return strings.Join(path, ".")
}

// exportCell is one cell: text, a number as the answer writes it, a
// truth value, or empty.
type exportCell struct {
	text   string
	number json.Number
	truth  *bool
	empty  bool
}

// cells flattens one item into its row, column by column as headers.
func (p *exportPlan) cells(item any) []exportCell {
	var out []exportCell
	var walk func(nodes []*exportNode, v any)
	walk = func(nodes []*exportNode, v any) {
		obj, _ := v.(map[string]any)
		for _, n := range nodes {
			val := obj[n.key]
			switch {
			case n.object && n.list:
				items, _ := val.([]any)
				for i := range n.longest {
					var it any
					if i < len(items) {
						it = items[i]
					}
					walk(n.children, it)
				}
			case n.object:
				walk(n.children, val)
			case n.list:
				items, _ := val.([]any)
				parts := make([]string, 0, len(items))
				for _, it := range items {
					parts = append(parts, p.text(n, it))
				}
				if val == nil {
					out = append(out, exportCell{empty: true})
				} else {
					out = append(out, exportCell{text: strings.Join(parts, "; ")})
				}
			default:
				out = append(out, p.cell(n, val))
			}
		}
	}
	walk(p.columns, item)
	return out
}

func (p *exportPlan) cell(n *exportNode, v any) exportCell {
	switch v := v.(type) {
	case nil:
		return exportCell{empty: true}
	case json.Number:
		return exportCell{number: v}
	case bool:
		return exportCell{truth: &v}
	}
	return exportCell{text: p.text(n, v)}
}

// text is a value as text; with a language, enum values and the
// dimension values of stats rows are given their display names.
func (p *exportPlan) text(n *exportNode, v any) string {
	s := fmt.Sprint(v)
	if p.lang == "" {
		return s
	}
	if e, ok := labelledEnumOf[n.enum]; ok {
		for _, l := range enumLabels(e, p.lang) {
			if l.Value == s {
				return l.Label
			}
		}
	}
	if d, ok := statsRowDimensions[n.field]; ok && n.parent == "StatsRow" {
		return dimensionValueLabel(d, s, p.lang)
	}
	return s
}

// labelledEnumOf maps the schema's enum types to their labels.
var labelledEnumOf = map[string]model.LabelledEnum{
	"IdmStatus": model.LabelledEnumIDMStatus, "StrategicIssue": model.LabelledEnumStrategicIssue,
	"AgreementStatus": model.LabelledEnumAgreementStatus, "DocumentType": model.LabelledEnumDocumentType,
	"PartyType": model.LabelledEnumPartyType, "Sector": model.LabelledEnumSector,
	"FieldOfWork": model.LabelledEnumFieldOfWork, "RegionLevel": model.LabelledEnumRegionLevel,
	"RegionKind": model.LabelledEnumRegionKind, "StatsDimension": model.LabelledEnumStatsDimension,
	"StatsMeasure": model.LabelledEnumStatsMeasure, "TimeGrain": model.LabelledEnumTimeGrain,
	"EtlRunStatus": model.LabelledEnumEtlRunStatus,
}

// statsRowDimensions are the fields of StatsRow that hold coded values.
var statsRowDimensions = map[string]cooperation.Dimension{
	"issue": cooperation.DimIssue, "partyType": cooperation.DimPartyType, "partnerSector": cooperation.DimPartnerSector,
	"field": cooperation.DimField, "status": cooperation.DimStatus, "period": cooperation.DimPeriod,
}

// fileName names the download after the list: agreements, cooperationStats.
func (p *exportPlan) fileName() string {
	return p.list[0]
}

// Formula-looking text is written so that a spreadsheet never runs it: in
// CSV, text starting with = + - @ (or a tab or carriage return) gets a
// leading apostrophe, which Excel and LibreOffice read as "this is text";
// in XLSX every text is a string cell, never a formula.
func inertText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

type csvWriter struct {
	w    *csv.Writer
	http http.ResponseWriter
	n    int
}

func newCSVWriter(w http.ResponseWriter) *csvWriter { return &csvWriter{w: csv.NewWriter(w), http: w} }

func (c *csvWriter) header(h []string) error { return writeGone(c.w.Write(h)) }

func (c *csvWriter) row(cells []exportCell) error {
	rec := make([]string, len(cells))
	for i, cell := range cells {
		switch {
		case cell.empty:
		case cell.number != "":
			rec[i] = cell.number.String()
		case cell.truth != nil:
			rec[i] = strconv.FormatBool(*cell.truth)
		default:
			rec[i] = inertText(cell.text)
		}
	}
	if err := c.w.Write(rec); err != nil {
		return writeGone(err)
	}
	// Send what is ready every thousand rows: a large export streams.
	if c.n++; c.n%1000 == 0 {
		c.w.Flush()
		if f, ok := c.http.(http.Flusher); ok {
			f.Flush()
		}
	}
	return writeGone(c.w.Error())
}

func (c *csvWriter) close() error {
	c.w.Flush()
	return writeGone(c.w.Error())
}

// xlsxWriter writes one sheet with excelize's stream writer, which keeps
// large sheets on disk rather than in memory.
type xlsxWriter struct {
	f    *excelize.File
	sw   *excelize.StreamWriter
	http http.ResponseWriter
	rows int
	err  error
}

// maxXLSXRows is a sheet's row limit.
const maxXLSXRows = 1_048_576

func newXLSXWriter(w http.ResponseWriter, sheet string) *xlsxWriter {
	x := &xlsxWriter{f: excelize.NewFile(), http: w}
	if len(sheet) > 31 { // Excel's limit on sheet names
		sheet = sheet[:31]
	}
	if x.err = x.f.SetSheetName("Sheet1", sheet); x.err == nil {
		x.sw, x.err = x.f.NewStreamWriter(sheet)
	}
	return x
}

func (x *xlsxWriter) header(h []string) error {
	values := make([]any, len(h))
	for i, s := range h {
		values[i] = s
	}
	return x.setRow(values)
}

func (x *xlsxWriter) row(cells []exportCell) error {
	values := make([]any, len(cells))
	for i, c := range cells {
		switch {
		case c.empty:
		case c.number != "":
			// A number cell holds a double: Excel shows 15 digits.
			f, err := c.number.Float64()
			if err != nil {
				values[i] = c.number.String()
			} else {
				values[i] = f
			}
		case c.truth != nil:
			values[i] = *c.truth
		default:
			values[i] = c.text // a string cell: never a formula
		}
	}
	return x.setRow(values)
}

func (x *xlsxWriter) setRow(values []any) error {
	if x.err != nil {
		return x.err
	}
	if x.rows++; x.rows > maxXLSXRows {
		return fmt.Errorf("export: more than %d rows do not fit a sheet", maxXLSXRows)
	}
	cell, err := excelize.CoordinatesToCellName(1, x.rows)
	if err == nil {
		err = x.sw.SetRow(cell, values)
	}
	x.err = err
	return err
}

func (x *xlsxWriter) close() error {
	defer x.f.Close()
	if x.err != nil {
		return x.err
	}
	if err := x.sw.Flush(); err != nil {
		return err
	}
	return writeGone(x.f.Write(x.http))
}

// pagesOf notes how to page through the connection root, when the query
// lets it: after is a variable, and pageInfo says what comes next.
func (p *exportPlan) pagesOf(root *exportNode) {
	if root.afterVar == "" {
		return
	}
	for _, c := range root.children {
		if c.field != "pageInfo" || !c.object {
			continue
		}
		for _, f := range c.children {
			switch f.field {
			case "hasNextPage":
				p.hasNextKey = f.key
			case "endCursor":
				p.cursorKey = f.key
			}
		}
		if p.hasNextKey != "" && p.cursorKey != "" {
			p.pageVariable, p.pageInfo = root.afterVar, c.key
		}
	}
}
