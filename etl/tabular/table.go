// Package tabular reads the tables that ETL sources arrive in (CSV exports
// and Excel workbooks) as a stream of records, so a national-scale file never
// has to fit in memory. It only splits files into trimmed text fields; what
// the fields mean is for the caller to decide.
package tabular

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// ErrFormat marks a file that cannot be read as a table at all: an
// unsupported format or encoding, no header, or broken structure. Problems
// confined to one record are reported on the record instead.
var ErrFormat = errors.New("unreadable table")

// Record is one data row of a table.
type Record struct {
	// Line is the 1-based line (CSV) or row (XLSX) number in the file where
	// the record starts; the header row of a plain file is line 1.
	Line int
	// Fields are the record's cells, trimmed of surrounding spaces. Cells past
	// the header's width are dropped when they are empty, and an XLSX row is
	// padded to the header's width (Excel does not store empty trailing
	// cells); a CSV row keeps its own width so a truncated row can be refused.
	Fields []string
	// Raw is the record as it appeared in a CSV file (its exact text), or the
	// cells of an XLSX row joined as CSV. It is kept for reporting rejects and
	// may hold invalid UTF-8.
	Raw string
	// InvalidUTF8 is set when a field is not valid UTF-8 (typically a file
	// saved as Latin-1); the caller should refuse the record.
	InvalidUTF8 bool
	// Problem is set when the record could not be split into fields (broken
	// CSV quoting); Fields is then nil and the caller should refuse the record
	// with Problem as the reason.
	Problem string
}

// rowSource is one file format's way of producing records.
type rowSource interface {
	// next returns the next non-empty row, untrimmed beyond field spaces, or
	// io.EOF.
	next() (Record, error)
	close() error
}

// Table is an open table positioned after its header row.
type Table struct {
	source string
	sheet  string
	header []string
	rows   rowSource
}

// Source is the file name the table was read from (no directory).
func (t *Table) Source() string { return t.source }

// Sheet is the worksheet read from an XLSX file, "" for CSV.
func (t *Table) Sheet() string { return t.sheet }

// Header is the header row as written in the file (trimmed, trailing empty
// cells dropped).
func (t *Table) Header() []string { return t.header }

// Next returns the next data record, or io.EOF after the last one. Blank
// rows are skipped. An error other than io.EOF means the rest of the file
// cannot be read.
func (t *Table) Next() (Record, error) {
	rec, err := t.rows.next()
	if err == io.EOF {
		return Record{}, io.EOF
	}
	if err != nil {
		return Record{}, fmt.Errorf("read %s: %w", t.source, err)
	}
	if rec.Problem == "" {
		rec.Fields = fitWidth(rec.Fields, len(t.header), t.sheet != "")
	}
	for i, f := range rec.Fields {
		if len(f) > DefaultLimits.MaxFieldBytes {
			rec.Problem = fmt.Sprintf("field %d is %d bytes long, more than the %d a field may hold", i+1, len(f), DefaultLimits.MaxFieldBytes)
			rec.Fields = nil
			if len(rec.Raw) > 4096 {
				rec.Raw = rec.Raw[:4096]
			}
			break
		}
	}
	return rec, nil
}

// Close releases the file.
func (t *Table) Close() error { return t.rows.close() }

// Open opens a CSV or XLSX file by its extension; for a workbook it reads the
// first sheet.
func Open(path string) (*Table, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return openCSV(path)
	case ".xlsx":
		return openXLSX(path, "")
	case ".xls":
		return nil, fmt.Errorf("open %s: %w: old Excel .xls workbooks are not supported; save it as .xlsx or as UTF-8 .csv", filepath.Base(path), ErrFormat)
	}
	return nil, fmt.Errorf("open %s: %w: unsupported file type %q (accepted: .csv, .xlsx)", filepath.Base(path), ErrFormat, filepath.Ext(path))
}

// newTable reads the header from rows and returns the table positioned at the
// first data row. It closes rows on failure.
func newTable(source, sheet string, rows rowSource) (*Table, error) {
	hdr, err := rows.next()
	if err == io.EOF {
		rows.close()
		return nil, fmt.Errorf("read %s: %w: empty file: no header row", source, ErrFormat)
	}
	if err != nil {
		rows.close()
		return nil, fmt.Errorf("read %s: %w", source, err)
	}
	switch {
	case hdr.Problem != "":
		err = fmt.Errorf("header (line %d): %s", hdr.Line, hdr.Problem)
	case hdr.InvalidUTF8:
		err = fmt.Errorf("header (line %d) is not valid UTF-8 (save as UTF-8)", hdr.Line)
	}
	if err != nil {
		rows.close()
		return nil, fmt.Errorf("read %s: %w: %w", source, ErrFormat, err)
	}
	return &Table{source: source, sheet: sheet, header: trimTrailingEmpty(hdr.Fields), rows: rows}, nil
}

// trimFields trims every field and reports whether all are empty and whether
// any is not valid UTF-8.
func trimFields(fields []string) (blank, invalidUTF8 bool) {
	blank = true
	for i, f := range fields {
		f = strings.TrimSpace(f)
		fields[i] = f
		if f != "" {
			blank = false
		}
		if !utf8.ValidString(f) {
			invalidUTF8 = true
		}
	}
	return blank, invalidUTF8
}

// trimOnly trims every field and reports whether all are empty.
func trimOnly(fields []string) (blank bool) {
	blank = true
	for i, f := range fields {
		if f != "" && (f[0] <= ' ' || f[len(f)-1] <= ' ' || f[0] >= utf8.RuneSelf || f[len(f)-1] >= utf8.RuneSelf) {
			f = strings.TrimSpace(f)
			fields[i] = f
		}
		if f != "" {
			blank = false
		}
	}
	return blank
}

func trimTrailingEmpty(fields []string) []string {
	n := len(fields)
	for n > 0 && fields[n-1] == "" {
		n--
	}
	return fields[:n]
}

// fitWidth drops empty cells past the header's width, which spreadsheets
// leave behind after a column was cleared, and pads short rows when the
// format does not store empty trailing cells.
func fitWidth(fields []string, width int, pad bool) []string {
	for len(fields) > width && fields[len(fields)-1] == "" {
		fields = fields[:len(fields)-1]
	}
	for pad && len(fields) < width {
		fields = append(fields, "")
	}
	return fields
}

// joinCSV writes fields as one CSV line, for the Raw text of rows that did
// not come from CSV.
func joinCSV(fields []string) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(fields) // a strings.Builder does not fail
	w.Flush()
	return strings.TrimRight(b.String(), "\n")
}

// ParseFile opens a file as a table and parses it.
func ParseFile[B any](path string, parse func(*Table) (B, error)) (B, error) {
	var zero B
	t, err := Open(path)
	if err != nil {
		return zero, err
	}
	defer t.Close()
	return parse(t)
}
