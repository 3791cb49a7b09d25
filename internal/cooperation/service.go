package cooperation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sinergi-id/sinergi/internal/fault"
	"github.com/sinergi-id/sinergi/internal/idm"
	"github.com/sinergi-id/sinergi/internal/keyset"
	"github.com/sinergi-id/sinergi/internal/region"
)

// Store reads the current cooperation snapshots.
type Store interface {
	Agreements(ctx context.Context, f Filter, order AgreementOrder, seek keyset.Seek) ([]AgreementSummary, keyset.Found, error)
	AgreementsByID(ctx context.Context, ids []string) ([]AgreementSummary, error)
	Parties(ctx context.Context, agreementIDs []string) ([]Party, error)
	Realisations(ctx context.Context, agreementIDs []string) ([]Realisation, error)
	Stats(ctx context.Context, q StatsQuery) (StatsResult, error)
	Expiring(ctx context.Context, f Filter, asOf, until time.Time, seek keyset.Seek) ([]AgreementSummary, keyset.Found, error)
	VillagesWithoutPartner(ctx context.Context, within region.Code, statuses []idm.Status, idmYear int, from, to time.Time, seek keyset.Seek) ([]VillageTarget, keyset.Found, error)
	Impact(ctx context.Context, within region.Code, fromYear, toYear int) (with, without ImpactGroup, err error)
	Links(ctx context.Context, level region.Level, year int, f Filter) ([]Link, error)
	Partners(ctx context.Context, f Filter, asOf time.Time, order PartnerOrder, seek keyset.Seek) ([]PartnerSummary, keyset.Found, error)
	Bodies(ctx context.Context, within region.Code, asOf time.Time) ([]BodySummary, error)
	Scorecards(ctx context.Context, codes []region.Code, from, to time.Time) (map[region.Code]*RegionComparison, error)
}

// Regions finds the regions questions name.
type Regions interface {
	Region(ctx context.Context, code string) (region.Region, error)
	ByCodes(ctx context.Context, codes []region.Code) (map[region.Code]region.Region, error)
}

// IDM answers the IDM side of scorecards.
type IDM interface {
	Years(ctx context.Context, index string) ([]int, error)
	DistributionOf(ctx context.Context, index string, year int, regions []region.Code) (map[region.Code]idm.Distribution, error)
	Moves(ctx context.Context, index string, from, to int, regions []region.Code) (map[region.Code][2]int, error)
}

// Service answers planners' questions about cooperation.
type Service struct {
	store   Store
	regions Regions
	idm     IDM
	now     func() time.Time
	zone    *time.Location
}

// DefaultTimeZone is where the planners are: Kalimantan Timur keeps WITA
// (UTC+8, no daylight saving).
const DefaultTimeZone = "Asia/Makassar"

// NewService returns a Service that judges "today" in DefaultTimeZone.
func NewService(store Store, regions Regions, idm IDM) *Service {
	zone, err := time.LoadLocation(DefaultTimeZone)
	if err != nil { // no time zone database: WITA has had one offset since 1932
		zone = time.FixedZone("WITA", 8*60*60)
	}
	return &Service{store: store, regions: regions, idm: idm, now: time.Now, zone: zone}
}

// SetTimeZone sets the deployment's time zone, where a day and a month
// begin for "today", "in force now" and "expiring within months". Call it
// while wiring, before the service answers.
func (s *Service) SetTimeZone(zone *time.Location) { s.zone = zone }

