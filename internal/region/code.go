// Package region holds the Kemendagri region hierarchy: codes, levels and the
// service that answers questions about regions.
package region

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidCode is returned for a string that is not a Kemendagri region code.
var ErrInvalidCode = errors.New("invalid region code")

// Code is a Kemendagri region code in its flat form: 2 digits for a province,
// 4 for a kabupaten/kota, 6 for a kecamatan and 10 for a desa/kelurahan.
type Code string

// ParseCode accepts a code written dotted ("64.02.02.2010") or flat
// ("6402022010"), with surrounding spaces, and returns its flat form.
func ParseCode(s string) (Code, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("%w: empty", ErrInvalidCode)
	}
	var flat string
	if strings.Contains(s, ".") {
		parts := strings.Split(s, ".")
		want := []int{2, 2, 2, 4}
		if len(parts) > len(want) {
			return "", fmt.Errorf("%w: %q has more than 4 parts", ErrInvalidCode, s)
		}
		for i, p := range parts {
			if len(p) != want[i] || !allDigits(p) {
				return "", fmt.Errorf("%w: %q (part %d must be %d digits)", ErrInvalidCode, s, i+1, want[i])
			}
		}
		flat = strings.Join(parts, "")
	} else {
		flat = s
	}
	if !allDigits(flat) {
		return "", fmt.Errorf("%w: %q is not made of digits", ErrInvalidCode, s)
	}
	switch len(flat) {
	case 2, 4, 6, 10:
	default:
		return "", fmt.Errorf("%w: %q has %d digits (want 2, 4, 6 or 10)", ErrInvalidCode, s, len(flat))
	}
	if strings.Trim(flat[len(flat)-2:], "0") == "" && len(flat) != 10 || flat[:2] == "00" {
		return "", fmt.Errorf("%w: %q has a zero part", ErrInvalidCode, s)
	}
	if len(flat) == 10 && strings.Trim(flat[6:], "0") == "" {
		return "", fmt.Errorf("%w: %q has a zero village part", ErrInvalidCode, s)
	}
	return Code(flat), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Level is the level of the code in the hierarchy, derived from its length.
func (c Code) Level() Level {
	switch len(c) {
	case 2:
		return LevelProvinsi
	case 4:
		return LevelKabupatenKota
	case 6:
		return LevelKecamatan
	case 10:
		return LevelDesaKelurahan
	}
	return 0
}

// Parent is the code one level up, or "" for a province.
func (c Code) Parent() Code {
	switch len(c) {
	case 4:
		return c[:2]
	case 6:
		return c[:4]
	case 10:
		return c[:6]
	}
	return ""
}

// Ancestor is the code of the ancestor at level l, or "" when l is not above
// (or equal to) the code's own level.
func (c Code) Ancestor(l Level) Code {
	n := l.codeLength()
	if n == 0 || n > len(c) {
		return ""
	}
	return c[:n]
}

// Dotted is the code written with dots, as Kemendagri publishes it.
func (c Code) Dotted() string {
	s := string(c)
	switch len(s) {
	case 4:
		return s[:2] + "." + s[2:]
	case 6:
		return s[:2] + "." + s[2:4] + "." + s[4:]
	case 10:
		return s[:2] + "." + s[2:4] + "." + s[4:6] + "." + s[6:]
	}
	return s
}

// VillageKind is what the first digit of a village code says: 1 kelurahan,
// 2 desa, 3 desa adat. It is "" for codes that are not villages or whose digit
// is none of those.
func (c Code) VillageKind() Kind {
	if len(c) != 10 {
		return ""
	}
	switch c[6] {
	case '1':
		return KindKelurahan
	case '2':
		return KindDesa
	case '3':
		return KindDesaAdat
	}
	return ""
}

// LevelsAndParents lists the distinct levels (as their names) and parent
// codes of codes: tables ordered by (level, parent_code, code) find the
// codes' rows through them.
func LevelsAndParents(codes []Code) (levels []string, parents []Code) {
	seenLevel, seenParent := map[Level]bool{}, map[Code]bool{}
	for _, c := range codes {
		if l := c.Level(); !seenLevel[l] {
			seenLevel[l] = true
			levels = append(levels, l.String())
		}
		if p := c.Parent(); !seenParent[p] {
			seenParent[p] = true
			parents = append(parents, p)
		}
	}
	return levels, parents
}
