package register

import (
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/sinergi-id/sinergi/etl/tabular"
	"github.com/sinergi-id/sinergi/internal/ingest"
)

// annotationHeader heads the column beside the office's own columns that
// says why a row was refused or looks wrong (in the console's language).
const annotationHeader = "Keterangan"

// warningPrefix starts the Keterangan of a warning: the row loads, but
// looks wrong, so that the office tells it from a refusal without colour.
const warningPrefix = "Peringatan: "

// The fills: red (Excel's "Bad") for a refusal, yellow (its "Neutral")
// for a warning; the Keterangan cell takes the font colour too.
var (
	refusedFill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}
	warningFill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFEB9C"}}
)

// note is one reason of a row's Keterangan: a refusal or a warning.
type note struct {
	tabular.Reject
	warning bool
}

// Annotate writes the checked register (the files at paths, as the office
// sent them) back with a Keterangan column beside each table saying why
// each refused row was refused and what looks wrong in each row that loads
// with a warning ("Peringatan: …"), several reasons joined with "; ",
// refusals first; each reason about one column names it first ("Tanggal
// Mulai: …") and that column's cell is filled: red for a refusal, yellow
// for a warning (the Keterangan cell likewise, red when the row is
// refused), so that the office fixes and sends the same file again. A
// workbook is written as it came, the column added; CSV files become one
// sheet each, every row at its own line number. Cells are written as
// text: nothing is evaluated. notes are the rejects then the warnings
// (ingest.Reject.Warning).
func (r *Registers) Annotate(w io.Writer, paths []string, notes []ingest.Reject) error {
	sheets := map[string]map[int][]note{} // sheet → line → refusals, then warnings
	oneWorkbook := len(paths) == 1 && strings.EqualFold(filepath.Ext(paths[0]), ".xlsx")
	for _, rj := range notes {
		sheet := rj.Sheet
		if !oneWorkbook {
			sheet = csvSheetName(rj.Source, rj.Sheet)
		}
		if sheets[sheet] == nil {
			sheets[sheet] = map[int][]note{}
		}
		sheets[sheet][rj.Line] = append(sheets[sheet][rj.Line], note{tabular.Reject{Source: rj.Source, Sheet: rj.Sheet, Line: rj.Line,
			Column: rj.Column, Reason: rj.Reason, Record: rj.Record}, rj.Warning})
	}
	var f *excelize.File
	var err error
	if oneWorkbook {
		if f, err = excelize.OpenFile(paths[0], excelize.Options{UnzipSizeLimit: r.Limits.MaxWorkbookBytes}); err != nil {
			return err
		}
	} else if f, err = csvWorkbook(paths); err != nil {
		return err
	}
	defer f.Close()
	refusedStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "9C0006"},
		Fill: refusedFill, Alignment: &excelize.Alignment{WrapText: true}})
	if err != nil {
		return err
	}
	warningStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "9C5700"},
		Fill: warningFill, Alignment: &excelize.Alignment{WrapText: true}})
	if err != nil {
		return err
	}
	cellStyles := map[cellStyle]int{} // a cell's style and fill → that style so filled
	for sheet, lines := range sheets {
		headerRow, header, err := sheetHeader(f, sheet)
		width := len(header)
		if err != nil || width == 0 {
			continue // a sheet of rejects that is gone (a layout problem has no rows)
		}
		col, _ := excelize.ColumnNumberToName(width + 1)
		if err := f.SetCellStr(sheet, col+itoa(headerRow), annotationHeader); err != nil {
			return err
		}
		_ = f.SetColWidth(sheet, col, col, 60)
		for line, row := range lines {
			texts := make([]string, len(row))
			refused := map[int]bool{} // columns filled red already
			for i, n := range row {
				texts[i] = annotation(n.Reject)
				if n.warning {
					texts[i] = warningPrefix + texts[i]
				}
				c := slices.Index(header, n.Column)
				if n.Column == "" || c < 0 || n.warning && refused[c] {
					continue
				}
				fill := refusedFill
				if n.warning {
					fill = warningFill
				} else {
					refused[c] = true
				}
				if err := markCell(f, sheet, c+1, line, fill, cellStyles); err != nil {
					return err
				}
			}
			cell := col + itoa(line)
			if err := f.SetCellStr(sheet, cell, strings.Join(texts, "; ")); err != nil {
				return err
			}
			style := refusedStyle
			if row[0].warning { // refusals come first: none
				style = warningStyle
			}
			_ = f.SetCellStyle(sheet, cell, cell, style)
		}
	}
	_, err = f.WriteTo(w)
	return err
}

