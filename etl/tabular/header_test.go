package tabular

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeHeader(t *testing.T) {
	for in, want := range map[string]string{
		"KODE_DESA_DAGRI":  "kodedesadagri",
		"Kode Desa Dagri":  "kodedesadagri",
		"kode-desa-dagri":  "kodedesadagri",
		"kode.desa.dagri":  "kodedesadagri",
		" Nilai\u00a0IDM ": "nilaiidm", // Excel's non-breaking space
		"IKS_2023":         "iks2023",
		"":                 "",
	} {
		if got := NormalizeHeader(in); got != want {
			t.Errorf("NormalizeHeader(%q) = %q, want %q", in, got, want)
		}
	}
}

var testSpecs = []ColumnSpec{
	{Name: "code", Aliases: []string{"kode_desa", "kode_desa_dagri"}, Required: true, Group: "code"},
	{Name: "dotted", Aliases: []string{"kode_desa_dotted"}, Required: true, Group: "code"},
	{Name: "name", Aliases: []string{"nama", "desa"}, Required: true},
	{Name: "score", Aliases: []string{"nilai_idm"}, Required: true},
	{Name: "note", Aliases: []string{"keterangan"}},
}

func TestColumnMap(t *testing.T) {
	m, err := NewColumnMap([]string{"Keterangan", "NAMA", "x", "Nilai IDM", "KODE_DESA_DAGRI"}, testSpecs)
	if err != nil {
		t.Fatal(err)
	}
	fields := []string{"catatan", "Busui", "?", "0.7962", "6401012010"}
	for name, want := range map[string]string{"code": "6401012010", "name": "Busui", "score": "0.7962", "note": "catatan", "dotted": ""} {
		if got := m.Get(fields, name); got != want {
			t.Errorf("Get(%s) = %q, want %q", name, got, want)
		}
	}
	if m.Has("dotted") || !m.Has("code") {
		t.Errorf("Has: dotted %v, code %v", m.Has("dotted"), m.Has("code"))
	}
	if got := m.Get(fields[:2], "score"); got != "" {
		t.Errorf("Get on a short record = %q, want empty", got)
	}
	if got := m.Label("score"); got != "Nilai IDM" {
		t.Errorf("Label(score) = %q, want the file's spelling", got)
	}
	// One member of a group is enough.
	if _, err := NewColumnMap([]string{"kode_desa_dotted", "nama", "nilai_idm"}, testSpecs); err != nil {
		t.Errorf("dotted code alone refused: %v", err)
	}
}

func TestColumnMapErrors(t *testing.T) {
	tests := []struct {
		name   string
		header []string
		want   []string
	}{
		{
			name:   "every missing column with its aliases and the header found",
			header: []string{"kode", "Nama Desa"},
			want: []string{
				"missing columns: code or dotted (accepted: kode_desa, kode_desa_dagri, kode_desa_dotted)",
				"score (accepted: nilai_idm)",
				"name (accepted: nama, desa)",
				"header found: kode, Nama Desa",
			},
		},
		{
			name:   "duplicate header",
			header: []string{"nama", "kode_desa", "NAMA", "nilai_idm"},
			want:   []string{`duplicate column "nama", "NAMA" (columns 1 and 3)`},
		},
		{
			name:   "two aliases of one column",
			header: []string{"nama", "desa", "kode_desa", "nilai_idm"},
			want:   []string{`columns "nama", "desa" all mean name; keep one`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewColumnMap(tt.header, testSpecs)
			if !errors.Is(err, ErrHeader) {
				t.Fatalf("error = %v, want ErrHeader", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
