package register

import (
	"encoding/csv"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/sinergi-id/sinergi/etl/regionfile"
	"github.com/sinergi-id/sinergi/etl/tabular"
	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/region"
)

// realDataDir holds the project's real Kalimantan Timur files (see
// regionfile's tests).
const realDataDir = "../../data/kaltim"

// kaltimRegions is the real region register of Kalimantan Timur (1154
// regions). Tests fail, never skip, when the shared data is missing.
func kaltimRegions(tb testing.TB) *region.Set {
	tb.Helper()
	tbl, err := tabular.Open(filepath.Join(realDataDir, "kaltim_wilayah_kemendagri_2025.csv"))
	if err != nil {
		tb.Fatalf("open real data (data/kaltim): %v", err)
	}
	defer tbl.Close()
	b, err := regionfile.Parse(tbl, nil)
	if err != nil || len(b.Rejects) != 0 || len(b.Regions) != 1154 {
		tb.Fatalf("real region register: %d regions, %d rejects, %v", len(b.Regions), len(b.Rejects), err)
	}
	return region.NewSet(b.Regions)
}

var registerTableFiles = []string{"agreements.csv", "parties.csv", "bodies.csv", "realisations.csv"}

func registerPaths(dir string, names ...string) []string {
	paths := make([]string, len(names))
	for i, n := range names {
		paths[i] = filepath.Join("testdata", dir, n)
	}
	return paths
}

