package tabular

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestCheckWorkbookLimits refuses a workbook past each limit, and lets
// one within them through.
func TestCheckWorkbookLimits(t *testing.T) {
	f := excelize.NewFile()
	for i := 2; i <= 3; i++ {
		if _, err := f.NewSheet(fmt.Sprintf("Sheet%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	for r := 1; r <= 50; r++ {
		for c := 1; c <= 4; c++ {
			cell, _ := excelize.CoordinatesToCellName(c, r)
			f.SetCellValue("Sheet1", cell, r*c)
		}
	}
	path := filepath.Join(t.TempDir(), "book.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	ok := Limits{MaxWorkbookBytes: 1 << 20, MaxSheets: 3, MaxRows: 50, MaxCells: 200}
	if err := CheckWorkbook(path, ok); err != nil {
		t.Fatalf("within the limits: %v", err)
	}
	for name, lim := range map[string]Limits{
		"unpacks to":          {MaxWorkbookBytes: 1 << 10, MaxSheets: 3, MaxRows: 50, MaxCells: 200},
		"3 worksheets":        {MaxWorkbookBytes: 1 << 20, MaxSheets: 2, MaxRows: 50, MaxCells: 200},
		"more than 49 rows":   {MaxWorkbookBytes: 1 << 20, MaxSheets: 3, MaxRows: 49, MaxCells: 200},
		"more than 199 cells": {MaxWorkbookBytes: 1 << 20, MaxSheets: 3, MaxRows: 50, MaxCells: 199},
	} {
		err := CheckWorkbook(path, lim)
		if !errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), name) {
			t.Errorf("%+v: %v, want too large (%s)", lim, err, name)
		}
	}
}

// TestLongCSVLineIsARejectNotARead: a line past MaxLineBytes becomes a
// record with a problem and the beginning of its text; the lines around
// it are read as usual.
func TestLongCSVLineIsARejectNotARead(t *testing.T) {
	body := "a,b\n1,2\n" + "3," + strings.Repeat("x", DefaultLimits.MaxLineBytes+10) + "\n5,6\n"
	path := filepath.Join(t.TempDir(), "long.csv")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	tbl, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Close()
	var got []Record
	for {
		rec, err := tbl.Next()
		if err != nil {
			break
		}
		got = append(got, rec)
	}
	if len(got) != 3 || got[0].Fields[1] != "2" || got[2].Fields[0] != "5" {
		t.Fatalf("records: %d %+v", len(got), got)
	}
	long := got[1]
	if long.Line != 3 || !strings.Contains(long.Problem, "longer than") || len(long.Raw) > 4096 || long.Fields != nil {
		t.Fatalf("the long line: line %d, problem %q, %d bytes kept", long.Line, long.Problem, len(long.Raw))
	}
}

// TestLongFieldIsRefused: a field longer than MaxFieldBytes (here a quoted
// one over several lines, each within the line limit) refuses its row with
// a reason, keeping a bounded part of it; formula-like cells are read as
// the text they are (the API's exports keep them inert).
func TestLongFieldIsRefused(t *testing.T) {
	line := strings.Repeat("n", 400<<10)
	tbl, err := fromCSV("long.csv", strings.NewReader("name,note\n\""+line+"\n"+line+"\n"+line+"\",x\n2,3\n"))
	if err != nil {
		t.Fatal(err)
	}
	long, err := tbl.Next()
	if err != nil || long.Fields != nil || !strings.Contains(long.Problem, "more than the 1048576 a field may hold") || len(long.Raw) > 4096 {
		t.Fatalf("the long field: problem %q, %d bytes kept, %v", long.Problem, len(long.Raw), err)
	}
	if next, err := tbl.Next(); err != nil || next.Fields[0] != "2" {
		t.Fatalf("the row after: %+v %v", next, err)
	}

	f := excelize.NewFile()
	f.SetCellStr("Sheet1", "A1", "name")
	f.SetCellStr("Sheet1", "B1", "note")
	f.SetCellStr("Sheet1", "A2", `=HYPERLINK("http://10.0.0.1/","klik")`)
	f.SetCellStr("Sheet1", "B2", "@SUM(1)")
	path := filepath.Join(t.TempDir(), "formula.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	book, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	formula, err := book.Next()
	if err != nil || formula.Fields[0] != `=HYPERLINK("http://10.0.0.1/","klik")` || formula.Fields[1] != "@SUM(1)" {
		t.Fatalf("the formula-like cells: %+v %v", formula, err)
	}
}
