package submission

import (
	"context"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/sinergi-id/sinergi/etl/tabular"
)

// annotationHeader heads the column beside the office's own columns that
// says why a row was refused (in the console's language).
const annotationHeader = "Keterangan"

// AnnotatedWorkbook writes the checked register back as the office sent
// it, with a Keterangan column beside each table saying why each refused
// row was refused (several reasons joined with "; "), each reason about one
// column naming it first ("Tanggal Mulai: …") and that column's cell
// filled red, so that the office fixes and sends the same file again. A
// workbook is written as it came, the column added; CSV files become one
// sheet each, every row at its own line number. Cells are written as text:
// nothing is evaluated.
func (s *Service) AnnotatedWorkbook(ctx context.Context, id string, w io.Writer) (name string, err error) {
	r, err := s.Report(ctx, id)
	if err != nil {
		return "", err
	}
	reasons := map[string]map[int][]tabular.Reject{} // sheet → line → rejects
	for _, rj := range r.Rejects {
		sheet := rj.Sheet
		if len(r.Files) > 1 || !strings.EqualFold(filepath.Ext(r.Files[0].Name), ".xlsx") {
			sheet = csvSheetName(rj.Source, rj.Sheet)
		}
		if reasons[sheet] == nil {
			reasons[sheet] = map[int][]tabular.Reject{}
		}
		reasons[sheet][rj.Line] = append(reasons[sheet][rj.Line], rj)
	}
	var f *excelize.File
	if len(r.Files) == 1 && strings.EqualFold(filepath.Ext(r.Files[0].Name), ".xlsx") {
		if f, err = excelize.OpenFile(r.Files[0].path, excelize.Options{UnzipSizeLimit: s.limits.Workbook.MaxWorkbookBytes}); err != nil {
			return "", err
		}
	} else if f, err = csvWorkbook(r.Files); err != nil {
		return "", err
	}
	defer f.Close()
	style, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "9C0006"},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}, Alignment: &excelize.Alignment{WrapText: true}})
	if err != nil {
		return "", err
	}
	cellStyles := map[int]int{} // a cell's style → that style filled red
	for sheet, lines := range reasons {
		headerRow, header, err := sheetHeader(f, sheet)
		width := len(header)
		if err != nil || width == 0 {
			continue // a sheet of rejects that is gone (a layout problem has no rows)
		}
		col, _ := excelize.ColumnNumberToName(width + 1)
		if err := f.SetCellStr(sheet, col+itoa(headerRow), annotationHeader); err != nil {
			return "", err
		}
		_ = f.SetColWidth(sheet, col, col, 60)
		for line, rejects := range lines {
			texts := make([]string, len(rejects))
			for i, rj := range rejects {
				texts[i] = annotation(rj)
				if i := slices.Index(header, rj.Column); rj.Column != "" && i >= 0 {
					if err := markCell(f, sheet, i+1, line, cellStyles); err != nil {
						return "", err
					}
				}
			}
			cell := col + itoa(line)
			if err := f.SetCellStr(sheet, cell, strings.Join(texts, "; ")); err != nil {
				return "", err
			}
			_ = f.SetCellStyle(sheet, cell, cell, style)
		}
	}
	name = strings.TrimSuffix(r.Files[0].Name, filepath.Ext(r.Files[0].Name)) + " - keterangan.xlsx"
	_, err = f.WriteTo(w)
	return name, err
}

// annotation is a reject's text in the Keterangan column: its reason,
// after the column it is about unless the reason starts with it already.
func annotation(rj tabular.Reject) string {
	if rj.Column == "" || strings.HasPrefix(rj.Reason, rj.Column) {
		return rj.Reason
	}
	return rj.Column + ": " + rj.Reason
}

// refusedFill is the fill of a refused row's offending cell.
var refusedFill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}

// markCell fills the cell at column col, row red, keeping the rest of its
// style (a date's number format, a font); styles caches the red copy of
// each style.
func markCell(f *excelize.File, sheet string, col, row int, styles map[int]int) error {
	cell, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return err
	}
	was, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		return err
	}
	red, ok := styles[was]
	if !ok {
		st, err := f.GetStyle(was)
		if err != nil {
			return err
		}
		st.Fill = refusedFill
		if red, err = f.NewStyle(st); err != nil {
			return err
		}
		styles[was] = red
	}
	return f.SetCellStyle(sheet, cell, cell, red)
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
func csvWorkbook(files []File) (*excelize.File, error) {
	f := excelize.NewFile()
	first := true
	for _, file := range files {
		t, err := tabular.Open(file.path)
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