// registerWorkbookFromCSV writes CSV files as the sheets of one workbook
// (sheet named after the file), every cell as text: a register typed into
// Excel as text reads like its CSV export.
func registerWorkbookFromCSV(t *testing.T, name string, paths []string) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, path := range paths {
		sheet := strings.TrimSuffix(filepath.Base(path), ".csv")
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sheet); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(sheet); err != nil {
			t.Fatal(err)
		}
		in, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(in)
		r.FieldsPerRecord = -1
		records, err := r.ReadAll()
		in.Close()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for row, rec := range records {
			for col, v := range rec {
				if v == "" {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(col+1, row+1)
				if err := f.SetCellStr(sheet, cell, v); err != nil {
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

// writeRegisterWorkbook saves sheets of typed cells (nil: empty) as an XLSX
// file; styles maps "sheet!A2" to a number format.
// hideSheet hides a sheet of a workbook, as Excel's Hide does.
func hideSheet(t *testing.T, path, sheet string) string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.SetSheetVisible(sheet, false); err != nil {
		t.Fatal(err)
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeRegisterWorkbook(t *testing.T, name string, sheets []string, rows map[string][][]any, formats map[string]string, date1904 bool) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if date1904 {
		if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &date1904}); err != nil {
			t.Fatal(err)
		}
	}
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
				if format, ok := formats[sheet+"!"+cell]; ok {
					style, err := f.NewStyle(&excelize.Style{CustomNumFmt: &format})
					if err != nil {
						t.Fatal(err)
					}
					if err := f.SetCellStyle(sheet, cell, cell, style); err != nil {
						t.Fatal(err)
					}
				}
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

// checkRegisterRejects compares rejects with want: sheet → line → parts
// the reason must contain.
func checkRegisterRejects(t *testing.T, rejects []tabular.Reject, want map[string]map[int][]string) {
	t.Helper()
	type key struct {
		sheet string
		line  int
	}
	got := map[key]string{}
	for _, rj := range rejects {
		if rj.Source == "" || rj.Line <= 0 || rj.Reason == "" {
			t.Errorf("reject %+v lacks its source, line or reason", rj)
		}
		k := key{rj.Sheet, rj.Line}
		if _, dup := got[k]; dup {
			t.Errorf("%s line %d refused twice: %q and %q", rj.Sheet, rj.Line, got[k], rj.Reason)
		}
		got[k] = rj.Reason
	}
	for sheet, lines := range want {
		for line, parts := range lines {
			reason, ok := got[key{sheet, line}]
			if !ok {
				t.Errorf("%s line %d: not refused, want a reason containing %q", sheet, line, parts)
				continue
			}
			for _, part := range parts {
				if !strings.Contains(reason, part) {
					t.Errorf("%s line %d: reason %q does not contain %q", sheet, line, reason, part)
				}
			}
		}
	}
	for k, reason := range got {
		if _, ok := want[k.sheet][k.line]; !ok {
			t.Errorf("unexpected reject: %s line %d: %s", k.sheet, k.line, reason)
		}
	}
}

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func rupiah(s string) *decimal.Decimal {
	d := decimal.RequireFromString(s)
	return &d
}

// canonicalDecimals rewrites amounts in one representation, so that equal
// amounts compare equal with reflect.DeepEqual (1500000 and 1500000.00).
func canonicalDecimals(b Parsed) Parsed {
	for i, a := range b.Agreements {
		if a.CommittedValue != nil {
			b.Agreements[i].CommittedValue = rupiah(a.CommittedValue.String())
		}
	}
	for i, r := range b.Realisations {
		b.Realisations[i].Value = decimal.RequireFromString(r.Value.String())
	}
	return b
}

// knownRegister is what testdata/known holds: the seeds' Kukar MoU
// with a coal company, Baznas, a foundation, four desa and a desa
// persiapan; the Jawa Timur–Kalimantan Timur agreement; a cross-kabupaten
// agreement of two desa; a BKAD agreement and two bodies; a draft with a
// sector agency (written twice, the same in other spellings); and
// realisations.
var knownRegister = Parsed{
	Agreements: []cooperation.Agreement{
		{
			ID: "KUKAR-2025-001", Title: "MoU kerja sama desa dengan pihak ketiga (Expose DPMPD Kaltim)",
			DocumentType: cooperation.DocMoU, SignedOn: day(2025, 8, 26), SignedPlace: "Samarinda", EndsOn: day(2027, 8, 26),
			Status:         cooperation.StatusActive,
			DeclaredIssues: []cooperation.Issue{cooperation.IssueThirdParty, cooperation.IssueEnergyMineral},
			Fields:         []cooperation.Field{cooperation.FieldUMKM, cooperation.FieldAgriculture, cooperation.FieldProductive},
			CommittedValue: rupiah("1500000000"), FundingSource: "CSR", SourceReference: "seed 002, linikaltim.id 26/8/2025",
		},
		{
			ID:              "JATIM-KALTIM-2025",
			DocumentNumbers: []string{"100.3.7.1/15/PKS/B.POD-III/2025", "100.3.7.1/243/PKS/011.3/2025"},
			Title:           "Kerja Sama Pemberdayaan Masyarakat dan Pemerintahan Desa Jawa Timur - Kalimantan Timur",
			DocumentType:    cooperation.DocKesepakatan, SignedOn: day(2025, 5, 8), SignedPlace: "Balikpapan",
			Status:         cooperation.StatusActive,
			DeclaredIssues: []cooperation.Issue{cooperation.IssueCrossKabupaten},
			Fields: []cooperation.Field{cooperation.FieldBUMDesa, cooperation.FieldDigital, cooperation.FieldTourism,
				cooperation.FieldFoodSecurity, cooperation.FieldLocalProducts, cooperation.FieldCapacity,
				cooperation.FieldThematicVillages, cooperation.FieldInformationAccess},
			FundingSource: "APBD", SourceReference: "seed 003",
		},
		{
			ID: "LINTAS-KAB-2024-007", DocumentNumbers: []string{"PKS/007/2024"},
			Title:        "Kerja sama pertanian Desa Lung Anai (Kukar) dan Desa Samurangau (Paser)",
			DocumentType: cooperation.DocPKS, SignedOn: day(2024, 3, 15), SignedPlace: "Tenggarong",
			StartsOn: day(2024, 4, 1), EndsOn: day(2026, 3, 31), Status: cooperation.StatusActive,
			DeclaredIssues: []cooperation.Issue{cooperation.IssueInterVillageBody, cooperation.IssueCrossKabupaten},
			Fields:         []cooperation.Field{cooperation.FieldAgriculture},
			CommittedValue: rupiah("250000000.50"), FundingSource: "APBDes", SourceReference: "fiktif untuk uji",
		},
		{
			ID: "BKAD-LOAKULU-2023", Title: "Penguatan BKAD Loa Kulu dan BUMDesa Bersama",
			DocumentType: cooperation.DocPKS, SignedOn: day(2023, 1, 10), SignedPlace: "Loa Kulu", EndsOn: day(2024, 12, 31),
			Status:         cooperation.StatusExpired,
			DeclaredIssues: []cooperation.Issue{cooperation.IssueInterVillageBody},
			Fields:         []cooperation.Field{cooperation.FieldBUMDesa},
			CommittedValue: rupiah("1500000"), FundingSource: "APBDes", SourceReference: "fiktif untuk uji",
		},
		{
			ID: "PU-2022-004", Title: "Prasarana dan sarana desa bersama Dinas PU", DocumentType: cooperation.DocPKS,
			Status: cooperation.StatusDraft, Fields: []cooperation.Field{cooperation.FieldInfrastructure}, SourceReference: "seed 004",
		},
	},
	Parties: []cooperation.Party{
		{AgreementID: "KUKAR-2025-001", Type: cooperation.PartyKabupatenGov, Name: "Pemerintah Kabupaten Kutai Kartanegara (Bupati)", Region: "6402", Role: "penandatangan"},
		{AgreementID: "KUKAR-2025-001", Type: cooperation.PartyCompany, Name: "PT Multi Harapan Utama (Loa Kulu Coal Terminal)", Region: "640202", Sector: cooperation.SectorCoal, Role: "mitra"},
		{AgreementID: "KUKAR-2025-001", Type: cooperation.PartyZakatBody, Name: "Baznas Kukar", Region: "6402", Sector: cooperation.SectorSocial, Role: "mitra"},
		{AgreementID: "KUKAR-2025-001", Type: cooperation.PartyFoundation, Name: "Yayasan Pede Nusantara Madani", Region: "6402", Role: "pendamping"},
		{AgreementID: "KUKAR-2025-001", Type: cooperation.PartyDesa, Name: "Desa Lung Anai", Region: "6402022010", Role: "penerima manfaat"},
		{AgreementID: "KUKAR-2025-001", Type: cooperation.PartyDesa, Name: "Desa Loh Sumber", Region: "6402022005", Role: "penerima manfaat"},
		{AgreementID: "KUKAR-2025-001", Type: cooperation.PartyDesa, Name: "Desa Loa Kulu Kota", Region: "6402022004", Role: "penerima manfaat"},
		{AgreementID: "KUKAR-2025-001", Type: cooperation.PartyDesa, Name: "Desa Jembayan Tengah", Region: "6402022011", Role: "penerima manfaat"},
		{AgreementID: "KUKAR-2025-001", Type: cooperation.PartyDesaPersiapan, Name: "Desa Persiapan Loa Duri Seberang", Region: "6402", Role: "penerima manfaat"},
		// line 11 repeats line 6 exactly: kept once
		{AgreementID: "JATIM-KALTIM-2025", Type: cooperation.PartyProvinceGov, Name: "Pemerintah Provinsi Kalimantan Timur (DPMPD)", Region: "64", Role: "penandatangan"},
		{AgreementID: "JATIM-KALTIM-2025", Type: cooperation.PartyOtherProvince, Name: "Pemerintah Provinsi Jawa Timur", Region: "35", Role: "penandatangan"},
		{AgreementID: "LINTAS-KAB-2024-007", Type: cooperation.PartyDesa, Name: "Desa Lung Anai", Region: "6402022010", Role: "pihak pertama"},
		{AgreementID: "LINTAS-KAB-2024-007", Type: cooperation.PartyDesa, Name: "Desa Samurangau", Region: "6401012009", Role: "pihak kedua"},
		{AgreementID: "BKAD-LOAKULU-2023", Type: cooperation.PartyBKAD, Name: "BKAD Loa Kulu", Region: "640202", Role: "pelaksana"},
		{AgreementID: "BKAD-LOAKULU-2023", Type: cooperation.PartyBUMDesa, Name: "BUMDesa Bersama Loa Kulu Sejahtera", Region: "640202", Role: "pelaksana"},
		{AgreementID: "PU-2022-004", Type: cooperation.PartySectorAgency, Name: "Dinas Pekerjaan Umum Provinsi Kalimantan Timur", Region: "64", Sector: cooperation.SectorPublicWorks, Role: "mitra"},
		{AgreementID: "PU-2022-004", Type: cooperation.PartyProvinceGov, Name: "DPMPD Kalimantan Timur", Role: "fasilitator"},
	},
	Realisations: []cooperation.Realisation{
		{AgreementID: "KUKAR-2025-001", Village: "6402022010", Month: day(2025, 9, 1), Value: decimal.RequireFromString("25000000"), Beneficiaries: 40, Outputs: "pelatihan pengemasan coklat Lung Anai"},
		{AgreementID: "KUKAR-2025-001", Village: "6402022005", Month: day(2025, 10, 1), Value: decimal.RequireFromString("30000000"), Beneficiaries: 25, Outputs: "bibit dan pupuk"},
		{AgreementID: "KUKAR-2025-001", Month: day(2025, 10, 1), Value: decimal.RequireFromString("5000000.5"), Outputs: "koordinasi"},
		{AgreementID: "LINTAS-KAB-2024-007", Village: "6401012009", Month: day(2024, 6, 1), Value: decimal.RequireFromString("12500000"), Beneficiaries: 1200, Outputs: "demplot padi"},
		{AgreementID: "BKAD-LOAKULU-2023", Village: "6402022011", Month: day(2024, 3, 1), Value: decimal.Zero},
	},
	Batch: Batch{
		Bodies: []cooperation.Body{
			{
				ID: "BKAD-LK-01", Name: "BKAD Loa Kulu", Region: "640202", EstablishedOn: day(2022, 6, 1),
				LegalBasis: "Peraturan Bersama Kepala Desa No. 1 Tahun 2022 (fiktif)", JointEnterprise: "BUMDesa Bersama Loa Kulu Sejahtera",
				Members: []region.Code{"6402022010", "6402022011", "6402022004"},
			},
			{ID: "BKAD-BS-01", Name: "BKAD Batu Sopang", Region: "640101", Members: []region.Code{"6401012009", "6401012010"}},
		},
		RowsRead: 6 + 18 + 2 + 5,
	},
}

func checkRegisterBatch(t *testing.T, got, want Parsed) {
	t.Helper()
	got, want = canonicalDecimals(got), canonicalDecimals(want)
	check := func(name string, g, w any) {
		t.Helper()
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, g, w)
		}
	}
	check("agreements", got.Agreements, want.Agreements)
	check("parties", got.Parties, want.Parties)
	check("bodies", got.Bodies, want.Bodies)
	check("realisations", got.Realisations, want.Realisations)
	if got.RowsRead != want.RowsRead {
		t.Errorf("rows read %d, want %d", got.RowsRead, want.RowsRead)
	}
}

func TestParseRegisterKnownAnswers(t *testing.T) {
	known := kaltimRegions(t)
	paths := registerPaths("known", registerTableFiles...)
	t.Run("csv", func(t *testing.T) {
		b, err := ParseFiles(paths, known)
		if err != nil {
			t.Fatal(err)
		}
		checkRegisterRejects(t, b.Rejects, nil)
		checkRegisterBatch(t, b, knownRegister)
	})
	t.Run("csv in any order", func(t *testing.T) {
		reversed := slices.Clone(paths)
		slices.Reverse(reversed)
		b, err := ParseFiles(reversed, known)
		if err != nil {
			t.Fatal(err)
		}
		checkRegisterRejects(t, b.Rejects, nil)
		checkRegisterBatch(t, b, knownRegister)
	})
	t.Run("xlsx", func(t *testing.T) {
		path := registerWorkbookFromCSV(t, "kukar_2025.xlsx", paths)
		b, err := Parse([]string{path}, known)
		if err != nil {
			t.Fatal(err)
		}
		checkRegisterRejects(t, b.Rejects, nil)
		checkRegisterBatch(t, b, knownRegister)
	})
}

// brokenRegisterRejects are the rejects of testdata/broken, sheet
// by sheet; every other row of it is valid and must be accepted.
var brokenRegisterRejects = map[string]map[int][]string{
	"agreements": {
		4:  {`committed_value "satu juta" is not an amount`},
		5:  {`signed_date "31/02/2025" is not a date (no such day)`, `end_date "2025-13-01" is not a date`},
		6:  {"end_date 2025-05-31 is before start_date 2025-06-01"},
		7:  {`document_type: unknown document type "surat" (accepted: MOU, PKS`, `status: unknown agreement status "jalan terus"`, `issues: unknown strategic issue "pariwisata"`},
		8:  {"empty title"},
		9:  {`agreement_id DUP-1 appears on lines 9 and 10 with different values (status "ACTIVE" vs "EXPIRED")`},
		10: {`agreement_id DUP-1 appears on lines 9 and 10 with different values (status "ACTIVE" vs "EXPIRED")`},
		11: {"committed_value -5000000 is negative"},
		12: {`committed_value "1.500" is ambiguous: write 1500 or 1.500`},
		13: {"expected 14 fields, got 4"},
		15: {"agreement_id DUP-2 appears on lines 15 and 16 and line 16 was rejected: which copy is right is unknown"},
		16: {`signed_date "kemarin" is not a date`},
		17: {"empty agreement_id"},
	},
	"parties": {
		3:  {"region_code 64.02.06.1001 (Jahab) is a kelurahan, not a desa"},
		4:  {"region_code 64.02.02.2099 is not in the region register"},
		5:  {`region_code: invalid region code: "64.02.2.2010"`},
		6:  {"agreement ORPHAN-9 is not in the register"},
		7:  {"agreement BAD-VALUE was rejected"},
		8:  {"agreement DUP-1 was rejected"},
		9:  {"region_code 64.02.02.2010 is a village code (Lung Anai), but a desa persiapan has no code yet"},
		11: {`party_type: unknown party type "alien"`},
		12: {`sector: unknown sector "kopi"`},
		14: {"region_code 99.01 is not in the region register"},
		15: {"empty region_code: a DESA party needs the code of its desa"},
		16: {"empty name"},
		18: {"agreement DUP-2 was rejected"},
		19: {"region_code 64.02.02 is a kecamatan code, not a desa code"},
		20: {"region_code 64 is a provinsi, but a desa persiapan is kept under the kecamatan or kabupaten/kota"},
	},
	"bodies": {
		3: {"member_villages has 1 desa; a body has at least two"},
		4: {`member_villages: not region codes: "x"`, "64.02.02.2099 is not in the region register", "64.02.06.1001 (Jahab) is a kelurahan, not a desa"},
		5: {"region_code 64.99.01 is not in the region register"},
		6: {`body_id B-5 appears on lines 6 and 7 with different values (name "BKAD Lima" vs "BKAD Lima Baru")`},
		7: {`body_id B-5 appears on lines 6 and 7`},
		8: {`established_date "kemarin" is not a date`},
	},
	"realisations": {
		3:  {`value "dua juta" is not an amount`},
		4:  {`month "2025/13" is not a month (write YYYY-MM)`},
		5:  {`month "Agustus 2025" is not a month`},
		6:  {"agreement ORPHAN-9 is not in the register"},
		7:  {"agreement DUP-1 was rejected"},
		8:  {"village_code 64.02.06.1001 (Jahab) is a kelurahan, not a desa"},
		9:  {"value -1000000 is negative"},
		10: {`beneficiaries "banyak" is not a whole number`},
		12: {`the realisation of agreement GOOD-2 for 64.02.02.2010 in 2025-04 (one row per agreement, village and month) appears on lines 12 and 13 with different values (value "5000000" vs "6000000")`},
		13: {"appears on lines 12 and 13"},
		16: {"empty month", "empty value"},
	},
}

// brokenRegisterColumns are the columns the rejects of testdata/broken
// name, sheet by sheet: the first column at fault, "" for a reason of the
// whole row (a truncated record, copies, a reference to an agreement the
// register lacks or refused).
var brokenRegisterColumns = map[string]map[int]string{
	"agreements": {4: "committed_value", 5: "signed_date", 6: "end_date", 7: "document_type", 8: "title", 9: "", 10: "",
		11: "committed_value", 12: "committed_value", 13: "", 15: "", 16: "signed_date", 17: "agreement_id"},
	"parties": {3: "region_code", 4: "region_code", 5: "region_code", 6: "", 7: "", 8: "", 9: "region_code", 11: "party_type",
		12: "sector", 14: "region_code", 15: "region_code", 16: "name", 18: "", 19: "region_code", 20: "region_code"},
	"bodies": {3: "member_villages", 4: "member_villages", 5: "region_code", 6: "", 7: "", 8: "established_date"},
	"realisations": {3: "value", 4: "month", 5: "month", 6: "", 7: "", 8: "village_code", 9: "value", 10: "beneficiaries",
		12: "", 13: "", 16: "month"},
}

func checkRejectColumns(t *testing.T, rejects []tabular.Reject, want map[string]map[int]string) {
	t.Helper()
	for _, rj := range rejects {
		if w, ok := want[rj.Sheet][rj.Line]; !ok || rj.Column != w {
			t.Errorf("%s line %d (%s): column %q, want %q", rj.Sheet, rj.Line, rj.Reason, rj.Column, w)
		}
	}
}

// checkBrokenRegisterKept checks that nothing valid of the broken register
// was lost.
func checkBrokenRegisterKept(t *testing.T, b Parsed) {
	t.Helper()
	var agreements, parties, bodies, realisations []string
	for _, a := range b.Agreements {
		agreements = append(agreements, a.ID)
	}
	for _, p := range b.Parties {
		parties = append(parties, p.AgreementID+"/"+p.Name)
	}
	for _, bd := range b.Bodies {
		bodies = append(bodies, bd.ID)
	}
	for _, r := range b.Realisations {
		realisations = append(realisations, fmt.Sprintf("%s/%s/%s/%s", r.AgreementID, r.Village, r.Month.Format("2006-01"), r.Value))
	}
	want := [][]string{
		{"GOOD-1", "GOOD-2", "GOOD-3"},
		{"GOOD-1/Desa Lung Anai", "GOOD-2/Desa Persiapan Contoh", "GOOD-2/Pemerintah Provinsi Jawa Timur", "GOOD-3/Desa Samurangau"},
		{"B-1", "B-7"},
		{"GOOD-1/6402022010/2025-02/10000000", "GOOD-2//2025-03/5000000", "GOOD-3//2025-06/7000000"},
	}
	for i, got := range [][]string{agreements, parties, bodies, realisations} {
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("%s kept: %q, want %q", []string{"agreements", "parties", "bodies", "realisations"}[i], got, want[i])
		}
	}
	if b.RowsRead != 16+19+9+15 {
		t.Errorf("rows read %d, want %d", b.RowsRead, 16+19+9+15)
	}
}

