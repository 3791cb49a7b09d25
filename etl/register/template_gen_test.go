package register

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// The register template (docs/register-template.xlsx and the CSV headers in
// docs/register-template/): every table's columns in the order the parser
// reads them, with one fictional example row. Tests keep the committed files
// equal to what this file generates and check that the parser accepts them.

// templateKind is how the XLSX template types a column, so that what a
// person types in it is stored the way the parser reads best.
type templateKind int

const (
	templateText  templateKind = iota
	templateCode               // text: typed as a number, "64.10" would become 64.1
	templateDate               // a date cell shown as YYYY-MM-DD
	templateMonth              // a date cell shown as YYYY-MM
	templateMoney              // a number shown with thousands separators
	templateCount              // a whole number
)

// templateColumn is one column of a template table.
type templateColumn struct {
	name    string
	kind    templateKind
	width   float64
	example string // the example row's value, as the CSV template holds it
	note    string // what the column holds, for the README sheet
}

var registerTemplate = [registerTableCount][]templateColumn{
	tableAgreements: {
		{"agreement_id", templateText, 18, "CONTOH-2025-001", "the register's own id: unique, stable across submissions (e.g. KUKAR-2025-001)"},
		{"document_numbers", templateText, 26, "000/CONTOH/PKS/2025", "document numbers, ';'-separated (100.3.7.1/15/PKS/B.POD-III/2025)"},
		{"title", templateText, 48, "CONTOH FIKTIF - Pembinaan UMKM dan pertanian desa (hapus baris ini)", "the agreement's title"},
		{"document_type", templateText, 22, "PKS", "the kind of document (values below)"},
		{"signed_date", templateDate, 13, "2025-08-26", "signing date"},
		{"signed_place", templateText, 16, "Tenggarong", "signing place"},
		{"start_date", templateDate, 13, "2025-09-01", "start of the period; empty: the signing date counts"},
		{"end_date", templateDate, 13, "2027-08-31", "end of the period; empty: open-ended"},
		{"status", templateText, 13, "ACTIVE", "where the agreement stands (values below)"},
		{"issues", templateText, 30, "THIRD_PARTY;ENERGY_MINERAL", "declared strategic issues, ';'-separated (values below)"},
		{"fields", templateText, 30, "UMKM;AGRICULTURE", "fields of work, ';'-separated (values below)"},
		{"committed_value", templateMoney, 18, "150000000", "Rp committed"},
		{"funding_source", templateText, 16, "CSR", "e.g. APBDes, CSR, Baznas"},
		{"source_reference", templateText, 36, "contoh fiktif, bukan perjanjian nyata", "where the register took it from (document, article)"},
	},
	tableParties: {
		{"agreement_id", templateText, 18, "CONTOH-2025-001", "an agreement_id of the agreements sheet"},
		{"party_type", templateText, 24, "COMPANY", "the kind of party (values below)"},
		{"name", templateText, 40, "PT Contoh Energi Nusantara (fiktif)", "the party's name"},
		{"region_code", templateCode, 16, "64.02.02", "DESA: the desa's code (required); DESA_PERSIAPAN: the kecamatan or kabupaten/kota it is created in (required); governments: their province or kabupaten; others: where they work, if known"},
		{"sector", templateText, 14, "COAL", "a company's or agency's line of business (values below)"},
		{"role", templateText, 24, "mitra (partner)", "free text: signatory, partner, facilitator, beneficiary, ..."},
		{"body_id", templateText, 16, "", "BKAD parties: the body_id of the bodies sheet (optional; without it the body is matched by name)"},
	},
	tableBodies: {
		{"body_id", templateText, 16, "CONTOH-BKAD-01", "the body's own id: unique, stable"},
		{"name", templateText, 34, "BKAD Contoh Loa Kulu (fiktif)", "the body's name"},
		{"region_code", templateCode, 14, "64.02.02", "its region, usually the kecamatan"},
		{"established_date", templateDate, 16, "2024-03-01", "date established"},
		{"legal_basis", templateText, 40, "Peraturan Bersama Kepala Desa No. 0 Tahun 2024 (contoh)", "e.g. Peraturan Bersama Kepala Desa No. ..."},
		{"joint_enterprise", templateText, 30, "BUMDesa Bersama Contoh (fiktif)", "the BUMDesa Bersama, if any"},
		{"member_villages", templateCode, 32, "64.02.02.2010;64.02.02.2005", "desa codes, ';'-separated: at least two"},
	},
	tableRealisations: {
		{"agreement_id", templateText, 18, "CONTOH-2025-001", "an agreement_id of the agreements sheet"},
		{"village_code", templateCode, 16, "64.02.02.2010", "the desa that received it; empty when not attributable"},
		{"month", templateMonth, 10, "2025-10", "the month, YYYY-MM: one row per agreement, village and month"},
		{"value", templateMoney, 16, "25000000", "Rp realised in that month"},
		{"beneficiaries", templateCount, 14, "40", "people reached"},
		{"outputs", templateText, 44, "Pelatihan pengemasan produk UMKM (contoh fiktif)", "what was delivered"},
	},
}

