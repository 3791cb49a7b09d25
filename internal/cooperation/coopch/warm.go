package coopch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sync/errgroup"

	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/region"
)

// Warm is what the dashboards ask of cooperation, for one generation, kept
// in memory (internal/warm) so that their questions cost no statement:
//
//   - the cube's groups for every shape of question it answers without a
//     filter (no region dimension, provinces or kabupaten/kota; with or
//     without issue and year), with every measure it holds, and the
//     totals; agreements in force on the day it was loaded, by issue;
//   - the scorecards of every province and kabupaten/kota for each recent
//     signing year (compareRegions).
//
// Each is read with the store's own statements (Stats' cube statements,
// Scorecards), so an answer from Warm is the SQL's answer: the same groups
// and values, assembled by the same code. A question of any other shape is
// declined (false) and goes to SQL. Immutable once loaded.
type Warm struct {
	asOf      time.Time                                             // the day ACTIVE_AGREEMENTS is counted on
	shapes    map[string]*warmShape                                 // by canonical dimensions (warmShapeKey)
	totals    map[bool][]groupRow                                   // by part: realisations (true) or agreements
	cards     map[int]map[region.Code]*cooperation.RegionComparison // by year
	cardCodes map[region.Code]bool                                  // the regions with scorecards
}

// warmShape is the groups of one shape of question, for both parts.
type warmShape struct {
	dims                     []cooperation.Dimension // canonical order
	agreementMeasures        []cooperation.Measure   // warmAgreementMeasures, without ACTIVE_AGREEMENTS unless byIssueOnly
	agreements               []groupRow              // their groups
	realisation              []groupRow              // the groups of warmRealisedMeasures
	tooMany, tooManyRealised bool                    // more groups than MaxStatsRows: left to SQL
}

// The measures Warm holds, in the order its groups keep them.
var (
	warmAgreementMeasures = []cooperation.Measure{cooperation.MeasureAgreements, cooperation.MeasureVillagesCovered,
		cooperation.MeasurePersiapanCovered, cooperation.MeasurePartners, cooperation.MeasureCommittedValue,
		cooperation.MeasureActiveAgreements}
	warmRealisedMeasures = []cooperation.Measure{cooperation.MeasureRealisedValue, cooperation.MeasureBeneficiaries}
)

// warmShapes are the dimension sets Warm loads, in canonical order: what
// the cubes answer unfiltered.
func warmShapes() [][]cooperation.Dimension {
	var out [][]cooperation.Dimension
	for _, r := range []cooperation.Dimension{"", cooperation.DimProvinsi, cooperation.DimKabupatenKota} {
		for _, issue := range []bool{false, true} {
			for _, period := range []bool{false, true} {
				var dims []cooperation.Dimension
				if r != "" {
					dims = append(dims, r)
				}
				if issue {
					dims = append(dims, cooperation.DimIssue)
				}
				if period {
					dims = append(dims, cooperation.DimPeriod)
				}
				out = append(out, dims)
			}
		}
	}
	return out
}

// warmShapeKey names a set of dimensions whatever their order.
func warmShapeKey(dims []cooperation.Dimension) string {
	s := make([]string, len(dims))
	for i, d := range dims {
		s[i] = string(d)
	}
	slices.Sort(s)
	return strings.Join(s, ",")
}

// byIssueOnly: the agreements in force are kept by issue only.
func byIssueOnly(dims []cooperation.Dimension) bool {
	return len(dims) == 0 || len(dims) == 1 && dims[0] == cooperation.DimIssue
}

// WarmScorecardYears bounds the signing years whose scorecards Warm keeps:
// the most recent ones.
const WarmScorecardYears = 10