func TestParseRegisterBrokenCorpus(t *testing.T) {
	known := kaltimRegions(t)
	paths := registerPaths("broken", registerTableFiles...)
	t.Run("csv", func(t *testing.T) {
		b, err := ParseFiles(paths, known)
		if err != nil {
			t.Fatal(err)
		}
		checkRegisterRejects(t, b.Rejects, brokenRegisterRejects)
		checkBrokenRegisterKept(t, b)
		checkRejectColumns(t, b.Rejects, brokenRegisterColumns)
		for _, rj := range b.Rejects {
			if !strings.HasPrefix(rj.Source, rj.Sheet) || rj.Record == "" {
				t.Errorf("reject %+v: want the CSV file, its table as the sheet and the record", rj)
			}
		}
		for i := 1; i < len(b.Rejects); i++ {
			prev, cur := b.Rejects[i-1], b.Rejects[i]
			if prev.Sheet == cur.Sheet && prev.Line > cur.Line {
				t.Errorf("rejects out of order: %s line %d before line %d", cur.Sheet, prev.Line, cur.Line)
			}
		}
	})
	t.Run("xlsx", func(t *testing.T) {
		path := registerWorkbookFromCSV(t, "broken.xlsx", paths)
		b, err := ParseWorkbook(path, known)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]map[int][]string{}
		for sheet, lines := range brokenRegisterRejects {
			want[sheet] = map[int][]string{}
			for line, parts := range lines {
				want[sheet][line] = parts
			}
		}
		// Excel does not store empty trailing cells: the short row is read
		// padded, and refused for what it lacks.
		want["agreements"][13] = []string{"empty status"}
		checkRegisterRejects(t, b.Rejects, want)
		columns := map[string]map[int]string{}
		for sheet, lines := range brokenRegisterColumns {
			columns[sheet] = maps.Clone(lines)
		}
		columns["agreements"][13] = "status"
		checkRejectColumns(t, b.Rejects, columns)
		checkBrokenRegisterKept(t, b)
		for _, rj := range b.Rejects {
			if rj.Source != "broken.xlsx" || !slices.Contains([]string{"agreements", "parties", "bodies", "realisations"}, rj.Sheet) {
				t.Errorf("reject %+v: want the workbook and the sheet", rj)
			}
		}
	})
}

