package regionfile

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sinergi-id/sinergi/etl/tabular"
	"github.com/sinergi-id/sinergi/etl/tabular/tabulartest"
	"github.com/sinergi-id/sinergi/internal/region"
)

// realDataDir holds the project's real Kalimantan Timur files, shipped in
// the repository (identical to ../shared/data; data/kaltim's test checks).
// Tests using it fail when it is missing: they are the check that the
// parsers accept what the sources actually publish.
const realDataDir = "../../data/kaltim"

func parseRegionsText(t *testing.T, content string, known region.Lookup) (Batch, error) {
	t.Helper()
	tbl, err := tabulartest.OpenCSV(t, "regions.csv", content)
	if err != nil {
		return Batch{}, err
	}
	defer tbl.Close()
	return Parse(tbl, known)
}

func dottedCodes(regions []region.Region) []string {
	out := []string{}
	for _, r := range regions {
		out = append(out, r.Code.Dotted())
	}
	return out
}

const regionListHeader = "kode,kode_flat,level,jenis,parent_kode,nama\n"

// kukarTop is a valid start of a register: province, kabupaten, kecamatan.
const kukarTop = regionListHeader +
	"64,64,provinsi,provinsi,,Kalimantan Timur\n" +
	"64.02,6402,kabupaten_kota,kabupaten,64,Kabupaten Kutai Kartanegara\n" +
	"64.02.02,640202,kecamatan,kecamatan,64.02,Loa Kulu\n"

