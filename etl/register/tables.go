package register

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/sinergi-id/sinergi/etl/tabular"
)

// The register's tables (docs/register.md): an XLSX workbook with one sheet
// per table, or CSV files with one file per table. This file finds the
// tables, checks their headers and reads their rows.

// ErrLayout marks a register whose tables cannot be found or told
// apart: a required sheet or file missing, a file that is no register table,
// two sheets or files for one table. Nothing of such a register is read.
var ErrLayout = errors.New("bad register layout")

type registerTableID int

const (
	tableAgreements registerTableID = iota
	tableParties
	tableBodies
	tableRealisations
	registerTableCount
)

// registerTableDef describes one table of the register.
type registerTableDef struct {
	name string // the sheet name, and the Sheet of rejects from CSV files
	// sheetAliases are other sheet names accepted (compared like headers).
	sheetAliases []string
	// signature are the columns that tell the table apart in a file whose
	// name says nothing.
	signature []string
	required  bool
	columns   []tabular.ColumnSpec
}

// column is a register column: the register documents one name for each,
// matched as headers are (case, spaces, underscores, dashes, dots ignored).
func column(name string, required bool) tabular.ColumnSpec {
	return tabular.ColumnSpec{Name: name, Aliases: []string{name}, Required: required}
}

var registerTableDefs = [registerTableCount]registerTableDef{
	tableAgreements: {
		name:         "agreements",
		sheetAliases: []string{"kerja sama", "kerjasama"},
		signature:    []string{"agreement_id", "title", "status"},
		required:     true,
		columns: []tabular.ColumnSpec{
			column("agreement_id", true), column("document_numbers", false), column("title", true),
			column("document_type", true), column("signed_date", false), column("signed_place", false),
			column("start_date", false), column("end_date", false), column("status", true),
			column("issues", false), column("fields", false), column("committed_value", false),
			column("funding_source", false), column("source_reference", false),
		},
	},
	tableParties: {
		name:         "parties",
		sheetAliases: []string{"pihak", "para pihak"},
		signature:    []string{"party_type"},
		required:     true,
		columns: []tabular.ColumnSpec{
			column("agreement_id", true), column("party_type", true), column("name", true),
			column("region_code", false), column("sector", false), column("role", false),
			column("body_id", false),
		},
	},
	tableBodies: {
		name:         "bodies",
		sheetAliases: []string{"bkad"},
		signature:    []string{"body_id", "member_villages"},
		columns: []tabular.ColumnSpec{
			column("body_id", true), column("name", true), column("region_code", true),
			column("established_date", false), column("legal_basis", false),
			column("joint_enterprise", false), column("member_villages", true),
		},
	},
	tableRealisations: {
		name:         "realisations",
		sheetAliases: []string{"realizations", "realisasi"},
		signature:    []string{"month", "value"},
		columns: []tabular.ColumnSpec{
			column("agreement_id", true), column("village_code", false), column("month", true),
			column("value", true), column("beneficiaries", false), column("outputs", false),
		},
	},
}

func requiredTableNames() []string {
	var names []string
	for _, def := range registerTableDefs {
		if def.required {
			names = append(names, def.name)
		}
	}
	return names
}

// isRegisterWorkbook tells a register given as one workbook from one given
// as a file per table.
func isRegisterWorkbook(paths []string) bool {
	return len(paths) == 1 && strings.EqualFold(filepath.Ext(paths[0]), ".xlsx")
}

// openRegister opens a register's tables: one XLSX workbook, or one file
// per table.
func openRegister(paths []string) (*registerTables, error) {
	if isRegisterWorkbook(paths) {
		return openRegisterWorkbook(paths[0])
	}
	return openRegisterFiles(paths)
}

// registerTable is one open table of a register.
type registerTable struct {
	id    registerTableID
	path  string // as given
	sheet string // for rejects: the sheet, or the table name for CSV
	t     *tabular.Table
	cols  tabular.ColumnMap
	// workbook reads the cells' stored values (nil for CSV); the sheet's
	// reader opens when the table is read.
	workbook *storedWorkbook
	stored   *storedSheet
}