func TestParseRegisterRules(t *testing.T) {
	const agreements = "agreement_id,title,document_type,status\nA-1,Satu,MOU,ACTIVE\n"
	// A desa adat is a desa; the Kaltim register has none, so one is added.
	adat := region.Region{Code: "6402023001", Name: "Desa Adat Contoh", Level: region.LevelDesaKelurahan, Kind: region.KindDesaAdat, Parent: "640202"}
	regions := kaltimRegions(t)
	all := []region.Region{adat}
	for _, code := range []region.Code{"64", "6402", "640202", "6402022010", "6402022005", "6402061001", "3507"} {
		if r, ok := regions.Region(code); ok {
			all = append(all, r)
		}
	}
	known := region.NewSet(all)
	tests := []struct {
		name    string
		parties string
		want    map[int][]string
		kept    int
	}{
		{"desa adat is a desa", "A-1,DESA,Desa Adat Contoh,64.02.02.3001,,\n", nil, 1},
		{"flat and dotted codes", "A-1,DESA,Lung Anai,6402022010,,\nA-1,DESA,Loh Sumber, 64.02.02.2005 ,,\n", nil, 2},
		{"other province: any province, or a known region", "A-1,OTHER_PROVINCE,Jawa Timur,35,,\nA-1,OTHER_PROVINCE,Jawa Barat,32,,\nA-1,OTHER_PROVINCE,Kabupaten Sidoarjo,35.15,,\nA-1,OTHER_PROVINCE,Tanpa kode,,,\n",
			map[int][]string{4: {"region_code 35.15 is not in the region register"}}, 3},
		{"other province: well-formed codes only", "A-1,OTHER_PROVINCE,Provinsi nol,00,,\nA-1,OTHER_PROVINCE,Provinsi,3,,\n",
			map[int][]string{2: {"invalid region code"}, 3: {"invalid region code"}}, 0},
		{"a kelurahan is not a desa", "A-1,DESA,Kelurahan Jahab,64.02.06.1001,,\n", map[int][]string{2: {"64.02.06.1001 (Jahab) is a kelurahan, not a desa"}}, 0},
		{"a company's region must be known", "A-1,COMPANY,PT A,64.02.02,batubara,\nA-1,COMPANY,PT B,64.02.09,,\n",
			map[int][]string{3: {"region_code 64.02.09 is not in the region register"}}, 1},
		{"desa persiapan under a kecamatan or kabupaten", "A-1,DESA_PERSIAPAN,Desa Persiapan A,64.02.02,,\nA-1,DESA_PERSIAPAN,Desa Persiapan B,6402,,\nA-1,DESA_PERSIAPAN,Desa Persiapan C,,,\n",
			map[int][]string{4: {"empty region_code: a DESA_PERSIAPAN party needs the kecamatan or kabupaten/kota it is created in"}}, 2},
		{"exact copies kept once, others kept", "A-1,DESA,Lung Anai,6402022010,,mitra\nA-1,desa,Lung Anai,64.02.02.2010,,mitra\nA-1,DESA,Lung Anai,6402022010,,penerima\n", nil, 2},
		{"all problems of a row at once", "B-9,alien,,x,kopi,\n",
			map[int][]string{2: {"agreement B-9 is not in the register", `unknown party type "alien"`, "empty name", "invalid region code", `unknown sector "kopi"`}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			a := filepath.Join(dir, "a.csv")
			p := filepath.Join(dir, "p.csv")
			os.WriteFile(a, []byte(agreements), 0o644)
			os.WriteFile(p, []byte("agreement_id,party_type,name,region_code,sector,role\n"+tt.parties), 0o644)
			b, err := ParseFiles([]string{a, p}, known)
			if err != nil {
				t.Fatal(err)
			}
			checkRegisterRejects(t, b.Rejects, map[string]map[int][]string{"parties": tt.want})
			if len(b.Parties) != tt.kept {
				t.Errorf("%d parties kept, want %d: %+v", len(b.Parties), tt.kept, b.Parties)
			}
		})
	}
}