func TestParseRegionList(t *testing.T) {
	known := region.NewSet([]region.Region{
		{Code: "64", Level: region.LevelProvinsi, Kind: region.KindProvinsi, Name: "Kalimantan Timur"},
		{Code: "6401", Level: region.LevelKabupatenKota, Kind: region.KindKabupaten, Parent: "64", Name: "Kabupaten Paser"},
	})
	tests := []struct {
		name        string
		content     string
		known       region.Lookup
		wantCodes   []string
		wantRejects map[int]string
	}{
		{
			name:      "valid, village before its kecamatan, flat codes and no optional columns",
			content:   "kode,jenis,parent_kode,nama\n6402022010,desa,640202,Lung Anai\n640202,kecamatan,6402,Loa Kulu\n6402,kabupaten,64,Kabupaten Kutai Kartanegara\n64,provinsi,,Kalimantan Timur\n6472,kota,64,Kota Samarinda\n",
			wantCodes: []string{"64.02.02.2010", "64.02.02", "64.02", "64", "64.72"},
		},
		{
			name:      "parents from the register",
			content:   regionListHeader + "64.01.01,640101,kecamatan,kecamatan,64.01,Batu Sopang\n64.01.01.2009,6401012009,desa_kelurahan,desa,64.01.01,Samurangau\n",
			known:     known,
			wantCodes: []string{"64.01.01", "64.01.01.2009"},
		},
		{
			name: "malformed codes and fields that do not fit the code",
			content: kukarTop +
				"64.02.0x,,kecamatan,kecamatan,64.02,Salah\n" + // 5
				"64.02.02.2010,6402022011,desa_kelurahan,desa,64.02.02,Lung Anai\n" + // 6
				"64.02.02.2001,,kecamatan,desa,64.02.02,Jonggon Desa\n" + // 7
				"64.02.02.2002,,desa_kelurahan,kecamatan,64.02.02,Sungai Payang\n" + // 8
				"64.02.02.1003,,desa_kelurahan,desa,64.02.02,Jembayan\n" + // 9
				"64.02.02.4004,,desa_kelurahan,desa,64.02.02,Loa Kulu Kota\n" + // 10
				"64.02.02.2005,,desa_kelurahan,desa,64.02.02,\n" + // 11
				"64.02.02.2006,,desa_kelurahan,kelurahan,64.02.02,Ponoragan\n" + // 12
				"64.02.02.2007,,desa_kelurahan,,64.02.02,Rempanga\n" + // 13
				",,,desa,64.02.02,Tanpa Kode\n" + // 14
				"64.02.02.2008,,level_x,desa,64.02.02,Margahayu\n" + // 15
				"64.02.02.3009,,desa_kelurahan,desa adat,64.02.02,Jonggon Jaya\n", // 16: valid desa adat
			wantCodes: []string{"64", "64.02", "64.02.02", "64.02.02.3009"},
			wantRejects: map[int]string{
				5:  `kode: invalid region code: "64.02.0x"`,
				6:  `kode_flat "6402022011" disagrees with kode 64.02.02.2010`,
				7:  "level kecamatan does not fit code 64.02.02.2001 (a desa_kelurahan code)",
				8:  `jenis "kecamatan" does not fit level desa_kelurahan`,
				9:  "jenis desa disagrees with code 64.02.02.1003, whose village part starts with 1 (kelurahan)",
				10: "village part must start with 1 (kelurahan), 2 (desa) or 3 (desa adat)",
				11: "empty nama",
				12: "jenis kelurahan disagrees with code 64.02.02.2006",
				13: "empty jenis",
				14: "empty kode",
				15: `unknown region level "level_x"`,
			},
		},
		{
			name: "parents that are wrong or missing, and what hangs below them",
			content: regionListHeader +
				"64,64,provinsi,provinsi,63,Kalimantan Timur\n" + // 2: province with a parent
				"64.02,6402,kabupaten_kota,kabupaten,,Kabupaten Kutai Kartanegara\n" + // 3: no parent
				"64.03.01,640301,kecamatan,kecamatan,64.02,Tanjung Redeb\n" + // 4: parent not the prefix
				"64.08.01,640801,kecamatan,kecamatan,64.08,Muara Ancalong\n" + // 5: parent nowhere
				"64.08.01.2001,6408012001,desa_kelurahan,desa,64.08.01,Long Bentuk\n" + // 6: below a refused one
				"64.02.02,640202,kecamatan,kecamatan,64.02,Loa Kulu\n" + // 7: below a refused one
				"64.02.02.2010,6402022010,desa_kelurahan,desa,64.02.02,Lung Anai\n", // 8: two levels below
			wantCodes: []string{},
			wantRejects: map[int]string{
				2: "province 64 cannot have a parent (parent_kode is 63)",
				3: "empty parent_kode (expected 64)",
				4: "parent 64.02 is not the prefix of 64.03.01 (expected 64.03)",
				5: "parent 64.08 is neither in this file nor in the region register",
				6: "parent 64.08.01 was rejected",
				7: "parent 64.02 was rejected",
				8: "parent 64.02.02 was rejected",
			},
		},
		{
			name: "duplicates: identical dropped, disagreeing all refused with their children",
			content: kukarTop +
				"64.02.02,640202,kecamatan,kecamatan,64.02,Loa Kulu\n" + // 5: identical to 4: dropped
				"64.02.02.2010,6402022010,desa_kelurahan,desa,64.02.02,Lung Anai\n" + // 6
				"64.02.02.2010,6402022010,desa_kelurahan,desa,64.02.02,Lung Anai Baru\n" + // 7
				"64.02.03,640203,kecamatan,kecamatan,64.02,Loa Janan\n" + // 8
				"64.02.03,640203,kecamatan,kecamatan,64.02,Loa Janan Ilir\n" + // 9
				"64.02.03.2001,6402032001,desa_kelurahan,desa,64.02.03,Purwajaya\n", // 10
			wantCodes: []string{"64", "64.02", "64.02.02"},
			wantRejects: map[int]string{
				6:  `code 64.02.02.2010 appears on lines 6 and 7 with different values (nama "Lung Anai" vs "Lung Anai Baru")`,
				7:  "appears on lines 6 and 7",
				8:  `code 64.02.03 appears on lines 8 and 9`,
				9:  `code 64.02.03 appears on lines 8 and 9`,
				10: "parent 64.02.03 was rejected",
			},
		},
		{
			name: "rows of the wrong width and Latin-1 text are refused; the subtree with them",
			content: kukarTop +
				"64.02.02.2010,6402022010,desa_kelurahan,desa,64.02.02\n" + // 5
				"64.02.02.2011,6402022011,desa_kelurahan,desa,64.02.02,Jembayan Tengah,x\n" + // 6
				"64.02.03,640203,kecamatan,kecamatan,64.02,Loa Jan\xe9n\n" + // 7
				"64.02.03.2001,6402032001,desa_kelurahan,desa,64.02.03,Purwajaya\n" + // 8
				"64.02.02.2012,6402022012,desa_kelurahan,desa,64.02.02,\"Jembayan\"Dalam\n" + // 9
				"64.02.02.2013,6402022013,desa_kelurahan,desa,64.02.02,Sepakat\n", // 10
			wantCodes: []string{"64", "64.02", "64.02.02", "64.02.02.2013"},
			wantRejects: map[int]string{
				5: "expected 6 fields, got 5",
				6: "expected 6 fields, got 7",
				7: "not valid UTF-8 (save as UTF-8)",
				8: "parent 64.02.03 was rejected",
				9: "malformed CSV quoting at line 9",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := parseRegionsText(t, tt.content, tt.known)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := dottedCodes(b.Regions); !reflect.DeepEqual(got, tt.wantCodes) {
				t.Errorf("regions = %v, want %v", got, tt.wantCodes)
			}
			tabulartest.CheckRejects(t, b.Rejects, tt.wantRejects)
			if wantRead := strings.Count(tt.content, "\n") - 1; b.RowsRead != wantRead {
				t.Errorf("RowsRead = %d, want %d", b.RowsRead, wantRead)
			}
			if len(b.Lines) != len(b.Regions) {
				t.Errorf("%d lines for %d regions", len(b.Lines), len(b.Regions))
			}
		})
	}
}

