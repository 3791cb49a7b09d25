// Package regionch keeps the region register in ClickHouse: the rows as
// loaded and the current-regions snapshot that queries read.
package regionch

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unsafe"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/region"
)

// SnapshotTable is the snapshot this store rebuilds.
const SnapshotTable = "regions_current"

// Store is the ClickHouse region.Store.
type Store struct{ db *clickhouse.DB }

// NewStore returns a Store on db.
func NewStore(db *clickhouse.DB) *Store { return &Store{db: db} }

var _ region.Store = (*Store)(nil)

// InsertRows stores regions as loaded by a run from a source file.
func (s *Store) InsertRows(ctx context.Context, runID uint64, source string, regions []region.Region) error {
	if len(regions) == 0 {
		return nil
	}
	batch, err := s.db.PrepareBatch(ctx, `INSERT INTO region_rows (run_id, code, level, kind, parent_code, name, source)`)
	if err != nil {
		return fmt.Errorf("insert regions: %w", err)
	}
	for _, r := range regions {
		if err := batch.Append(runID, string(r.Code), r.Level.String(), string(r.Kind), string(r.Parent), r.Name, source); err != nil {
			return fmt.Errorf("insert regions: %w", err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("insert regions: %w", clickhouse.MapError(err))
	}
	return nil
}

// SnapshotTables are the tables RebuildSnapshot writes.
func (s *Store) SnapshotTables() []string { return []string{SnapshotTable} }

// RebuildSnapshot writes generation gen of regions_current from the rows of
// committed runs and of the runs gen is to publish (the newest run wins per
// code), with village counts.
func (s *Store) RebuildSnapshot(ctx context.Context, gen uint64, runs []uint64) error {
	q := `
	INSERT INTO regions_current (generation, code, level, kind, parent_code, name, desa_count, kelurahan_count)
	SELECT ? AS generation, code, level, kind, parent_code, name, desa_count, kelurahan_count
	FROM (
		SELECT code,
		       argMax(level, run_id)       AS level,
		       argMax(kind, run_id)        AS kind,
		       argMax(parent_code, run_id) AS parent_code,
		       argMax(name, run_id)        AS name
		FROM region_rows
		WHERE ` + clickhouse.IncludedRuns + `
		GROUP BY code
	) AS named ANY LEFT JOIN (
		SELECT ancestor AS code,
		       countIf(village_kind IN ('desa', 'desa_adat')) AS desa_count,
		       countIf(village_kind = 'kelurahan')            AS kelurahan_count
		FROM (
			SELECT code AS village_code, argMax(kind, run_id) AS village_kind
			FROM region_rows
			WHERE ` + clickhouse.IncludedRuns + ` AND level = 'desa_kelurahan'
			GROUP BY code
		)
		ARRAY JOIN [substring(village_code, 1, 2), substring(village_code, 1, 4),
		            substring(village_code, 1, 6), village_code] AS ancestor
		GROUP BY ancestor
	) AS village_counts USING code`
	if err := s.db.Exec(ctx, q, gen, runs, runs); err != nil {
		return fmt.Errorf("rebuild regions snapshot: %w", err)
	}
	return nil
}

type regionRow struct {
	Code           string `ch:"code"`
	Level          string `ch:"level_name"`
	Kind           string `ch:"kind"`
	ParentCode     string `ch:"parent_code"`
	Name           string `ch:"name"`
	DesaCount      uint32 `ch:"desa_count"`
	KelurahanCount uint32 `ch:"kelurahan_count"`
}

func (r regionRow) region() region.Region {
	lvl, _ := region.ParseLevel(r.Level)
	return region.Region{
		Code: region.Code(r.Code), Name: r.Name, Level: lvl, Kind: region.Kind(r.Kind),
		Parent: region.Code(r.ParentCode), DesaCount: int(r.DesaCount), KelurahanCount: int(r.KelurahanCount),
	}
}

var currentRegions = `
	SELECT code, toString(level) AS level_name, kind, parent_code, name, desa_count, kelurahan_count
	FROM regions_current
	WHERE generation = ` + clickhouse.CurrentGeneration(SnapshotTable)

// Regions returns the current regions at a level within an ancestor.
func (s *Store) Regions(ctx context.Context, level region.Level, within region.Code) ([]region.Region, error) {
	q := currentRegions + ` AND level = ? AND startsWith(code, ?) ORDER BY code`
	return s.selectRegions(ctx, q, level.String(), string(within))
}

// ByCodes returns the current regions with the given codes.
func (s *Store) ByCodes(ctx context.Context, codes []region.Code) ([]region.Region, error) {
	if len(codes) == 0 {
		return nil, nil
	}
	// The table is ordered by (level, parent_code, code): naming the levels
	// and parents too reads only the granules that hold the codes.
	keys, args := KeyIn("code", codes)
	return s.selectRegions(ctx, currentRegions+` AND `+keys+` ORDER BY code`, args...)
}

// ChildrenOf returns the current direct children of the given regions.
func (s *Store) ChildrenOf(ctx context.Context, parents []region.Code) ([]region.Region, error) {
	if len(parents) == 0 {
		return nil, nil
	}
	q := currentRegions + ` AND has(?, parent_code) ORDER BY code`
	return s.selectRegions(ctx, q, codeStrings(parents))
}

// All returns every current region; the ETL validates new files against it.
func (s *Store) All(ctx context.Context) ([]region.Region, error) {
	return s.selectRegions(ctx, currentRegions+` ORDER BY code`)
}

func (s *Store) selectRegions(ctx context.Context, q string, args ...any) ([]region.Region, error) {
	var rows []regionRow
	if err := s.db.Select(ctx, &rows, q, args...); err != nil {
		return nil, err
	}
	out := make([]region.Region, len(rows))
	for i, r := range rows {
		out[i] = r.region()
	}
	return out, nil
}

func codeStrings(codes []region.Code) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = string(c)
	}
	return out
}

