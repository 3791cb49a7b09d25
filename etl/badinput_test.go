package etl_test

import (
	"archive/zip"
	"bufio"
	"context"
	"errors"
	"fmt"
	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/etl/etltest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sinergi-id/sinergi/etl/tabular"
	"github.com/sinergi-id/sinergi/internal/cooperation/coopch"
	"github.com/sinergi-id/sinergi/internal/ingest"
)

// Memory on bad input (issue 16, finding 7), bounded by figures measured
// with the benchmarks below (bench/README.md): 100,000 refused 1 KB rows
// and a zip-bomb workbook. The bounds leave room over what was measured;
// before the fix the first took 1 GB and the second 7 GB.
const (
	maxHeapFor100kRejects = 64 << 20
	maxHeapForZipBomb     = 32 << 20
)

// rejectedIDMFile writes an IDM file of n rows of about 1 KB that are all
// refused (their villages are not in the region register).
func rejectedIDMFile(tb testing.TB, n int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "idm_rejected.csv")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString("kode_desa,nama_desa,tahun,iks,ike,ikl,nilai_idm,status_idm\n")
	pad := strings.Repeat("x", 950)
	for i := range n {
		fmt.Fprintf(w, "99%08d,DESA %s %d,2024,0.7,0.7,0.7,0.7,MAJU\n", i, pad, i)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// loadRejects loads n refused rows and returns the run and the peak heap.
func loadRejects(tb testing.TB, runner *etl.Runner, path string) (ingest.Run, uint64) {
	tb.Helper()
	mem := etltest.SampleMemory(5_000_000) // 5 ms
	res, err := runner.Load(context.Background(), etl.DatasetIDM, path)
	peak, _ := mem.End()
	if err != nil {
		tb.Fatal(err)
	}
	return res.Runs[0], peak
}

func TestHundredThousandRejectsInBoundedMemory(t *testing.T) {
	runner, db, _ := etltest.KaltimRunner(t, "")
	const n = 100_000
	run, peak := loadRejects(t, runner, rejectedIDMFile(t, n))
	t.Logf("%d refused rows of ~1 KB: peak heap %d MB", n, peak>>20)
	if run.RowsRejected != n || run.RowsLoaded != 0 || run.Status != ingest.StatusSucceeded {
		t.Fatalf("run: %+v", run)
	}
	var stored uint64
	if err := db.QueryRow(context.Background(), `SELECT count() FROM etl_rejects WHERE run_id = ?`, []any{run.ID}, &stored); err != nil {
		t.Fatal(err)
	}
	if stored != n {
		t.Fatalf("%d rejects stored, want %d", stored, n)
	}
	if peak > maxHeapFor100kRejects {
		t.Fatalf("peak heap %d MB, more than the %d MB the benchmark measured room for", peak>>20, maxHeapFor100kRejects>>20)
	}
}

func BenchmarkHundredThousandRejects(b *testing.B) {
	runner, _, _ := etltest.KaltimRunner(b, "")
	path := rejectedIDMFile(b, 100_000)
	var worst uint64
	for b.Loop() {
		_, peak := loadRejects(b, runner, path)
		worst = max(worst, peak)
	}
	b.ReportMetric(float64(worst)/(1<<20), "peak-heap-MB")
}

// zipBomb writes an XLSX workbook of a few MB whose one sheet unpacks to
// rows rows of the register's agreements layout, with titles of title
// bytes, every one refused (no such status): the shape of the bomb of
// issue 16.
func zipBomb(tb testing.TB, rows, title int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "bomb.xlsx")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	zw := zip.NewWriter(f)
	part := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			tb.Fatal(err)
		}
	}
	part("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`)
	part("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	part("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="agreements" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	part("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		tb.Fatal(err)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	cell := func(v string) string { return `<c t="inlineStr"><is><t>` + v + `</t></is></c>` }
	bw.WriteString(`<row>` + cell("agreement_id") + cell("title") + cell("status") + `</row>`)
	row := `<row>` + cell("BOMB") + cell(strings.Repeat("j", title)) + cell("meledak") + `</row>`
	for range rows {
		bw.WriteString(row)
	}
	bw.WriteString(`</sheetData></worksheet>`)
	if err := bw.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// TestZipBombIsRefusedBeforeReading: a 8.5 MB workbook that unpacks to
// 1.3 GB is refused from its zip directory, with a reason, in a few MB —
// and one of 0.7 MB within the size limit but past the row limit, after
// counting its rows as it unpacks, also without holding them.
func TestZipBombIsRefusedBeforeReading(t *testing.T) {
	f := newFixture(t)
	f.mustLoad(etl.DatasetRegions, filepath.Join(sharedDataDir(t), "kaltim_wilayah_kemendagri_2025.csv"))
	for _, tc := range []struct {
		rows, title int
		want        string
	}{
		{2_000_000, 560, "unpacks to"},
		{1_100_000, 10, "more than 1048576 rows"},
	} {
		bomb := zipBomb(t, tc.rows, tc.title)
		fi, _ := os.Stat(bomb)
		mem := etltest.SampleMemory(5_000_000)
		res, err := f.load(context.Background(), etl.DatasetRegister, bomb)
		peak, _ := mem.End()
		t.Logf("%d rows in %d KB: peak heap %d MB: %v", tc.rows, fi.Size()>>10, peak>>20, err)
		if !errors.Is(err, tabular.ErrTooLarge) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%d rows: %v, want it refused as too large (%q)", tc.rows, err, tc.want)
		}
		if len(res.Runs) != 1 || res.Runs[0].Status != ingest.StatusFailed || res.Runs[0].RowsRead != 0 {
			t.Errorf("%d rows: runs %+v, want one failed run that read nothing", tc.rows, res.Runs)
		}
		if peak > maxHeapForZipBomb {
			t.Errorf("%d rows: peak heap %d MB, more than %d MB", tc.rows, peak>>20, maxHeapForZipBomb>>20)
		}
	}
}

func BenchmarkZipBomb(b *testing.B) {
	bomb := zipBomb(b, 1_100_000, 10)
	var worst uint64
	for b.Loop() {
		mem := etltest.SampleMemory(5_000_000)
		_, err := tabular.Open(bomb)
		peak, _ := mem.End()
		if !errors.Is(err, tabular.ErrTooLarge) {
			b.Fatalf("the bomb was not refused: %v", err)
		}
		worst = max(worst, peak)
	}
	b.ReportMetric(float64(worst)/(1<<20), "peak-heap-MB")
}

// TestFormulaTextIsInertAndLongFieldsRefused (issue 16, finding 10): text
// a spreadsheet would run as a formula is stored as the text it is (the
// API's exports write it so that no spreadsheet runs it: graph/export_rows.go);
// a field longer than maxFieldChars refuses its row, saying so.
func TestFormulaTextIsInertAndLongFieldsRefused(t *testing.T) {
	f := newFixture(t)
	f.mustLoad(etl.DatasetRegions, filepath.Join(sharedDataDir(t), "kaltim_wilayah_kemendagri_2025.csv"))
	dir := t.TempDir()
	var files []string
	for _, p := range registerFiles(filepath.Join("register", "testdata", "known")) {
		body, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		switch filepath.Base(p) {
		case "parties.csv":
			body = append(body, `KUKAR-2025-001,perusahaan,"=HYPERLINK(""http://10.0.0.1/"",""klik"")",64.02,,mitra`+"\n"...)
		case "agreements.csv":
			body = append(body, "PANJANG-1,,"+strings.Repeat("judul ", 2000)+",PKS,2024-01-01,,,,aktif,BKAD,,,,\n"...)
		}
		out := filepath.Join(dir, filepath.Base(p))
		if err := os.WriteFile(out, body, 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, out)
	}
	res := f.mustLoad(etl.DatasetRegister, files...)
	var long bool
	for _, rj := range res.Rejects {
		long = long || rj.Sheet == "agreements" && strings.Contains(rj.Reason, "is 11999 characters long; a field may hold at most 4000") && len(rj.Record) <= 4096+3
	}
	if !long {
		t.Errorf("the 11,999-character title (trimmed) was not refused as such: %+v", res.Rejects)
	}
	var name string
	q := `SELECT name FROM coop_parties WHERE ` + coopch.PublishedRows("coop_parties") + `
		AND name LIKE '=HYPERLINK%'`
	if err := f.db.QueryRow(context.Background(), q, nil, &name); err != nil {
		t.Fatalf("the formula-like name is not stored: %v", err)
	}
	if name != `=HYPERLINK("http://10.0.0.1/","klik")` {
		t.Errorf("stored %q", name)
	}
}
