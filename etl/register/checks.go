package register

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/sinergi-id/sinergi/etl/tabular"
	"github.com/sinergi-id/sinergi/internal/region"
)

// What every table's rows share: reading the rows, refusing one with all
// its problems, enumerations and codes checked once per spelling, copies
// of one identity settled.

// read runs each over the table's rows whose shape is right and refuses the
// others. refusedID, if not nil, learns the id (its column's text) of each
// refused row, which may still be readable. An error from each stops the
// read.
func (p *registerParser) read(r *registerTable, refusedID func(id string, line int), idColumn string, each func(registerRow) error) error {
	return r.rows(&p.batch.RowsRead, func(row registerRow, shapeProblem string) error {
		if shapeProblem == "" {
			return each(row)
		}
		p.reject(r, row, "", shapeProblem)
		if refusedID != nil {
			if id := r.text(row, idColumn); id != "" {
				refusedID(id, row.line)
			}
		}
		return nil
	})
}

// reject refuses row; column is the header of the column the reason is
// about, "" when it concerns the whole row.
func (p *registerParser) reject(r *registerTable, row registerRow, column, reason string) {
	if p.sink.Reject != nil {
		p.sink.Reject(r.reject(row, column, reason))
		return
	}
	p.rejects[r.id] = append(p.rejects[r.id], r.reject(row, column, reason))
}

// refuse refuses row for its problems.
func (p *registerParser) refuse(r *registerTable, row registerRow, ps problems) {
	p.reject(r, row, ps.column(), ps.String())
}

// problem is one thing wrong with a row: in one column (its header as the
// file writes it), or in the row as a whole (column "": a reference to a
// refused agreement, a copy).
type problem struct{ column, reason string }

// problems collects what is wrong with one row, so that a row is fixed in
// one round.
type problems []problem

// add notes a problem of the whole row.
func (ps *problems) add(reason string) { ps.in("", reason) }

// in notes a problem of one column.
func (ps *problems) in(column, reason string) {
	if reason != "" {
		*ps = append(*ps, problem{column, reason})
	}
}

func (ps problems) String() string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.reason
	}
	return strings.Join(s, "; ")
}

// column is the first column the problems name, "" when each concerns the
// whole row: a reject names one column (the reason names every problem).
func (ps problems) column() string {
	for _, p := range ps {
		if p.column != "" {
			return p.column
		}
	}
	return ""
}

// required notes each named column that is empty in row.
func (ps *problems) required(r *registerTable, row registerRow, names ...string) {
	for _, name := range names {
		if r.text(row, name) == "" {
			ps.in(r.cols.Label(name), "empty "+r.cols.Label(name))
		}
	}
}

// requiredAt notes each of the columns that is empty in row.
func (ps *problems) requiredAt(row registerRow, cols ...located) {
	for _, c := range cols {
		if c.text(row) == "" {
			ps.in(c.label, "empty "+c.label)
		}
	}
}

// enumReason words an enumeration parser's error with the accepted values.
func enumReason[T ~string](label string, err error, values []T) string {
	names := make([]string, len(values))
	for i, v := range values {
		names[i] = string(v)
	}
	return fmt.Sprintf("%s: %v (accepted: %s, or their Indonesian names)", label, err, strings.Join(names, ", "))
}

// parseEnum reads a required enumerated value.
func parseEnum[T ~string](ps *problems, label, text string, parse func(string) (T, error), values []T) T {
	if text == "" {
		ps.in(label, "empty "+label)
		return ""
	}
	v, err := parse(text)
	if err != nil {
		ps.in(label, enumReason(label, err, values))
	}
	return v
}

// parseEnumList reads a list of enumerated values; duplicates collapse and
// the values come in the order of values, since a list's order means nothing.
func parseEnumList[T ~string](ps *problems, label, text string, parse func(string) (T, error), values []T) []T {
	seen := map[T]bool{}
	for _, item := range splitList(text, codeListSeparators) {
		v, err := parse(item)
		if err != nil {
			ps.in(label, enumReason(label, err, values))
			continue
		}
		seen[v] = true
	}
	var out []T
	for _, v := range values {
		if seen[v] {
			out = append(out, v)
		}
	}
	return out
}