// A register kept in Excel: date cells in the locale's format, amounts with
// a number format that rounds, numbers for codes, a blank row, a header
// below an empty first row.
func TestParseRegisterWorkbookTypedCells(t *testing.T) {
	known := kaltimRegions(t)
	for _, date1904 := range []bool{false, true} {
		t.Run(fmt.Sprintf("date1904=%v", date1904), func(t *testing.T) {
			path := writeRegisterWorkbook(t, "typed.xlsx", []string{"Agreements", "PARTIES", "Realisasi", "Catatan"}, map[string][][]any{
				"Agreements": {
					{},
					{"Agreement ID", "Title", "Document Type", "Signed Date", "End Date", "Status", "Committed Value"},
					{"A-1", "Satu", "MOU", day(2025, 8, 26), day(2027, 8, 26), "ACTIVE", 1500000.5},
					{},
					{"A-2", "Dua", "PKS", "26/08/2025", nil, "ACTIVE", "1.500"},
					{"A-3", "Tiga", "PKS", 2025, nil, "ACTIVE", 1500000},
				},
				"PARTIES": {
					{"agreement_id", "party_type", "name", "region_code"},
					{"A-1", "DESA", "Lung Anai", 6402022010},
				},
				"Realisasi": {
					{"agreement_id", "village_code", "month", "value", "beneficiaries"},
					{"A-1", 6402022010, day(2025, 9, 1), 2500000.25, 1200},
				},
				"Catatan": {{"catatan bebas"}},
			}, map[string]string{
				"Agreements!D3": "mm-dd-yy",
				"Agreements!E3": "d mmmm yyyy",
				"Agreements!G3": "#,##0",
				"Agreements!G6": `"Rp"#,##0`,
				"Realisasi!C2":  "mmm-yy",
				"Realisasi!D2":  "#,##0",
				"Realisasi!E2":  "#,##0",
			}, date1904)
			b, err := ParseWorkbook(path, known)
			if err != nil {
				t.Fatal(err)
			}
			checkRegisterRejects(t, b.Rejects, map[string]map[int][]string{
				"Agreements": {
					// Reasons name columns as the file's header spells them.
					5: {`Committed Value "1.500" is ambiguous: write 1500 or 1.500`},
					6: {`Signed Date "2025" is read as the Excel date`, "outside the years 1970..2100"},
				},
			})
			checkRegisterBatch(t, b, Parsed{
				Agreements: []cooperation.Agreement{{
					ID: "A-1", Title: "Satu", DocumentType: cooperation.DocMoU, SignedOn: day(2025, 8, 26), EndsOn: day(2027, 8, 26),
					Status: cooperation.StatusActive, CommittedValue: rupiah("1500000.5"),
				}},
				Parties:      []cooperation.Party{{AgreementID: "A-1", Type: cooperation.PartyDesa, Name: "Lung Anai", Region: "6402022010"}},
				Realisations: []cooperation.Realisation{{AgreementID: "A-1", Village: "6402022010", Month: day(2025, 9, 1), Value: decimal.RequireFromString("2500000.25"), Beneficiaries: 1200}},
				Batch:        Batch{RowsRead: 3 + 1 + 1},
			})
		})
	}
}

