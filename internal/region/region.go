package region

import (
	"fmt"
	"strings"
)

// Level is a level of the Kemendagri hierarchy.
type Level int8

const (
	LevelProvinsi Level = iota + 1
	LevelKabupatenKota
	LevelKecamatan
	LevelDesaKelurahan
)

// Levels lists every level, top down.
var Levels = []Level{LevelProvinsi, LevelKabupatenKota, LevelKecamatan, LevelDesaKelurahan}

func (l Level) codeLength() int {
	switch l {
	case LevelProvinsi:
		return 2
	case LevelKabupatenKota:
		return 4
	case LevelKecamatan:
		return 6
	case LevelDesaKelurahan:
		return 10
	}
	return 0
}

// String is the level's name as stored and as the region register writes it.
func (l Level) String() string {
	switch l {
	case LevelProvinsi:
		return "provinsi"
	case LevelKabupatenKota:
		return "kabupaten_kota"
	case LevelKecamatan:
		return "kecamatan"
	case LevelDesaKelurahan:
		return "desa_kelurahan"
	}
	return fmt.Sprintf("level(%d)", int8(l))
}

// ParseLevel reads a level name as String writes it (case-insensitive).
func ParseLevel(s string) (Level, error) {
	for _, l := range Levels {
		if strings.EqualFold(strings.TrimSpace(s), l.String()) {
			return l, nil
		}
	}
	return 0, fmt.Errorf("unknown region level %q", s)
}

// Kind is the region's type within its level (jenis).
type Kind string

const (
	KindProvinsi  Kind = "provinsi"
	KindKabupaten Kind = "kabupaten"
	KindKota      Kind = "kota"
	KindKecamatan Kind = "kecamatan"
	KindDesa      Kind = "desa"
	KindKelurahan Kind = "kelurahan"
	KindDesaAdat  Kind = "desa_adat"
)

// ParseKind reads a jenis as the register writes it and checks that it fits
// the level.
func ParseKind(s string, l Level) (Kind, error) {
	k := Kind(strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), " ", "_"))
	var ok bool
	switch l {
	case LevelProvinsi:
		ok = k == KindProvinsi
	case LevelKabupatenKota:
		ok = k == KindKabupaten || k == KindKota
	case LevelKecamatan:
		ok = k == KindKecamatan
	case LevelDesaKelurahan:
		ok = k == KindDesa || k == KindKelurahan || k == KindDesaAdat
	}
	if !ok {
		return "", fmt.Errorf("jenis %q does not fit level %s", s, l)
	}
	return k, nil
}

// IsDesa reports whether the kind counts as a desa (desa and desa adat; a
// kelurahan is urban and is not a desa).
func (k Kind) IsDesa() bool { return k == KindDesa || k == KindDesaAdat }

// Region is one entry of the region register.
type Region struct {
	Code   Code
	Name   string
	Level  Level
	Kind   Kind
	Parent Code
	// DesaCount and KelurahanCount count the villages within the region
	// (for a village: itself).
	DesaCount      int
	KelurahanCount int
}