// LoadWarm reads Warm for the generation ctx is pinned to
// (clickhouse.PinGeneration): the cube's shapes (two statements each, two
// for the totals), then the scorecards of codes (the provinces and
// kabupaten/kota) for the signing years, MaxCompared regions a statement
// pair as compareRegions asks. asOf is today, for ACTIVE_AGREEMENTS.
func (s *Store) LoadWarm(ctx context.Context, asOf time.Time, codes []region.Code) (*Warm, error) {
	if s.snapshotOnly {
		return nil, errors.New("warm cooperation: this store reads the snapshot only")
	}
	w := &Warm{asOf: asOf, shapes: map[string]*warmShape{}, totals: map[bool][]groupRow{},
		cards: map[int]map[region.Code]*cooperation.RegionComparison{}, cardCodes: map[region.Code]bool{}}
	q := cooperation.StatsQuery{Grain: cooperation.GrainYear, AsOf: asOf}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(2)
	load := func(dest *[]groupRow, tooMany *bool, b statsBuilder, dims []cooperation.Dimension, measures []cooperation.Measure) {
		g.Go(func() error {
			sql := b(q, dims, measures)
			if sql == nil {
				return fmt.Errorf("warm cooperation: the cube cannot answer %v", dims)
			}
			rows, err := s.groups(gctx, sql, len(dims), len(measures))
			if errors.Is(err, cooperation.ErrTooManyGroups) {
				*tooMany = true // that shape stays with SQL (which says so)
				return nil
			}
			*dest = rows
			return err
		})
	}
	for _, dims := range warmShapes() {
		sh := &warmShape{dims: dims, agreementMeasures: warmAgreementMeasures}
		w.shapes[warmShapeKey(dims)] = sh
		if !byIssueOnly(dims) {
			sh.agreementMeasures = warmAgreementMeasures[:len(warmAgreementMeasures)-1]
		}
		load(&sh.agreements, &sh.tooMany, agreementCubeQuery, dims, sh.agreementMeasures)
		load(&sh.realisation, &sh.tooManyRealised, realisedCubeQuery, dims, warmRealisedMeasures)
	}
	var agreementTotal, realisedTotal []groupRow
	var totalsTooMany bool // never: a total is one group
	load(&agreementTotal, &totalsTooMany, agreementCubeQuery, nil, warmAgreementMeasures)
	load(&realisedTotal, &totalsTooMany, realisedCubeQuery, nil, warmRealisedMeasures)
	if err := g.Wait(); err != nil {
		return nil, err
	}
	w.totals[false], w.totals[true] = agreementTotal, realisedTotal
	// Each shape's groups in the order assembleStats answers them when the
	// dimensions are asked in canonical order: such a request then copies
	// the groups and checks their order instead of sorting them again.
	for _, sh := range w.shapes {
		sortGroups(sh.agreements)
		sortGroups(sh.realisation)
	}

	// Scorecards for the most recent signing years, per region exactly as
	// compareRegions reads them (each region's figures are its own: the
	// statements group by region).
	var years []int
	for _, r := range w.shapes[warmShapeKey([]cooperation.Dimension{cooperation.DimPeriod})].agreements {
		var y int
		if _, err := fmt.Sscanf(r.keys[0], "%d", &y); err == nil && !slices.Contains(years, y) {
			years = append(years, y)
		}
	}
	slices.Sort(years)
	years = years[max(0, len(years)-WarmScorecardYears):]
	for _, c := range codes {
		w.cardCodes[c] = true
	}
	for _, y := range years {
		w.cards[y] = make(map[region.Code]*cooperation.RegionComparison, len(codes))
		from, to := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)
		for chunk := range slices.Chunk(codes, cooperation.MaxCompared) {
			cards, err := s.Scorecards(ctx, chunk, from, to)
			if err != nil {
				return nil, fmt.Errorf("warm scorecards %d: %w", y, err)
			}
			for c, card := range cards {
				w.cards[y][c] = card
			}
		}
	}
	return w, nil
}

// Stats is Store.Stats for a question of a shape Warm holds, or false.
func (w *Warm) Stats(q cooperation.StatsQuery) (cooperation.StatsResult, bool) {
	if q.Filter.Canonical() != (cooperation.Filter{}).Canonical() {
		return cooperation.StatsResult{}, false
	}
	sh := w.shapes[warmShapeKey(q.Dimensions)]
	if sh == nil || len(sh.dims) != len(q.Dimensions) {
		return cooperation.StatsResult{}, false
	}
	if slices.Contains(q.Dimensions, cooperation.DimPeriod) && q.Grain != cooperation.GrainYear {
		return cooperation.StatsResult{}, false
	}
	// Where each asked dimension is in the shape's groups.
	perm := make([]int, len(q.Dimensions))
	for i, d := range q.Dimensions {
		perm[i] = slices.Index(sh.dims, d)
	}
	agreementMeasures, realisationMeasures := splitMeasures(q.Measures)
	var parts []*statsPart
	if len(agreementMeasures) > 0 {
		if slices.Contains(agreementMeasures, cooperation.MeasureActiveAgreements) &&
			(!byIssueOnly(sh.dims) || !q.AsOf.Equal(w.asOf)) {
			return cooperation.StatsResult{}, false
		}
		p, ok := w.part(sh.agreements, w.totals[false], sh.agreementMeasures, warmAgreementMeasures, agreementMeasures, perm)
		if !ok || sh.tooMany {
			return cooperation.StatsResult{}, false
		}
		parts = append(parts, p)
	}
	if len(realisationMeasures) > 0 {
		p, ok := w.part(sh.realisation, w.totals[true], warmRealisedMeasures, warmRealisedMeasures, realisationMeasures, perm)
		if !ok || sh.tooManyRealised {
			return cooperation.StatsResult{}, false
		}
		parts = append(parts, p)
	}
	res, err := assembleStats(q.Measures, parts)
	if err != nil { // too many groups: SQL says so
		return cooperation.StatsResult{}, false
	}
	return res, true
}

