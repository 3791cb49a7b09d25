package warm

import (
	"context"
	"time"

	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/idm"
	"github.com/sinergi-id/sinergi/internal/region"
)

// Cooperation is a cooperation.Store answering cooperationStats' cube
// shapes and compareRegions' scorecards from the keeper's rollups, and
// everything else from SQL.
type Cooperation struct {
	cooperation.Store
	Keeper *Keeper
}

// Stats answers from the rollups when they hold the question.
func (s Cooperation) Stats(ctx context.Context, q cooperation.StatsQuery) (cooperation.StatsResult, error) {
	if r := s.Keeper.at(ctx); r != nil {
		if res, ok := r.coop.Stats(q); s.Keeper.answer(ok) {
			return res, nil
		}
	}
	return s.Store.Stats(ctx, q)
}

// Scorecards answers from the rollups when they hold the regions and year.
func (s Cooperation) Scorecards(ctx context.Context, codes []region.Code, from, to time.Time) (map[region.Code]*cooperation.RegionComparison, error) {
	if r := s.Keeper.at(ctx); r != nil {
		if cards, ok := r.coop.Scorecards(codes, from, to); s.Keeper.answer(ok) {
			return cards, nil
		}
	}
	return s.Store.Scorecards(ctx, codes, from, to)
}

// IDM is an idm.Store answering the province and kabupaten/kota figures
// from the keeper's rollups, and everything else from SQL.
type IDM struct {
	idm.Store
	Keeper *Keeper
}

// Years answers from the rollups.
func (s IDM) Years(ctx context.Context, index string) ([]int, error) {
	if r := s.Keeper.at(ctx); r != nil {
		s.Keeper.answer(true)
		return r.idm.Years(index), nil
	}
	return s.Store.Years(ctx, index)
}

// Distribution answers from the rollups for provinces and kabupaten/kota.
func (s IDM) Distribution(ctx context.Context, index string, year int, level region.Level, within region.Code) ([]idm.Distribution, error) {
	if r := s.Keeper.at(ctx); r != nil {
		if d, ok := r.idm.Distribution(index, year, level, within); s.Keeper.answer(ok) {
			return d, nil
		}
	}
	return s.Store.Distribution(ctx, index, year, level, within)
}

// DistributionOf answers from the rollups for provinces and kabupaten/kota.
func (s IDM) DistributionOf(ctx context.Context, index string, year int, regions []region.Code) ([]idm.Distribution, error) {
	if r := s.Keeper.at(ctx); r != nil {
		if d, ok := r.idm.DistributionOf(index, year, regions); s.Keeper.answer(ok) {
			return d, nil
		}
	}
	return s.Store.DistributionOf(ctx, index, year, regions)
}

// Moves answers from the rollups for provinces and kabupaten/kota between
// consecutive years.
func (s IDM) Moves(ctx context.Context, index string, from, to int, regions []region.Code) (map[region.Code][2]int, error) {
	if r := s.Keeper.at(ctx); r != nil {
		if m, ok := r.idm.Moves(index, from, to, regions); s.Keeper.answer(ok) {
			return m, nil
		}
	}
	return s.Store.Moves(ctx, index, from, to, regions)
}

// Regions is a region.Store answering for provinces and kabupaten/kota
// from the keeper's rollups, and everything else from SQL.
type Regions struct {
	region.Store
	Keeper *Keeper
}

// Regions answers from the rollups at the province and kabupaten/kota
// levels.
func (s Regions) Regions(ctx context.Context, level region.Level, within region.Code) ([]region.Region, error) {
	if r := s.Keeper.at(ctx); r != nil {
		if rs, ok := r.regions.Regions(level, within); s.Keeper.answer(ok) {
			return rs, nil
		}
	}
	return s.Store.Regions(ctx, level, within)
}

// ByCodes answers from the rollups when every code is a province's or a
// kabupaten's.
func (s Regions) ByCodes(ctx context.Context, codes []region.Code) ([]region.Region, error) {
	if r := s.Keeper.at(ctx); r != nil {
		if rs, ok := r.regions.ByCodes(codes); s.Keeper.answer(ok) {
			return rs, nil
		}
	}
	return s.Store.ByCodes(ctx, codes)
}
