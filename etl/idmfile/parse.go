package idmfile

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/sinergi-id/sinergi/etl/tabular"
	"github.com/sinergi-id/sinergi/internal/idm"
	"github.com/sinergi-id/sinergi/internal/region"
)

// YearRange is the inclusive range of years a file may hold.
type YearRange struct{ Min, Max int }

// Contains reports whether year is in the range.
func (r YearRange) Contains(year int) bool { return year >= r.Min && year <= r.Max }

// Batch is what an IDM file yields.
type Batch struct {
	Scores   []idm.Score      // accepted, in file order
	Lines    []int            // Lines[i] is the line Scores[i] came from
	Rejects  []tabular.Reject // ordered by line
	RowsRead int              // data records read, refused ones included
	Years    []int            // the distinct years of Scores, ascending
}

// idmColumns accepts the project's CSV spelling (kode_desa, tahun, iks, …,
// status_idm) and Kemendesa's spreadsheet spelling (KODE_DESA_DAGRI,
// IKS_2023, …, STATUS_IDM_2023; the year suffix is removed before matching).
var idmColumns = []tabular.ColumnSpec{
	{Name: "kode_desa", Aliases: []string{"kode_desa", "kode_desa_dagri", "kode_dagri", "kode_desa_flat"}, Required: true, Group: "code"},
	{Name: "kode_desa_dotted", Aliases: []string{"kode_desa_dotted"}, Required: true, Group: "code"},
	{Name: "tahun", Aliases: []string{"tahun", "year", "tahun_idm"}},
	{Name: "indeks", Aliases: []string{"indeks", "index", "nama_indeks", "index_name"}},
	{Name: "iks", Aliases: []string{"iks"}, Required: true},
	{Name: "ike", Aliases: []string{"ike"}, Required: true},
	{Name: "ikl", Aliases: []string{"ikl"}, Required: true},
	{Name: "nilai_idm", Aliases: []string{"nilai_idm", "idm", "skor_idm"}, Required: true},
	{Name: "status_idm", Aliases: []string{"status_idm", "status"}, Required: true},
}

// yearSuffixed are the (normalized) score columns Kemendesa suffixes with
// the year; no other column loses its digits.
var yearSuffixed = []string{"iks", "ike", "ikl", "nilaiidm", "idm", "skoridm", "statusidm", "status"}

// Parse reads an IDM file and validates every row against the region
// register known and the allowed years. It returns an error only when the
// file as a whole cannot be used; refused rows are in the batch's Rejects.
func Parse(t *tabular.Table, known region.Lookup, years YearRange) (Batch, error) {
	return parse(t, known, years, nil)
}

// parse is Parse handing each refused row to sink as it is found,
// when sink is not nil, instead of keeping it in the batch.
func parse(t *tabular.Table, known region.Lookup, years YearRange, sink func(tabular.Reject)) (Batch, error) {
	if known == nil {
		return Batch{}, errors.New("idm parse: no region register to check village codes against")
	}
	if years.Min <= 0 || years.Min > years.Max {
		return Batch{}, fmt.Errorf("idm parse: invalid year range %d..%d", years.Min, years.Max)
	}
	p, err := newIDMParser(t, known, years)
	if err != nil {
		return Batch{}, fmt.Errorf("idm parse %s: %w", t.Source(), err)
	}
	p.sink = sink
	var batch Batch
	width := len(t.Header())
	for {
		rec, err := t.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Batch{}, fmt.Errorf("idm parse: %w", err)
		}
		batch.RowsRead++
		if reason := tabular.RecordProblem(rec, width); reason != "" {
			p.reject(rec.Line, rec.Raw, "", reason)
			continue
		}
		score, column, reason := p.score(rec.Fields)
		if reason != "" {
			p.reject(rec.Line, rec.Raw, column, reason)
			continue
		}
		p.add(scoreRow{s: score, line: rec.Line, raw: rec.Raw})
	}
	batch.Scores, batch.Lines = p.finish()
	batch.Years = distinctYears(batch.Scores)
	batch.Rejects = p.rejects
	tabular.SortRejects(batch.Rejects)
	return batch, nil
}

type scoreKey struct {
	index   string
	year    int
	village region.Code
}

type scoreRow struct {
	s    idm.Score
	line int
	raw  string
}

type idmParser struct {
	t          *tabular.Table
	cols       tabular.ColumnMap
	known      region.Lookup
	years      YearRange
	columnYear int // year from the column names, 0 when they carry none
	order      []scoreKey
	copies     map[scoreKey][]scoreRow
	rejects    []tabular.Reject
	sink       func(tabular.Reject) // when set, takes the rejects instead of rejects
}

