package idm

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/sinergi-id/sinergi/internal/fault"
	"github.com/sinergi-id/sinergi/internal/region"
)

// Store reads the current IDM aggregates.
type Store interface {
	// Distribution returns, for every region at level within an ancestor
	// ("" for all), the status counts and score means in one year, ordered
	// by region code.
	Distribution(ctx context.Context, index string, year int, level region.Level, within region.Code) ([]Distribution, error)
	// Transitions counts desa within a region by (status in from, status
	// in to); pairs with no desa may be left out.
	Transitions(ctx context.Context, index string, from, to int, within region.Code) ([]Transition, error)
	// Years lists the years with scores, ascending.
	Years(ctx context.Context, index string) ([]int, error)
	// History returns every score of the given villages, ordered by
	// village and year.
	History(ctx context.Context, index string, villages []region.Code) ([]Score, error)
	// DistributionOf returns the distribution of each given region (any
	// level) in one year.
	DistributionOf(ctx context.Context, index string, year int, regions []region.Code) ([]Distribution, error)
	// Moves counts per region the desa whose status rose and fell between
	// two years.
	Moves(ctx context.Context, index string, from, to int, regions []region.Code) (map[region.Code][2]int, error)
}

// RegionFinder checks the regions that questions name.
type RegionFinder interface {
	Region(ctx context.Context, code string) (region.Region, error)
}

// Service answers questions about the IDM.
type Service struct {
	store   Store
	regions RegionFinder
}

// NewService returns a Service over store, checking regions with regions.
func NewService(store Store, regions RegionFinder) *Service {
	return &Service{store: store, regions: regions}
}

// Distribution answers idmDistribution: every region at level under parent
// (any form of code, "" for all) in year.
func (s *Service) Distribution(ctx context.Context, index string, year int, level region.Level, parent string) ([]Distribution, error) {
	index, err := checkIndex(index)
	if err != nil {
		return nil, err
	}
	var within region.Code
	if parent != "" {
		if within, err = region.ParseUserCode(parent); err != nil {
			return nil, err
		}
	}
	// The checks (year loaded, parent exists and lies above level) and the
	// distribution itself are independent reads: run them side by side and
	// report a failed check before anything else.
	var (
		yearErr, parentErr, distErr error
		p                           region.Region
		d                           []Distribution
		wg                          sync.WaitGroup
	)
	wg.Go(func() { _, yearErr = s.checkYears(ctx, index, year) })
	if parent != "" {
		wg.Go(func() { p, parentErr = s.regions.Region(ctx, parent) })
	}
	wg.Go(func() { d, distErr = s.store.Distribution(ctx, index, year, level, within) })
	wg.Wait()
	if yearErr != nil {
		return nil, yearErr
	}
	if parentErr != nil {
		return nil, parentErr
	}
	if parent != "" && p.Level > level {
		return nil, fault.Invalid("parent %s is a %s, below level %s", p.Code.Dotted(), p.Level, level)
	}
	if distErr != nil {
		return nil, fmt.Errorf("idm distribution: %w", distErr)
	}
	return d, nil
}

// MaxDistributionYears bounds the years of one idmDistribution.
const MaxDistributionYears = 20

