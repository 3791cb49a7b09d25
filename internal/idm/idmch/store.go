// Package idmch keeps IDM scores in ClickHouse: the rows as loaded, the
// current score per desa and year, and per-region status counts and sums.
package idmch

import (
	"context"
	"fmt"
	"slices"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/idm"
	"github.com/sinergi-id/sinergi/internal/region"
	"github.com/sinergi-id/sinergi/internal/region/regionch"
)

// Snapshot tables this store rebuilds. The region stats depend on the
// regions snapshot, so they are rebuilt after it.
const (
	CurrentTable = "idm_current"
	StatsTable   = "idm_region_stats"
)

// Store is the ClickHouse idm.Store.
type Store struct{ db *clickhouse.DB }

// NewStore returns a Store on db.
func NewStore(db *clickhouse.DB) *Store { return &Store{db: db} }

var _ idm.Store = (*Store)(nil)

// InsertRows stores scores as loaded by a run from a source file.
func (s *Store) InsertRows(ctx context.Context, runID uint64, source string, scores []idm.Score) error {
	if len(scores) == 0 {
		return nil
	}
	batch, err := s.db.PrepareBatch(ctx, `INSERT INTO idm_rows (run_id, index_name, year, village_code, iks, ike, ikl, idm, status, source)`)
	if err != nil {
		return fmt.Errorf("insert idm: %w", err)
	}
	for _, sc := range scores {
		if err := batch.Append(runID, sc.Index, uint16(sc.Year), string(sc.Village), sc.IKS, sc.IKE, sc.IKL, sc.IDM, sc.Status.String(), source); err != nil {
			return fmt.Errorf("insert idm: %w", err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("insert idm: %w", clickhouse.MapError(err))
	}
	return nil
}

// SnapshotTables are the tables RebuildSnapshot writes, published together.
func (s *Store) SnapshotTables() []string { return []string{CurrentTable, StatsTable} }

// RebuildSnapshot writes generation gen of idm_current (the newest score
// of committed runs and of the runs gen is to publish, per index, year and
// desa) and of idm_region_stats (per region at every level of regions
// generation regionGen, and per year).
func (s *Store) RebuildSnapshot(ctx context.Context, gen, regionGen uint64, runs []uint64) error {
	current := `
	INSERT INTO idm_current (generation, index_name, year, village_code, iks, ike, ikl, idm, status)
	SELECT ?, index_name, year, village_code,
	       argMax(iks, run_id), argMax(ike, run_id), argMax(ikl, run_id), argMax(idm, run_id), argMax(status, run_id)
	FROM idm_rows
	WHERE ` + clickhouse.IncludedRuns + `
	GROUP BY index_name, year, village_code`
	if err := s.db.Exec(ctx, current, gen, runs); err != nil {
		return fmt.Errorf("rebuild idm snapshot: %w", err)
	}
	// Every region gets a row for every (index, year), zeros included, so
	// that a region with only kelurahan still shows up with total 0.
	const stats = `
	INSERT INTO idm_region_stats (generation, index_name, year, level, region_code, parent_code, total,
		mandiri, maju, berkembang, tertinggal, sangat_tertinggal, sum_idm, sum_iks, sum_ike, sum_ikl)
	SELECT ?, index_name, year, level, code, parent_code, total,
	       mandiri, maju, berkembang, tertinggal, sangat_tertinggal, sum_idm, sum_iks, sum_ike, sum_ikl
	FROM (
		SELECT index_name, year, code, level, parent_code
		FROM (SELECT code, level, parent_code FROM regions_current WHERE generation = ?) AS regions
		CROSS JOIN (SELECT DISTINCT index_name, year FROM idm_current WHERE generation = ?) AS years
	) AS cells ANY LEFT JOIN (
		SELECT index_name, year, ancestor AS code,
		       toUInt32(count())                         AS total,
		       toUInt32(countIf(status = 'MANDIRI'))     AS mandiri,
		       toUInt32(countIf(status = 'MAJU'))        AS maju,
		       toUInt32(countIf(status = 'BERKEMBANG'))  AS berkembang,
		       toUInt32(countIf(status = 'TERTINGGAL'))  AS tertinggal,
		       toUInt32(countIf(status = 'SANGAT_TERTINGGAL')) AS sangat_tertinggal,
		       sum(idm) AS sum_idm, sum(iks) AS sum_iks, sum(ike) AS sum_ike, sum(ikl) AS sum_ikl
		FROM idm_current
		ARRAY JOIN [substring(village_code, 1, 2), substring(village_code, 1, 4),
		            substring(village_code, 1, 6), village_code] AS ancestor
		WHERE generation = ?
		GROUP BY index_name, year, ancestor
	) AS scored USING (index_name, year, code)`
	if err := s.db.Exec(ctx, stats, gen, regionGen, gen, gen); err != nil {
		return fmt.Errorf("rebuild idm region stats: %w", err)
	}
	return nil
}

func current(table string) string { return clickhouse.CurrentGeneration(table) }

type distributionRow struct {
	RegionCode       string  `ch:"region_code"`
	Total            uint32  `ch:"total"`
	Mandiri          uint32  `ch:"mandiri"`
	Maju             uint32  `ch:"maju"`
	Berkembang       uint32  `ch:"berkembang"`
	Tertinggal       uint32  `ch:"tertinggal"`
	SangatTertinggal uint32  `ch:"sangat_tertinggal"`
	SumIDM           float64 `ch:"sum_idm"`
	SumIKS           float64 `ch:"sum_iks"`
	SumIKE           float64 `ch:"sum_ike"`
	SumIKL           float64 `ch:"sum_ikl"`
}

// Distribution reads the per-region stats of one year.
func (s *Store) Distribution(ctx context.Context, index string, year int, level region.Level, within region.Code) ([]idm.Distribution, error) {
	q := `SELECT region_code, total, mandiri, maju, berkembang, tertinggal, sangat_tertinggal,
	             sum_idm, sum_iks, sum_ike, sum_ikl
	      FROM idm_region_stats
	      WHERE generation = ` + current(StatsTable) + `
	        AND index_name = ? AND year = ? AND level = ? AND startsWith(region_code, ?)
	      ORDER BY region_code`
	var rows []distributionRow
	if err := s.db.Select(ctx, &rows, q, index, uint16(year), level.String(), string(within)); err != nil {
		return nil, err
	}
	return toDistributions(rows, year), nil
}

func toDistributions(rows []distributionRow, year int) []idm.Distribution {
	out := make([]idm.Distribution, len(rows))
	for i, r := range rows {
		d := idm.Distribution{
			Region: region.Code(r.RegionCode), Year: year, Total: int(r.Total),
			ByStatus: []idm.StatusCount{
				{Status: idm.StatusMandiri, Count: int(r.Mandiri)},
				{Status: idm.StatusMaju, Count: int(r.Maju)},
				{Status: idm.StatusBerkembang, Count: int(r.Berkembang)},
				{Status: idm.StatusTertinggal, Count: int(r.Tertinggal)},
				{Status: idm.StatusSangatTertinggal, Count: int(r.SangatTertinggal)},
			},
		}
		if r.Total > 0 {
			n := float64(r.Total)
			d.MeanIDM, d.MeanIKS, d.MeanIKE, d.MeanIKL = ptr(r.SumIDM/n), ptr(r.SumIKS/n), ptr(r.SumIKE/n), ptr(r.SumIKL/n)
		}
		out[i] = d
	}
	return out
}

func ptr(v float64) *float64 { return &v }

// Transitions counts desa by status pair between two years.
func (s *Store) Transitions(ctx context.Context, index string, from, to int, within region.Code) ([]idm.Transition, error) {
	gen := current(CurrentTable)
	// Aliases never reuse a column name: 18.16 would substitute them into
	// WHERE clauses and index analysis (see docs/clickhouse.md).
	q := `SELECT toInt8(from_status) AS from_rank, toInt8(to_status) AS to_rank, count() AS n
	      FROM (
	          SELECT village_code, status AS from_status FROM idm_current
	          WHERE generation = ` + gen + ` AND index_name = ? AND year = ? AND startsWith(village_code, ?)
	      ) AS earlier ALL INNER JOIN (
	          SELECT village_code, status AS to_status FROM idm_current
	          WHERE generation = ` + gen + ` AND index_name = ? AND year = ? AND startsWith(village_code, ?)
	      ) AS later USING village_code
	      GROUP BY from_rank, to_rank`
	var rows []struct {
		From int8   `ch:"from_rank"`
		To   int8   `ch:"to_rank"`
		N    uint64 `ch:"n"`
	}
	if err := s.db.Select(ctx, &rows, q, index, uint16(from), string(within), index, uint16(to), string(within)); err != nil {
		return nil, err
	}
	out := make([]idm.Transition, len(rows))
	for i, r := range rows {
		out[i] = idm.Transition{From: idm.Status(r.From), To: idm.Status(r.To), Count: int(r.N)}
	}
	return out, nil
}

// Years lists the years with current scores.
func (s *Store) Years(ctx context.Context, index string) ([]int, error) {
	// From the province rows of the stats (a year has scores when some
	// province has scored desa): a few granules, not every score.
	q := `SELECT DISTINCT year FROM idm_region_stats WHERE generation = ` + current(StatsTable) + `
	      AND index_name = ? AND level = 'provinsi' AND total > 0 ORDER BY year`
	var rows []struct {
		Year uint16 `ch:"year"`
	}
	if err := s.db.Select(ctx, &rows, q, index); err != nil {
		return nil, err
	}
	out := make([]int, len(rows))
	for i, r := range rows {
		out[i] = int(r.Year)
	}
	return out, nil
}

// History returns the current scores of the given villages.
func (s *Store) History(ctx context.Context, index string, villages []region.Code) ([]idm.Score, error) {
	if len(villages) == 0 {
		return nil, nil
	}
	codes := make([]string, len(villages))
	for i, v := range villages {
		codes[i] = string(v)
	}
	q := `SELECT village_code, year, iks, ike, ikl, idm, toInt8(status) AS status_rank FROM idm_current
	      WHERE generation = ` + current(CurrentTable) + ` AND index_name = ? AND has(?, village_code)
	      ORDER BY village_code, year`
	var rows []struct {
		Village string  `ch:"village_code"`
		Year    uint16  `ch:"year"`
		IKS     float64 `ch:"iks"`
		IKE     float64 `ch:"ike"`
		IKL     float64 `ch:"ikl"`
		IDM     float64 `ch:"idm"`
		Status  int8    `ch:"status_rank"`
	}
	if err := s.db.Select(ctx, &rows, q, index, codes); err != nil {
		return nil, err
	}
	out := make([]idm.Score, len(rows))
	for i, r := range rows {
		out[i] = idm.Score{Index: index, Year: int(r.Year), Village: region.Code(r.Village),
			IKS: r.IKS, IKE: r.IKE, IKL: r.IKL, IDM: r.IDM, Status: idm.Status(r.Status)}
	}
	return out, nil
}

// DistributionOf reads the stats of the given regions (any levels) in one
// year.
func (s *Store) DistributionOf(ctx context.Context, index string, year int, regions []region.Code) ([]idm.Distribution, error) {
	if len(regions) == 0 {
		return nil, nil
	}
	// The table is ordered by (index_name, year, level, parent_code,
	// region_code): naming the levels and parents reads only the regions'
	// granules.
	keys, keyArgs := regionch.KeyIn("region_code", regions)
	q := `SELECT region_code, total, mandiri, maju, berkembang, tertinggal, sangat_tertinggal,
	             sum_idm, sum_iks, sum_ike, sum_ikl
	      FROM idm_region_stats
	      WHERE generation = ` + current(StatsTable) + ` AND index_name = ? AND year = ?
	        AND ` + keys + `
	      ORDER BY region_code`
	var rows []distributionRow
	if err := s.db.Select(ctx, &rows, q, slices.Concat([]any{index, uint16(year)}, keyArgs)...); err != nil {
		return nil, err
	}
	return toDistributions(rows, year), nil
}

// Moves counts, per region, the desa whose status rose and fell between two
// years.
func (s *Store) Moves(ctx context.Context, index string, from, to int, regions []region.Code) (map[region.Code][2]int, error) {
	if len(regions) == 0 {
		return nil, nil
	}
	gen := current(CurrentTable)
	// idm_current is ordered by (index_name, year, village_code): the LIKE
	// prefixes read only the regions' desa.
	within, withinArgs := clickhouse.StartsWithAny("village_code", regions)
	q := `SELECT region, countIf(to_rank > from_rank) AS up, countIf(to_rank < from_rank) AS down
	      FROM (
	          SELECT arrayJoin(?) AS region, village_code, from_rank, to_rank
	          FROM (
	              SELECT village_code, toInt8(status) AS from_rank FROM idm_current
	              WHERE generation = ` + gen + ` AND index_name = ? AND year = ? AND ` + within + `
	          ) AS earlier ALL INNER JOIN (
	              SELECT village_code, toInt8(status) AS to_rank FROM idm_current
	              WHERE generation = ` + gen + ` AND index_name = ? AND year = ? AND ` + within + `
	          ) AS later USING village_code
	      )
	      WHERE startsWith(village_code, region)
	      GROUP BY region`
	var rows []struct {
		Region string `ch:"region"`
		Up     uint64 `ch:"up"`
		Down   uint64 `ch:"down"`
	}
	args := slices.Concat([]any{codeStrings(regions), index, uint16(from)}, withinArgs, []any{index, uint16(to)}, withinArgs)
	if err := s.db.Select(ctx, &rows, q, args...); err != nil {
		return nil, err
	}
	out := make(map[region.Code][2]int, len(rows))
	for _, r := range rows {
		out[region.Code(r.Region)] = [2]int{int(r.Up), int(r.Down)}
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

// rawTables hold the scores as loaded, by run.
var rawTables = []string{"idm_rows"}

// RunsWithRows returns the runs that have rows stored.
func (s *Store) RunsWithRows(ctx context.Context) ([]uint64, error) {
	return s.db.RunsWithRows(ctx, rawTables[0])
}

// WinningRuns returns the committed runs that hold the newest committed
// score of some index, year and desa: the runs the snapshot is built from.
func (s *Store) WinningRuns(ctx context.Context) ([]uint64, error) {
	runs, err := s.db.RunIDs(ctx, `SELECT DISTINCT winner AS run_id FROM (
		SELECT max(run_id) AS winner FROM idm_rows WHERE run_id IN `+clickhouse.CommittedRuns+`
		GROUP BY index_name, year, village_code)`)
	if err != nil {
		return nil, fmt.Errorf("winning idm runs: %w", err)
	}
	return runs, nil
}

// DeleteRuns deletes the rows of runs.
func (s *Store) DeleteRuns(ctx context.Context, runs []uint64) error {
	return s.db.DeleteRuns(ctx, runs, rawTables...)
}