// remembered is a parser of cell texts that remembers its answers, for up
// to maxCached texts: a register repeats a few spellings of its
// enumerations and codes over millions of rows.
type remembered[T any] struct {
	parse func(string) (T, error)
	seen  map[string]answer[T]
}

type answer[T any] struct {
	v   T
	err error
}

func remember[T any](parse func(string) (T, error)) *remembered[T] {
	return &remembered[T]{parse: parse, seen: map[string]answer[T]{}}
}

func (m *remembered[T]) get(s string) (T, error) {
	if a, ok := m.seen[s]; ok {
		return a.v, a.err
	}
	v, err := m.parse(s)
	if len(m.seen) < maxCached {
		m.seen[strings.Clone(s)] = answer[T]{v, err}
	}
	return v, err
}

// enumList is what parseEnumList makes of one text.
type enumList[T ~string] struct {
	values  []T
	reasons problems
}

// rememberEnumList is parseEnumList, remembered per text; each answer is
// a copy.
func rememberEnumList[T ~string](label string, parse func(string) (T, error), values []T) func(ps *problems, text string) []T {
	m := remember(func(text string) (enumList[T], error) {
		var l enumList[T]
		l.values = parseEnumList(&l.reasons, label, text, parse, values)
		return l, nil
	})
	return func(ps *problems, text string) []T {
		l, _ := m.get(text)
		*ps = append(*ps, l.reasons...)
		return slices.Clone(l.values)
	}
}

// located is a column of a table, found once for its many rows.
type located struct {
	i     int // -1: absent
	label string
}

func (r *registerTable) locate(name string) located {
	return located{r.cols.Index(name), r.cols.Label(name)}
}

func (c located) text(row registerRow) string { return row.field(c.i) }

func (c located) cell(r *registerTable, row registerRow) registerCell {
	return r.cellAt(row, c.i, c.label)
}

// knownCode reads a region code that the region register must know.
func (p *registerParser) knownCode(label, text string) (region.Code, region.Region, string) {
	code, reason := region.ParseCodeField(label, text)
	if reason != "" {
		return "", region.Region{}, reason
	}
	reg, ok := p.known.Region(code)
	if !ok {
		return "", region.Region{}, fmt.Sprintf("%s %s is not in the region register", label, code.Dotted())
	}
	return code, reg, ""
}

// desaCode reads the code of a known desa (or desa adat): a kelurahan is
// urban and not a desa.
func (p *registerParser) desaCode(label, text string) (region.Code, string) {
	code, reason := region.ParseCodeField(label, text)
	if reason != "" {
		return "", reason
	}
	if reason := p.desaProblem(code); reason != "" {
		return "", label + " " + reason
	}
	return code, ""
}

// desaProblem says why code is not a known desa, or "".
func (p *registerParser) desaProblem(code region.Code) string {
	if code.Level() != region.LevelDesaKelurahan {
		return fmt.Sprintf("%s is a %s code, not a desa code", code.Dotted(), code.Level())
	}
	reg, ok := p.known.Region(code)
	switch {
	case !ok:
		return fmt.Sprintf("%s is not in the region register", code.Dotted())
	case reg.Kind == region.KindKelurahan:
		return fmt.Sprintf("%s (%s) is a kelurahan, not a desa", code.Dotted(), reg.Name)
	case reg.Level != region.LevelDesaKelurahan || !reg.Kind.IsDesa():
		return fmt.Sprintf("%s (%s) is a %s in the region register, not a desa", code.Dotted(), reg.Name, reg.Kind)
	}
	return ""
}

// templateExample refuses the rows of the template's fictional example
// (ids CONTOH-…, titled "hapus baris ini"): an office that forgot to delete
// them would load an ACTIVE agreement of Rp 150,000,000.
func templateExample(label, id string) string {
	const prefix = "CONTOH-"
	if len(id) < len(prefix) || !strings.EqualFold(id[:len(prefix)], prefix) {
		return ""
	}
	return fmt.Sprintf("%s %s is the template's fictional example (hapus baris ini): delete the example rows before sending the register", label, id)
}

type checkedCode struct {
	code   region.Code
	reason string
}

type checkedMonth struct {
	month  time.Time
	reason string
}