// enumDoc lists an enumerated column's values with Indonesian spellings the
// parser accepts for them (a few of each; tests check they parse).
type enumDoc struct {
	column string
	values [][2]string // value, Indonesian spellings
}

var registerEnumDocs = []enumDoc{
	{"document_type", [][2]string{
		{"MOU", "nota kesepahaman"}, {"PKS", "perjanjian kerja sama"}, {"KESEPAKATAN_BERSAMA", "kesepakatan bersama"},
		{"ADDENDUM", "adendum"}, {"OTHER", "lainnya"}}},
	{"status", [][2]string{
		{"DRAFT", "rancangan"}, {"ACTIVE", "aktif, berlaku"}, {"EXPIRED", "berakhir, selesai"}, {"TERMINATED", "dihentikan, dibatalkan"}}},
	{"issues", [][2]string{
		{"INTER_VILLAGE_BODY", "BKAD, antar desa"}, {"THIRD_PARTY", "pihak ketiga"},
		{"CROSS_KABUPATEN", "lintas kabupaten, lintas provinsi"}, {"ENERGY_MINERAL", "energi dan mineral, ESDM"}}},
	{"fields", [][2]string{
		{"UMKM", "pembinaan UMKM"}, {"AGRICULTURE", "pertanian"}, {"PRODUCTIVE_BUSINESS", "usaha produktif"},
		{"BUMDESA", "BUMDes"}, {"DIGITAL_SERVICES", "digitalisasi layanan desa"}, {"TOURISM", "desa wisata"},
		{"FOOD_SECURITY", "ketahanan pangan"}, {"LOCAL_PRODUCTS", "Prudes, Prukades"},
		{"CAPACITY_BUILDING", "pengembangan kapasitas"}, {"INFRASTRUCTURE", "prasarana dan sarana desa"},
		{"TECHNICAL_ASSISTANCE", "pendampingan teknis"}, {"THEMATIC_VILLAGES", "desa adat, desa ekspor, desa anti korupsi"},
		{"INFORMATION_ACCESS", "akses informasi"}, {"ENERGY", "listrik desa"}, {"OTHER", "lainnya"}}},
	{"party_type", [][2]string{
		{"DESA", "desa, desa adat"}, {"DESA_PERSIAPAN", "desa persiapan"}, {"BKAD", "badan kerja sama antar desa"},
		{"BUMDESA", "BUMDes, BUMDesa Bersama"}, {"KABUPATEN_GOVERNMENT", "pemkab, pemkot, bupati, DPMD"},
		{"PROVINCE_GOVERNMENT", "pemprov, DPMPD"}, {"OTHER_PROVINCE", "provinsi lain"}, {"COMPANY", "perusahaan, PT"},
		{"STATE_ENTERPRISE", "BUMN, BUMD"}, {"ZAKAT_BODY", "Baznas, LAZ"}, {"FOUNDATION_NGO", "yayasan, LSM"},
		{"UNIVERSITY", "universitas, perguruan tinggi"}, {"SECTOR_AGENCY", "dinas, OPD"}}},
	{"sector", [][2]string{
		{"COAL", "batubara"}, {"OIL_GAS", "migas"}, {"MINERAL", "pertambangan"}, {"ENERGY", "listrik, energi"},
		{"PLANTATION", "perkebunan, sawit"}, {"FORESTRY", "kehutanan"}, {"FINANCE", "keuangan, perbankan"},
		{"EDUCATION", "pendidikan"}, {"HEALTH", "kesehatan"}, {"PUBLIC_WORKS", "pekerjaan umum"},
		{"SOCIAL", "sosial"}, {"OTHER", "lainnya"}}},
}