func (r *registerTable) def() registerTableDef { return registerTableDefs[r.id] }

// where names the table for messages: the file, and the sheet of a workbook.
func (r *registerTable) where() string {
	if r.t.Sheet() == "" {
		return r.t.Source()
	}
	return fmt.Sprintf("%s sheet %q", r.t.Source(), r.t.Sheet())
}

// tableAt is where a table was read, to read it again.
type tableAt struct {
	id     registerTableID
	path   string
	sheet  string // the workbook's sheet; "" for CSV
	reject string // the Sheet of rejects
	xlsx   bool
	header []string
}

func (r *registerTable) at() tableAt {
	return tableAt{id: r.id, path: r.path, sheet: r.t.Sheet(), reject: r.sheet, xlsx: r.workbook != nil, header: r.t.Header()}
}

// open opens the table again, alone (closeAlone closes it), if its header
// is still the one read.
func (a tableAt) open() (*registerTable, error) {
	var t *tabular.Table
	var err error
	if a.sheet != "" {
		t, err = tabular.OpenSheet(a.path, a.sheet)
	} else {
		t, err = tabular.Open(a.path)
	}
	if err != nil {
		return nil, err
	}
	r := &registerTable{id: a.id, path: a.path, sheet: a.reject, t: t}
	if !slices.Equal(t.Header(), a.header) {
		t.Close()
		return nil, fmt.Errorf("%s: the %s table changed while the register was being loaded (its header): load it again", r.where(), r.def().name)
	}
	if r.cols, err = tabular.NewColumnMap(t.Header(), r.def().columns); err != nil {
		t.Close()
		return nil, err
	}
	if a.xlsx {
		if r.workbook, err = openStoredWorkbook(a.path); err != nil {
			t.Close()
			return nil, err
		}
	}
	return r, nil
}

// closeAlone closes a table opened by tableAt.open.
func (r *registerTable) closeAlone() {
	r.t.Close()
	if r.stored != nil {
		r.stored.close()
	}
	if r.workbook != nil {
		r.workbook.close()
	}
}

// registerTables are the open tables of a register and the workbooks they
// read stored values from.
type registerTables struct {
	byID      [registerTableCount]*registerTable
	workbooks []*storedWorkbook
}

func (ts *registerTables) close() {
	for _, r := range ts.byID {
		if r == nil {
			continue
		}
		r.t.Close()
		if r.stored != nil {
			r.stored.close()
		}
	}
	for _, wb := range ts.workbooks {
		wb.close()
	}
	*ts = registerTables{}
}

// openRegisterWorkbook finds the register's sheets and checks their headers.
func openRegisterWorkbook(path string) (*registerTables, error) {
	name := filepath.Base(path)
	sheets, err := tabular.Sheets(path)
	if err != nil {
		return nil, err
	}
	wb, err := openStoredWorkbook(path)
	if err != nil {
		return nil, err
	}
	tables := &registerTables{workbooks: []*storedWorkbook{wb}}
	var problems []error
	sheetOf := [registerTableCount]string{}
	var unnamed []string
	for _, sheet := range sheets {
		id, ok := tableBySheetName(sheet)
		switch {
		case !ok:
			unnamed = append(unnamed, sheet)
		case sheetOf[id] != "":
			problems = append(problems, fmt.Errorf("%s: %w: sheets %q and %q are both the %s table; keep one", name, ErrLayout, sheetOf[id], sheet, registerTableDefs[id].name))
		default:
			sheetOf[id] = sheet
		}
	}
	// A table under another name (a translated or misspelt sheet, a second
	// copy, hidden or not) would be silently ignored; refuse rather than
	// load a register without its rows.
	for _, sheet := range unnamed {
		for _, id := range sheetTableByHeader(path, sheet) {
			def := registerTableDefs[id]
			if sheetOf[id] == "" {
				problems = append(problems, fmt.Errorf("%s: %w: sheet %q has the columns of the %s table (%s); name it %q",
					name, ErrLayout, sheet, def.name, strings.Join(def.signature, ", "), def.name))
				continue
			}
			problems = append(problems, fmt.Errorf("%s: %w: sheet %q has the columns of the %s table (%s), which sheet %q holds; "+
				"keep the rows in one sheet (hidden sheets count too)",
				name, ErrLayout, sheet, def.name, strings.Join(def.signature, ", "), sheetOf[id]))
		}
	}
	var missing []string
	for id, def := range registerTableDefs {
		if def.required && sheetOf[id] == "" {
			missing = append(missing, def.name)
		}
	}
	if len(missing) > 0 {
		problems = append(problems, fmt.Errorf("%s: %w: missing sheet %s (required: %s; sheets found: %s)",
			name, ErrLayout, strings.Join(missing, ", "), strings.Join(requiredTableNames(), ", "), strings.Join(quoteAll(sheets), ", ")))
	}
	if len(problems) == 0 {
		for id, sheet := range sheetOf {
			if sheet == "" {
				continue
			}
			t, err := tabular.OpenSheet(path, sheet)
			if err != nil {
				problems = append(problems, err)
				continue
			}
			tables.byID[id] = &registerTable{id: registerTableID(id), path: path, sheet: sheet, t: t, workbook: wb}
		}
	}
	if len(problems) == 0 {
		problems = mapRegisterColumns(tables)
	}
	if len(problems) > 0 {
		tables.close()
		return nil, errors.Join(problems...)
	}
	return tables, nil
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = fmt.Sprintf("%q", n)
	}
	return out
}

