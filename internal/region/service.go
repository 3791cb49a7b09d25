package region

import (
	"context"
	"fmt"

	"github.com/sinergi-id/sinergi/internal/fault"
)

// Store reads the current region register.
type Store interface {
	// Regions returns the regions at a level within an ancestor ("" for
	// all), ordered by code.
	Regions(ctx context.Context, level Level, within Code) ([]Region, error)
	// ByCodes returns the regions with the given codes, in any order; codes
	// that do not exist are left out.
	ByCodes(ctx context.Context, codes []Code) ([]Region, error)
	// ChildrenOf returns the direct children of the given regions, ordered
	// by code.
	ChildrenOf(ctx context.Context, parents []Code) ([]Region, error)
}

// Service answers questions about regions.
type Service struct{ store Store }

// NewService returns a Service over store.
func NewService(store Store) *Service { return &Service{store: store} }

// Regions lists the regions at level under parent (a code in any form; ""
// for all). The parent must exist and lie above level.
func (s *Service) Regions(ctx context.Context, level Level, parent string) ([]Region, error) {
	var within Code
	if parent != "" {
		p, err := s.Region(ctx, parent)
		if err != nil {
			return nil, err
		}
		if p.Level >= level {
			return nil, fault.Invalid("parent %s is a %s; it has no regions at level %s", p.Code.Dotted(), p.Level, level)
		}
		within = p.Code
	}
	regions, err := s.store.Regions(ctx, level, within)
	if err != nil {
		return nil, fmt.Errorf("regions: %w", err)
	}
	return regions, nil
}

// Region returns one region by code in any form.
func (s *Service) Region(ctx context.Context, code string) (Region, error) {
	c, err := ParseUserCode(code)
	if err != nil {
		return Region{}, err
	}
	found, err := s.store.ByCodes(ctx, []Code{c})
	if err != nil {
		return Region{}, fmt.Errorf("region %s: %w", c.Dotted(), err)
	}
	if len(found) == 0 {
		return Region{}, fault.NotFound("no region with code %s", c.Dotted())
	}
	return found[0], nil
}

// ByCodes returns the regions with the given codes, keyed by code.
func (s *Service) ByCodes(ctx context.Context, codes []Code) (map[Code]Region, error) {
	found, err := s.store.ByCodes(ctx, codes)
	if err != nil {
		return nil, fmt.Errorf("regions by code: %w", err)
	}
	out := make(map[Code]Region, len(found))
	for _, r := range found {
		out[r.Code] = r
	}
	return out, nil
}

// Children returns the direct children of each parent, ordered by code.
func (s *Service) Children(ctx context.Context, parents []Code) (map[Code][]Region, error) {
	found, err := s.store.ChildrenOf(ctx, parents)
	if err != nil {
		return nil, fmt.Errorf("region children: %w", err)
	}
	out := make(map[Code][]Region, len(parents))
	for _, r := range found {
		out[r.Parent] = append(out[r.Parent], r)
	}
	return out, nil
}

// ParseUserCode parses a code given by a user, reporting a malformed code
// as invalid input.
func ParseUserCode(s string) (Code, error) {
	c, err := ParseCode(s)
	if err != nil {
		return "", fault.Invalid("%v", err)
	}
	return c, nil
}