// dropDownColumns get a drop-down of their values in the template; typing
// something else (an Indonesian spelling) stays allowed.
var dropDownColumns = map[string]bool{"document_type": true, "status": true, "party_type": true, "sector": true}

// registerReadme is the README sheet's text, one row per line: a line
// starting with "# " is a heading; "\t" separates cells.
func registerReadme() []string {
	lines := []string{
		"# Register kerja sama desa (village cooperation register) for sinergi",
		"One sheet per table: agreements and parties are required, bodies and realisations optional. The same tables may be sent as CSV files, one per table, with the same columns.",
		"Keep the header row. Column and sheet names ignore case, spaces, underscores, dashes and dots. Other sheets (like this one) are ignored.",
		"The rows starting CONTOH are a fictional example: delete them.",
		"",
		"# Formats",
		"dates\tYYYY-MM-DD, DD/MM/YYYY or an Excel date; years 1970..2100",
		"months\tYYYY-MM (a date counts as its month)",
		"money\trupiah: 1500000 or 1500000.50; 1.500.000, 1,500,000 and 1.500.000,50 too. 1.500 alone is refused: 1500 or 1.5? Kept to the sen.",
		"lists\tseparated by ';' (or a line break in the cell); lists of values or codes may also use ','",
		"region codes\tKemendagri, dotted or flat: 64.02 (kabupaten), 64.02.02 (kecamatan), 64.02.02.2010 (desa)",
		"",
	}
	for id, def := range registerTableDefs {
		need := "optional"
		if def.required {
			need = "required"
		}
		lines = append(lines, fmt.Sprintf("# Sheet %s (%s)", def.name, need))
		for _, c := range registerTemplate[id] {
			req := ""
			for _, spec := range def.columns {
				if spec.Name == c.name && spec.Required {
					req = "required"
				}
			}
			lines = append(lines, c.name+"\t"+req+"\t"+c.note)
		}
		lines = append(lines, "")
	}
	lines = append(lines, "# Enumerated values: write the English value or an Indonesian name")
	for _, e := range registerEnumDocs {
		for _, v := range e.values {
			lines = append(lines, e.column+"\t"+v[0]+"\t"+v[1])
		}
	}
	lines = append(lines, "",
		"# Rules",
		"A newer register replaces, per agreement_id, the agreement with all its parties and realisations; per body_id, the body.",
		"Rows that cannot be used are reported with sheet, row and reason; the other rows load. A missing required sheet or column refuses the whole file.",
		"A desa persiapan (no code yet) is a DESA_PERSIAPAN party with the code of the kecamatan or kabupaten it is created in. A kelurahan is not a desa.",
		"Full description: docs/register.md in the sinergi repository.")
	return lines
}

// WriteTemplate writes the register template workbook to path: one
// sheet per table with its header and the example row, and a README sheet.
func WriteTemplate(path string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := writeRegisterTemplate(f); err != nil {
		return fmt.Errorf("register template: %w", err)
	}
	// excelize's SaveAs makes the file executable; a template is not.
	out, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("register template: %w", err)
	}
	if _, err := f.WriteTo(out); err != nil {
		out.Close()
		return fmt.Errorf("register template: %w", err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("register template: %w", err)
	}
	return nil
}

