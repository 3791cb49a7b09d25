package graph

import (
	"bytes"
	"encoding/csv"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/xuri/excelize/v2"
)

// TestExportTextIsNeverAFormula writes names a spreadsheet would run as
// formulas and wants them kept as text: in CSV behind an apostrophe, in
// XLSX as string cells.
func TestExportTextIsNeverAFormula(t *testing.T) {
	formulas := []string{`=HYPERLINK("http://example.com","klik")`, "+62 811", "-1+1", "@SUM(A1:A2)", "\t=1", "\r=1"}
	plain := []string{"Desa Lung Anai", "PT Multi Harapan Utama (MHU) - Loa Kulu", "1+1", ""}
	row := func(texts []string) []exportCell {
		out := make([]exportCell, len(texts))
		for i, s := range texts {
			out[i] = exportCell{text: s}
		}
		return out
	}

	rec := httptest.NewRecorder()
	cw := newCSVWriter(rec)
	if err := cw.row(row(formulas)); err != nil {
		t.Fatal(err)
	}
	if err := cw.row(row(plain)); err != nil {
		t.Fatal(err)
	}
	if err := cw.close(); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(bytes.NewReader(rec.Body.Bytes()))
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range formulas {
		if records[0][i] != "'"+s {
			t.Errorf("csv: %q written as %q, want it behind an apostrophe", s, records[0][i])
		}
	}
	for i, s := range plain {
		if records[1][i] != s {
			t.Errorf("csv: %q written as %q, want it as it is", s, records[1][i])
		}
	}

	rec = httptest.NewRecorder()
	xw := newXLSXWriter(rec, "uji")
	if err := xw.header([]string{"nama"}); err != nil {
		t.Fatal(err)
	}
	if err := xw.row(row(formulas)); err != nil {
		t.Fatal(err)
	}
	if err := xw.close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i, s := range formulas {
		cell, _ := excelize.CoordinatesToCellName(i+1, 2)
		formula, _ := f.GetCellFormula("uji", cell)
		value, _ := f.GetCellValue("uji", cell)
		typ, _ := f.GetCellType("uji", cell)
		if formula != "" || value != strings.TrimRight(s, "") || typ == excelize.CellTypeFormula {
			t.Errorf("xlsx %s: %q written as value %q, formula %q, type %v", cell, s, value, formula, typ)
		}
	}
}

// TestIndonesianColumnNames wants every field of the schema to have an
// Indonesian column name, so that no export with lang=id mixes languages.
func TestIndonesianColumnNames(t *testing.T) {
	schema := NewExecutableSchema(Config{}).Schema()
	for _, ty := range schema.Types {
		if ty.Kind != ast.Object || ty.BuiltIn || ty.Name == "Query" || ty.Name == "Mutation" || strings.HasPrefix(ty.Name, "__") {
			continue
		}
		for _, f := range ty.Fields {
			if _, ok := indonesianColumns[f.Name]; !ok && !strings.HasPrefix(f.Name, "__") {
				t.Errorf("%s.%s has no Indonesian column name (graph/export_headers.go)", ty.Name, f.Name)
			}
		}
	}
}