func TestParseRegionListFields(t *testing.T) {
	b, err := parseRegionsText(t, kukarTop+"64.02.02.2010,6402022010,desa_kelurahan,desa,64.02.02,Lung Anai\n64.72,6472,kabupaten_kota,kota,64,Kota Samarinda\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []region.Region{
		{Code: "64", Name: "Kalimantan Timur", Level: region.LevelProvinsi, Kind: region.KindProvinsi},
		{Code: "6402", Name: "Kabupaten Kutai Kartanegara", Level: region.LevelKabupatenKota, Kind: region.KindKabupaten, Parent: "64"},
		{Code: "640202", Name: "Loa Kulu", Level: region.LevelKecamatan, Kind: region.KindKecamatan, Parent: "6402"},
		{Code: "6402022010", Name: "Lung Anai", Level: region.LevelDesaKelurahan, Kind: region.KindDesa, Parent: "640202"},
		{Code: "6472", Name: "Kota Samarinda", Level: region.LevelKabupatenKota, Kind: region.KindKota, Parent: "64"},
	}
	if !reflect.DeepEqual(b.Regions, want) {
		t.Errorf("regions = %+v\nwant %+v", b.Regions, want)
	}
	if !reflect.DeepEqual(b.Lines, []int{2, 3, 4, 5, 6}) {
		t.Errorf("lines = %v", b.Lines)
	}
}

const villageListHeader = "kode_desa,kode_desa_flat,jenis,nama_desa,kode_kecamatan,nama_kecamatan,kode_kabkota,nama_kabkota,kode_provinsi,nama_provinsi\n"