func writeRegisterTemplate(f *excelize.File) error {
	styles, err := newTemplateStyles(f)
	if err != nil {
		return err
	}
	for id, def := range registerTableDefs {
		if id == 0 {
			if err := f.SetSheetName("Sheet1", def.name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(def.name); err != nil {
			return err
		}
		if err := writeTemplateSheet(f, def.name, registerTemplate[id], styles); err != nil {
			return fmt.Errorf("sheet %s: %w", def.name, err)
		}
	}
	if _, err := f.NewSheet("README"); err != nil {
		return err
	}
	if err := writeTemplateReadme(f, "README", styles); err != nil {
		return fmt.Errorf("sheet README: %w", err)
	}
	f.SetActiveSheet(0)
	return nil
}

type templateStyles struct {
	header, heading int
	byKind          map[templateKind]int
}

func newTemplateStyles(f *excelize.File) (templateStyles, error) {
	s := templateStyles{byKind: map[templateKind]int{}}
	var err error
	if s.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}}); err != nil {
		return s, err
	}
	if s.heading, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return s, err
	}
	formats := map[templateKind]string{
		templateCode:  "@",
		templateDate:  "yyyy-mm-dd",
		templateMonth: "yyyy-mm",
		templateMoney: "#,##0",
		templateCount: "0",
	}
	for kind, format := range formats {
		if s.byKind[kind], err = f.NewStyle(&excelize.Style{CustomNumFmt: &format}); err != nil {
			return s, err
		}
	}
	return s, nil
}

func writeTemplateSheet(f *excelize.File, sheet string, columns []templateColumn, styles templateStyles) error {
	last, _ := excelize.ColumnNumberToName(len(columns))
	for i, c := range columns {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, col, col, c.width); err != nil {
			return err
		}
		if style, ok := styles.byKind[c.kind]; ok {
			// A column style formats what people type below the header
			// (the header's own style replaces it).
			if err := f.SetColStyle(sheet, col, style); err != nil {
				return err
			}
		}
		if err := f.SetCellStr(sheet, col+"1", c.name); err != nil {
			return err
		}
		v, err := templateCellValue(c)
		if err != nil {
			return fmt.Errorf("column %s: %w", c.name, err)
		}
		if err := f.SetCellValue(sheet, col+"2", v); err != nil {
			return err
		}
		if dropDownColumns[c.name] {
			dv := excelize.NewDataValidation(true)
			dv.Sqref = fmt.Sprintf("%s2:%s%d", col, col, excelize.TotalRows)
			if err := dv.SetDropList(enumValues(c.name)); err != nil {
				return err
			}
			if err := f.AddDataValidation(sheet, dv); err != nil {
				return err
			}
		}
	}
	if err := f.SetCellStyle(sheet, "A1", last+"1", styles.header); err != nil {
		return err
	}
	return f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

// templateCellValue types the example value as the template's column does.
func templateCellValue(c templateColumn) (any, error) {
	switch c.kind {
	case templateDate:
		return time.Parse(time.DateOnly, c.example)
	case templateMonth:
		return time.Parse("2006-01", c.example)
	case templateMoney:
		d, err := decimal.NewFromString(c.example)
		if err != nil {
			return nil, err
		}
		return d.InexactFloat64(), nil
	case templateCount:
		var n int
		_, err := fmt.Sscan(c.example, &n)
		return n, err
	}
	return c.example, nil
}

func enumValues(column string) []string {
	for _, e := range registerEnumDocs {
		if e.column == column {
			values := make([]string, len(e.values))
			for i, v := range e.values {
				values[i] = v[0]
			}
			return values
		}
	}
	return nil
}

func writeTemplateReadme(f *excelize.File, sheet string, styles templateStyles) error {
	for col, width := range map[string]float64{"A": 22, "B": 24, "C": 100} {
		if err := f.SetColWidth(sheet, col, col, width); err != nil {
			return err
		}
	}
	for i, line := range registerReadme() {
		row := i + 1
		if heading, ok := strings.CutPrefix(line, "# "); ok {
			if err := f.SetCellStr(sheet, fmt.Sprintf("A%d", row), heading); err != nil {
				return err
			}
			if err := f.SetCellStyle(sheet, fmt.Sprintf("A%d", row), fmt.Sprintf("A%d", row), styles.heading); err != nil {
				return err
			}
			continue
		}
		for j, cell := range strings.Split(line, "\t") {
			if cell == "" {
				continue
			}
			name, _ := excelize.CoordinatesToCellName(j+1, row)
			if err := f.SetCellStr(sheet, name, cell); err != nil {
				return err
			}
		}
	}
	return nil
}