func TestParseRegisterFileErrors(t *testing.T) {
	known := kaltimRegions(t)
	good := registerPaths("known", registerTableFiles...)
	files := func(names ...string) []string { return registerPaths("files", names...) }
	workbook := writeRegisterWorkbook(t, "register.xlsx", []string{"agreements", "parties"}, map[string][][]any{
		"agreements": {{"agreement_id", "title", "document_type", "status"}},
		"parties":    {{"agreement_id", "party_type", "name"}},
	}, nil, false)
	tests := []struct {
		name  string
		paths []string
		is    error
		want  []string
	}{
		{"no parties", good[:1], ErrLayout,
			[]string{"missing table parties (required: agreements, parties; files given: agreements.csv (agreements))"}},
		{"no files", nil, ErrLayout, []string{"missing table agreements, parties", "files given: none"}},
		{"empty file", append(files("empty.csv"), good...), tabular.ErrFormat, []string{"empty.csv", "empty file: no header row"}},
		{"UTF-16", append(files("agreements_utf16.csv"), good...), tabular.ErrFormat, []string{"file is UTF-16; save it as UTF-8 CSV"}},
		{"not a register table", append(files("notes.csv"), good...), ErrLayout,
			[]string{"notes.csv", "matches no register table", "agreements: agreement_id, title, status; parties: party_type", "header found: catatan, tanggal"}},
		{"a table missing a column that recognises it", append(files("agreements_no_status.csv"), good[1:]...), ErrLayout,
			[]string{"agreements_no_status.csv", "it comes closest to agreements, which also needs status"}},
		{"a table missing a required column", append(good[:1], files("parties_no_name.csv")...), tabular.ErrHeader,
			[]string{"parties_no_name.csv (parties table)", "missing columns: name (accepted: name)"}},
		{"two files for one table", append(good, registerPaths("broken", "agreements.csv")...), ErrLayout,
			[]string{"known/agreements.csv and testdata/broken/agreements.csv are both the agreements table; give one file per table"}},
		{"a workbook among files", append(good[1:], workbook), ErrLayout,
			[]string{"register.xlsx", "a workbook of 2 sheets (\"agreements\", \"parties\") is read on its own"}},
		{"a missing file", append(good, files("absent.csv")...), os.ErrNotExist, []string{"absent.csv"}},
		{"every problem at once", append(files("notes.csv", "empty.csv"), good...), ErrLayout, []string{"notes.csv", "empty.csv"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := ParseFiles(tt.paths, known)
			if err == nil {
				t.Fatalf("no error; batch %+v", b)
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if !reflect.DeepEqual(b, Parsed{}) {
				t.Errorf("a failed register returned rows: %+v", b)
			}
		})
	}
	if _, err := ParseFiles(good, nil); err == nil || !strings.Contains(err.Error(), "no region register") {
		t.Errorf("no region register: error %v", err)
	}
}

func TestParseRegisterWorkbookErrors(t *testing.T) {
	known := kaltimRegions(t)
	agreements := [][]any{{"agreement_id", "title", "document_type", "status"}, {"A-1", "Satu", "MOU", "ACTIVE"}}
	parties := [][]any{{"agreement_id", "party_type", "name"}, {"A-1", "COMPANY", "PT A"}}
	realisations := [][]any{{"agreement_id", "month", "value"}, {"A-1", "2025-01", 5}}
	garbage := filepath.Join(t.TempDir(), "garbage.xlsx")
	if err := os.WriteFile(garbage, []byte("not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		is   error
		want []string
	}{
		{"missing sheet",
			writeRegisterWorkbook(t, "r.xlsx", []string{"agreements", "README"}, map[string][][]any{"agreements": agreements}, nil, false),
			ErrLayout, []string{`r.xlsx: bad register layout: missing sheet parties (required: agreements, parties; sheets found: "agreements", "README")`}},
		{"missing sheets",
			writeRegisterWorkbook(t, "r.xlsx", []string{"Sheet1"}, nil, nil, false),
			ErrLayout, []string{`missing sheet agreements, parties`, `sheets found: "Sheet1"`}},
		{"a table under another name",
			writeRegisterWorkbook(t, "r.xlsx", []string{"agreements", "parties", "Realisasi Bulanan"},
				map[string][][]any{"agreements": agreements, "parties": parties, "Realisasi Bulanan": realisations}, nil, false),
			ErrLayout, []string{`sheet "Realisasi Bulanan" has the columns of the realisations table (month, value); name it "realisations"`}},
		{"a second sheet with a table's columns",
			writeRegisterWorkbook(t, "r.xlsx", []string{"agreements", "parties", "Sheet2"},
				map[string][][]any{"agreements": agreements, "parties": parties, "Sheet2": parties}, nil, false),
			ErrLayout, []string{`sheet "Sheet2" has the columns of the parties table (party_type), which sheet "parties" holds`}},
		{"a hidden sheet with a table's columns",
			hideSheet(t, writeRegisterWorkbook(t, "r.xlsx", []string{"agreements", "parties", "Sheet2"},
				map[string][][]any{"agreements": agreements, "parties": parties, "Sheet2": parties}, nil, false), "Sheet2"),
			ErrLayout, []string{`sheet "Sheet2" has the columns of the parties table (party_type), which sheet "parties" holds`}},
		{"two sheets for one table",
			writeRegisterWorkbook(t, "r.xlsx", []string{"agreements", "Kerja Sama", "parties"},
				map[string][][]any{"agreements": agreements, "Kerja Sama": agreements, "parties": parties}, nil, false),
			ErrLayout, []string{`sheets "agreements" and "Kerja Sama" are both the agreements table; keep one`}},
		{"columns missing in two sheets",
			writeRegisterWorkbook(t, "r.xlsx", []string{"agreements", "parties"}, map[string][][]any{
				"agreements": {{"agreement_id", "title", "status"}}, "parties": {{"agreement_id", "party_type"}}}, nil, false),
			tabular.ErrHeader, []string{`r.xlsx sheet "agreements" (agreements table): bad header: missing columns: document_type`,
				`r.xlsx sheet "parties" (parties table): bad header: missing columns: name`}},
		{"an empty required sheet",
			writeRegisterWorkbook(t, "r.xlsx", []string{"agreements", "parties"}, map[string][][]any{"agreements": agreements}, nil, false),
			tabular.ErrFormat, []string{"empty file: no header row"}},
		{"not a workbook", garbage, tabular.ErrFormat, []string{"garbage.xlsx", "not a readable XLSX workbook"}},
		{"a CSV file", registerPaths("known", "agreements.csv")[0], tabular.ErrFormat, []string{"only .xlsx workbooks have sheets"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := ParseWorkbook(tt.path, known)
			if err == nil {
				t.Fatalf("no error; batch %+v", b)
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	// Optional sheets may be missing; other sheets are ignored.
	path := writeRegisterWorkbook(t, "r.xlsx", []string{"README", "Agreements", "Parties", "Catatan"},
		map[string][][]any{"README": {{"Register kerja sama desa"}}, "Agreements": agreements, "Parties": parties, "Catatan": {{"rapat", "2025-01-01"}}}, nil, false)
	b, err := ParseWorkbook(path, known)
	if err != nil || len(b.Agreements) != 1 || len(b.Parties) != 1 || len(b.Rejects) != 0 || b.RowsRead != 2 {
		t.Errorf("minimal workbook: %+v, %v", b, err)
	}
}

// FuzzParseRegisterFiles feeds arbitrary agreements files, beside a valid
// parties file: whatever the input, the parser must not panic, and what it
// accepts must be a consistent register.
func FuzzParseRegisterFiles(f *testing.F) {
	known := kaltimRegions(f)
	parties, err := os.ReadFile(registerPaths("known", "parties.csv")[0])
	if err != nil {
		f.Fatal(err)
	}
	for _, dir := range []string{"known", "broken"} {
		seed, err := os.ReadFile(registerPaths(dir, "agreements.csv")[0])
		if err != nil {
			f.Fatal(err)
		}
		f.Add(seed)
	}
	f.Add([]byte(""))
	f.Add([]byte("\xFF\xFEa\x00"))
	f.Add([]byte("agreement_id;title;document_type;status;committed_value\nKUKAR-2025-001;T;MOU;aktif;\"1.500.000,50\"\n"))
	f.Add([]byte("agreement_id,title,document_type,status,signed_date,end_date\nA,\"x\ny\",MOU,ACTIVE,2025-01-01,2024-01-01\n\"unclosed,x\n"))
	f.Add([]byte("agreement_id,title,status,party_type\nA,T,ACTIVE,DESA\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		a, p := filepath.Join(dir, "agreements.csv"), filepath.Join(dir, "parties.csv")
		if err := os.WriteFile(a, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, parties, 0o644); err != nil {
			t.Fatal(err)
		}
		b, err := ParseFiles([]string{a, p}, known)
		if err != nil {
			if !reflect.DeepEqual(b, Parsed{}) {
				t.Fatalf("error %v with rows %+v", err, b)
			}
			return
		}
		ids := map[string]bool{}
		for _, ag := range b.Agreements {
			if ids[ag.ID] {
				t.Fatalf("agreement %q accepted twice", ag.ID)
			}
			ids[ag.ID] = true
			if ag.ID == "" || ag.Title == "" || !slices.Contains(cooperation.Statuses, ag.Status) || !slices.Contains(cooperation.DocumentTypes, ag.DocumentType) {
				t.Fatalf("accepted invalid agreement %+v", ag)
			}
			if ag.CommittedValue != nil && ag.CommittedValue.IsNegative() {
				t.Fatalf("accepted negative value %+v", ag)
			}
			start := ag.StartsOn
			if start.IsZero() {
				start = ag.SignedOn
			}
			if !ag.EndsOn.IsZero() && ag.EndsOn.Before(start) {
				t.Fatalf("accepted an end before the start: %+v", ag)
			}
		}
		for _, party := range b.Parties {
			if !ids[party.AgreementID] {
				t.Fatalf("party %+v of an agreement not accepted", party)
			}
		}
		if len(b.Agreements)+len(b.Parties) > b.RowsRead {
			t.Fatalf("%d agreements and %d parties from %d rows", len(b.Agreements), len(b.Parties), b.RowsRead)
		}
		for _, rj := range b.Rejects {
			if rj.Line <= 0 || rj.Reason == "" || rj.Sheet == "" {
				t.Fatalf("reject without line, reason or sheet: %+v", rj)
			}
		}
	})
}
