package tabular

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// readAll opens content as a CSV table and returns its header and records.
func readAll(t *testing.T, content string) ([]string, []Record) {
	t.Helper()
	tbl, err := fromCSV("test.csv", strings.NewReader(content))
	if err != nil {
		t.Fatalf("fromCSV: %v", err)
	}
	defer tbl.Close()
	var recs []Record
	for {
		rec, err := tbl.Next()
		if err == io.EOF {
			return tbl.Header(), recs
		}
		if err != nil {
			t.Fatalf("Next after %d records: %v", len(recs), err)
		}
		recs = append(recs, rec)
	}
}

func TestCSVRecords(t *testing.T) {
	tests := []struct {
		name       string
		content    string
		wantHeader []string
		want       []Record
	}{
		{
			name:       "BOM stripped, spaces trimmed, CRLF",
			content:    "\xEF\xBB\xBFkode , nama\r\n 64 ,  Kalimantan Timur \r\n",
			wantHeader: []string{"kode", "nama"},
			want:       []Record{{Line: 2, Fields: []string{"64", "Kalimantan Timur"}, Raw: " 64 ,  Kalimantan Timur "}},
		},
		{
			name:       "quoted multi-line field keeps the record's first line; the next record its own",
			content:    "a,b\n1,\"x\ny\"\n2,z\n",
			wantHeader: []string{"a", "b"},
			want: []Record{
				{Line: 2, Fields: []string{"1", "x\ny"}, Raw: "1,\"x\ny\""},
				{Line: 4, Fields: []string{"2", "z"}, Raw: "2,z"},
			},
		},
		{
			name:       "blank lines and rows of empty cells are skipped, line numbers still count them",
			content:    "\n\na,b\n\n1,2\n,,\n   \n3,4",
			wantHeader: []string{"a", "b"},
			want: []Record{
				{Line: 5, Fields: []string{"1", "2"}, Raw: "1,2"},
				{Line: 8, Fields: []string{"3", "4"}, Raw: "3,4"},
			},
		},
		{
			name:       "short and long rows are returned as they are",
			content:    "a,b,c\n1,2\n1,2,3,4\n",
			wantHeader: []string{"a", "b", "c"},
			want: []Record{
				{Line: 2, Fields: []string{"1", "2"}, Raw: "1,2"},
				{Line: 3, Fields: []string{"1", "2", "3", "4"}, Raw: "1,2,3,4"},
			},
		},
		{
			name:       "empty cells past the header's width are dropped",
			content:    "a,b,,\n1,2,,\n1,2,,x\n",
			wantHeader: []string{"a", "b"},
			want: []Record{
				{Line: 2, Fields: []string{"1", "2"}, Raw: "1,2,,"},
				{Line: 3, Fields: []string{"1", "2", "", "x"}, Raw: "1,2,,x"},
			},
		},
		{
			name:       "invalid UTF-8 is flagged, not fatal",
			content:    "a,b\n1,Sang\xe9\n2,ok\n",
			wantHeader: []string{"a", "b"},
			want: []Record{
				{Line: 2, Fields: []string{"1", "Sang\xe9"}, Raw: "1,Sang\xe9", InvalidUTF8: true},
				{Line: 3, Fields: []string{"2", "ok"}, Raw: "2,ok"},
			},
		},
		{
			name:       "semicolon delimiter (Indonesian Excel) with decimal commas",
			content:    "kode;iks\n6401012009;0,8114\n",
			wantHeader: []string{"kode", "iks"},
			want:       []Record{{Line: 2, Fields: []string{"6401012009", "0,8114"}, Raw: "6401012009;0,8114"}},
		},
		{
			name:       "tab delimiter",
			content:    "kode\tnama\n64\tKaltim\n",
			wantHeader: []string{"kode", "nama"},
			want:       []Record{{Line: 2, Fields: []string{"64", "Kaltim"}, Raw: "64\tKaltim"}},
		},
		{
			name:       "header only",
			content:    "a,b\n",
			wantHeader: []string{"a", "b"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header, recs := readAll(t, tt.content)
			if !reflect.DeepEqual(header, tt.wantHeader) {
				t.Errorf("header = %q, want %q", header, tt.wantHeader)
			}
			if len(recs) != len(tt.want) {
				t.Fatalf("got %d records %+v, want %d", len(recs), recs, len(tt.want))
			}
			for i := range recs {
				if !reflect.DeepEqual(recs[i], tt.want[i]) {
					t.Errorf("record %d = %+v\nwant %+v", i, recs[i], tt.want[i])
				}
			}
		})
	}
}

