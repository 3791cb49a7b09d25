package etl

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Generations publishes snapshot generations (*clickhouse.DB).
type Generations interface {
	NewGeneration(ctx context.Context) (uint64, error)
	PublishedGeneration(ctx context.Context, table string) (uint64, error)
	PublishGenerations(ctx context.Context, runs []uint64, gen uint64, tables []string) error
	GenerationPublished(ctx context.Context, gen uint64) (bool, error)
	DropGeneration(ctx context.Context, table string, gen uint64) error
	DropDeadGenerations(ctx context.Context, tables []string) error
	CommittedRunIDs(ctx context.Context) (map[uint64]bool, error)
}

// The snapshot rebuilds read the rows of committed runs and of runs, the
// runs the new generation is to publish.

// Each snapshot names the tables it rebuilds, which a refresh publishes
// together.

// RegionSnapshot rebuilds the regions snapshot.
type RegionSnapshot interface {
	SnapshotTables() []string
	RebuildSnapshot(ctx context.Context, gen uint64, runs []uint64) error
}

// IDMSnapshot rebuilds the IDM snapshots against a regions generation.
type IDMSnapshot interface {
	SnapshotTables() []string
	RebuildSnapshot(ctx context.Context, gen, regionGen uint64, runs []uint64) error
}

// RegisterSnapshot rebuilds the cooperation snapshots.
type RegisterSnapshot interface {
	SnapshotTables() []string
	RebuildSnapshot(ctx context.Context, gen uint64, runs []uint64) error
}

// Fence is checked right before a refresh publishes: an error (the load
// lock was lost) stops the publish. Nil means no check.
type Fence func(ctx context.Context) error

// Refresher rebuilds the aggregates that depend on a dataset and publishes
// them together, so readers switch from the old to the new in one step.
type Refresher struct {
	gens     Generations
	regions  RegionSnapshot
	idm      IDMSnapshot
	register RegisterSnapshot
	mu       sync.Mutex

	// pause, when set (by fault tests), is called at the named points of
	// a refresh: "rebuilding" (after the first snapshot is rebuilt),
	// "publishing" and "published".
	pause func(ctx context.Context, point string)
}

func (r *Refresher) reach(ctx context.Context, point string) {
	if r.pause != nil {
		r.pause(ctx, point)
	}
}

// NewRefresher returns a Refresher.
func NewRefresher(gens Generations, regions RegionSnapshot, idm IDMSnapshot, register RegisterSnapshot) *Refresher {
	return &Refresher{gens: gens, regions: regions, idm: idm, register: register}
}

// snapshotTables are the tables each dataset's refresh publishes together.
func (r *Refresher) snapshotTables(dataset string) []string {
	switch dataset {
	case DatasetRegions:
		return r.regions.SnapshotTables()
	case DatasetIDM:
		return r.idm.SnapshotTables()
	case DatasetRegister:
		return r.register.SnapshotTables()
	}
	return nil
}

// RebuildStale rebuilds the snapshots of every dataset whose tables do not
// all have the same published generation — after an upgrade that adds a
// rollup, which has none yet — so that no query reads a table that was never
// built. It returns the datasets it rebuilt, in load order.
func (r *Refresher) RebuildStale(ctx context.Context, fence Fence) ([]string, error) {
	var rebuilt []string
	for _, dataset := range []string{DatasetRegions, DatasetIDM, DatasetRegister} {
		gens := map[uint64]bool{}
		for _, t := range r.snapshotTables(dataset) {
			g, err := r.gens.PublishedGeneration(ctx, t)
			if err != nil {
				return rebuilt, err
			}
			gens[g] = true
		}
		if len(gens) < 2 {
			continue
		}
		if _, err := r.Refresh(ctx, fence, nil, dataset); err != nil {
			return rebuilt, fmt.Errorf("rebuilding the %s snapshots: %w", dataset, err)
		}
		rebuilt = append(rebuilt, dataset)
	}
	return rebuilt, nil
}

// Refresh rebuilds what depends on dataset: a regions load rebuilds the
// regions and, since per-region IDM stats list every region, the IDM
// aggregates; an IDM load rebuilds the IDM aggregates; a register load
// rebuilds the cooperation snapshots. The new generation includes the rows
// of runs, which its publish commits.
// It returns the generation it built, published or not: on an error, the
// caller asks GenerationPublished whether the publish reached the server.
func (r *Refresher) Refresh(ctx context.Context, fence Fence, runs []uint64, dataset string) (uint64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	gen, err := r.gens.NewGeneration(ctx)
	if err != nil {
		return 0, err
	}
	err = r.rebuild(ctx, fence, runs, gen, dataset)
	if err != nil {
		r.discard(ctx, gen, dataset)
	}
	return gen, err
}

// discard drops what a failed refresh built of generation gen, unless it
// was published after all: a half-built generation only costs disk (on a
// full disk, the last of it). What it cannot drop now (ClickHouse gone),
// the next load's DropDeadGenerations does.
func (r *Refresher) discard(ctx context.Context, gen uint64, dataset string) {
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if published, err := r.gens.GenerationPublished(bg, gen); err != nil || published {
		return
	}
	for _, table := range r.refreshedTables(dataset) {
		_ = r.gens.DropGeneration(bg, table, gen) // best effort, see above
	}
}

// refreshedTables are the snapshot tables a refresh of dataset writes.
func (r *Refresher) refreshedTables(dataset string) []string {
	if dataset == DatasetRegions {
		return append(slices.Clone(r.snapshotTables(DatasetRegions)), r.snapshotTables(DatasetIDM)...)
	}
	return r.snapshotTables(dataset)
}

// allSnapshotTables lists every snapshot table.
func (r *Refresher) allSnapshotTables() []string {
	var all []string
	for _, d := range []string{DatasetRegions, DatasetIDM, DatasetRegister} {
		all = append(all, r.snapshotTables(d)...)
	}
	return all
}

func (r *Refresher) rebuild(ctx context.Context, fence Fence, runs []uint64, gen uint64, dataset string) error {
	var err error
	var tables []string
	regionGen := gen
	switch dataset {
	case DatasetRegions:
		if err := r.regions.RebuildSnapshot(ctx, gen, runs); err != nil {
			return err
		}
		r.reach(ctx, "rebuilding")
		tables = append(tables, r.snapshotTables(DatasetRegions)...)
	case DatasetIDM:
		if regionGen, err = r.gens.PublishedGeneration(ctx, r.regions.SnapshotTables()[0]); err != nil {
			return err
		}
	case DatasetRegister:
		if err := r.register.RebuildSnapshot(ctx, gen, runs); err != nil {
			return err
		}
		return r.publish(ctx, fence, runs, gen, r.snapshotTables(DatasetRegister))
	default:
		return fmt.Errorf("refresh: unknown dataset %q", dataset)
	}
	if err := r.idm.RebuildSnapshot(ctx, gen, regionGen, runs); err != nil {
		return err
	}
	tables = append(tables, r.snapshotTables(DatasetIDM)...)
	return r.publish(ctx, fence, runs, gen, tables)
}

func (r *Refresher) publish(ctx context.Context, fence Fence, runs []uint64, gen uint64, tables []string) error {
	r.reach(ctx, "publishing")
	if fence != nil {
		if err := fence(ctx); err != nil {
			return fmt.Errorf("not publishing: %w", err)
		}
	}
	if err := r.gens.PublishGenerations(ctx, runs, gen, tables); err != nil {
		return err
	}
	r.reach(ctx, "published")
	return nil
}
