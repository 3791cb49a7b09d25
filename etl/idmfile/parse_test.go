package idmfile

import (
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/sinergi-id/sinergi/etl/regionfile"
	"github.com/sinergi-id/sinergi/etl/tabular"
	"github.com/sinergi-id/sinergi/etl/tabular/tabulartest"
	"github.com/sinergi-id/sinergi/internal/idm"
	"github.com/sinergi-id/sinergi/internal/region"
)

var testYears = YearRange{Min: 2015, Max: 2027}

// smallRegister is testdata/register_small.csv: Batu Sopang (Paser) with
// four desa, and Palaran (Samarinda) with one kelurahan.
func smallRegister(t *testing.T) *region.Set {
	t.Helper()
	tbl, err := tabular.Open("testdata/register_small.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Close()
	b, err := regionfile.Parse(tbl, nil)
	if err != nil || len(b.Rejects) != 0 || len(b.Regions) != 10 {
		t.Fatalf("register_small.csv: %d regions, rejects %+v, %v", len(b.Regions), b.Rejects, err)
	}
	return region.NewSet(b.Regions)
}

func parseIDMText(t *testing.T, content string, known region.Lookup, years YearRange) (Batch, error) {
	t.Helper()
	tbl, err := tabulartest.OpenCSV(t, "idm.csv", content)
	if err != nil {
		return Batch{}, err
	}
	defer tbl.Close()
	return Parse(tbl, known, years)
}

const idmHeader = "kode_desa,kode_desa_dotted,nama_desa,tahun,iks,ike,ikl,nilai_idm,status_idm\n"

func TestParseIDMRows(t *testing.T) {
	known := smallRegister(t)
	tests := []struct {
		name        string
		content     string
		wantScores  []idm.Score
		wantRejects map[int]string
	}{
		{
			name: "valid rows: decimal comma, Kemendesa's status spelling, both code forms",
			content: idmHeader +
				"6401012009,64.01.01.2009,SAMURANGAU,2024,0.8114,0.7,0.9333,0.8149,MAJU\n" +
				"6401012010,,BUSUI,2024,\"0,7886\",\"0,7333\",\"0,8667\",\"0,7962\",maju\n" +
				",64.01.01.2012,LEGAI,2024,0.4,0.45,0.5,0.45,SANGAT TERTINGGAL\n",
			wantScores: []idm.Score{
				{Index: "IDM", Year: 2024, Village: "6401012009", IKS: 0.8114, IKE: 0.7, IKL: 0.9333, IDM: 0.8149, Status: idm.StatusMaju},
				{Index: "IDM", Year: 2024, Village: "6401012010", IKS: 0.7886, IKE: 0.7333, IKL: 0.8667, IDM: 0.7962, Status: idm.StatusMaju},
				{Index: "IDM", Year: 2024, Village: "6401012012", IKS: 0.4, IKE: 0.45, IKL: 0.5, IDM: 0.45, Status: idm.StatusSangatTertinggal},
			},
		},
		{
			name: "codes",
			content: idmHeader +
				"6401012009,64.01.01.2010,SAMURANGAU,2024,0.8114,0.7,0.9333,0.8149,MAJU\n" + // 2
				"64010120x9,,X,2024,0.8,0.8,0.8,0.8,MAJU\n" + // 3
				"6499992001,,X,2024,0.8,0.8,0.8,0.8,MAJU\n" + // 4
				"6472011001,,RAWA MAKMUR,2024,0.8,0.8,0.8,0.8,MAJU\n" + // 5
				"640101,,BATU SOPANG,2024,0.8,0.8,0.8,0.8,MAJU\n" + // 6
				",,,2024,0.8,0.8,0.8,0.8,MAJU\n", // 7
			wantRejects: map[int]string{
				2: "kode_desa 64.01.01.2009 and kode_desa_dotted 64.01.01.2010 disagree",
				3: `kode_desa: invalid region code: "64010120x9"`,
				4: "unknown village code 64.99.99.2001",
				5: "64.72.01.1001 is a kelurahan; IDM covers desa only",
				6: "64.01.01 is a kecamatan code, not a village code",
				7: "empty village code",
			},
		},
		{
			name: "years",
			content: idmHeader +
				"6401012009,,A,2031,0.8114,0.7,0.9333,0.8149,MAJU\n" +
				"6401012009,,A,2014,0.8114,0.7,0.9333,0.8149,MAJU\n" +
				"6401012009,,A,dua ribu,0.8114,0.7,0.9333,0.8149,MAJU\n" +
				"6401012009,,A,,0.8114,0.7,0.9333,0.8149,MAJU\n",
			wantRejects: map[int]string{
				2: "year 2031 is outside 2015..2027",
				3: "year 2014 is outside 2015..2027",
				4: `tahun "dua ribu" is not a year`,
				5: `tahun "" is not a year`,
			},
		},
		{
			name: "scores and statuses, never corrected",
			content: idmHeader +
				"6401012009,,A,2024,1.2,0.7,0.9333,0.8149,MAJU\n" + // 2
				"6401012009,,A,2024,abc,0.7,0.9333,0.8149,MAJU\n" + // 3
				"6401012009,,A,2024,8.114e-1,0.7,0.9333,0.8149,MAJU\n" + // 4
				"6401012009,,A,2024,0.8114,NaN,0.9333,0.8149,MAJU\n" + // 5
				"6401012009,,A,2024,0.8114,0.7,,0.8149,MAJU\n" + // 6
				"6401012009,,A,2024,0.8114,0.7,0.9333,0.9,MANDIRI\n" + // 7
				"6401012009,,A,2024,0.8114,0.7,0.9333,0.8149,MANDIRI\n" + // 8
				"6401012009,,A,2024,0.8114,0.7,0.9333,0.8149,MAJU SEKALI\n" + // 9
				"6401012009,,A,2024,0.8114,0.7,0.9333,0.8149,\n" + // 10
				"6401012009,,A,2024,\"1.234,5\",0.7,0.9333,0.8149,MAJU\n", // 11
			wantRejects: map[int]string{
				2:  "IKS 1.2 is outside 0..1",
				3:  `iks: "abc" is not a number`,
				4:  `iks: "8.114e-1" is not a number`,
				5:  `ike: "NaN" is not a number`,
				6:  "ikl: empty",
				7:  "IDM 0.9000 is not the mean of IKS, IKE and IKL (0.8149)",
				8:  "status MANDIRI contradicts IDM 0.8149 (thresholds give MAJU)",
				9:  `unknown IDM status "MAJU SEKALI"`,
				10: "empty status_idm",
				11: `iks: "1.234,5" is not a number`,
			},
		},
		{
			name: "duplicates: identical kept once, disagreeing all refused; other years and indexes are not copies",
			content: idmHeader +
				"6401012009,,A,2024,0.8114,0.7,0.9333,0.8149,MAJU\n" + // 2
				"64.01.01.2009,,A,2024,\"0,8114\",0.7,0.9333,0.8149,MAJU\n" + // 3: the same score
				"6401012009,,A,2023,0.7714,0.7167,0.9333,0.8071,MAJU\n" + // 4: another year
				"6401012010,,B,2024,0.7886,0.7333,0.8667,0.7962,MAJU\n" + // 5
				"6401012010,,B,2024,0.7886,0.7333,0.8667,0.7963,MAJU\n" + // 6
				"6401012010,,B,2024,0.7886,0.7333,0.8667,0.7962,BERKEMBANG\n", // 7: also contradicts
			wantScores: []idm.Score{
				{Index: "IDM", Year: 2024, Village: "6401012009", IKS: 0.8114, IKE: 0.7, IKL: 0.9333, IDM: 0.8149, Status: idm.StatusMaju},
				{Index: "IDM", Year: 2023, Village: "6401012009", IKS: 0.7714, IKE: 0.7167, IKL: 0.9333, IDM: 0.8071, Status: idm.StatusMaju},
			},
			wantRejects: map[int]string{
				5: "IDM 2024 of 64.01.01.2010 appears on lines 5 and 6 with different values (IDM 0.7962 vs 0.7963)",
				6: "appears on lines 5 and 6",
				7: "status BERKEMBANG contradicts IDM 0.7962",
			},
		},
		{
			name: "record shape",
			content: idmHeader +
				"6401012009,,A,2024,0.8114,0.7,0.9333,0.8149\n" +
				"6401012009,,A,2024,0.8114,0.7,0.9333,0.8149,MAJU,x\n" +
				"6401012009,,\xc9,2024,0.8114,0.7,0.9333,0.8149,MAJU\n",
			wantRejects: map[int]string{
				2: "expected 9 fields, got 8",
				3: "expected 9 fields, got 10",
				4: "not valid UTF-8 (save as UTF-8)",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := parseIDMText(t, tt.content, known, testYears)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(b.Scores) != len(tt.wantScores) || (len(b.Scores) > 0 && !reflect.DeepEqual(b.Scores, tt.wantScores)) {
				t.Errorf("scores = %+v\nwant %+v", b.Scores, tt.wantScores)
			}
			tabulartest.CheckRejects(t, b.Rejects, tt.wantRejects)
			if len(b.Lines) != len(b.Scores) {
				t.Errorf("%d lines for %d scores", len(b.Lines), len(b.Scores))
			}
		})
	}
}

func TestParseIDMIndexAndYears(t *testing.T) {
	b, err := parseIDMText(t, "indeks,kode_desa,tahun,iks,ike,ikl,nilai_idm,status_idm\n"+
		"Indeks Desa,6401012009,2025,0.8114,0.7,0.9333,0.8149,MAJU\n"+
		",6401012009,2024,0.8114,0.7,0.9333,0.8149,MAJU\n"+
		"IDM,6401012009,2023,0.8114,0.7,0.9333,0.8149,MAJU\n", smallRegister(t), testYears)
	if err != nil {
		t.Fatal(err)
	}
	var indexes []string
	for _, s := range b.Scores {
		indexes = append(indexes, s.Index)
	}
	if !reflect.DeepEqual(indexes, []string{"Indeks Desa", "IDM", "IDM"}) || !reflect.DeepEqual(b.Years, []int{2023, 2024, 2025}) {
		t.Errorf("indexes %q, years %v", indexes, b.Years)
	}
	if !reflect.DeepEqual(b.Lines, []int{2, 3, 4}) {
		t.Errorf("lines %v", b.Lines)
	}
}

func TestParseIDMKemendesaHeaders(t *testing.T) {
	known := smallRegister(t)
	tests := []struct {
		name, content string
		wantYear      int
		wantRejects   map[int]string
	}{
		{
			name:     "year from the column names",
			content:  "KODE_DESA_DAGRI,DESA,IKS_2023,IKE_2023,IKL_2023,NILAI_IDM_2023,STATUS_IDM_2023\n6401012009,SAMURANGAU,0.7714,0.7167,0.9333,0.8071,MAJU\n",
			wantYear: 2023,
		},
		{
			name:     "spaces instead of underscores",
			content:  "Kode Desa Dagri,Desa,IKS 2023,IKE 2023,IKL 2023,Nilai IDM 2023,Status IDM 2023\n6401012009,SAMURANGAU,0.7714,0.7167,0.9333,0.8071,MAJU\n",
			wantYear: 2023,
		},
		{
			name:     "a tahun column must agree with the names",
			content:  "KODE_DESA_DAGRI,TAHUN,IKS_2023,IKE_2023,IKL_2023,NILAI_IDM_2023,STATUS_IDM_2023\n6401012009,2023,0.7714,0.7167,0.9333,0.8071,MAJU\n6401012010,2024,0.7486,0.6667,0.8667,0.7606,MAJU\n",
			wantYear: 2023,
			wantRejects: map[int]string{
				3: "TAHUN 2024 disagrees with the year 2023 in the column names",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := parseIDMText(t, tt.content, known, testYears)
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Scores) != 1 || b.Scores[0].Year != tt.wantYear || b.Scores[0].Village != "6401012009" {
				t.Errorf("scores = %+v, want one for 2023", b.Scores)
			}
			tabulartest.CheckRejects(t, b.Rejects, tt.wantRejects)
		})
	}
}