// Distributions answers idmDistribution over several years: every region
// at level under parent in each year, by year (ascending), then region.
func (s *Service) Distributions(ctx context.Context, index string, years []int, level region.Level, parent string) ([]Distribution, error) {
	if len(years) == 0 || len(years) > MaxDistributionYears {
		return nil, fault.Invalid("ask for between 1 and %d years", MaxDistributionYears)
	}
	years = slices.Compact(slices.Sorted(slices.Values(years)))
	byYear := make([][]Distribution, len(years))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, y := range years {
		g.Go(func() (err error) {
			byYear[i], err = s.Distribution(gctx, index, y, level, parent)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return slices.Concat(byYear...), nil
}

// Transitions answers idmTransitions: all 25 (from, to) pairs, zeros
// included, in Statuses order, for desa within a region ("" for all)
// scored in both years.
func (s *Service) Transitions(ctx context.Context, index string, from, to int, within string) ([]Transition, error) {
	if from >= to {
		return nil, fault.Invalid("fromYear (%d) must be before toYear (%d)", from, to)
	}
	index, err := s.checkYears(ctx, index, from, to)
	if err != nil {
		return nil, err
	}
	var code region.Code
	if within != "" {
		r, err := s.regions.Region(ctx, within)
		if err != nil {
			return nil, err
		}
		code = r.Code
	}
	found, err := s.store.Transitions(ctx, index, from, to, code)
	if err != nil {
		return nil, fmt.Errorf("idm transitions: %w", err)
	}
	counts := make(map[[2]Status]int, len(found))
	for _, t := range found {
		counts[[2]Status{t.From, t.To}] += t.Count
	}
	out := make([]Transition, 0, len(Statuses)*len(Statuses))
	for _, f := range Statuses {
		for _, t := range Statuses {
			out = append(out, Transition{From: f, To: t, Count: counts[[2]Status{f, t}]})
		}
	}
	return out, nil
}

// Years lists the years with scores for an index.
func (s *Service) Years(ctx context.Context, index string) ([]int, error) {
	index, err := checkIndex(index)
	if err != nil {
		return nil, err
	}
	years, err := s.store.Years(ctx, index)
	if err != nil {
		return nil, fmt.Errorf("idm years: %w", err)
	}
	return years, nil
}

// DistributionOf returns the distribution of each given region in year,
// keyed by region (regions without a row are left out).
func (s *Service) DistributionOf(ctx context.Context, index string, year int, regions []region.Code) (map[region.Code]Distribution, error) {
	index, err := checkIndex(index)
	if err != nil {
		return nil, err
	}
	ds, err := s.store.DistributionOf(ctx, index, year, regions)
	if err != nil {
		return nil, fmt.Errorf("idm distribution: %w", err)
	}
	out := make(map[region.Code]Distribution, len(ds))
	for _, d := range ds {
		out[d.Region] = d
	}
	return out, nil
}

// Moves counts per region the desa whose status rose ([0]) and fell ([1])
// between two years.
func (s *Service) Moves(ctx context.Context, index string, from, to int, regions []region.Code) (map[region.Code][2]int, error) {
	index, err := checkIndex(index)
	if err != nil {
		return nil, err
	}
	m, err := s.store.Moves(ctx, index, from, to, regions)
	if err != nil {
		return nil, fmt.Errorf("idm moves: %w", err)
	}
	return m, nil
}

// History returns each village's scores by year.
func (s *Service) History(ctx context.Context, index string, villages []region.Code) (map[region.Code][]Score, error) {
	index, err := checkIndex(index)
	if err != nil {
		return nil, err
	}
	scores, err := s.store.History(ctx, index, villages)
	if err != nil {
		return nil, fmt.Errorf("idm history: %w", err)
	}
	out := make(map[region.Code][]Score, len(villages))
	for _, sc := range scores {
		out[sc.Village] = append(out[sc.Village], sc)
	}
	return out, nil
}

// checkYears rejects years that have no scores, naming the years that do.
func (s *Service) checkYears(ctx context.Context, index string, years ...int) (string, error) {
	index, err := checkIndex(index)
	if err != nil {
		return "", err
	}
	loaded, err := s.store.Years(ctx, index)
	if err != nil {
		return "", fmt.Errorf("idm years: %w", err)
	}
	for _, y := range years {
		if !slices.Contains(loaded, y) {
			return "", fault.Invalid("no %s scores are loaded for %d (loaded years: %s)", index, y, joinYears(loaded))
		}
	}
	return index, nil
}

func checkIndex(index string) (string, error) {
	index = strings.TrimSpace(index)
	if index == "" {
		return DefaultIndex, nil
	}
	if len(index) > 64 {
		return "", fault.Invalid("index name is longer than 64 characters")
	}
	return index, nil
}

func joinYears(years []int) string {
	if len(years) == 0 {
		return "none"
	}
	parts := make([]string, len(years))
	for i, y := range years {
		parts[i] = fmt.Sprint(y)
	}
	return strings.Join(parts, ", ")
}