func TestCSVBrokenQuoteIsARecordProblem(t *testing.T) {
	_, recs := readAll(t, "a,b\n1,2\n3,x\"y\n4,\"z\"w\n5,6\n")
	if len(recs) != 4 {
		t.Fatalf("got %d records, want 4: %+v", len(recs), recs)
	}
	for i, want := range []struct {
		line    int
		problem string
		raw     string
	}{{2, "", "1,2"}, {3, `bare "`, `3,x"y`}, {4, `extraneous or missing "`, `4,"z"w`}, {5, "", "5,6"}} {
		r := recs[i]
		if r.Line != want.line || r.Raw != want.raw || (want.problem == "") != (r.Problem == "") || !strings.Contains(r.Problem, want.problem) {
			t.Errorf("record %d = %+v, want line %d raw %q problem containing %q", i, r, want.line, want.raw, want.problem)
		}
		if r.Problem != "" && r.Fields != nil {
			t.Errorf("record %d has a problem and fields %q", i, r.Fields)
		}
	}
}

func TestCSVUnclosedQuoteFailsTheFile(t *testing.T) {
	tbl, err := fromCSV("x.csv", strings.NewReader("a,b\n1,2\n3,\"never closed\n4,5\n6,7\n"))
	if err != nil {
		t.Fatal(err)
	}
	if rec, err := tbl.Next(); err != nil || rec.Line != 2 {
		t.Fatalf("first record: %+v, %v", rec, err)
	}
	_, err = tbl.Next()
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), "never closes") {
		t.Fatalf("error = %v, want ErrFormat naming line 3", err)
	}
}

func TestCSVFileErrors(t *testing.T) {
	tests := []struct {
		name, content, want string
	}{
		{"empty", "", "empty file: no header row"},
		{"only blank lines", "\n\n  \n,,\n", "empty file: no header row"},
		{"BOM only", "\xEF\xBB\xBF", "empty file: no header row"},
		{"UTF-16 LE", "\xFF\xFEk\x00o\x00d\x00e\x00", "file is UTF-16; save it as UTF-8 CSV"},
		{"UTF-16 BE", "\xFE\xFF\x00k\x00o", "file is UTF-16; save it as UTF-8 CSV"},
		{"UTF-16 without BOM", "k\x00o\x00d\x00e\x00\n\x00", "NUL bytes"},
		{"header with bad quotes", "a,b\"c\n1,2\n", "header (line 1)"},
		{"header not UTF-8", "k\xf6de,nama\n1,2\n", "header (line 1) is not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := fromCSV("bad.csv", strings.NewReader(tt.content))
			if err == nil || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "bad.csv") {
				t.Fatalf("error = %v, want ErrFormat containing %q and the file name", err, tt.want)
			}
		})
	}
}

func TestOpenByExtension(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "Regions.CSV")
	if err := os.WriteFile(csvPath, []byte("kode,nama\n64,Kaltim\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tbl, err := Open(csvPath)
	if err != nil {
		t.Fatalf("Open upper-case .CSV: %v", err)
	}
	if tbl.Source() != "Regions.CSV" || tbl.Sheet() != "" {
		t.Errorf("Source, Sheet = %q, %q", tbl.Source(), tbl.Sheet())
	}
	if err := tbl.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}

	for name, want := range map[string]string{
		"data.json": "accepted: .csv, .xlsx",
		"data":      "accepted: .csv, .xlsx",
		"data.xls":  "save it as .xlsx",
	} {
		if _, err := Open(filepath.Join(dir, name)); err == nil || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%s) error = %v, want ErrFormat containing %q", name, err, want)
		}
	}
	if _, err := Open(filepath.Join(dir, "missing.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(missing.csv) error = %v, want not-exist", err)
	}
}

func TestRawTextOfLongInput(t *testing.T) {
	// Records longer than csv's and the recorder's buffers keep exact raw text.
	long := strings.Repeat("x", 200_000)
	_, recs := readAll(t, "a,b\n1,\""+long+"\"\n2,3\n")
	if len(recs) != 2 || recs[0].Fields[1] != long || recs[0].Raw != "1,\""+long+"\"" || recs[1].Raw != "2,3" || recs[1].Line != 3 {
		t.Fatalf("long record mangled: %d records", len(recs))
	}
}

// fromCSV reads a CSV table from r, as a named file is read.
func fromCSV(source string, r io.Reader) (*Table, error) {
	return newCSVTable(source, r, nil)
}
