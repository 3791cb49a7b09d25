// Package warm keeps the figures planners' dashboards ask for in memory,
// one published generation at a time, so that their questions cost no
// ClickHouse statement: ClickHouse answers a few thousand trivial
// statements a second on two cores, and the dashboards' mix sent four a
// request (issue 15).
//
// At each new generation (the one the result cache empties itself for, seen
// by its watch or told by a load in this process), a Keeper reads the small
// rollups the dashboards need — provinces and kabupaten/kota, their IDM
// figures, the cooperation cube's unfiltered shapes and the scorecards of
// recent years — with the store packages' own statements, pinned to that
// generation, into an immutable Rollups, and swaps it in atomically. When
// the planners' day changes, the first request of the new day has them
// reloaded for it (the agreements in force are counted on a day).
//
// A request whose reads are pinned to that same generation (every GraphQL
// request is: graph.ResultCache pins it) is answered from the Rollups for
// the questions they answer exactly; any other question, a request pinned
// to another generation (the Rollups of a new one are still loading), or an
// unpinned read goes to SQL as before. So an answer never mixes
// generations: memory and SQL both give the pinned generation's figures,
// and they are the same figures (TestWarmAnswersAreTheSQLAnswers).
//
// Each API process keeps its own Rollups; on a cluster every node notices
// the publish through its own watch of snapshot_generations.
package warm

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/cooperation/coopch"
	"github.com/sinergi-id/sinergi/internal/idm/idmch"
	"github.com/sinergi-id/sinergi/internal/region/regionch"
)

// Rollups are the dashboards' figures of one generation. Immutable.
type Rollups struct {
	Generation uint64
	Took       time.Duration // to load
	Day        time.Time     // the planners' day they were loaded on (ACTIVE_AGREEMENTS is counted on it)
	bytes      int           // estimated once loaded: a scrape reads it
	regions    *regionch.Warm
	idm        *idmch.Warm
	coop       *coopch.Warm
}

// Bytes estimates the memory the rollups hold.
func (r *Rollups) Bytes() int { return r.bytes }

// Keeper loads the Rollups of each new generation and answers for the
// stores (Cooperation, IDM, Regions) from them.
type Keeper struct {
	regions *regionch.Store
	idm     *idmch.Store
	coop    *coopch.Store
	today   func() time.Time
	log     *slog.Logger

	current atomic.Pointer[Rollups]

	mu         sync.Mutex
	wanted     uint64 // the newest generation told
	loading    bool
	refreshDay time.Time // the last day a reload for a new day was started

	answered, declined, cold atomic.Uint64
}

// NewKeeper keeps the rollups of the stores (on the API's read pool);
// today is the planners' day (cooperation.Service.Today), on which the
// agreements in force are counted.
func NewKeeper(regions *regionch.Store, idm *idmch.Store, coop *coopch.Store, today func() time.Time, log *slog.Logger) *Keeper {
	return &Keeper{regions: regions, idm: idm, coop: coop, today: today, log: log}
}

// loadTimeout bounds the loading of one generation's rollups.
const loadTimeout = 5 * time.Minute

// Publish tells the keeper of the current generation (graph.ResultCache's
// OnGeneration): it loads that generation's rollups in the background,
// the newest told winning; meanwhile requests go to SQL.
func (k *Keeper) Publish(gen uint64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if gen == 0 || gen == k.wanted {
		return
	}
	k.wanted = gen
	if k.loading {
		return // the running load takes the newest when it ends
	}
	k.loading = true
	go k.loadNewest()
}

func (k *Keeper) loadNewest() {
	for {
		k.mu.Lock()
		gen := k.wanted
		k.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
		if err := k.Load(ctx, gen); err != nil {
			k.log.Warn("warm rollups: loading failed; their questions go to SQL", "generation", gen, "err", err)
		}
		cancel()
		k.mu.Lock()
		if k.wanted == gen {
			k.loading = false
			k.mu.Unlock()
			return
		}
		k.mu.Unlock()
	}
}

// Load reads the rollups of generation gen and makes them current.
func (k *Keeper) Load(ctx context.Context, gen uint64) error {
	start := time.Now()
	ctx = clickhouse.PinGeneration(ctx, gen)
	r := &Rollups{Generation: gen, Day: k.today()}
	var err error
	if r.regions, err = k.regions.LoadWarm(ctx); err != nil {
		return err
	}
	if r.idm, err = k.idm.LoadWarm(ctx); err != nil {
		return err
	}
	if r.coop, err = k.coop.LoadWarm(ctx, r.Day, r.regions.Codes()); err != nil {
		return err
	}
	r.Took = time.Since(start)
	r.bytes = r.regions.Bytes() + r.idm.Bytes() + r.coop.Bytes()
	k.current.Store(r)
	k.log.Info("warm rollups loaded", "generation", gen, "took", r.Took.Round(time.Millisecond), "bytes", r.Bytes())
	return nil
}

// Current is the rollups loaded last (nil before the first).
func (k *Keeper) Current() *Rollups { return k.current.Load() }

// at is the rollups of the generation ctx's reads are pinned to, or nil.
// When the planners' day has changed since they were loaded, it starts
// their reload for the new day (refresh) and still returns them: they
// answer all but the agreements in force, which go to SQL until the
// reload ends.
func (k *Keeper) at(ctx context.Context) *Rollups {
	gen, ok := clickhouse.PinnedGeneration(ctx)
	r := k.current.Load()
	if !ok || r == nil || r.Generation != gen {
		k.cold.Add(1)
		return nil
	}
	if day := k.today(); !day.Equal(r.Day) {
		k.refresh(gen, day)
	}
	return r
}

// refresh reloads generation gen's rollups in the background because the
// planners' day is now day: otherwise ACTIVE_AGREEMENTS, counted on the
// day of the load, would go to SQL from midnight (WITA by default) until
// the next publish. Once a day at most, so that a failing load is not
// retried by every request (the agreements in force then go to SQL until
// the next publish, as before). A running load is left to finish: if it
// started before midnight, the next request after it asks again.
func (k *Keeper) refresh(gen uint64, day time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.loading || k.refreshDay.Equal(day) {
		return
	}
	k.refreshDay = day
	k.wanted = gen
	k.loading = true
	go k.loadNewest()
}

// answer counts a question the rollups answered (ok) or declined.
func (k *Keeper) answer(ok bool) bool {
	if ok {
		k.answered.Add(1)
	} else {
		k.declined.Add(1)
	}
	return ok
}

// Stats is what the keeper's stores did since start.
type Stats struct {
	// Answered from memory; Declined: a question the rollups do not
	// answer; Cold: no rollups of the request's generation (loading, or an
	// unpinned read).
	Answered, Declined, Cold uint64
}

// Stats reports the store calls answered and not.
func (k *Keeper) Stats() Stats {
	return Stats{Answered: k.answered.Load(), Declined: k.declined.Load(), Cold: k.cold.Load()}
}