func tableBySheetName(sheet string) (registerTableID, bool) {
	n := tabular.NormalizeHeader(sheet)
	for id, def := range registerTableDefs {
		if n == tabular.NormalizeHeader(def.name) || slices.ContainsFunc(def.sheetAliases, func(a string) bool { return n == tabular.NormalizeHeader(a) }) {
			return registerTableID(id), true
		}
	}
	return 0, false
}

// sheetTableByHeader recognises the table of a sheet from its header; a
// sheet that cannot be read as a table is none.
func sheetTableByHeader(path, sheet string) []registerTableID {
	t, err := tabular.OpenSheet(path, sheet)
	if err != nil {
		return nil
	}
	defer t.Close()
	return tablesByHeader(t.Header())
}

// tablesByHeader lists the tables whose signature columns are all in header.
func tablesByHeader(header []string) []registerTableID {
	have := map[string]bool{}
	for _, h := range header {
		have[tabular.NormalizeHeader(h)] = true
	}
	var ids []registerTableID
	for id, def := range registerTableDefs {
		if !slices.ContainsFunc(def.signature, func(c string) bool { return !have[tabular.NormalizeHeader(c)] }) {
			ids = append(ids, registerTableID(id))
		}
	}
	return ids
}

// nearestTable names the table a header comes closest to, and what it
// lacks, for a file that matches none: most often a table missing a column.
func nearestTable(header []string) string {
	have := map[string]bool{}
	for _, h := range header {
		have[tabular.NormalizeHeader(h)] = true
	}
	best, bestCount := -1, 0
	var lacks []string
	for id, def := range registerTableDefs {
		var missing []string
		for _, c := range def.signature {
			if !have[tabular.NormalizeHeader(c)] {
				missing = append(missing, c)
			}
		}
		if n := len(def.signature) - len(missing); n > bestCount {
			best, bestCount, lacks = id, n, missing
		}
	}
	if best < 0 {
		return ""
	}
	return fmt.Sprintf(" (it comes closest to %s, which also needs %s)", registerTableDefs[best].name, strings.Join(lacks, ", "))
}

// tableSignatures describes how files are recognised, for messages.
func tableSignatures() string {
	var s []string
	for _, def := range registerTableDefs {
		s = append(s, fmt.Sprintf("%s: %s", def.name, strings.Join(def.signature, ", ")))
	}
	return strings.Join(s, "; ")
}