// Today is the day "active now" is judged on: the calendar day in the
// deployment's time zone (at 17:00 UTC it is already tomorrow in WITA),
// as a date (midnight UTC, like every date sinergi stores).
func (s *Service) Today() time.Time {
	n := s.now().In(s.zone)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// CheckFilter validates a filter and resolves its region.
func (s *Service) CheckFilter(ctx context.Context, f Filter, regionCode string) (Filter, error) {
	if regionCode != "" {
		r, err := s.regions.Region(ctx, regionCode)
		if err != nil {
			return f, err
		}
		f.Region = r.Code
	}
	if f.ActiveFrom.IsZero() != f.ActiveTo.IsZero() {
		return f, fault.Invalid("an active period needs both from and to")
	}
	if !f.ActiveFrom.IsZero() && f.ActiveTo.Before(f.ActiveFrom) {
		return f, fault.Invalid("the active period ends before it starts")
	}
	if f.SignedFrom.IsZero() != f.SignedTo.IsZero() {
		return f, fault.Invalid("a signing period needs both from and to")
	}
	if !f.SignedFrom.IsZero() && f.SignedTo.Before(f.SignedFrom) {
		return f, fault.Invalid("the signing period ends before it starts")
	}
	if len(f.Partner) > 200 {
		return f, fault.Invalid("partner is longer than 200 characters")
	}
	// A name folds to its letters and digits; one without any ("-", "&",
	// "%") names no partner, and dropping it would answer for all of them.
	if key := PartnerKey(f.Partner); key != "" || f.Partner == "" {
		f.Partner = key
	} else {
		return f, fault.Invalid("partner %q has no letters or digits: give a partner's name (case and punctuation are ignored)", f.Partner)
	}
	return f, nil
}

// Agreements answers agreements(filter, first, after, orderBy).
func (s *Service) Agreements(ctx context.Context, f Filter, page keyset.Request, order AgreementOrder) (keyset.Page[AgreementSummary], error) {
	if order == "" {
		order = OrderSignedDesc
	}
	scope := keyset.NewScope("agreements", string(order), f.Canonical())
	seek, err := scope.Seek(page, DefaultPageSize, MaxPageSize)
	if err != nil {
		return keyset.Page[AgreementSummary]{}, err
	}
	items, found, err := s.store.Agreements(ctx, f, order, seek)
	if err != nil {
		return keyset.Page[AgreementSummary]{}, err
	}
	return keyset.NewPage(scope, items, found), nil
}

// Agreement returns one agreement.
func (s *Service) Agreement(ctx context.Context, id string) (AgreementSummary, error) {
	found, err := s.store.AgreementsByID(ctx, []string{id})
	if err != nil {
		return AgreementSummary{}, err
	}
	if len(found) == 0 {
		return AgreementSummary{}, fault.NotFound("no agreement %q", id)
	}
	return found[0], nil
}

// Parties returns the parties of each agreement.
func (s *Service) Parties(ctx context.Context, ids []string) (map[string][]Party, error) {
	ps, err := s.store.Parties(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := map[string][]Party{}
	for _, p := range ps {
		out[p.AgreementID] = append(out[p.AgreementID], p)
	}
	return out, nil
}

// Realisations returns the realisations of each agreement.
func (s *Service) Realisations(ctx context.Context, ids []string) (map[string][]Realisation, error) {
	rs, err := s.store.Realisations(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := map[string][]Realisation{}
	for _, r := range rs {
		out[r.AgreementID] = append(out[r.AgreementID], r)
	}
	return out, nil
}

// Stats answers cooperationStats.
func (s *Service) Stats(ctx context.Context, q StatsQuery) (StatsResult, error) {
	if len(q.Measures) == 0 {
		return StatsResult{}, fault.Invalid("ask for at least one measure")
	}
	if len(q.Dimensions) > 4 {
		return StatsResult{}, fault.Invalid("at most 4 dimensions")
	}
	if hasDuplicates(q.Dimensions) || hasDuplicates(q.Measures) {
		return StatsResult{}, fault.Invalid("a dimension or measure is listed twice")
	}
	regionDims := 0
	for _, d := range q.Dimensions {
		if !slices.Contains(Dimensions, d) {
			return StatsResult{}, fault.Invalid("unknown dimension %q", d)
		}
		if d.RegionLevel() != 0 {
			regionDims++
		}
		if d == DimPeriod && q.Grain == "" {
			q.Grain = GrainYear
		}
	}
	if regionDims > 1 {
		return StatsResult{}, fault.Invalid("use one region dimension at a time")
	}
	for _, m := range q.Measures {
		if !slices.Contains(Measures, m) {
			return StatsResult{}, fault.Invalid("unknown measure %q", m)
		}
	}
	if q.AsOf.IsZero() {
		q.AsOf = s.Today()
	}
	res, err := s.store.Stats(ctx, q)
	if err != nil {
		return StatsResult{}, err
	}
	if p := slices.Index(q.Dimensions, DimPeriod); p >= 0 {
		if res.Rows, err = completePeriods(res.Rows, p, q.Grain, q.Filter, q.FillPeriods, MaxStatsRows); err != nil {
			return StatsResult{}, err
		}
	}
	return res, nil
}

func hasDuplicates[T comparable](list []T) bool {
	seen := map[T]bool{}
	for _, v := range list {
		if seen[v] {
			return true
		}
		seen[v] = true
	}
	return false
}

// IssueSummary is one strategic issue's figures.
type IssueSummary struct {
	Issue            Issue
	Agreements       int
	ActiveAgreements int
	VillagesCovered  int
	Partners         int
	CommittedValue   float64
	RealisedValue    float64
}

var issueMeasures = []Measure{MeasureAgreements, MeasureActiveAgreements, MeasureVillagesCovered,
	MeasurePartners, MeasureCommittedValue, MeasureRealisedValue}

// StrategicIssues answers strategicIssues: all four issues, zeros included.
func (s *Service) StrategicIssues(ctx context.Context, f Filter) ([]IssueSummary, error) {
	res, err := s.Stats(ctx, StatsQuery{Dimensions: []Dimension{DimIssue}, Measures: issueMeasures, Filter: f})
	if err != nil {
		return nil, err
	}
	byIssue := map[string][]float64{}
	for _, r := range res.Rows {
		byIssue[r.Keys[0]] = r.Values
	}
	issues := Issues
	if len(f.Issues) > 0 {
		issues = f.Issues
	}
	out := make([]IssueSummary, 0, len(issues))
	for _, i := range issues {
		v := byIssue[string(i)]
		if v == nil {
			v = make([]float64, len(issueMeasures))
		}
		out = append(out, IssueSummary{Issue: i, Agreements: int(v[0]), ActiveAgreements: int(v[1]),
			VillagesCovered: int(v[2]), Partners: int(v[3]), CommittedValue: v[4], RealisedValue: v[5]})
	}
	return out, nil
}

// MaxCompared bounds compareRegions.
const MaxCompared = 50

// CompareRegions answers compareRegions: each region's scorecard for a
// year, in the order asked, with the IDM of idmYear (0: see comparedIDMYear).
// The figures of all regions come from a handful of queries, whatever their
// number.
func (s *Service) CompareRegions(ctx context.Context, codes []string, year, idmYear int) ([]RegionComparison, error) {
	if len(codes) == 0 || len(codes) > MaxCompared {
		return nil, fault.Invalid("compare between 1 and %d regions", MaxCompared)
	}
	if year < 2000 || year > 2100 {
		return nil, fault.Invalid("year %d is out of range", year)
	}
	flat := make([]region.Code, len(codes))
	for i, code := range codes {
		c, err := region.ParseUserCode(code)
		if err != nil {
			return nil, err
		}
		flat[i] = c
	}
	// The regions, the scorecards and the IDM figures are independent reads:
	// run them side by side. A bad code is reported before anything else, and
	// stops the other reads.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	from, to := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)
	var (
		regions                      []region.Region
		cards                        map[region.Code]*RegionComparison
		dists                        map[region.Code]idm.Distribution
		moves                        map[region.Code][2]int
		regionsErr, cardsErr, idmErr error
		wg                           sync.WaitGroup
	)
	wg.Go(func() {
		if regions, regionsErr = s.comparedRegions(ctx, flat); regionsErr != nil {
			cancel()
		}
	})
	wg.Go(func() { cards, cardsErr = s.store.Scorecards(ctx, flat, from, to) })
	var scoreYear int
	wg.Go(func() { dists, moves, scoreYear, idmErr = s.compareIDM(ctx, flat, year, idmYear) })
	wg.Wait()
	if regionsErr != nil {
		return nil, regionsErr
	}
	if cardsErr != nil {
		return nil, cardsErr
	}
	if idmErr != nil {
		return nil, idmErr
	}
	out := make([]RegionComparison, len(regions))
	for i, r := range regions {
		c := *cards[r.Code]
		c.Compared, c.Year, c.DesaCount = r, year, r.DesaCount
		if c.DesaCount > 0 {
			n := float64(c.DesaCount)
			c.AgreementsPer100 = float64(c.Agreements) * 100 / n
			c.DesaCoveredShare = float64(c.DesaCovered) / n
			c.ValuePerDesa = c.CommittedValue / n
		}
		if dists != nil {
			d := dists[r.Code]
			c.IDM = &RegionIDM{Year: scoreYear, Mean: d.MeanIDM, ByStatus: d.ByStatus, Scored: d.Total}
			if moves != nil {
				up, down := moves[r.Code][0], moves[r.Code][1]
				c.IDM.MovedUp, c.IDM.MovedDown = &up, &down
			}
		}
		out[i] = c
	}
	return out, nil
}

// comparedRegions looks up the regions to compare: each must exist and be
// above the desa level.
func (s *Service) comparedRegions(ctx context.Context, codes []region.Code) ([]region.Region, error) {
	found, err := s.regions.ByCodes(ctx, codes)
	if err != nil {
		return nil, err
	}
	regions := make([]region.Region, len(codes))
	for i, c := range codes {
		r, ok := found[c]
		if !ok {
			return nil, fault.NotFound("no region with code %s", c.Dotted())
		}
		if r.Level == region.LevelDesaKelurahan {
			return nil, fault.Invalid("%s is a village; compare provinces, kabupaten/kota or kecamatan", r.Code.Dotted())
		}
		regions[i] = r
	}
	return regions, nil
}

// compareIDM reads the regions' IDM distribution in the year a scorecard
// for year reads (comparedIDMYear) and, when the year before that is loaded
// too, how many desa moved up or down; nil maps when there is none.
func (s *Service) compareIDM(ctx context.Context, regions []region.Code, year, idmYear int) (map[region.Code]idm.Distribution, map[region.Code][2]int, int, error) {
	years, err := s.idm.Years(ctx, idm.DefaultIndex)
	if err != nil {
		return nil, nil, 0, err
	}
	scoreYear, err := comparedIDMYear(years, year, idmYear)
	if err != nil || scoreYear == 0 {
		return nil, nil, 0, err
	}
	var (
		dists             map[region.Code]idm.Distribution
		moves             map[region.Code][2]int
		distErr, movesErr error
		wg                sync.WaitGroup
	)
	wg.Go(func() { dists, distErr = s.idm.DistributionOf(ctx, idm.DefaultIndex, scoreYear, regions) })
	if slices.Contains(years, scoreYear-1) {
		wg.Go(func() { moves, movesErr = s.idm.Moves(ctx, idm.DefaultIndex, scoreYear-1, scoreYear, regions) })
	}
	wg.Wait()
	return dists, moves, scoreYear, errors.Join(distErr, movesErr)
}

// comparedIDMYear is the IDM year a scorecard for year shows: idmYear when
// asked for (it must be loaded); else year itself when loaded; else the
// latest loaded year before it, since IDM is published for years past (a
// scorecard of 2025 shows IDM 2024 until IDM 2025 is out). 0 when no year
// qualifies.
func comparedIDMYear(loaded []int, year, idmYear int) (int, error) {
	if idmYear != 0 {
		if !slices.Contains(loaded, idmYear) {
			return 0, fault.Invalid("no IDM scores are loaded for %d", idmYear)
		}
		return idmYear, nil
	}
	best := 0
	for _, y := range loaded {
		if y <= year && y > best {
			best = y
		}
	}
	return best, nil
}

// MaxTargets bounds villagesWithoutPartner pages.
const MaxTargets = 1000

// TargetQuestion is villagesWithoutPartner's question: desa within Region
// (any form of code, "" for everywhere) whose IDM status in IDMYear is one
// of Statuses and that no agreement in force at some time in [From, To]
// covers.
type TargetQuestion struct {
	Region   string
	Statuses []idm.Status // default SANGAT_TERTINGGAL, TERTINGGAL, BERKEMBANG
	IDMYear  int          // 0: the latest year loaded
	From, To time.Time    // zero: today
	// Year, the older form of the question, stands for both: the IDM of
	// that year and agreements in force during it, where those are not
	// given.
	Year int
}

// VillagesWithoutPartner answers the targeting list, weakest IDM first.
// By default it asks the planners' question of now: the latest IDM, and
// partners in force today.
func (s *Service) VillagesWithoutPartner(ctx context.Context, q TargetQuestion, page keyset.Request) (TargetPage, error) {
	var within region.Code
	if q.Region != "" {
		r, err := s.regions.Region(ctx, q.Region)
		if err != nil {
			return TargetPage{}, err
		}
		within = r.Code
	}
	if q.From.IsZero() != q.To.IsZero() {
		return TargetPage{}, fault.Invalid("the cooperation period needs both from and to")
	}
	if !q.From.IsZero() && q.To.Before(q.From) {
		return TargetPage{}, fault.Invalid("the cooperation period ends before it starts")
	}
	explicitPeriod := !q.From.IsZero()
	if q.Year != 0 {
		if q.IDMYear == 0 {
			q.IDMYear = q.Year
		}
		if q.From.IsZero() {
			q.From, q.To = time.Date(q.Year, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(q.Year, 12, 31, 0, 0, 0, 0, time.UTC)
			explicitPeriod = true
		}
	}
	if q.From.IsZero() {
		q.From, q.To = s.Today(), s.Today()
	}
	years, err := s.idm.Years(ctx, idm.DefaultIndex)
	if err != nil {
		return TargetPage{}, err
	}
	if q.IDMYear == 0 && len(years) > 0 {
		q.IDMYear = years[len(years)-1]
	}
	if !slices.Contains(years, q.IDMYear) {
		return TargetPage{}, fault.Invalid("no IDM scores are loaded for %d", q.IDMYear)
	}
	if len(q.Statuses) == 0 {
		q.Statuses = []idm.Status{idm.StatusSangatTertinggal, idm.StatusTertinggal, idm.StatusBerkembang}
	}
	// A cursor stays with the resolved IDM year (a new year loaded between
	// two pages changes the list) and with the period as asked: a default of
	// today carries over midnight.
	statuses := make([]string, len(q.Statuses))
	for i, st := range q.Statuses {
		statuses[i] = st.String()
	}
	slices.Sort(statuses)
	period := "today"
	if explicitPeriod {
		period = q.From.Format(time.DateOnly) + ".." + q.To.Format(time.DateOnly)
	}
	scope := keyset.NewScope("villagesWithoutPartner", string(within), strings.Join(slices.Compact(statuses), ","),
		strconv.Itoa(q.IDMYear), period)
	seek, err := scope.Seek(page, DefaultPageSize, MaxTargets)
	if err != nil {
		return TargetPage{}, err
	}
	items, found, err := s.store.VillagesWithoutPartner(ctx, within, q.Statuses, q.IDMYear, q.From, q.To, seek)
	if err != nil {
		return TargetPage{}, err
	}
	return TargetPage{Page: keyset.NewPage(scope, items, found), IDMYear: q.IDMYear, From: q.From, To: q.To}, nil
}

// ExpiringAgreements answers expiringAgreements: agreements in force today
// that end within the next months, soonest first.
func (s *Service) ExpiringAgreements(ctx context.Context, withinMonths int, f Filter, page keyset.Request) (keyset.Page[AgreementSummary], error) {
	if withinMonths < 1 || withinMonths > 120 {
		return keyset.Page[AgreementSummary]{}, fault.Invalid("withinMonths must be between 1 and 120")
	}
	// Not tied to today: a cursor carries over midnight, continuing in the
	// list as it is then.
	scope := keyset.NewScope("expiringAgreements", strconv.Itoa(withinMonths), f.Canonical())
	seek, err := scope.Seek(page, DefaultPageSize, MaxPageSize)
	if err != nil {
		return keyset.Page[AgreementSummary]{}, err
	}
	today := s.Today()
	items, found, err := s.store.Expiring(ctx, f, today, today.AddDate(0, withinMonths, 0), seek)
	if err != nil {
		return keyset.Page[AgreementSummary]{}, err
	}
	return keyset.NewPage(scope, items, found), nil
}

// Links answers crossRegionLinks.
func (s *Service) Links(ctx context.Context, level region.Level, year int, f Filter) ([]Link, error) {
	if level == region.LevelDesaKelurahan || level == 0 {
		return nil, fault.Invalid("links are between provinces, kabupaten/kota or kecamatan")
	}
	if year < 2000 || year > 2100 {
		return nil, fault.Invalid("year %d is out of range", year)
	}
	return s.store.Links(ctx, level, year, f)
}

// Partners answers partners(filter, orderBy, first, after).
func (s *Service) Partners(ctx context.Context, f Filter, order PartnerOrder, page keyset.Request) (keyset.Page[PartnerSummary], error) {
	if order == "" {
		order = PartnerByAgreements
	}
	scope := keyset.NewScope("partners", string(order), f.Canonical())
	seek, err := scope.Seek(page, DefaultPageSize, MaxPageSize)
	if err != nil {
		return keyset.Page[PartnerSummary]{}, err
	}
	items, found, err := s.store.Partners(ctx, f, s.Today(), order, seek)
	if err != nil {
		return keyset.Page[PartnerSummary]{}, err
	}
	return keyset.NewPage(scope, items, found), nil
}

// Bodies answers interVillageBodies; inactive bodies have no agreement in
// force today.
func (s *Service) Bodies(ctx context.Context, regionCode string, onlyInactive bool) ([]BodySummary, error) {
	var within region.Code
	if regionCode != "" {
		r, err := s.regions.Region(ctx, regionCode)
		if err != nil {
			return nil, err
		}
		within = r.Code
	}
	bodies, err := s.store.Bodies(ctx, within, s.Today())
	if err != nil {
		return nil, err
	}
	if onlyInactive {
		bodies = slices.DeleteFunc(bodies, func(b BodySummary) bool { return b.ActiveAgreements > 0 })
	}
	return bodies, nil
}

// Impact answers cooperationImpact.
func (s *Service) Impact(ctx context.Context, regionCode string, fromYear, toYear int) (Impact, error) {
	if fromYear >= toYear {
		return Impact{}, fault.Invalid("fromYear (%d) must be before toYear (%d)", fromYear, toYear)
	}
	years, err := s.idm.Years(ctx, idm.DefaultIndex)
	if err != nil {
		return Impact{}, err
	}
	for _, y := range []int{fromYear, toYear} {
		if !slices.Contains(years, y) {
			return Impact{}, fault.Invalid("no IDM scores are loaded for %d", y)
		}
	}
	out := Impact{FromYear: fromYear, ToYear: toYear}
	if regionCode != "" {
		r, err := s.regions.Region(ctx, regionCode)
		if err != nil {
			return Impact{}, err
		}
		out.Region = r.Code
	}
	out.WithCooperation, out.WithoutCooperation, err = s.store.Impact(ctx, out.Region, fromYear, toYear)
	if err != nil {
		return Impact{}, fmt.Errorf("cooperation impact: %w", err)
	}
	return out, nil
}
