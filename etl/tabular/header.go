package tabular

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// ErrHeader marks a file whose header row does not give the columns a
// dataset needs; no row of such a file is read.
var ErrHeader = errors.New("bad header")

// NormalizeHeader reduces a column name to the form header matching compares:
// lowercase, without spaces, underscores, dashes or dots, so that
// "KODE_DESA_DAGRI", "Kode Desa Dagri" and "kode-desa-dagri" are one name.
func NormalizeHeader(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsSpace(r) || r == '_' || r == '-' || r == '.' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ColumnSpec is one logical column a parser reads, with the header spellings
// it accepts.
type ColumnSpec struct {
	Name     string   // logical name, used in lookups and messages
	Aliases  []string // accepted header names, compared after NormalizeHeader
	Required bool
	// Group makes columns alternatives: a required column is missing only
	// when no column of its group is present (a village code may come flat
	// or dotted; files often carry both, and then both are read).
	Group string
}

// ColumnMap locates logical columns in a header row.
type ColumnMap struct {
	pos    map[string]int
	header []string
}

// NewColumnMap matches header against specs. It fails, wrapping ErrHeader,
// when a header name repeats, when two columns match one logical column, or
// when required columns are missing; the message names every problem, what
// is accepted and the header found, so one round of fixing is enough.
func NewColumnMap(header []string, specs []ColumnSpec) (ColumnMap, error) {
	return MatchColumns(header, header, specs)
}

// MatchColumns matches the names in match (header rewritten by the caller,
// e.g. without year suffixes) but speaks of columns as header writes them.
func MatchColumns(header, match []string, specs []ColumnSpec) (ColumnMap, error) {
	byName := map[string]int{}
	var problems []string
	for i, h := range match {
		n := NormalizeHeader(h)
		if n == "" {
			continue // an unnamed column carries nothing we could read
		}
		if j, dup := byName[n]; dup {
			problems = append(problems, fmt.Sprintf("duplicate column %s (columns %d and %d)", quotedColumns(header, []int{j, i}), j+1, i+1))
			continue
		}
		byName[n] = i
	}
	m := ColumnMap{pos: map[string]int{}, header: header}
	for _, spec := range specs {
		var found []int
		for _, a := range spec.Aliases {
			if i, ok := byName[NormalizeHeader(a)]; ok && !slices.Contains(found, i) {
				found = append(found, i)
			}
		}
		switch {
		case len(found) > 1:
			problems = append(problems, fmt.Sprintf("columns %s all mean %s; keep one", quotedColumns(header, found), spec.Name))
		case len(found) == 1:
			m.pos[spec.Name] = found[0]
		}
	}
	if missing := m.missing(specs); len(missing) > 0 {
		problems = append(problems, "missing columns: "+strings.Join(missing, "; "))
	}
	if len(problems) > 0 {
		return ColumnMap{}, fmt.Errorf("%w: %s; header found: %s", ErrHeader, strings.Join(problems, "; "), strings.Join(header, ", "))
	}
	return m, nil
}

// missing describes each required column (or group of alternatives) that
// was not found, with the names accepted for it.
func (m ColumnMap) missing(specs []ColumnSpec) []string {
	var out []string
	reported := map[string]bool{}
	for _, spec := range specs {
		if !spec.Required || m.Has(spec.Name) {
			continue
		}
		if spec.Group == "" {
			out = append(out, fmt.Sprintf("%s (accepted: %s)", spec.Name, strings.Join(spec.Aliases, ", ")))
			continue
		}
		if reported[spec.Group] {
			continue
		}
		reported[spec.Group] = true
		var names, aliases []string
		present := false
		for _, g := range specs {
			if g.Group == spec.Group {
				present = present || m.Has(g.Name)
				names = append(names, g.Name)
				aliases = append(aliases, g.Aliases...)
			}
		}
		if !present {
			out = append(out, fmt.Sprintf("%s (accepted: %s)", strings.Join(names, " or "), strings.Join(aliases, ", ")))
		}
	}
	return out
}

// Has reports whether the logical column is in the header.
func (m ColumnMap) Has(name string) bool {
	_, ok := m.pos[name]
	return ok
}

// Get is the logical column's field in a record, "" when the column is
// absent or the record too short.
func (m ColumnMap) Get(fields []string, name string) string {
	i, ok := m.pos[name]
	if !ok || i >= len(fields) {
		return ""
	}
	return fields[i]
}

// Index is the logical column's position in a record, -1 when absent.
func (m ColumnMap) Index(name string) int {
	if i, ok := m.pos[name]; ok {
		return i
	}
	return -1
}

// Label is the header text of a logical column as the file spells it, for
// messages the file's author will recognise; name itself when absent.
func (m ColumnMap) Label(name string) string {
	if i, ok := m.pos[name]; ok {
		return m.header[i]
	}
	return name
}

func quotedColumns(header []string, idx []int) string {
	s := make([]string, len(idx))
	for i, j := range idx {
		s[i] = fmt.Sprintf("%q", header[j])
	}
	return strings.Join(s, ", ")
}