// openRegisterFiles opens one file per table and recognises each by its
// header.
func openRegisterFiles(paths []string) (*registerTables, error) {
	tables := &registerTables{}
	var problems []error
	fail := func() (*registerTables, error) {
		tables.close()
		return nil, errors.Join(problems...)
	}
	var given []string
	for _, path := range paths {
		r, err := openRegisterFile(path)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		if r.workbook != nil {
			tables.workbooks = append(tables.workbooks, r.workbook)
		}
		if prev := tables.byID[r.id]; prev != nil {
			problems = append(problems, fmt.Errorf("%w: %s and %s are both the %s table; give one file per table",
				ErrLayout, prev.path, r.path, r.def().name))
			r.t.Close()
			continue
		}
		tables.byID[r.id] = r
		given = append(given, fmt.Sprintf("%s (%s)", r.t.Source(), r.def().name))
	}
	if len(problems) > 0 {
		return fail()
	}
	var missing []string
	for id, def := range registerTableDefs {
		if def.required && tables.byID[id] == nil {
			missing = append(missing, def.name)
		}
	}
	if len(missing) > 0 {
		if len(given) == 0 {
			given = []string{"none"}
		}
		problems = append(problems, fmt.Errorf("%w: missing table %s (required: %s; files given: %s)",
			ErrLayout, strings.Join(missing, ", "), strings.Join(requiredTableNames(), ", "), strings.Join(given, ", ")))
		return fail()
	}
	if problems = mapRegisterColumns(tables); len(problems) > 0 {
		return fail()
	}
	return tables, nil
}

// openRegisterFile opens a CSV file or a one-sheet XLSX file and recognises
// its table.
func openRegisterFile(path string) (*registerTable, error) {
	var wb *storedWorkbook
	if strings.EqualFold(filepath.Ext(path), ".xlsx") {
		sheets, err := tabular.Sheets(path)
		if err != nil {
			return nil, err
		}
		if len(sheets) > 1 {
			return nil, fmt.Errorf("%s: %w: a workbook of %d sheets (%s) is read on its own, as the whole register; or save one table per file",
				filepath.Base(path), ErrLayout, len(sheets), strings.Join(quoteAll(sheets), ", "))
		}
		if wb, err = openStoredWorkbook(path); err != nil {
			return nil, err
		}
	}
	t, err := tabular.Open(path)
	if err != nil {
		if wb != nil {
			wb.close()
		}
		return nil, err
	}
	ids := tablesByHeader(t.Header())
	if len(ids) != 1 {
		t.Close()
		if wb != nil {
			wb.close()
		}
		what := "matches no register table" + nearestTable(t.Header())
		if len(ids) > 1 {
			var names []string
			for _, id := range ids {
				names = append(names, registerTableDefs[id].name)
			}
			what = "matches several register tables (" + strings.Join(names, ", ") + ")"
		}
		return nil, fmt.Errorf("%s: %w: its header %s (tables are recognised by their columns: %s); header found: %s",
			t.Source(), ErrLayout, what, tableSignatures(), strings.Join(t.Header(), ", "))
	}
	r := &registerTable{id: ids[0], path: path, sheet: t.Sheet(), t: t, workbook: wb}
	if r.sheet == "" {
		r.sheet = r.def().name
	}
	return r, nil
}

// mapRegisterColumns locates every table's columns; a problem in any header
// fails the register, and all are reported at once.
func mapRegisterColumns(tables *registerTables) []error {
	var problems []error
	for _, r := range tables.byID {
		if r == nil {
			continue
		}
		cols, err := tabular.NewColumnMap(r.t.Header(), r.def().columns)
		if err != nil {
			problems = append(problems, fmt.Errorf("%s (%s table): %w", r.where(), r.def().name, err))
			continue
		}
		r.cols = cols
	}
	return problems
}

// registerRow is one data row of a register table.
type registerRow struct {
	line   int
	raw    string
	fields []string // as displayed
	stored []string // XLSX stored values, nil for CSV
}

// cell is the named column of row.
func (r *registerTable) cell(row registerRow, name string) registerCell {
	c := registerCell{label: r.cols.Label(name), text: r.cols.Get(row.fields, name)}
	if r.workbook != nil {
		c.xlsx, c.date1904 = true, r.workbook.date1904
		c.stored = r.cols.Get(row.stored, name)
	}
	return c
}

// text is the named column of row as displayed.
func (r *registerTable) text(row registerRow, name string) string {
	return r.cols.Get(row.fields, name)
}