func TestParseVillageList(t *testing.T) {
	tests := []struct {
		name        string
		content     string
		wantCodes   []string
		wantRejects map[int]string
	}{
		{
			name: "valid: ancestors once, in first-seen order",
			content: villageListHeader +
				"64.02.02.2010,6402022010,desa,Lung Anai,64.02.02,Loa Kulu,64.02,Kabupaten Kutai Kartanegara,64,Kalimantan Timur\n" +
				"64.02.02.2001,6402022001,desa,Jonggon Desa,64.02.02,Loa Kulu,64.02,Kabupaten Kutai Kartanegara,64,Kalimantan Timur\n" +
				"64.72.01.1001,6472011001,kelurahan,Rawa Makmur,64.72.01,Palaran,64.72,Kota Samarinda,64,Kalimantan Timur\n",
			wantCodes: []string{"64", "64.02", "64.02.02", "64.02.02.2010", "64.02.02.2001", "64.72", "64.72.01", "64.72.01.1001"},
		},
		{
			name: "an ancestor named differently: the later row is refused",
			content: villageListHeader +
				"64.02.02.2010,6402022010,desa,Lung Anai,64.02.02,Loa Kulu,64.02,Kabupaten Kutai Kartanegara,64,Kalimantan Timur\n" +
				"64.02.02.2001,6402022001,desa,Jonggon Desa,64.02.02,Loakulu,64.02,Kabupaten Kutai Kartanegara,64,Kalimantan Timur\n" +
				"64.02.02.2002,6402022002,desa,Sungai Payang,64.02.02,Loa Kulu,64.02,Kabupaten Kukar,64,Kalimantan Timur\n",
			wantCodes: []string{"64", "64.02", "64.02.02", "64.02.02.2010"},
			wantRejects: map[int]string{
				3: `kecamatan 64.02.02 is named "Loa Kulu" on line 2 but "Loakulu" on line 3`,
				4: `kabupaten_kota 64.02 is named "Kabupaten Kutai Kartanegara" on line 2 but "Kabupaten Kukar" on line 4`,
			},
		},
		{
			name: "codes that do not nest, wrong kinds, empty names, duplicates",
			content: villageListHeader +
				"64.02.02.2010,6402022010,desa,Lung Anai,64.02.03,Loa Janan,64.02,Kabupaten Kutai Kartanegara,64,Kalimantan Timur\n" + // 2
				"64.02.02.2010,6402022010,desa,Lung Anai,64.02.02,Loa Kulu,64.03,Kabupaten Berau,64,Kalimantan Timur\n" + // 3
				"64.02.02,640202,kecamatan,Loa Kulu,64.02.02,Loa Kulu,64.02,Kabupaten Kutai Kartanegara,64,Kalimantan Timur\n" + // 4
				"64.02.02.1001,6402021001,desa,Salah,64.02.02,Loa Kulu,64.02,Kabupaten Kutai Kartanegara,64,Kalimantan Timur\n" + // 5
				"64.02.02.2002,6402022002,desa,Sungai Payang,64.02.02,,64.02,Kabupaten Kutai Kartanegara,64,Kalimantan Timur\n" + // 6
				"64.02.02.2003,6402022030,desa,Jembayan,64.02.02,Loa Kulu,64.02,Kabupaten Kutai Kartanegara,64,Kalimantan Timur\n" + // 7
				"64.02.02.2004,6402022004,desa,Loa Kulu Kota,64.02.02,Loa Kulu,64.02,Kabupaten Kutai Kartanegara,64,Kalimantan Timur\n" + // 8
				"64.02.02.2004,6402022004,desa,Loa Kulu Kota,64.02.02,Loa Kulu,64.02,Kabupaten Kutai Kartanegara,64,Kalimantan Timur\n" + // 9: identical
				"64.02.02.2005,6402022005,desa,Loh Sumber,64.02.02,Loa Kulu,64.02,Kabupaten Kutai Kartanegara,64,Kalimantan Timur\n" + // 10
				"64.02.02.2005,6402022005,desa,Loh Sumber Baru,64.02.02,Loa Kulu,64.02,Kabupaten Kutai Kartanegara,64,Kalimantan Timur\n" + // 11
				"64.02.02.2006,6402022006,desa,Ponoragan,64.02.02,Loa Kulu,64.02\n", // 12
			wantCodes: []string{"64", "64.02", "64.02.02", "64.02.02.2004"},
			wantRejects: map[int]string{
				2:  "kode_kecamatan 64.02.03 does not contain village 64.02.02.2010 (expected 64.02.02)",
				3:  "kode_kabkota 64.03 does not contain village 64.02.02.2010 (expected 64.02)",
				4:  "kode_desa 64.02.02 is a kecamatan code, not a village code",
				5:  "jenis desa disagrees with code 64.02.02.1001",
				6:  "empty nama_kecamatan",
				7:  `kode_desa_flat "6402022030" disagrees with kode_desa 64.02.02.2003`,
				10: `code 64.02.02.2005 appears on lines 10 and 11 with different values (nama "Loh Sumber" vs "Loh Sumber Baru")`,
				11: "appears on lines 10 and 11",
				12: "expected 10 fields, got 7",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := parseRegionsText(t, tt.content, nil)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := dottedCodes(b.Regions); !reflect.DeepEqual(got, tt.wantCodes) {
				t.Errorf("regions = %v, want %v", got, tt.wantCodes)
			}
			tabulartest.CheckRejects(t, b.Rejects, tt.wantRejects)
		})
	}
}

func TestParseVillageListKinds(t *testing.T) {
	b, err := parseRegionsText(t, villageListHeader+
		"6472011001,,kelurahan,Rawa Makmur,647201,Palaran,6472,Kota Samarinda,64,Kalimantan Timur\n", nil)
	if err != nil || len(b.Regions) != 4 {
		t.Fatalf("regions %+v, %v", b.Regions, err)
	}
	want := []region.Kind{region.KindProvinsi, region.KindKota, region.KindKecamatan, region.KindKelurahan}
	for i, r := range b.Regions {
		if r.Kind != want[i] || r.Parent != r.Code.Parent() {
			t.Errorf("region %+v: want kind %s and parent %s", r, want[i], r.Code.Parent())
		}
	}
}

