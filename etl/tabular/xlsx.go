package tabular

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
)

// OpenSheet opens one worksheet of an XLSX workbook.
func OpenSheet(path, sheet string) (*Table, error) {
	if err := requireXLSX(path); err != nil {
		return nil, err
	}
	if sheet == "" {
		return nil, fmt.Errorf("open %s: no sheet named", filepath.Base(path))
	}
	return openXLSX(path, sheet)
}

// Sheets lists the worksheets of an XLSX workbook in workbook order.
func Sheets(path string) ([]string, error) {
	if err := requireXLSX(path); err != nil {
		return nil, err
	}
	f, err := openWorkbook(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.GetSheetList(), nil
}

func requireXLSX(path string) error {
	if strings.ToLower(filepath.Ext(path)) != ".xlsx" {
		return fmt.Errorf("open %s: %w: only .xlsx workbooks have sheets", filepath.Base(path), ErrFormat)
	}
	return nil
}

// openWorkbook opens a workbook that CheckWorkbook passed; excelize keeps
// its own bounds too.
func openWorkbook(path string) (*excelize.File, error) {
	if err := checkWorkbookOnce(path); err != nil {
		return nil, err
	}
	f, err := excelize.OpenFile(path, excelize.Options{UnzipSizeLimit: DefaultLimits.MaxWorkbookBytes})
	if err == nil {
		return f, nil
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return nil, fmt.Errorf("open %s: %w", filepath.Base(path), err) // missing or unreadable, not malformed
	}
	return nil, fmt.Errorf("open %s: %w: not a readable XLSX workbook: %w", filepath.Base(path), ErrFormat, err)
}

// openXLSX opens sheet, or the first sheet when sheet is "".
func openXLSX(path, sheet string) (*Table, error) {
	name := filepath.Base(path)
	f, err := openWorkbook(path)
	if err != nil {
		return nil, err
	}
	sheets := f.GetSheetList()
	if sheet == "" && len(sheets) > 0 {
		sheet = sheets[0]
	}
	if idx, _ := f.GetSheetIndex(sheet); idx < 0 {
		f.Close()
		return nil, fmt.Errorf("open %s: %w: no sheet %q (sheets: %s)", name, ErrFormat, sheet, strings.Join(sheets, ", "))
	}
	// The streaming iterator keeps one row in memory; GetRows would load the
	// whole sheet.
	rows, err := f.Rows(sheet)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open %s: %w: sheet %q: %w", name, ErrFormat, sheet, err)
	}
	return newTable(name, sheet, &xlsxSource{f: f, rows: rows})
}

type xlsxSource struct {
	f    *excelize.File
	rows *excelize.Rows
	row  int // number of the current row; the iterator yields gaps as empty rows
}

// next returns cells as Excel displays them: excelize formats numbers with
// the cell's number format and rounds stored binary noise
// (0.81489999999999996) to Excel's 15 significant digits.
func (s *xlsxSource) next() (Record, error) {
	for s.rows.Next() {
		s.row++
		if s.row > DefaultLimits.MaxRows {
			return Record{}, fmt.Errorf("%w: %w: more than %d rows", ErrFormat, ErrTooLarge, DefaultLimits.MaxRows)
		}
		cells, err := s.rows.Columns()
		if err != nil {
			return Record{}, fmt.Errorf("%w: row %d: %w", ErrFormat, s.row, err)
		}
		blank, invalid := trimFields(cells)
		if blank {
			continue
		}
		return Record{Line: s.row, Fields: cells, Raw: joinCSV(cells), InvalidUTF8: invalid}, nil
	}
	if err := s.rows.Error(); err != nil {
		return Record{}, fmt.Errorf("%w: after row %d: %w", ErrFormat, s.row, err)
	}
	return Record{}, io.EOF
}

func (s *xlsxSource) close() error {
	return errors.Join(s.rows.Close(), s.f.Close())
}