func (r *registerTable) reject(row registerRow, column, reason string) tabular.Reject {
	return tabular.Reject{Source: r.t.Source(), Sheet: r.sheet, Line: row.line, Column: column, Reason: reason, Record: tabular.RejectText(row.raw)}
}

// cellAt is the cell at index i of row (-1: an absent column), labelled
// label; like cell, without looking the column up.
func (r *registerTable) cellAt(row registerRow, i int, label string) registerCell {
	c := registerCell{label: label}
	if i >= 0 && i < len(row.fields) {
		c.text = row.fields[i]
	}
	if r.workbook != nil {
		c.xlsx, c.date1904 = true, r.workbook.date1904
		if i >= 0 && i < len(row.stored) {
			c.stored = row.stored[i]
		}
	}
	return c
}

// field is the text at index i of row ("" for an absent column).
func (row registerRow) field(i int) string {
	if i < 0 || i >= len(row.fields) {
		return ""
	}
	return row.fields[i]
}

// rows calls each for every data row, with the reason to refuse it before
// looking at its values ("" when its shape is right). An error, from
// reading or from each, means the table cannot be read on. The table's
// records are read by a goroutine of its own (recordsAhead), so that
// splitting lines overlaps with validating them.
func (r *registerTable) rows(read *int, each func(row registerRow, shapeProblem string) error) error {
	if r.workbook != nil && r.stored == nil {
		s, err := r.workbook.sheet(r.t.Sheet())
		if err != nil {
			return fmt.Errorf("%s: %w", r.where(), err)
		}
		r.stored = s
	}
	width := len(r.t.Header())
	ahead := r.recordsAhead()
	defer ahead.stop()
	for {
		b, ok := <-ahead.batches
		if !ok {
			return nil
		}
		for _, rec := range b.recs {
			*read++
			row := registerRow{line: rec.Line, raw: rec.Raw, fields: rec.Fields}
			if reason := tabular.RecordProblem(rec, width); reason != "" {
				if err := each(row, reason); err != nil {
					return err
				}
				continue
			}
			if r.stored != nil {
				var err error
				if row.stored, err = r.stored.cells(rec.Line); err != nil {
					return fmt.Errorf("%s: row %d: %w", r.where(), rec.Line, err)
				}
			}
			if err := each(row, ""); err != nil {
				return err
			}
		}
		switch {
		case b.err == io.EOF:
			return nil
		case b.err != nil:
			return b.err
		}
		select {
		case ahead.free <- b.recs[:0]:
		default:
		}
	}
}

// recordBatch is records read ahead, and the error that ended them (io.EOF
// at the end of the table).
type recordBatch struct {
	recs []tabular.Record
	err  error
}

// aheadBatches is how many batches of records are read ahead, and
// aheadRecords how many records each holds.
const (
	aheadBatches = 4
	aheadRecords = 256
)

// recordReader reads a table's records ahead, in batches, in a goroutine.
type recordReader struct {
	batches chan recordBatch      // closed after the last
	free    chan []tabular.Record // batches to reuse
	quit    chan struct{}
	done    chan struct{}
	once    sync.Once
}

func (r *registerTable) recordsAhead() *recordReader {
	rr := &recordReader{
		batches: make(chan recordBatch, aheadBatches),
		free:    make(chan []tabular.Record, aheadBatches+2),
		quit:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	go func() {
		defer close(rr.done)
		defer close(rr.batches)
		for {
			var b recordBatch
			select {
			case b.recs = <-rr.free:
			default:
				b.recs = make([]tabular.Record, 0, aheadRecords)
			}
			for len(b.recs) < aheadRecords && b.err == nil {
				var rec tabular.Record
				if rec, b.err = r.t.Next(); b.err == nil {
					b.recs = append(b.recs, rec)
				}
			}
			select {
			case rr.batches <- b:
			case <-rr.quit:
				return
			}
			if b.err != nil {
				return
			}
		}
	}()
	return rr
}

// stop ends the reading and waits for the goroutine, after which the table
// may be read on or closed.
func (rr *recordReader) stop() {
	rr.once.Do(func() { close(rr.quit) })
	for range rr.batches {
	}
	<-rr.done
}
