package etl

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"
)

// Generations publishes snapshot generations (*clickhouse.DB).
type Generations interface {
	NewGeneration(ctx context.Context) (uint64, error)
	PublishedGeneration(ctx context.Context, table string) (uint64, error)
	PublishGenerations(ctx context.Context, runs []uint64, gen uint64, tables []string, bases map[string]uint64) error
	GenerationPublished(ctx context.Context, gen uint64) (bool, error)
	DropGeneration(ctx context.Context, table string, gen uint64) error
	DropDeadGenerations(ctx context.Context, tables []string) error
	CommittedRunIDs(ctx context.Context) (map[uint64]bool, error)
}

// Fence is checked right before a refresh publishes: an error (the load
// lock was lost) stops the publish. Nil means no check.
type Fence func(ctx context.Context) error

// Snapshot is a set of aggregate tables that the Refresher rebuilds from
// the rows of committed runs, and publishes together, so readers switch
// from the old to the new in one step.
type Snapshot struct {
	Name   string
	Tables []string
	// Over names the snapshot this one is built over (the IDM statistics
	// list every region): a refresh of that one rebuilds this one too,
	// against the new generation; otherwise this one is built against the
	// published generation of that one.
	Over string
	// Rebuild writes generation gen of the tables from the rows of the
	// committed runs and of runs, the runs the generation is to publish;
	// over is the generation of the Over snapshot.
	Rebuild func(ctx context.Context, gen, over uint64, runs []uint64) error
	// Update, when set, writes generation gen as Rebuild does but from the
	// published generation, rebuilding only what changed since: the
	// agreements of runs and those withdrawn or restored. It must write
	// what Rebuild would, row for row (TestPublicationEqualsFullRebuild).
	// It returns, for each table whose generation gen it wrote as a delta
	// (only the rows of what changed), the whole generation that delta
	// shares the rest with (clickhouse.DB.PublishGenerations).
	Update func(ctx context.Context, gen, over uint64, runs []uint64) (bases map[string]uint64, err error)
}

// Refresher rebuilds the snapshots that depend on a load and publishes
// them together.
type Refresher struct {
	gens      Generations
	snapshots []Snapshot
	mu        sync.Mutex

	// pause, when set (by fault tests), is called at the named points of
	// a refresh: "rebuilding" (after the first of several snapshots is
	// rebuilt), "publishing" and "published".
	pause func(ctx context.Context, point string)
}

func (r *Refresher) reach(ctx context.Context, point string) {
	if r.pause != nil {
		r.pause(ctx, point)
	}
}

// NewRefresher returns a Refresher of the snapshots.
func NewRefresher(gens Generations, snapshots ...Snapshot) *Refresher {
	return &Refresher{gens: gens, snapshots: snapshots}
}

func (r *Refresher) snapshot(name string) (Snapshot, bool) {
	for _, s := range r.snapshots {
		if s.Name == name {
			return s, true
		}
	}
	return Snapshot{}, false
}

// chain is the snapshot name and those built over it, in rebuild order.
func (r *Refresher) chain(name string) []Snapshot {
	s, ok := r.snapshot(name)
	if !ok {
		return nil
	}
	out := []Snapshot{s}
	for _, over := range r.snapshots {
		if over.Over == name {
			out = append(out, r.chain(over.Name)...)
		}
	}
	return out
}

// RebuildStale rebuilds every snapshot whose tables do not all have the
// same published generation — after an upgrade that adds a rollup, which
// has none yet — so that no query reads a table that was never built. It
// returns the snapshots it rebuilt, in order.
func (r *Refresher) RebuildStale(ctx context.Context, fence Fence) ([]string, error) {
	var rebuilt []string
	for _, s := range r.snapshots {
		gens := map[uint64]bool{}
		for _, t := range s.Tables {
			g, err := r.gens.PublishedGeneration(ctx, t)
			if err != nil {
				return rebuilt, err
			}
			gens[g] = true
		}
		if len(gens) < 2 {
			continue
		}
		if _, err := r.Rebuild(ctx, fence, s.Name); err != nil {
			return rebuilt, fmt.Errorf("rebuilding the %s snapshots: %w", s.Name, err)
		}
		rebuilt = append(rebuilt, s.Name)
	}
	return rebuilt, nil
}