// part picks the asked measures out of the held groups (whose measures are
// held, the totals' totalHeld), with their keys in the asked order: fresh
// slices, the held groups stay as loaded. False when a measure is not held.
func (w *Warm) part(grouped, total []groupRow, held, totalHeld, asked []cooperation.Measure, perm []int) (*statsPart, bool) {
	pick := func(rows []groupRow, held []cooperation.Measure, dims int) ([]groupRow, bool) {
		col := make([]int, len(asked))
		for i, m := range asked {
			if col[i] = slices.Index(held, m); col[i] < 0 {
				return nil, false
			}
		}
		if len(rows) == 0 {
			return nil, true
		}
		out := make([]groupRow, len(rows))
		keys, values := make([]string, len(rows)*dims), make([]float64, len(rows)*len(asked))
		for i, r := range rows {
			k, v := keys[i*dims:(i+1)*dims:(i+1)*dims], values[i*len(asked):(i+1)*len(asked):(i+1)*len(asked)]
			for j, p := range perm[:dims] {
				k[j] = r.keys[p]
			}
			for j, c := range col {
				v[j] = r.values[c]
			}
			out[i] = groupRow{keys: k, values: v}
		}
		return out, true
	}
	p := &statsPart{measures: asked}
	var ok1, ok2 bool
	p.grouped, ok1 = pick(grouped, held, len(perm))
	p.total, ok2 = pick(total, totalHeld, 0)
	return p, ok1 && ok2
}

// Scorecards is Store.Scorecards for provinces and kabupaten/kota over a
// calendar year Warm holds, or false. Each scorecard is a copy.
func (w *Warm) Scorecards(codes []region.Code, from, to time.Time) (map[region.Code]*cooperation.RegionComparison, bool) {
	byRegion := w.cards[from.Year()]
	if byRegion == nil || !from.Equal(time.Date(from.Year(), 1, 1, 0, 0, 0, 0, time.UTC)) ||
		!to.Equal(time.Date(from.Year(), 12, 31, 0, 0, 0, 0, time.UTC)) {
		return nil, false
	}
	out := make(map[region.Code]*cooperation.RegionComparison, len(codes))
	for _, c := range codes {
		if len(c) != 2 && len(c) != 4 {
			return nil, false
		}
		card := &cooperation.RegionComparison{Region: c, ByIssue: map[cooperation.Issue]int{}}
		if held, ok := byRegion[c]; ok {
			*card = *held
			card.ByIssue = make(map[cooperation.Issue]int, len(held.ByIssue))
			for i, n := range held.ByIssue {
				card.ByIssue[i] = n
			}
		} else if w.cardCodes[c] {
			return nil, false // held but not read: should not happen
		}
		out[c] = card
	}
	return out, true
}

// Bytes estimates the memory Warm holds.
func (w *Warm) Bytes() int {
	n := 0
	rows := func(rs []groupRow) {
		for _, r := range rs {
			n += int(unsafe.Sizeof(r)) + 8*len(r.values)
			for _, k := range r.keys {
				n += 16 + len(k)
			}
		}
	}
	for _, sh := range w.shapes {
		rows(sh.agreements)
		rows(sh.realisation)
	}
	for _, byRegion := range w.cards {
		for _, c := range byRegion {
			n += int(unsafe.Sizeof(*c)) + len(c.ByIssue)*48 + 16
		}
	}
	return n
}