func TestParseIDMFileErrors(t *testing.T) {
	known := smallRegister(t)
	tests := []struct {
		name, content string
		known         region.Lookup
		years         YearRange
		want          []string
	}{
		{"different years in the column names", "KODE_DESA_DAGRI,IKS_2023,IKE_2023,IKL_2023,NILAI_IDM_2024,STATUS_IDM_2024\n", known, testYears,
			[]string{`score columns carry different years ("IKS_2023", "IKE_2023", "IKL_2023", "NILAI_IDM_2024")`}},
		{"no year anywhere", "kode_desa,iks,ike,ikl,nilai_idm,status_idm\n", known, testYears,
			[]string{"no year: add a tahun column or name the score columns with their year (IKS_2023)"}},
		{"year of the names out of range", "KODE_DESA_DAGRI,IKS_2031,IKE_2031,IKL_2031,NILAI_IDM_2031,STATUS_IDM_2031\n", known, testYears,
			[]string{"the column names give year 2031, outside 2015..2027"}},
		{"missing columns", "nama_desa,tahun,iks\n", known, testYears,
			[]string{"kode_desa or kode_desa_dotted (accepted: kode_desa, kode_desa_dagri, kode_dagri, kode_desa_flat, kode_desa_dotted)",
				"ike (accepted: ike)", "ikl", "nilai_idm (accepted: nilai_idm, idm, skor_idm)", "status_idm", "header found: nama_desa, tahun, iks"}},
		{"the same column with and without year", "kode_desa,tahun,IKS,IKS_2023,ike,ikl,nilai_idm,status_idm\n", known, testYears,
			[]string{`duplicate column "IKS", "IKS_2023" (columns 3 and 4)`}},
		{"no register", idmHeader, nil, testYears, []string{"no region register"}},
		{"bad year range", idmHeader, known, YearRange{}, []string{"invalid year range 0..0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseIDMText(t, tt.content, tt.known, tt.years)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestParseScore(t *testing.T) {
	for in, want := range map[string]float64{"0.8149": 0.8149, "0,8149": 0.8149, "1": 1, "0": 0, ".5": 0.5, "-0.1": -0.1, "97.14": 97.14} {
		if got, err := parseScore(in); err != nil || got != want {
			t.Errorf("parseScore(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "1e-1", "0x1p-2", "Inf", "NaN", "1.2.3", "1,2,3", "1.234,5", "-", ".", "0,8 149"} {
		if got, err := parseScore(in); err == nil {
			t.Errorf("parseScore(%q) = %v, want an error", in, got)
		}
	}
}

func TestSplitYearSuffix(t *testing.T) {
	tests := []struct {
		in   string
		base string
		year int
		ok   bool
	}{
		{"IKS_2023", "iks", 2023, true},
		{"NILAI IDM 2024", "nilaiidm", 2024, true},
		{"Status-IDM-2023", "statusidm", 2023, true},
		{"KODE_2023", "", 0, false}, // not a score column
		{"IKS", "", 0, false},
		{"IKS_23", "", 0, false},
		{"2023", "", 0, false},
	}
	for _, tt := range tests {
		base, year, ok := splitYearSuffix(tt.in)
		if base != tt.base || year != tt.year || ok != tt.ok {
			t.Errorf("splitYearSuffix(%q) = %q, %d, %v; want %q, %d, %v", tt.in, base, year, ok, tt.base, tt.year, tt.ok)
		}
	}
}

// idmCorpus is what each IDM file of testdata/broken must give (checked
// against testdata/register_small.csv).
var idmCorpus = []tabulartest.CorpusCase{
	{File: "broken/empty.csv", WantErr: "empty file: no header row"},
	{File: "broken/idm_header_only.csv"},
	{File: "broken/idm_wrong_header.csv", WantErr: "missing columns: iks (accepted: iks); ike (accepted: ike); ikl (accepted: ikl); nilai_idm"},
	{File: "broken/idm_utf16be.csv", WantErr: "file is UTF-16; save it as UTF-8 CSV"},
	{File: "broken/idm_latin1.csv", WantAccepted: 3, WantRejects: map[int]string{3: "not valid UTF-8 (save as UTF-8)"}},
	{File: "broken/idm_unknown_codes.csv", WantAccepted: 4, WantRejects: map[int]string{
		6: "unknown village code 64.99.99.2001", 7: "unknown village code 64.01.01.2099",
		8: `invalid region code: "64010120x9"`, 9: "64.01.01 is a kecamatan code, not a village code"},
		WantColumns: map[int]string{6: "kode_desa", 7: "kode_desa", 8: "kode_desa", 9: "kode_desa"}},
	{File: "broken/idm_out_of_range.csv", WantAccepted: 4, WantRejects: map[int]string{
		6: "IKS 1.7714 is outside 0..1", 7: "IKE -0.6667 is outside 0..1", 8: "IKS 97.14 is outside 0..1",
		9: "year 2031 is outside 2015..2027", 10: "year 2014 is outside 2015..2027", 11: `ike: "n/a" is not a number`},
		WantColumns: map[int]string{6: "iks", 7: "ike", 8: "iks", 9: "tahun", 10: "tahun", 11: "ike"}},
	{File: "broken/idm_contradicting_status.csv", WantAccepted: 4, WantRejects: map[int]string{
		6: "status MANDIRI contradicts IDM 0.8071 (thresholds give MAJU)", 7: "status BERKEMBANG contradicts IDM 0.7606 (thresholds give MAJU)",
		8: "IDM 0.9000 is not the mean", 9: `unknown IDM status "MAJU SEKALI"`},
		WantColumns: map[int]string{9: "status_idm"}}, // the others: scores and status disagree, the row's
	{File: "broken/idm_conflicting_duplicates.csv", WantAccepted: 3, WantRejects: map[int]string{
		4: "IDM 2024 of 64.01.01.2011 appears on lines 4 and 8 with different values (IDM 0.9627 vs 0.9628)",
		8: "appears on lines 4 and 8"},
		WantColumns: map[int]string{}},
	{File: "broken/idm_kelurahan.csv", WantAccepted: 4, WantRejects: map[int]string{6: "64.72.01.1001 is a kelurahan; IDM covers desa only"}},
	{File: "broken/idm_truncated.csv", WantAccepted: 4, WantRejects: map[int]string{6: "expected 10 fields, got 6"}},
	{File: "broken/idm_bare_quote.csv", WantAccepted: 3, WantRejects: map[int]string{4: "malformed CSV quoting at line 4"}},
	{File: "broken/idm_unclosed_quote.csv", WantErr: "line 3: a quoted field opened here never closes"},
	{File: "broken/idm_mixed_years.csv", WantErr: "score columns carry different years"},
	{File: "idm_kemendesa_semicolon.csv", WantAccepted: 2},
}

// TestBrokenCorpusIsCovered checks that every IDM file of testdata/broken
// has its expectations written down in a corpus case, and runs the parser
// over every broken file of the IDM and region corpora (nothing may panic,
// whatever the file).
func TestBrokenCorpusIsCovered(t *testing.T) {
	known := smallRegister(t)
	tabulartest.CoveredCorpus(t, idmCorpus, []string{"testdata/broken/*", "../regionfile/testdata/broken/*"},
		func(tbl *tabular.Table) { Parse(tbl, known, testYears) })
}

func TestIDMBrokenCorpus(t *testing.T) {
	known := smallRegister(t)
	for _, c := range idmCorpus {
		t.Run(c.File, func(t *testing.T) {
			tabulartest.RunCorpusCase(t, c, func(tbl *tabular.Table) (int, []tabular.Reject, error) {
				b, err := Parse(tbl, known, testYears)
				return len(b.Scores), b.Rejects, err
			})
		})
	}
}

// A Kemendesa spreadsheet as XLSX: numeric codes and scores, year in the
// column names, a kelurahan and a contradicting status among valid rows.
func TestParseIDMKemendesaXLSX(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "IDM 2023"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	rows := [][]any{
		{"NO", "KODE_DESA_DAGRI", "DESA", "IKS_2023", "IKE_2023", "IKL_2023", "NILAI_IDM_2023", "STATUS_IDM_2023"},
		{1, 6401012009, "SAMURANGAU", 0.7714, 0.7167, 0.9333, 0.8071, "MAJU"},
		{2, 6401012010, "BUSUI", 0.7486, 0.6667, 0.8667, 0.7606, "MAJU"},
		{3, 6472011001, "RAWA MAKMUR", 0.8, 0.8, 0.8, 0.8, "MAJU"},
		{},
		{5, 6401012011, "BATU KAJANG", 0.9714, 0.9667, 0.9333, 0.9571, "MAJU"},
		{6, "6401012012", "LEGAI", "0,8", "0,6833", "0,9333", "0,8056", "Maju"},
	}
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellValue(sheet, cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "IDM_2023_Kaltim.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}

	tbl, err := tabular.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Close()
	b, err := Parse(tbl, smallRegister(t), testYears)
	if err != nil {
		t.Fatal(err)
	}
	var villages []string
	for _, s := range b.Scores {
		villages = append(villages, s.Village.Dotted()+"@"+strconv.Itoa(s.Year))
	}
	if want := []string{"64.01.01.2009@2023", "64.01.01.2010@2023", "64.01.01.2012@2023"}; !reflect.DeepEqual(villages, want) {
		t.Errorf("scores for %v, want %v", villages, want)
	}
	if !reflect.DeepEqual(b.Lines, []int{2, 3, 7}) || b.RowsRead != 5 || !reflect.DeepEqual(b.Years, []int{2023}) {
		t.Errorf("lines %v, rows read %d, years %v", b.Lines, b.RowsRead, b.Years)
	}
	tabulartest.CheckRejects(t, b.Rejects, map[int]string{
		4: "64.72.01.1001 is a kelurahan; IDM covers desa only",
		6: "status MAJU contradicts IDM 0.9571 (thresholds give MANDIRI)",
	})
	for _, rj := range b.Rejects {
		if rj.Sheet != sheet || rj.Source != "IDM_2023_Kaltim.xlsx" {
			t.Errorf("reject %+v: want sheet %q and the file name", rj, sheet)
		}
	}
}

func TestParseIDMRealData(t *testing.T) {
	register := region.NewSet(realRegions(t).Regions)
	want := map[int]map[idm.Status]int{
		2024: {idm.StatusMandiri: 262, idm.StatusMaju: 380, idm.StatusBerkembang: 195, idm.StatusTertinggal: 4, idm.StatusSangatTertinggal: 0},
		2023: {idm.StatusMandiri: 209, idm.StatusMaju: 364, idm.StatusBerkembang: 263, idm.StatusTertinggal: 5, idm.StatusSangatTertinggal: 0},
	}
	for year, wantStatus := range want {
		name := filepath.Join(realDataDir, "kaltim_idm_"+strconv.Itoa(year)+".csv")
		tbl, err := tabular.Open(name)
		if err != nil {
			t.Fatalf("open real data (data/kaltim): %v", err)
		}
		b, err := Parse(tbl, register, YearRange{Min: 2015, Max: 2030})
		tbl.Close()
		if err != nil {
			t.Fatalf("Parse(%s): %v", name, err)
		}
		if len(b.Rejects) != 0 {
			t.Errorf("%d: %d rejects, first: %+v", year, len(b.Rejects), b.Rejects[0])
		}
		if b.RowsRead != 841 || len(b.Scores) != 841 {
			t.Errorf("%d: read %d, scores %d; want 841", year, b.RowsRead, len(b.Scores))
		}
		if !reflect.DeepEqual(b.Years, []int{year}) {
			t.Errorf("%d: years %v", year, b.Years)
		}
		got := map[idm.Status]int{}
		for _, s := range b.Scores {
			got[s.Status]++
			if s.Index != idm.DefaultIndex || s.Village.Level() != region.LevelDesaKelurahan {
				t.Fatalf("%d: score %+v", year, s)
			}
		}
		for st, n := range wantStatus {
			if got[st] != n {
				t.Errorf("%d: %d %s, want %d", year, got[st], st, n)
			}
		}
	}
}

// realDataDir holds the project's real Kalimantan Timur files (see
// regionfile's tests).
const realDataDir = "../../data/kaltim"

// realRegions is the real Kaltim region register.
func realRegions(t *testing.T) regionfile.Batch {
	t.Helper()
	tbl, err := tabular.Open(filepath.Join(realDataDir, "kaltim_wilayah_kemendagri_2025.csv"))
	if err != nil {
		t.Fatalf("open real data (data/kaltim): %v", err)
	}
	defer tbl.Close()
	b, err := regionfile.Parse(tbl, nil)
	if err != nil {
		t.Fatalf("regionfile.Parse: %v", err)
	}
	return b
}
