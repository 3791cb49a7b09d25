package submission

import (
	"context"
	"io"
	"path/filepath"
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
// row was refused (several reasons joined with "; "), so that the office
// fixes and sends the same file again. A workbook is written as it came,
// the column added; CSV files become one sheet each, every row at its own
// line number. Cells are written as text: nothing is evaluated.
func (s *Service) AnnotatedWorkbook(ctx context.Context, id string, w io.Writer) (name string, err error) {
	r, err := s.Report(ctx, id)
	if err != nil {
		return "", err
	}
	reasons := map[string]map[int][]string{} // sheet → line → reasons
	for _, rj := range r.Rejects {
		sheet := rj.Sheet
		if len(r.Files) > 1 || !strings.EqualFold(filepath.Ext(r.Files[0].Name), ".xlsx") {
			sheet = csvSheetName(rj.Source, rj.Sheet)
		}
		if reasons[sheet] == nil {
			reasons[sheet] = map[int][]string{}
		}
		reasons[sheet][rj.Line] = append(reasons[sheet][rj.Line], rj.Reason)
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
	for sheet, lines := range reasons {
		headerRow, width, err := sheetHeader(f, sheet)
		if err != nil || width == 0 {
			continue // a sheet of rejects that is gone (a layout problem has no rows)
		}
		col, _ := excelize.ColumnNumberToName(width + 1)
		if err := f.SetCellStr(sheet, col+itoa(headerRow), annotationHeader); err != nil {
			return "", err
		}
		_ = f.SetColWidth(sheet, col, col, 60)
		for line, texts := range lines {
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

// sheetHeader finds a sheet's header row (its first row with a value) and
// width.
func sheetHeader(f *excelize.File, sheet string) (row, width int, err error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	for n := 1; rows.Next(); n++ {
		cols, err := rows.Columns()
		if err != nil {
			return 0, 0, err
		}
		for len(cols) > 0 && strings.TrimSpace(cols[len(cols)-1]) == "" {
			cols = cols[:len(cols)-1]
		}
		if len(cols) > 0 {
			return n, len(cols), nil
		}
	}
	return 0, 0, rows.Error()
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