// rawTables hold the region rows as loaded, by run.
var rawTables = []string{"region_rows"}

// RunsWithRows returns the runs that have rows stored.
func (s *Store) RunsWithRows(ctx context.Context) ([]uint64, error) {
	return s.db.RunsWithRows(ctx, rawTables[0])
}

// WinningRuns returns the committed runs that hold the newest committed
// row of some code: the runs the snapshot is built from.
func (s *Store) WinningRuns(ctx context.Context) ([]uint64, error) {
	runs, err := s.db.RunIDs(ctx, `SELECT DISTINCT winner AS run_id FROM (
		SELECT code, max(run_id) AS winner FROM region_rows WHERE run_id IN `+clickhouse.CommittedRuns+` GROUP BY code)`)
	if err != nil {
		return nil, fmt.Errorf("winning region runs: %w", err)
	}
	return runs, nil
}

// DeleteRuns deletes the rows of runs.
func (s *Store) DeleteRuns(ctx context.Context, runs []uint64) error {
	return s.db.DeleteRuns(ctx, runs, rawTables...)
}

// Warm is the provinces and kabupaten/kota of one generation, kept in
// memory (internal/warm): the regions dashboards name. It answers ByCodes
// and Regions exactly as the SQL does when every code asked is of those
// levels (a code of those levels it lacks does not exist), and declines
// otherwise. Immutable once loaded.
type Warm struct {
	byCode map[region.Code]region.Region
	sorted []region.Region // by code
}

// warmLevels are the levels Warm holds.
func warmLevel(c region.Code) bool { return len(c) == 2 || len(c) == 4 }

// LoadWarm reads the provinces and kabupaten/kota of the generation ctx is
// pinned to (clickhouse.PinGeneration).
func (s *Store) LoadWarm(ctx context.Context) (*Warm, error) {
	all, err := s.selectRegions(ctx, currentRegions+` AND level IN ('provinsi', 'kabupaten_kota') ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("warm regions: %w", err)
	}
	w := &Warm{byCode: make(map[region.Code]region.Region, len(all)), sorted: all}
	for _, r := range all {
		w.byCode[r.Code] = r
	}
	return w, nil
}

// Codes are the codes Warm holds, ordered.
func (w *Warm) Codes() []region.Code {
	out := make([]region.Code, len(w.sorted))
	for i, r := range w.sorted {
		out[i] = r.Code
	}
	return out
}

// ByCodes is Store.ByCodes (ordered by code), or false when a code is not
// a province's or a kabupaten's.
func (w *Warm) ByCodes(codes []region.Code) ([]region.Region, bool) {
	if len(codes) == 0 {
		return nil, false
	}
	for _, c := range codes {
		if !warmLevel(c) {
			return nil, false
		}
	}
	out := make([]region.Region, 0, len(codes))
	for _, c := range slices.Compact(slices.Sorted(slices.Values(codes))) {
		if r, ok := w.byCode[c]; ok {
			out = append(out, r)
		}
	}
	return out, true
}

// Regions is Store.Regions for the province and kabupaten/kota levels, or
// false for another level.
func (w *Warm) Regions(level region.Level, within region.Code) ([]region.Region, bool) {
	if level != region.LevelProvinsi && level != region.LevelKabupatenKota {
		return nil, false
	}
	out := []region.Region{}
	for _, r := range w.sorted {
		if r.Level == level && strings.HasPrefix(string(r.Code), string(within)) {
			out = append(out, r)
		}
	}
	return out, true
}

// Bytes estimates the memory Warm holds.
func (w *Warm) Bytes() int {
	n := 0
	for _, r := range w.sorted {
		// the struct twice (slice and map), its strings, a map slot
		n += 2*int(unsafe.Sizeof(r)) + len(r.Code) + len(r.Name) + len(r.Kind) + len(r.Parent) + 16
	}
	return n
}
