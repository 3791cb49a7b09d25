package register

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/sinergi-id/sinergi/etl/tabular"
)

// The values an XLSX workbook's cells store, read beside tabular's
// displayed text.

// storedWorkbook reads an XLSX workbook a second time, beside tabular, for
// the values its cells store. tabular returns what Excel displays, which is
// right for text but not for numbers: a date cell displays in a format that
// depends on the author's locale ("08-26-25"), and "#,##0" rounds away the
// sen of an amount.
type storedWorkbook struct {
	f        *excelize.File
	date1904 bool
}

func openStoredWorkbook(path string) (*storedWorkbook, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w: not a readable XLSX workbook: %w", filepath.Base(path), tabular.ErrFormat, err)
	}
	wb := &storedWorkbook{f: f}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		wb.date1904 = *props.Date1904
	}
	return wb, nil
}

func (w *storedWorkbook) close() error { return w.f.Close() }

func (w *storedWorkbook) sheet(name string) (*storedSheet, error) {
	rows, err := w.f.Rows(name)
	if err != nil {
		return nil, fmt.Errorf("%w: sheet %q: %w", tabular.ErrFormat, name, err)
	}
	return &storedSheet{rows: rows}, nil
}

// storedSheet walks a sheet's rows in step with tabular's reader, which
// numbers rows the same way (every row of the iterator, gaps included).
type storedSheet struct {
	rows *excelize.Rows
	row  int
}

// cells returns the stored values of row line (1-based); rows are asked for
// in increasing order.
func (s *storedSheet) cells(line int) ([]string, error) {
	for s.row < line {
		if !s.rows.Next() {
			if err := s.rows.Error(); err != nil {
				return nil, fmt.Errorf("%w: %w", tabular.ErrFormat, err)
			}
			return nil, fmt.Errorf("%w: the sheet ends before row %d", tabular.ErrFormat, line)
		}
		s.row++
	}
	if s.row != line {
		return nil, fmt.Errorf("row %d asked for after row %d", line, s.row)
	}
	cells, err := s.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", tabular.ErrFormat, err)
	}
	for i, c := range cells {
		cells[i] = strings.TrimSpace(c)
	}
	return cells, nil
}

func (s *storedSheet) close() error { return s.rows.Close() }
