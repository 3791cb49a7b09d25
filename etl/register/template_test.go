package register

import (
	"bytes"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/sinergi-id/sinergi/internal/cooperation"
)

// go test ./etl/register/ -run RegisterTemplate -update-register-template rewrites
// the committed template files from template_gen_test.go.
var updateRegisterTemplate = flag.Bool("update-register-template", false, "rewrite docs/register-template.xlsx and docs/register-template/*.csv")

const (
	templateWorkbook = "../../docs/register-template.xlsx"
	templateCSVDir   = "../../docs/register-template"
)

// registerTemplateCSV is a table's CSV template: the header and the example.
func registerTemplateCSV(t *testing.T, id registerTableID) []byte {
	t.Helper()
	var header, example []string
	for _, c := range registerTemplate[id] {
		header = append(header, c.name)
		example = append(example, c.example)
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll([][]string{header, example}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRegisterTemplateCommittedFilesInSync(t *testing.T) {
	if *updateRegisterTemplate {
		if err := WriteTemplate(templateWorkbook); err != nil {
			t.Fatal(err)
		}
		for id, def := range registerTableDefs {
			path := filepath.Join(templateCSVDir, def.name+".csv")
			if err := os.WriteFile(path, registerTemplateCSV(t, registerTableID(id)), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for id, def := range registerTableDefs {
		path := filepath.Join(templateCSVDir, def.name+".csv")
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (regenerate with -update-register-template)", err)
		}
		if want := registerTemplateCSV(t, registerTableID(id)); !bytes.Equal(got, want) {
			t.Errorf("%s is out of date (regenerate with -update-register-template):\n got %q\nwant %q", path, got, want)
		}
	}
	fresh := filepath.Join(t.TempDir(), "register-template.xlsx")
	if err := WriteTemplate(fresh); err != nil {
		t.Fatal(err)
	}
	committed, generated := workbookCells(t, templateWorkbook), workbookCells(t, fresh)
	if !reflect.DeepEqual(committed, generated) {
		t.Errorf("%s is out of date (regenerate with -update-register-template):\ncommitted %q\ngenerated %q", templateWorkbook, committed, generated)
	}
}

// workbookCells lists a workbook's sheets and their cells, both as shown
// and as stored.
func workbookCells(t *testing.T, path string) map[string][2][][]string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("%v (regenerate with -update-register-template)", err)
	}
	defer f.Close()
	out := map[string][2][][]string{}
	for i, sheet := range f.GetSheetList() {
		shown, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		out[string(rune('0'+i))+" "+sheet] = [2][][]string{shown, stored}
	}
	return out
}

func TestRegisterTemplateColumnsAreTheParsersColumns(t *testing.T) {
	for id, def := range registerTableDefs {
		var specs, template []string
		for _, spec := range def.columns {
			specs = append(specs, spec.Name)
		}
		for _, c := range registerTemplate[id] {
			template = append(template, c.name)
			if c.note == "" || c.width <= 0 {
				t.Errorf("%s.%s: no note or width", def.name, c.name)
			}
		}
		if !reflect.DeepEqual(specs, template) {
			t.Errorf("%s: template columns %v, parser columns %v", def.name, template, specs)
		}
	}
}

// Every enumerated value is documented, and every Indonesian spelling the
// README offers is one the parser accepts.
func TestRegisterTemplateEnumSpellings(t *testing.T) {
	parsers := map[string]struct {
		parse  func(string) (string, error)
		values []string
	}{
		"document_type": {asString(cooperation.ParseDocumentType), strings1(cooperation.DocumentTypes)},
		"status":        {asString(cooperation.ParseStatus), strings1(cooperation.Statuses)},
		"issues":        {asString(cooperation.ParseIssue), strings1(cooperation.Issues)},
		"fields":        {asString(cooperation.ParseField), strings1(cooperation.Fields)},
		"party_type":    {asString(cooperation.ParsePartyType), strings1(cooperation.PartyTypes)},
		"sector":        {asString(cooperation.ParseSector), strings1(cooperation.Sectors)},
	}
	if len(registerEnumDocs) != len(parsers) {
		t.Errorf("%d enumerations documented, want %d", len(registerEnumDocs), len(parsers))
	}
	for _, e := range registerEnumDocs {
		p, ok := parsers[e.column]
		if !ok {
			t.Errorf("unknown enumerated column %s", e.column)
			continue
		}
		var values []string
		for _, v := range e.values {
			values = append(values, v[0])
			for _, spelling := range strings.Split(v[1], ",") {
				if got, err := p.parse(spelling); err != nil || got != v[0] {
					t.Errorf("%s: %q parses as %q, %v; the README says %s", e.column, spelling, got, err, v[0])
				}
			}
		}
		if !reflect.DeepEqual(values, p.values) {
			t.Errorf("%s: documented %v, the parser knows %v", e.column, values, p.values)
		}
	}
}

func asString[T ~string](parse func(string) (T, error)) func(string) (string, error) {
	return func(s string) (string, error) {
		v, err := parse(s)
		return string(v), err
	}
}

func strings1[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// The template's example rows (ids CONTOH-…) are refused, each saying why;
// with ids of its own the example is a valid register: the generated
// workbook and the CSV templates each load with no reject, to the same rows.
func TestRegisterTemplateParses(t *testing.T) {
	known := kaltimRegions(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "register-template.xlsx")
	if err := WriteTemplate(path); err != nil {
		t.Fatal(err)
	}
	var csvPaths []string
	for _, def := range registerTableDefs {
		csvPaths = append(csvPaths, filepath.Join(templateCSVDir, def.name+".csv"))
	}
	for name, files := range map[string][]string{"xlsx": {path}, "csv": csvPaths} {
		b, err := Parse(files, known)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Agreements)+len(b.Parties)+len(b.Bodies)+len(b.Realisations) != 0 || len(b.Rejects) != 4 {
			t.Errorf("%s template as shipped: %d agreements, %d rejects; want its 4 example rows refused", name, len(b.Agreements), len(b.Rejects))
		}
		for _, rj := range b.Rejects {
			if !strings.Contains(rj.Reason, "CONTOH-") || !strings.Contains(rj.Reason, "fictional example") {
				t.Errorf("%s template: reject %q does not say it is the example", name, rj.Reason)
			}
		}
	}

	fromXLSX, err := Parse([]string{ownIDsWorkbook(t, path)}, known)
	if err != nil {
		t.Fatal(err)
	}
	fromCSV, err := Parse(ownIDsCSV(t, csvPaths), known)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string]Parsed{"xlsx": fromXLSX, "csv": fromCSV} {
		if len(b.Rejects) != 0 {
			t.Errorf("%s template: rejects %+v", name, b.Rejects)
		}
		if len(b.Agreements) != 1 || len(b.Parties) != 1 || len(b.Bodies) != 1 || len(b.Realisations) != 1 || b.RowsRead != 4 {
			t.Errorf("%s template: %+v", name, b)
		}
	}
	checkRegisterBatch(t, fromXLSX, fromCSV)
	a := fromXLSX.Agreements[0]
	if a.ID != "KUKAR-2025-001" || !a.SignedOn.Equal(day(2025, 8, 26)) || a.CommittedValue == nil || a.CommittedValue.String() != "150000000" ||
		!slices.Equal(a.DeclaredIssues, []cooperation.Issue{cooperation.IssueThirdParty, cooperation.IssueEnergyMineral}) {
		t.Errorf("template agreement %+v", a)
	}
	if p := fromXLSX.Parties[0]; p.Sector != cooperation.SectorCoal || p.Region != "640202" {
		t.Errorf("template party %+v", p)
	}
	if r := fromXLSX.Realisations[0]; !r.Month.Equal(day(2025, 10, 1)) || r.Value.String() != "25000000" || r.Beneficiaries != 40 {
		t.Errorf("template realisation %+v", r)
	}

	// The workbook's own shape: bold headers, README with every value.
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{"agreements", "parties", "bodies", "realisations", "README"}) {
		t.Errorf("sheets %v", got)
	}
	style, err := f.GetCellStyle("agreements", "A1")
	if err != nil {
		t.Fatal(err)
	}
	if s, err := f.GetStyle(style); err != nil || s.Font == nil || !s.Font.Bold {
		t.Errorf("header style %+v, %v: want bold", s, err)
	}
	if w, err := f.GetColWidth("agreements", "C"); err != nil || w < 30 {
		t.Errorf("title column width %v, %v", w, err)
	}
	readme, err := f.GetRows("README")
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, row := range readme {
		text.WriteString(strings.Join(row, " ") + "\n")
	}
	for _, e := range registerEnumDocs {
		for _, v := range e.values {
			if !strings.Contains(text.String(), e.column+" "+v[0]+" "+v[1]) {
				t.Errorf("README lacks %s %s", e.column, v[0])
			}
		}
	}
}

// ownIDs is what an office writes over the example's ids.
var ownIDs = strings.NewReplacer("CONTOH-", "KUKAR-")

// ownIDsCSV copies the CSV templates with the example's ids replaced.
func ownIDsCSV(t *testing.T, paths []string) []string {
	t.Helper()
	dir := t.TempDir()
	var out []string
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, filepath.Base(p))
		if err := os.WriteFile(dst, []byte(ownIDs.Replace(string(b))), 0o600); err != nil {
			t.Fatal(err)
		}
		out = append(out, dst)
	}
	return out
}

// ownIDsWorkbook copies the workbook with the example's ids replaced.
func ownIDsWorkbook(t *testing.T, path string) string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c, v := range row {
				if strings.Contains(v, "CONTOH-") {
					cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
					if err := f.SetCellStr(sheet, cell, ownIDs.Replace(v)); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
	out := filepath.Join(t.TempDir(), "register.xlsx")
	if err := f.SaveAs(out); err != nil {
		t.Fatal(err)
	}
	return out
}