func newIDMParser(t *tabular.Table, known region.Lookup, years YearRange) (*idmParser, error) {
	match, columnYear, err := stripYearSuffixes(t.Header())
	if err != nil {
		return nil, err
	}
	cols, err := tabular.MatchColumns(t.Header(), match, idmColumns)
	if err != nil {
		return nil, err
	}
	switch {
	case columnYear == 0 && !cols.Has("tahun"):
		return nil, fmt.Errorf("%w: no year: add a tahun column or name the score columns with their year (IKS_2023); header found: %s", tabular.ErrHeader, strings.Join(t.Header(), ", "))
	case columnYear != 0 && !years.Contains(columnYear):
		return nil, fmt.Errorf("%w: the column names give year %d, outside %d..%d", tabular.ErrHeader, columnYear, years.Min, years.Max)
	}
	return &idmParser{t: t, cols: cols, known: known, years: years, columnYear: columnYear, copies: map[scoreKey][]scoreRow{}}, nil
}

// stripYearSuffixes rewrites score columns such as "IKS_2023" or
// "NILAI IDM 2023" to their names without the year, which it returns. The
// suffixes must all give the same year: one file holds one year per column.
func stripYearSuffixes(header []string) ([]string, int, error) {
	match := slices.Clone(header)
	year := 0
	var seen []string
	for i, h := range header {
		base, y, ok := splitYearSuffix(h)
		if !ok {
			continue
		}
		match[i] = base
		seen = append(seen, fmt.Sprintf("%q", h))
		if year == 0 {
			year = y
		} else if y != year {
			return nil, 0, fmt.Errorf("%w: score columns carry different years (%s); a file may hold one year", tabular.ErrHeader, strings.Join(seen, ", "))
		}
	}
	return match, year, nil
}

// splitYearSuffix splits a score column name ending in a four-digit year.
func splitYearSuffix(h string) (base string, year int, ok bool) {
	n := tabular.NormalizeHeader(h)
	if len(n) <= 4 {
		return "", 0, false
	}
	base, digits := n[:len(n)-4], n[len(n)-4:]
	y, err := strconv.Atoi(digits)
	if err != nil || digits[0] == '+' || digits[0] == '-' || !slices.Contains(yearSuffixed, base) {
		return "", 0, false
	}
	return base, y, true
}

// reject refuses a row; column is the header of the column the reason is
// about, "" for the whole row.
func (p *idmParser) reject(line int, raw, column, reason string) {
	rj := tabular.NewReject(p.t, line, raw, column, reason)
	if p.sink != nil {
		p.sink(rj)
		return
	}
	p.rejects = append(p.rejects, rj)
}

func (p *idmParser) add(row scoreRow) {
	k := scoreKey{row.s.Index, row.s.Year, row.s.Village}
	if _, seen := p.copies[k]; !seen {
		p.order = append(p.order, k)
	}
	p.copies[k] = append(p.copies[k], row)
}

// score validates one row. Nothing is corrected: a status that contradicts
// the thresholds is refused, not recomputed. A refused row comes with the
// header of the column at fault ("" when the problem is the whole row's).
func (p *idmParser) score(f []string) (s idm.Score, column, reason string) {
	village, column, reason := p.village(f)
	if reason != "" {
		return idm.Score{}, column, reason
	}
	year, reason := p.year(f)
	if reason != "" {
		column = ""
		if p.cols.Has("tahun") {
			column = p.cols.Label("tahun")
		}
		return idm.Score{}, column, reason
	}
	s = idm.Score{Index: p.cols.Get(f, "indeks"), Year: year, Village: village}
	if s.Index == "" {
		s.Index = idm.DefaultIndex
	}
	for _, c := range []struct {
		name, index string
		dst         *float64
	}{{"iks", "IKS", &s.IKS}, {"ike", "IKE", &s.IKE}, {"ikl", "IKL", &s.IKL}, {"nilai_idm", "IDM", &s.IDM}} {
		v, err := parseScore(p.cols.Get(f, c.name))
		if err != nil {
			return idm.Score{}, p.cols.Label(c.name), fmt.Sprintf("%s: %v", p.cols.Label(c.name), err)
		}
		if err := idm.CheckScore(c.index, v); err != nil {
			return idm.Score{}, p.cols.Label(c.name), err.Error()
		}
		*c.dst = v
	}
	status := p.cols.Get(f, "status_idm")
	if status == "" {
		return idm.Score{}, p.cols.Label("status_idm"), "empty " + p.cols.Label("status_idm")
	}
	var err error
	if s.Status, err = idm.ParseStatus(status); err != nil {
		return idm.Score{}, p.cols.Label("status_idm"), err.Error()
	}
	if err := s.Check(); err != nil {
		return idm.Score{}, "", err.Error() // the scores and the status disagree: the row's
	}
	return s, "", ""
}