// checkedText is a value checked, with its text (a copy, not a view of a
// row).
type checkedText[T any] struct {
	text    string
	checked T
}

// recent holds the last few values checked, by text.
type recent[T any] struct {
	last [8]checkedText[T]
	next int
}

func (r *recent[T]) get(text string) (T, bool) {
	for i := range r.last {
		if c := &r.last[i]; c.text == text && c.text != "" {
			return c.checked, true
		}
	}
	var none T
	return none, false
}

func (r *recent[T]) put(c checkedText[T]) {
	r.last[r.next] = c
	r.next = (r.next + 1) % len(r.last)
}

// maxCached bounds each cache of checked values: beyond it (a file of
// endless distinct typing errors), values are checked every time.
const maxCached = 1 << 18

// idTracker follows the ids of a table whose rows carry one: the order in
// which ids first appear and the lines of refused rows per id.
type idTracker struct {
	order   []string
	seen    map[string]bool
	refused map[string][]int
}

func newIDTracker() *idTracker {
	return &idTracker{seen: map[string]bool{}, refused: map[string][]int{}}
}

func (t *idTracker) see(id string) {
	if id != "" && !t.seen[id] {
		t.seen[id] = true
		t.order = append(t.order, id)
	}
}

func (t *idTracker) refuse(id string, line int) {
	if id != "" {
		t.see(id)
		t.refused[id] = append(t.refused[id], line)
	}
}

// copyOf is one accepted row of a table whose rows have an identity (an
// agreement id, a body id, a realisation's agreement, village and month),
// held until the table is read. Of its row only what a reject needs is kept:
// a register's realisations may be many.
type copyOf[T any] struct {
	v   T
	row registerRow
}

func newCopy[T any](v T, row registerRow) copyOf[T] {
	return copyOf[T]{v: v, row: registerRow{line: row.line, raw: row.raw}}
}

// settle keeps one of identical copies; copies that disagree are all
// refused, since nothing tells which one is right, and so are the copies of
// an identity that also has a refused row. what names the identity in
// reasons; fields describes a row for comparison.
func settle[K comparable, T any](p *registerParser, r *registerTable, order []K, copies map[K][]copyOf[T], refused map[K][]int,
	what func(K) string, fields func(T) []namedValue) (kept []T, keptKeys []K) {
	for _, k := range order {
		cs := copies[k]
		if len(cs) == 0 {
			continue
		}
		lines := make([]int, 0, len(cs)+len(refused[k]))
		for _, c := range cs {
			lines = append(lines, c.row.line)
		}
		var reason string
		if bad := refused[k]; len(bad) > 0 {
			lines = append(lines, bad...)
			sort.Ints(lines)
			verb := "was"
			if len(bad) > 1 {
				verb = "were"
			}
			reason = fmt.Sprintf("%s appears on lines %s and line %s %s rejected: which copy is right is unknown, so none is loaded",
				what(k), tabular.LineList(lines), tabular.LineList(bad), verb)
		} else if len(cs) > 1 {
			values := make([][]namedValue, len(cs))
			for i, c := range cs {
				values[i] = fields(c.v)
			}
			if diff := differences(values); diff != "" {
				reason = fmt.Sprintf("%s appears on lines %s with different values (%s)", what(k), tabular.LineList(lines), diff)
			}
		}
		if reason != "" {
			for _, c := range cs {
				p.reject(r, c.row, "", reason)
			}
			continue
		}
		kept = append(kept, cs[0].v)
		keptKeys = append(keptKeys, k)
	}
	return kept, keptKeys
}

// namedValue is one field of a row, written for comparing copies.
type namedValue struct{ name, value string }

// differences names the fields on which copies differ, "" when they agree.
func differences(copies [][]namedValue) string {
	var diffs []string
	for i, f := range copies[0] {
		var values []string
		for _, c := range copies {
			if v := fmt.Sprintf("%q", c[i].value); !slices.Contains(values, v) {
				values = append(values, v)
			}
		}
		if len(values) > 1 {
			diffs = append(diffs, f.name+" "+strings.Join(values, " vs "))
		}
	}
	return strings.Join(diffs, "; ")
}

func dateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func joinValues[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return strings.Join(s, ";")
}
