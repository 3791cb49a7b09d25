package idmch

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unsafe"

	"github.com/sinergi-id/sinergi/internal/idm"
	"github.com/sinergi-id/sinergi/internal/region"
)

// Warm is the IDM figures dashboards ask for, of one generation, kept in
// memory (internal/warm): idm_region_stats' rows of the provinces and
// kabupaten/kota, and how many desa of each moved up or down between two
// consecutive years. It answers Years, Distribution, DistributionOf and
// Moves exactly as the SQL does (the same rows, converted by the same
// code) for those levels, and declines any other question. Immutable once
// loaded.
type Warm struct {
	// rows by index and year, ordered by region code (both levels).
	rows map[warmYear][]distributionRow
	// years per index with scores (some province scored), ascending; and
	// every year the snapshot holds (Moves' years).
	years, held map[string][]int
	moves       map[warmYear]map[region.Code][2]int // by index and later year
}

type warmYear struct {
	index string
	year  int
}

// LoadWarm reads the figures of the generation ctx is pinned to
// (clickhouse.PinGeneration): two statements.
func (s *Store) LoadWarm(ctx context.Context) (*Warm, error) {
	var rows []struct {
		Index string `ch:"index_name"`
		Year  uint16 `ch:"year"`
		Level string `ch:"level_name"`
		distributionRow
	}
	q := `SELECT index_name, year, toString(level) AS level_name, region_code, total, mandiri, maju, berkembang,
	             tertinggal, sangat_tertinggal, sum_idm, sum_iks, sum_ike, sum_ikl
	      FROM idm_region_stats
	      WHERE generation = ` + current(StatsTable) + ` AND level IN ('provinsi', 'kabupaten_kota')
	      ORDER BY index_name, year, region_code`
	if err := s.db.Select(ctx, &rows, q); err != nil {
		return nil, fmt.Errorf("warm idm stats: %w", err)
	}
	w := &Warm{rows: map[warmYear][]distributionRow{}, years: map[string][]int{}, held: map[string][]int{},
		moves: map[warmYear]map[region.Code][2]int{}}
	for _, r := range rows {
		k := warmYear{r.Index, int(r.Year)}
		if _, ok := w.rows[k]; !ok {
			w.held[r.Index] = append(w.held[r.Index], k.year)
		}
		w.rows[k] = append(w.rows[k], r.distributionRow)
		if r.Level == region.LevelProvinsi.String() && r.Total > 0 && !slices.Contains(w.years[r.Index], k.year) {
			w.years[r.Index] = append(w.years[r.Index], k.year)
		}
	}
	// Moves between each year and the one before, per province and
	// kabupaten/kota: Moves' counts, grouped by the desa's prefixes instead
	// of one statement per list of regions.
	gen := current(CurrentTable)
	mq := `SELECT index_name, pair_year, region, countIf(to_rank > from_rank) AS up, countIf(to_rank < from_rank) AS down
	       FROM (
	           SELECT index_name, pair_year, village_code, from_rank, to_rank
	           FROM (
	               SELECT index_name, toUInt16(year + 1) AS pair_year, village_code, toInt8(status) AS from_rank
	               FROM idm_current WHERE generation = ` + gen + `
	           ) AS earlier ALL INNER JOIN (
	               SELECT index_name, year AS pair_year, village_code, toInt8(status) AS to_rank
	               FROM idm_current WHERE generation = ` + gen + `
	           ) AS later USING (index_name, pair_year, village_code)
	       )
	       ARRAY JOIN [substring(village_code, 1, 2), substring(village_code, 1, 4)] AS region
	       GROUP BY index_name, pair_year, region`
	var moves []struct {
		Index  string `ch:"index_name"`
		Year   uint16 `ch:"pair_year"`
		Region string `ch:"region"`
		Up     uint64 `ch:"up"`
		Down   uint64 `ch:"down"`
	}
	if err := s.db.Select(ctx, &moves, mq); err != nil {
		return nil, fmt.Errorf("warm idm moves: %w", err)
	}
	for _, m := range moves {
		k := warmYear{m.Index, int(m.Year)}
		if w.moves[k] == nil {
			w.moves[k] = map[region.Code][2]int{}
		}
		w.moves[k][region.Code(m.Region)] = [2]int{int(m.Up), int(m.Down)}
	}
	return w, nil
}

// warmCodes reports whether every code is a province's or a kabupaten's.
func warmCodes(codes []region.Code) bool {
	for _, c := range codes {
		if len(c) != 2 && len(c) != 4 {
			return false
		}
	}
	return true
}

// Years is Store.Years.
func (w *Warm) Years(index string) []int {
	return append([]int{}, w.years[index]...)
}

// Distribution is Store.Distribution for the province and kabupaten/kota
// levels, or false.
func (w *Warm) Distribution(index string, year int, level region.Level, within region.Code) ([]idm.Distribution, bool) {
	n := map[region.Level]int{region.LevelProvinsi: 2, region.LevelKabupatenKota: 4}[level]
	if n == 0 {
		return nil, false
	}
	var rows []distributionRow
	for _, r := range w.rows[warmYear{index, year}] {
		if len(r.RegionCode) == n && strings.HasPrefix(r.RegionCode, string(within)) {
			rows = append(rows, r)
		}
	}
	return toDistributions(rows, year), true
}

// DistributionOf is Store.DistributionOf when every region is a province
// or a kabupaten/kota, or false.
func (w *Warm) DistributionOf(index string, year int, regions []region.Code) ([]idm.Distribution, bool) {
	if len(regions) == 0 || !warmCodes(regions) {
		return nil, false
	}
	var rows []distributionRow
	for _, r := range w.rows[warmYear{index, year}] {
		if slices.Contains(regions, region.Code(r.RegionCode)) {
			rows = append(rows, r)
		}
	}
	return toDistributions(rows, year), true
}

// Moves is Store.Moves from a year to the next for provinces and
// kabupaten/kota, or false.
func (w *Warm) Moves(index string, from, to int, regions []region.Code) (map[region.Code][2]int, bool) {
	if len(regions) == 0 || to != from+1 || !warmCodes(regions) ||
		!slices.Contains(w.held[index], from) || !slices.Contains(w.held[index], to) {
		return nil, false
	}
	all := w.moves[warmYear{index, to}]
	out := make(map[region.Code][2]int, len(regions))
	for _, c := range regions {
		if m, ok := all[c]; ok {
			out[c] = m
		}
	}
	return out, true
}

// Bytes estimates the memory Warm holds.
func (w *Warm) Bytes() int {
	n := 0
	for _, rows := range w.rows {
		for _, r := range rows {
			n += int(unsafe.Sizeof(r)) + len(r.RegionCode)
		}
	}
	for _, m := range w.moves {
		n += len(m) * (16 + 4 + 16 + 8) // key header, code, value, slot
	}
	return n
}
