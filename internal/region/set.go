package region

import (
	"context"
	"fmt"
)

// Lookup finds regions already in the register, so that a file may refer
// to parents it does not itself contain.
type Lookup interface {
	Region(code Code) (Region, bool)
}

// Set is an in-memory Lookup.
type Set struct {
	byCode map[Code]Region
}

// NewSet indexes regions by code; a later duplicate replaces an earlier.
func NewSet(regions []Region) *Set {
	s := &Set{byCode: make(map[Code]Region, len(regions))}
	for _, r := range regions {
		s.byCode[r.Code] = r
	}
	return s
}

// Region returns the region with code. A nil set is empty.
func (s *Set) Region(code Code) (Region, bool) {
	if s == nil {
		return Region{}, false
	}
	r, ok := s.byCode[code]
	return r, ok
}

// Len is the number of regions in the set.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.byCode)
}

// Lister gives the current region register, which every dataset's rows
// are checked against.
type Lister interface {
	All(ctx context.Context) ([]Region, error)
}

// Known is the region register as the committed loads left it.
func Known(ctx context.Context, regions Lister) (*Set, error) {
	all, err := regions.All(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading current regions: %w", err)
	}
	return NewSet(all), nil
}

// ParseCodeField reads a file's code field, giving the reason to refuse it
// (worded with the column's label) or "".
func ParseCodeField(label, v string) (Code, string) {
	if v == "" {
		return "", "empty " + label
	}
	code, err := ParseCode(v)
	if err != nil {
		return "", fmt.Sprintf("%s: %v", label, err)
	}
	return code, ""
}