// village reads the village code (flat, dotted, or both, which must agree)
// and checks that the register knows it as a desa. A problem comes with
// the header of the code's column (the first given, when both are).
func (p *idmParser) village(f []string) (code region.Code, column, reason string) {
	for _, name := range []string{"kode_desa", "kode_desa_dotted"} {
		v := p.cols.Get(f, name)
		if v == "" {
			continue
		}
		c, err := region.ParseCode(v)
		if err != nil {
			return "", p.cols.Label(name), fmt.Sprintf("%s: %v", p.cols.Label(name), err)
		}
		if code != "" && c != code {
			return "", p.cols.Label(name), fmt.Sprintf("%s %s and %s %s disagree", p.cols.Label("kode_desa"), code.Dotted(), p.cols.Label(name), c.Dotted())
		}
		if code == "" {
			column = p.cols.Label(name)
		}
		code = c
	}
	if code == "" {
		column = p.cols.Label("kode_desa_dotted")
		if p.cols.Has("kode_desa") {
			column = p.cols.Label("kode_desa")
		}
		return "", column, "empty village code"
	}
	if code.Level() != region.LevelDesaKelurahan {
		return "", column, fmt.Sprintf("%s is a %s code, not a village code", code.Dotted(), code.Level())
	}
	r, ok := p.known.Region(code)
	switch {
	case !ok:
		return "", column, fmt.Sprintf("unknown village code %s", code.Dotted())
	case r.Level != region.LevelDesaKelurahan:
		return "", column, fmt.Sprintf("%s is a %s in the region register, not a village", code.Dotted(), r.Level)
	case r.Kind == region.KindKelurahan:
		return "", column, fmt.Sprintf("%s is a kelurahan; IDM covers desa only", code.Dotted())
	case !r.Kind.IsDesa():
		return "", column, fmt.Sprintf("%s is a %s in the region register, not a desa", code.Dotted(), r.Kind)
	}
	return code, "", ""
}

// year reads the row's year from tahun or the column names; when both are
// there they must agree.
func (p *idmParser) year(f []string) (int, string) {
	year := p.columnYear
	if p.cols.Has("tahun") {
		v := p.cols.Get(f, "tahun")
		y, err := strconv.Atoi(v)
		if err != nil {
			return 0, fmt.Sprintf("%s %q is not a year", p.cols.Label("tahun"), v)
		}
		if year != 0 && y != year {
			return 0, fmt.Sprintf("%s %d disagrees with the year %d in the column names", p.cols.Label("tahun"), y, year)
		}
		year = y
	}
	if !p.years.Contains(year) {
		return 0, fmt.Sprintf("year %d is outside %d..%d", year, p.years.Min, p.years.Max)
	}
	return year, ""
}

// parseScore reads a plain decimal, with a point or (as Indonesian
// spreadsheets write it) a comma. Exponents, hex, NaN and Inf, which
// strconv would accept, are refused: no source writes scores that way.
func parseScore(s string) (float64, error) {
	if s == "" {
		return 0, errors.New("empty")
	}
	t := s
	if !strings.Contains(t, ".") && strings.Count(t, ",") == 1 {
		t = strings.Replace(t, ",", ".", 1)
	}
	if !plainDecimal(t) {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return v, nil
}

// plainDecimal reports whether s is an optional minus, digits and at most
// one point, with at least one digit.
func plainDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	digits, points := 0, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] >= '0' && s[i] <= '9':
			digits++
		case s[i] == '.':
			points++
		default:
			return false
		}
	}
	return digits > 0 && points <= 1
}

// finish keeps the first of identical copies of a (index, year, village)
// and refuses every copy when they disagree.
func (p *idmParser) finish() ([]idm.Score, []int) {
	var scores []idm.Score
	var lines []int
	for _, k := range p.order {
		rows := p.copies[k]
		if reason := scoreConflict(k, rows); reason != "" {
			for _, row := range rows {
				p.reject(row.line, row.raw, "", reason)
			}
			continue
		}
		scores = append(scores, rows[0].s)
		lines = append(lines, rows[0].line)
	}
	return scores, lines
}

// scoreConflict describes how copies of one score disagree, or "".
func scoreConflict(k scoreKey, rows []scoreRow) string {
	var diffs []string
	for _, f := range []struct {
		name string
		get  func(idm.Score) string
	}{
		{"IKS", func(s idm.Score) string { return strconv.FormatFloat(s.IKS, 'f', -1, 64) }},
		{"IKE", func(s idm.Score) string { return strconv.FormatFloat(s.IKE, 'f', -1, 64) }},
		{"IKL", func(s idm.Score) string { return strconv.FormatFloat(s.IKL, 'f', -1, 64) }},
		{"IDM", func(s idm.Score) string { return strconv.FormatFloat(s.IDM, 'f', -1, 64) }},
		{"status", func(s idm.Score) string { return s.Status.String() }},
	} {
		values := make([]string, len(rows))
		for i, row := range rows {
			values[i] = f.get(row.s)
		}
		if list, n := tabular.DistinctValues(values); n > 1 {
			diffs = append(diffs, f.name+" "+list)
		}
	}
	if len(diffs) == 0 {
		return ""
	}
	lines := make([]int, len(rows))
	for i, row := range rows {
		lines[i] = row.line
	}
	return fmt.Sprintf("%s %d of %s appears on lines %s with different values (%s)",
		k.index, k.year, k.village.Dotted(), tabular.LineList(lines), strings.Join(diffs, "; "))
}

func distinctYears(scores []idm.Score) []int {
	var years []int
	for _, s := range scores {
		if !slices.Contains(years, s.Year) {
			years = append(years, s.Year)
		}
	}
	sort.Ints(years)
	return years
}