// Refresh rebuilds the snapshot name and those built over it (a regions
// load rebuilds the regions and, since the IDM statistics list every
// region, the IDM aggregates) into a new generation that includes the rows
// of runs, and publishes it, which commits the runs. A snapshot that can
// update its published generation (Snapshot.Update) does so.
// It returns the generation it built, published or not: on an error, the
// caller asks GenerationPublished whether the publish reached the server.
func (r *Refresher) Refresh(ctx context.Context, fence Fence, runs []uint64, name string) (uint64, error) {
	return r.refresh(ctx, fence, runs, name, false)
}

// Rebuild rebuilds the snapshot name and those built over it whole, from
// the rows of the committed runs, and publishes them (sinergi etl rebuild).
func (r *Refresher) Rebuild(ctx context.Context, fence Fence, name string) (uint64, error) {
	return r.refresh(ctx, fence, nil, name, true)
}

func (r *Refresher) refresh(ctx context.Context, fence Fence, runs []uint64, name string, whole bool) (uint64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	chain := r.chain(name)
	if len(chain) == 0 {
		return 0, fmt.Errorf("refresh: unknown snapshot %q", name)
	}
	gen, err := r.gens.NewGeneration(ctx)
	if err != nil {
		return 0, err
	}
	err = r.rebuild(ctx, fence, runs, gen, chain, whole)
	if err != nil {
		r.discard(ctx, gen, chain)
	}
	return gen, err
}

// discard drops what a failed refresh built of generation gen, unless it
// was published after all: a half-built generation only costs disk (on a
// full disk, the last of it). What it cannot drop now (ClickHouse gone),
// the next load's DropDeadGenerations does.
func (r *Refresher) discard(ctx context.Context, gen uint64, chain []Snapshot) {
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if published, err := r.gens.GenerationPublished(bg, gen); err != nil || published {
		return
	}
	for _, s := range chain {
		for _, table := range s.Tables {
			_ = r.gens.DropGeneration(bg, table, gen) // best effort, see above
		}
	}
}

// allSnapshotTables lists every snapshot table.
func (r *Refresher) allSnapshotTables() []string {
	var all []string
	for _, s := range r.snapshots {
		all = append(all, s.Tables...)
	}
	return all
}

func (r *Refresher) rebuild(ctx context.Context, fence Fence, runs []uint64, gen uint64, chain []Snapshot, whole bool) error {
	built := map[string]uint64{}
	bases := map[string]uint64{}
	var tables []string
	for i, s := range chain {
		var over uint64
		if s.Over != "" {
			g, ok := built[s.Over]
			if !ok {
				base, _ := r.snapshot(s.Over)
				var err error
				if g, err = r.gens.PublishedGeneration(ctx, base.Tables[0]); err != nil {
					return err
				}
			}
			over = g
		}
		if s.Update != nil && !whole {
			deltas, err := s.Update(ctx, gen, over, runs)
			if err != nil {
				return err
			}
			maps.Copy(bases, deltas)
		} else if err := s.Rebuild(ctx, gen, over, runs); err != nil {
			return err
		}
		built[s.Name] = gen
		tables = append(tables, s.Tables...)
		if i == 0 && len(chain) > 1 {
			r.reach(ctx, "rebuilding")
		}
	}
	return r.publish(ctx, fence, runs, gen, tables, bases)
}

func (r *Refresher) publish(ctx context.Context, fence Fence, runs []uint64, gen uint64, tables []string, bases map[string]uint64) error {
	r.reach(ctx, "publishing")
	if fence != nil {
		if err := fence(ctx); err != nil {
			return fmt.Errorf("not publishing: %w", err)
		}
	}
	if err := r.gens.PublishGenerations(ctx, runs, gen, tables, bases); err != nil {
		return err
	}
	r.reach(ctx, "published")
	return nil
}