func TestParseRegionsHeaderErrors(t *testing.T) {
	tests := []struct {
		name, content string
		want          []string
	}{
		{"fits neither layout", "code_x,name\n64,Kaltim\n", []string{
			"region list", "missing columns: kode (accepted: kode, kode_wilayah, kode_dagri, code)",
			"a village list instead needs kode_desa, jenis, nama_desa", "header found: code_x, name"}},
		{"village list without ancestors", "kode_desa,jenis,nama_desa\n6402022010,desa,Lung Anai\n", []string{
			"village list", "kode_kecamatan", "nama_provinsi"}},
		{"IDM file is not a register", "kode_desa,kode_desa_dotted,nama_desa,kode_kecamatan,nama_kecamatan,kode_kabkota,nama_kabkota,kode_provinsi,nama_provinsi,tahun,iks\n", []string{
			"missing columns: jenis"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseRegionsText(t, tt.content, nil)
			if !errors.Is(err, tabular.ErrHeader) {
				t.Fatalf("error = %v, want tabular.ErrHeader", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func parseRealRegions(t *testing.T, name string) Batch {
	t.Helper()
	tbl, err := tabular.Open(filepath.Join(realDataDir, name))
	if err != nil {
		t.Fatalf("open real data (data/kaltim): %v", err)
	}
	defer tbl.Close()
	b, err := Parse(tbl, nil)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return b
}

func TestParseRegionsRealData(t *testing.T) {
	full := parseRealRegions(t, "kaltim_wilayah_kemendagri_2025.csv")
	if len(full.Rejects) != 0 {
		t.Errorf("wilayah: %d rejects, first: %+v", len(full.Rejects), full.Rejects[0])
	}
	if full.RowsRead != 1154 || len(full.Regions) != 1154 || len(full.Lines) != 1154 {
		t.Errorf("wilayah: read %d, regions %d, lines %d; want 1154 each", full.RowsRead, len(full.Regions), len(full.Lines))
	}
	counts := map[region.Kind]int{}
	for _, r := range full.Regions {
		counts[r.Kind]++
	}
	want := map[region.Kind]int{region.KindProvinsi: 1, region.KindKabupaten: 7, region.KindKota: 3,
		region.KindKecamatan: 105, region.KindKelurahan: 197, region.KindDesa: 841}
	if !reflect.DeepEqual(counts, want) {
		t.Errorf("wilayah kinds = %v, want %v", counts, want)
	}

	villages := parseRealRegions(t, "kaltim_desa_kelurahan_kemendagri_2025.csv")
	if len(villages.Rejects) != 0 {
		t.Errorf("desa_kelurahan: %d rejects, first: %+v", len(villages.Rejects), villages.Rejects[0])
	}
	if villages.RowsRead != 1038 {
		t.Errorf("desa_kelurahan: read %d rows, want 1038", villages.RowsRead)
	}
	// Both layouts describe the same register, field for field.
	byCode := map[region.Code]region.Region{}
	for _, r := range full.Regions {
		byCode[r.Code] = r
	}
	if len(villages.Regions) != len(byCode) {
		t.Errorf("desa_kelurahan yields %d regions, wilayah %d", len(villages.Regions), len(byCode))
	}
	for _, r := range villages.Regions {
		if byCode[r.Code] != r {
			t.Errorf("desa_kelurahan region %+v, wilayah has %+v", r, byCode[r.Code])
		}
	}
}

// FuzzParseRegionsCSV feeds arbitrary bytes to the CSV reader and the region
// parser: whatever the input, they must not panic, and what they accept must
// be a consistent register.
func FuzzParseRegionsCSV(f *testing.F) {
	f.Add([]byte(kukarTop + "64.02.02.2010,6402022010,desa_kelurahan,desa,64.02.02,Lung Anai\n"))
	f.Add([]byte(villageListHeader + "64.02.02.2010,6402022010,desa,Lung Anai,64.02.02,Loa Kulu,64.02,Kabupaten Kutai Kartanegara,64,Kalimantan Timur\n"))
	f.Add([]byte(kukarTop + "64.02.02,640202,kecamatan,kecamatan,64.02,\"Loa\nKulu\"\n\"x\ny,\n"))
	f.Add([]byte("\xEF\xBB\xBFkode;jenis;parent_kode;nama\n64;provinsi;;Kaltim\n6402;kabupaten;64;Kukar\n"))
	f.Add([]byte("\xFF\xFEk\x00"))
	f.Add([]byte(""))
	f.Add([]byte(regionListHeader + "64,64,provinsi,provinsi,,Kalimantan Timur\n64,64,provinsi,provinsi,,Kaltim\n64.01,6401,kabupaten_kota,kabupaten,64,Paser\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tbl, err := tabulartest.OpenCSV(t, "fuzz.csv", string(data))
		if err != nil {
			return
		}
		defer tbl.Close()
		b, err := Parse(tbl, nil)
		if err != nil {
			return
		}
		seen := map[region.Code]bool{}
		for _, r := range b.Regions {
			if seen[r.Code] {
				t.Fatalf("code %s accepted twice", r.Code)
			}
			seen[r.Code] = true
			if _, err := region.ParseCode(string(r.Code)); err != nil || r.Name == "" {
				t.Fatalf("accepted invalid region %+v", r)
			}
		}
		for _, r := range b.Regions {
			if r.Level != region.LevelProvinsi && !seen[r.Parent] {
				t.Fatalf("region %s accepted without its parent %s", r.Code, r.Parent)
			}
		}
		if len(b.Regions)+len(b.Rejects) > b.RowsRead*4 { // a village row yields at most 4 regions
			t.Fatalf("%d regions and %d rejects from %d rows", len(b.Regions), len(b.Rejects), b.RowsRead)
		}
	})
}

// regionCorpus is what each region file of testdata/broken must give.
var regionCorpus = []tabulartest.CorpusCase{
	{File: "broken/empty.csv", WantErr: "empty file: no header row"},
	{File: "broken/regions_header_only.csv"},
	{File: "broken/regions_wrong_header.csv", WantErr: "missing columns: jenis (accepted: jenis, kind); parent_kode (accepted: parent_kode, kode_induk, parent_code, parent); header found: kode_wilayah, nama_wilayah, induk"},
	{File: "broken/regions_utf16le.csv", WantErr: "file is UTF-16; save it as UTF-8 CSV"},
	{File: "broken/regions_latin1.csv", WantAccepted: 7, WantRejects: map[int]string{
		9: "not valid UTF-8 (save as UTF-8)", 10: "parent 64.01.02 was rejected"}},
	{File: "broken/regions_truncated.csv", WantAccepted: 6, WantRejects: map[int]string{
		8: "expected 6 fields, got 3", 9: "expected 6 fields, got 5"},
		WantColumns: map[int]string{}},
	{File: "broken/regions_conflicting_duplicates.csv", WantAccepted: 2, WantRejects: map[int]string{
		4: "code 64.01.01 appears on lines 4 and 11 with different values", 11: "code 64.01.01 appears on lines 4 and 11",
		5: "parent 64.01.01 was rejected", 6: "parent 64.01.01 was rejected", 8: "parent 64.01.01 was rejected",
		7: "code 64.01.01.2011 appears on lines 7 and 10", 10: "code 64.01.01.2011 appears on lines 7 and 10"},
		WantColumns: map[int]string{}}, // copies and refused parents: the rows' reasons
	{File: "broken/regions_missing_parent.csv", WantAccepted: 4, WantRejects: map[int]string{
		7: "parent 64.08 is neither in this file nor in the region register", 6: "parent 64.08.01 was rejected"}},
	{File: "broken/regions_village_list_conflicts.csv", WantAccepted: 8, WantRejects: map[int]string{
		4: `provinsi 64 is named "Kalimantan Timur" on line 2 but "Kaltim" on line 4`,
		5: "jenis kelurahan disagrees with code 64.01.01.2012"},
		WantColumns: map[int]string{5: "jenis"}},
}

func TestRegionsBrokenCorpus(t *testing.T) {
	for _, c := range regionCorpus {
		t.Run(c.File, func(t *testing.T) {
			tabulartest.RunCorpusCase(t, c, func(tbl *tabular.Table) (int, []tabular.Reject, error) {
				b, err := Parse(tbl, nil)
				return len(b.Regions), b.Rejects, err
			})
		})
	}
}

// TestBrokenCorpusIsCovered checks that every region file of
// testdata/broken has its expectations written down in a corpus case, and
// runs the parser over every broken file of the region and IDM corpora
// (nothing may panic, whatever the file).
func TestBrokenCorpusIsCovered(t *testing.T) {
	tabulartest.CoveredCorpus(t, regionCorpus, []string{"testdata/broken/*", "../idmfile/testdata/broken/*"},
		func(tbl *tabular.Table) { Parse(tbl, nil) })
}
