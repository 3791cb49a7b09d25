package region

import (
	"errors"
	"testing"
)

func TestParseCode(t *testing.T) {
	tests := []struct {
		in      string
		want    Code
		wantErr bool
	}{
		{"64", "64", false},
		{"64.02", "6402", false},
		{"6402", "6402", false},
		{"64.02.02", "640202", false},
		{" 64.02.02.2010 ", "6402022010", false},
		{"6402022010", "6402022010", false},
		{"", "", true},
		{"6", "", true},
		{"640", "", true},
		{"64.2.02", "", true},
		{"64.02.02.201", "", true},
		{"64.02.02.2010.1", "", true},
		{"64O2", "", true},
		{"64.00", "", true},
		{"00", "", true},
		{"6402020000", "", true},
		{"64-02", "", true},
	}
	for _, tt := range tests {
		got, err := ParseCode(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseCode(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if err != nil && !errors.Is(err, ErrInvalidCode) {
			t.Errorf("ParseCode(%q) error %v is not ErrInvalidCode", tt.in, err)
		}
		if got != tt.want {
			t.Errorf("ParseCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCodeHierarchy(t *testing.T) {
	c := Code("6402022010")
	if c.Level() != LevelDesaKelurahan || c.Parent() != "640202" || c.Dotted() != "64.02.02.2010" {
		t.Fatalf("village code: level %v parent %q dotted %q", c.Level(), c.Parent(), c.Dotted())
	}
	if c.Ancestor(LevelKabupatenKota) != "6402" || c.Ancestor(LevelProvinsi) != "64" {
		t.Fatalf("ancestors: %q %q", c.Ancestor(LevelKabupatenKota), c.Ancestor(LevelProvinsi))
	}
	if Code("6402").Ancestor(LevelKecamatan) != "" {
		t.Fatal("a kabupaten has no kecamatan ancestor")
	}
	if c.VillageKind() != KindDesa || Code("6402021001").VillageKind() != KindKelurahan || Code("6402023001").VillageKind() != KindDesaAdat {
		t.Fatal("VillageKind")
	}
	if Code("64").Parent() != "" || Code("64").Dotted() != "64" || Code("640202").Dotted() != "64.02.02" {
		t.Fatal("province")
	}
}
