package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/sinergi-id/sinergi/etl"
)

// TestRejectsNameTheirColumn: an office's workbook, its headers spelt its
// own way, with a bad date, a bad number, a missing required value and an
// agreement outside the editor's scope. The check over HTTP names each
// field's column as the office's header writes it and none for the
// reasons of whole rows (out of scope, a party of a refused agreement);
// the run keeps them for etlRejects and its export; the annotated workbook
// says the column in Keterangan and fills the offending cell red, and
// annotates a row that loads with a warning (a desa named unlike its code)
// apart: "Peringatan: …", its cell yellow.
func TestRejectsNameTheirColumn(t *testing.T) {
	a, srv := kaltimServer(t)
	_, kukar := createKey(t, a, "--name", "DPMD Kukar", "--role", "editor", "--scope", "64.02")

	headers := map[string][]string{
		"agreements": {"Agreement ID", "Title", "Document Type", "Signed Date", "Status", "Committed Value"},
		"parties":    {"Agreement ID", "Party Type", "Name", "Region Code"},
	}
	rows := map[string][][]string{
		"agreements": {
			{"KUKAR-OK", "Pembinaan UMKM", "PKS", "2026-01-10", "ACTIVE", "100000000"},
			{"KUKAR-DATE", "Tanggal salah", "PKS", "kemarin", "ACTIVE", "100000000"},
			{"KUKAR-NUM", "Nilai salah", "PKS", "2026-01-12", "ACTIVE", "seratus juta"},
			{"KUKAR-EMPTY", "", "PKS", "2026-01-13", "ACTIVE", "100000000"},
			{"BERAU-OUT", "Desa wisata Kelay", "PKS", "2026-01-14", "ACTIVE", "50000000"},
		},
		"parties": {
			{"KUKAR-OK", "DESA", "Jonggon Desa", "64.02.02.2001"},
			{"KUKAR-DATE", "DESA", "Sungai Payang", "64.02.02.2002"},
			{"BERAU-OUT", "DESA", "Merabu", "64.03.01.2001"},
			{"KUKAR-OK", "DESA", "Kampung Keliru", "64.02.02.2003"},
		},
	}
	f := excelize.NewFile()
	for i, sheet := range []string{"agreements", "parties"} {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sheet); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(sheet); err != nil {
			t.Fatal(err)
		}
		for r, row := range append([][]string{headers[sheet]}, rows[sheet]...) {
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := f.SetCellStr(sheet, cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var book bytes.Buffer
	if _, err := f.WriteTo(&book); err != nil {
		t.Fatal(err)
	}
	f.Close()
	files := map[string][]byte{"Register Kukar.xlsx": book.Bytes()}

	type node struct {
		Sheet  string
		Line   int
		Column *string
		Reason string
	}
	column := func(s string) *string { return &s }
	want := []node{
		{"agreements", 3, column("Signed Date"), `"kemarin" is not a date`},
		{"agreements", 4, column("Committed Value"), `"seratus juta" is not an amount`},
		{"agreements", 5, column("Title"), "empty Title"},
		{"agreements", 6, nil, "outside your scope (64.02)"},
		{"parties", 3, nil, "agreement KUKAR-DATE was rejected"},
		{"parties", 4, nil, "outside your scope (64.02)"},
	}
	same := func(what string, got []node) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d rejects %+v, want %d", what, len(got), got, len(want))
		}
		for i, w := range want {
			g := got[i]
			if g.Sheet != w.Sheet || g.Line != w.Line || !strings.Contains(g.Reason, w.Reason) ||
				(g.Column == nil) != (w.Column == nil) || g.Column != nil && *g.Column != *w.Column {
				gc, wc := "null", "null"
				if g.Column != nil {
					gc = *g.Column
				}
				if w.Column != nil {
					wc = *w.Column
				}
				t.Errorf("%s %d: %s line %d column %s (%s), want %s line %d column %s (%s)", what, i, g.Sheet, g.Line, gc, g.Reason, w.Sheet, w.Line, wc, w.Reason)
			}
		}
	}

	check := decode[struct {
		CheckRegister struct {
			AnnotatedWorkbookPath string
			Rejects, Warnings     struct{ Nodes []node }
		}
	}](t, gqlUpload(t, srv, kukar, `mutation($files: [Upload!]!) { checkRegister(files: $files) {
		annotatedWorkbookPath rejects(first: 100) { nodes { sheet line column reason } }
		warnings(first: 100) { nodes { sheet line column reason } } } }`, files)).CheckRegister
	same("check", check.Rejects.Nodes)
	if w := check.Warnings.Nodes; len(w) != 1 || w[0].Sheet != "parties" || w[0].Line != 5 || w[0].Column == nil || *w[0].Column != "Name" ||
		!strings.Contains(w[0].Reason, "Kampung Keliru") {
		t.Fatalf("check warnings: %+v, want the desa named unlike its code, parties line 5 column Name", w)
	}

	// The annotated workbook: Keterangan names the column, and the cell
	// at fault is filled; a row refused as a whole has no cell filled.
	ans := send(t, http.MethodGet, srv.URL+check.AnnotatedWorkbookPath, kukar, "", nil)
	if ans.status != http.StatusOK {
		t.Fatalf("annotated workbook: %d %s", ans.status, ans.body)
	}
	annotated, err := excelize.OpenReader(strings.NewReader(ans.body))
	if err != nil {
		t.Fatal(err)
	}
	defer annotated.Close()
	fillOf := func(sheet, cell, color string) bool {
		t.Helper()
		idx, err := annotated.GetCellStyle(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		st, err := annotated.GetStyle(idx)
		if err != nil {
			t.Fatal(err)
		}
		return st.Fill.Pattern == 1 && slices.Contains(st.Fill.Color, color)
	}
	const red, yellow = "FFC7CE", "FFEB9C"
	filled := func(sheet, cell string) bool { t.Helper(); return fillOf(sheet, cell, red) }
	for _, w := range want {
		note, _ := annotated.GetCellValue(w.Sheet, fmt.Sprintf("%c%d", 'A'+len(headers[w.Sheet]), w.Line))
		if !strings.Contains(note, w.Reason) {
			t.Errorf("Keterangan of %s:%d = %q, want %q", w.Sheet, w.Line, note, w.Reason)
		}
		for c := range headers[w.Sheet] {
			cell, _ := excelize.CoordinatesToCellName(c+1, w.Line)
			wantFilled := w.Column != nil && headers[w.Sheet][c] == *w.Column
			if got := filled(w.Sheet, cell); got != wantFilled {
				t.Errorf("%s %s (%s) filled: %t, want %t", w.Sheet, cell, headers[w.Sheet][c], got, wantFilled)
			}
		}
		if w.Column != nil && !strings.HasPrefix(note, *w.Column) {
			t.Errorf("Keterangan of %s:%d = %q does not start with its column %q", w.Sheet, w.Line, note, *w.Column)
		}
	}
	if note, _ := annotated.GetCellValue("agreements", "G5"); note != "Title: empty Title" {
		t.Errorf("Keterangan of an empty title: %q, want the column first", note)
	}
	if filled("agreements", "B2") {
		t.Error("a cell of an accepted row is filled")
	}
	for _, c := range []string{"A", "B", "D"} {
		if fillOf("parties", c+"5", red) || fillOf("parties", c+"5", yellow) {
			t.Errorf("parties %s5 of a row with a warning about its Name is filled", c)
		}
	}
	if note, _ := annotated.GetCellValue("parties", "E5"); !strings.HasPrefix(note, "Peringatan: Name ") || !strings.Contains(note, "Kampung Keliru") {
		t.Errorf("Keterangan of a warning: %q, want \"Peringatan: Name …\"", note)
	}
	if !fillOf("parties", "C5", yellow) || filled("parties", "C5") || !fillOf("parties", "E5", yellow) || filled("parties", "E5") {
		t.Error("a warning's Name cell and Keterangan are not yellow (or are red)")
	}
	if !filled("agreements", "G3") || fillOf("agreements", "G3", yellow) {
		t.Error("a refusal's Keterangan is not red")
	}
	if note, _ := annotated.GetCellValue("parties", "E2"); note != "" {
		t.Errorf("Keterangan of a row without refusal or warning: %q", note)
	}

	// Submitted, the run keeps the columns: etlRejects and its export.
	sub := decode[struct{ SubmitRegister struct{ RunID string } }](t, gqlUpload(t, srv, kukar, submitMutation, files)).SubmitRegister
	stored := decode[struct{ EtlRejects struct{ Nodes []node } }](t, gql(t, srv, kukar,
		`query($id: ID!) { etlRejects(runId: $id) { nodes { sheet line column reason } } }`, map[string]any{"id": sub.RunID})).EtlRejects
	same("etlRejects", stored.Nodes)
	q := fmt.Sprintf(`{ etlRejects(runId: %q) { nodes { sheet line column reason } } }`, sub.RunID)
	csv := send(t, http.MethodGet, srv.URL+"/export.csv?lang=id&query="+url.QueryEscape(q), kukar, "", nil)
	if csv.status != http.StatusOK || !strings.Contains(csv.body, "Kolom") || !strings.Contains(csv.body, "agreements,3,Signed Date,") ||
		!strings.Contains(csv.body, "agreements,6,,") {
		t.Errorf("rejects as CSV: %d %s", csv.status, csv.body)
	}
}

// TestEtlLoadPrintsRejectColumns: `sinergi etl load`'s report names the
// column of each refused row whose reason is about one, as the file's
// header writes it, and none for a whole row's reason.
func TestEtlLoadPrintsRejectColumns(t *testing.T) {
	a, _ := kaltimServer(t)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := dir + "/" + name
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	agreements := write("agreements.csv", "agreement_id,title,document_type,signed_date,status\n"+
		"KUKAR-2026-005,Jalan desa,PKS,2026-03-01,ACTIVE\n"+
		"KUKAR-2026-006,Tanggal salah,PKS,kemarin,ACTIVE\n")
	parties := write("parties.csv", "agreement_id,party_type,name,region_code\n"+
		"KUKAR-2026-005,DESA,Lung Anai,64.02.02.2010\n"+
		"KUKAR-2026-006,DESA,Lung Anai,64.02.02.2010\n")
	res, err := a.runner().Load(context.Background(), etl.DatasetRegister, agreements, parties)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	printLoadReport(&out, res)
	for _, want := range []string{`rejected agreements.csv[agreements]:3 [signed_date]: signed_date "kemarin" is not a date`,
		"rejected parties.csv[parties]:3: agreement KUKAR-2026-006 was rejected"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("etl load printed:\n%s\nwant %q", out.String(), want)
		}
	}
}