// annotation is a reject's text in the Keterangan column: its reason,
// after the column it is about unless the reason starts with it already.
func annotation(rj tabular.Reject) string {
	if rj.Column == "" || strings.HasPrefix(rj.Reason, rj.Column) {
		return rj.Reason
	}
	return rj.Column + ": " + rj.Reason
}

// cellStyle is a cell's style and the fill it gets.
type cellStyle struct {
	style int
	fill  string
}

// markCell fills the cell at column col, row (red for a refusal, yellow
// for a warning), keeping the rest of its style (a date's number format,
// a font); styles caches the filled copy of each style.
func markCell(f *excelize.File, sheet string, col, row int, fill excelize.Fill, styles map[cellStyle]int) error {
	cell, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return err
	}
	was, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		return err
	}
	key := cellStyle{was, fill.Color[0]}
	filled, ok := styles[key]
	if !ok {
		st, err := f.GetStyle(was)
		if err != nil {
			return err
		}
		st.Fill = fill
		if filled, err = f.NewStyle(st); err != nil {
			return err
		}
		styles[key] = filled
	}
	return f.SetCellStyle(sheet, cell, cell, filled)
}

// sheetHeader finds a sheet's header row (its first row with a value) and
// its cells, trimmed as the checked table's header was.
func sheetHeader(f *excelize.File, sheet string) (row int, header []string, err error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	for n := 1; rows.Next(); n++ {
		cols, err := rows.Columns()
		if err != nil {
			return 0, nil, err
		}
		for i := range cols {
			cols[i] = strings.TrimSpace(cols[i])
		}
		for len(cols) > 0 && cols[len(cols)-1] == "" {
			cols = cols[:len(cols)-1]
		}
		if len(cols) > 0 {
			return n, cols, nil
		}
	}
	return 0, nil, rows.Error()
}

// csvWorkbook puts CSV files in a workbook, a sheet each (csvSheetName),
// every record at its line, as text.
func csvWorkbook(paths []string) (*excelize.File, error) {
	f := excelize.NewFile()
	first := true
	for _, path := range paths {
		t, err := tabular.Open(path)
		if err != nil {
			f.Close()
			return nil, err
		}
		sheet := csvSheetName(t.Source(), csvTable(t.Header()))
		if first {
			err = f.SetSheetName("Sheet1", sheet)
			first = false
		} else {
			_, err = f.NewSheet(sheet)
		}
		if err == nil {
			err = writeRow(f, sheet, 1, t.Header())
		}
		for err == nil {
			var rec tabular.Record
			if rec, err = t.Next(); err != nil {
				break
			}
			fields := rec.Fields
			if fields == nil {
				fields = []string{rec.Raw}
			}
			err = writeRow(f, sheet, rec.Line, fields)
		}
		t.Close()
		if err != io.EOF {
			f.Close()
			return nil, err
		}
	}
	return f, nil
}

func writeRow(f *excelize.File, sheet string, row int, fields []string) error {
	for i, v := range fields {
		cell, err := excelize.CoordinatesToCellName(i+1, row)
		if err != nil {
			return err
		}
		if err := f.SetCellStr(sheet, cell, v); err != nil {
			return err
		}
	}
	return nil
}

// csvSheetName names the sheet of a CSV file of a register: its table.
func csvSheetName(source, table string) string {
	if table != "" {
		return table
	}
	return strings.TrimSuffix(filepath.Base(source), filepath.Ext(source))
}

func itoa(n int) string { return strconv.Itoa(n) }
