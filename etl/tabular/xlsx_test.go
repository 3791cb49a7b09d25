package tabular

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// writeWorkbook saves sheets (name → rows of cell values, written from A1)
// as an XLSX file in a temporary directory. Cells that are nil stay empty.
func writeWorkbook(t *testing.T, name string, sheets []string, rows map[string][][]any) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, sheet := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sheet); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(sheet); err != nil {
			t.Fatal(err)
		}
		for r, row := range rows[sheet] {
			for c, v := range row {
				if v == nil {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := f.SetCellValue(sheet, cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	path := filepath.Join(t.TempDir(), name)
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestXLSXRecords(t *testing.T) {
	path := writeWorkbook(t, "idm.xlsx", []string{"IDM 2023", "Catatan"}, map[string][][]any{
		"IDM 2023": {
			{"KODE_DESA_DAGRI", " DESA ", "IKS_2023", "STATUS_IDM_2023"},
			{6401012009, "SAMURANGAU", 0.8149, "MAJU"},
			{},                                 // empty row: skipped
			{"6401012010", "BUSUI", 0.1 + 0.2}, // float noise, missing trailing cell
			{nil, nil, nil, nil, nil, "  "},    // only blanks: skipped
			{"6401012011", nil, 1, "MANDIRI", nil, "extra"}, // empty middle cell, extra cell
		},
		"Catatan": {{"catatan"}, {"sumber: Kemendesa"}},
	})

	tbl, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer tbl.Close()
	if tbl.Source() != "idm.xlsx" || tbl.Sheet() != "IDM 2023" {
		t.Errorf("Source, Sheet = %q, %q; want the first sheet", tbl.Source(), tbl.Sheet())
	}
	if want := []string{"KODE_DESA_DAGRI", "DESA", "IKS_2023", "STATUS_IDM_2023"}; !reflect.DeepEqual(tbl.Header(), want) {
		t.Errorf("header = %q, want %q", tbl.Header(), want)
	}
	want := []Record{
		{Line: 2, Fields: []string{"6401012009", "SAMURANGAU", "0.8149", "MAJU"}, Raw: "6401012009,SAMURANGAU,0.8149,MAJU"},
		{Line: 4, Fields: []string{"6401012010", "BUSUI", "0.3", ""}, Raw: "6401012010,BUSUI,0.3"},
		{Line: 6, Fields: []string{"6401012011", "", "1", "MANDIRI", "", "extra"}, Raw: "6401012011,,1,MANDIRI,,extra"},
	}
	for i, w := range want {
		rec, err := tbl.Next()
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if !reflect.DeepEqual(rec, w) {
			t.Errorf("record %d = %+v\nwant %+v", i, rec, w)
		}
	}
	if _, err := tbl.Next(); err != io.EOF {
		t.Errorf("after last record: %v, want io.EOF", err)
	}
}

// A number stored with binary noise, as some writers save it, comes through
// as Excel shows it.
func TestXLSXStoredFloatNoise(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	for cell, v := range map[string]string{"A1": "iks", "A2": "0.81489999999999996", "A3": "0.59899999999999998"} {
		if cell == "A1" {
			f.SetCellStr("Sheet1", cell, v)
			continue
		}
		if err := f.SetCellDefault("Sheet1", cell, v); err != nil { // raw numeric text
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "noise.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	tbl, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Close()
	for _, want := range []string{"0.8149", "0.599"} {
		rec, err := tbl.Next()
		if err != nil || rec.Fields[0] != want {
			t.Errorf("got %q, %v; want %q", rec.Fields, err, want)
		}
	}
}

func TestXLSXSheets(t *testing.T) {
	path := writeWorkbook(t, "book.xlsx", []string{"Ringkasan", "Data"}, map[string][][]any{
		"Ringkasan": {{"judul"}},
		"Data":      {nil, {"kode", "nama"}, {"64", "Kaltim"}}, // header on row 2
	})
	sheets, err := Sheets(path)
	if err != nil || !reflect.DeepEqual(sheets, []string{"Ringkasan", "Data"}) {
		t.Fatalf("Sheets = %q, %v", sheets, err)
	}
	tbl, err := OpenSheet(path, "Data")
	if err != nil {
		t.Fatalf("OpenSheet: %v", err)
	}
	defer tbl.Close()
	rec, err := tbl.Next()
	if err != nil || tbl.Sheet() != "Data" || rec.Line != 3 || !reflect.DeepEqual(rec.Fields, []string{"64", "Kaltim"}) {
		t.Errorf("OpenSheet(Data): sheet %q, record %+v, %v", tbl.Sheet(), rec, err)
	}

	if _, err := OpenSheet(path, "IDM"); err == nil || !strings.Contains(err.Error(), `no sheet "IDM" (sheets: Ringkasan, Data)`) {
		t.Errorf("OpenSheet(missing) error = %v", err)
	}
	if _, err := Sheets(filepath.Join(t.TempDir(), "x.csv")); !errors.Is(err, ErrFormat) {
		t.Errorf("Sheets(csv) error = %v, want ErrFormat", err)
	}
}

func TestXLSXFileErrors(t *testing.T) {
	dir := t.TempDir()
	notZip := filepath.Join(dir, "fake.xlsx")
	if err := os.WriteFile(notZip, []byte("kode,nama\n64,Kaltim\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(notZip); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "not a readable XLSX workbook") {
		t.Errorf("Open(CSV named .xlsx) error = %v", err)
	}
	if _, err := Open(filepath.Join(dir, "missing.xlsx")); err == nil || errors.Is(err, ErrFormat) {
		t.Errorf("Open(missing.xlsx) error = %v, want a plain open error", err)
	}
	empty := writeWorkbook(t, "empty.xlsx", []string{"Sheet1"}, nil)
	if _, err := Open(empty); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "empty file: no header row") {
		t.Errorf("Open(empty workbook) error = %v", err)
	}
}
