package graph

import (
	"context"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/idm"
	"github.com/sinergi-id/sinergi/internal/region"
	"github.com/sinergi-id/sinergi/internal/submission"
)

// loaders batch the lookups that nested fields make, one set per request,
// so a list of 100 regions asking for their parents costs one query.
type loaders struct {
	region   *dataloadgen.Loader[region.Code, *region.Region]
	children *dataloadgen.Loader[region.Code, []region.Region]
	history  *dataloadgen.Loader[historyKey, []idm.Score]

	parties      *dataloadgen.Loader[string, []cooperation.Party]
	realisations *dataloadgen.Loader[string, []cooperation.Realisation]

	submission *dataloadgen.Loader[uint64, *submission.Submission]
}

type historyKey struct {
	index   string
	village region.Code
}

type loadersKey struct{}

const loaderWait = time.Millisecond

func newLoaders(r *Resolver) *loaders {
	return &loaders{
		submission: dataloadgen.NewMappedLoader(func(ctx context.Context, runs []uint64) (map[uint64]*submission.Submission, error) {
			found, err := r.Submissions.Submissions(ctx, runs)
			if err != nil {
				return nil, err
			}
			out := make(map[uint64]*submission.Submission, len(runs))
			for _, id := range runs {
				if s, ok := found[id]; ok {
					out[id] = &s
				} else {
					out[id] = nil // loaded by the server itself
				}
			}
			return out, nil
		}, dataloadgen.WithWait(loaderWait)),
		region: dataloadgen.NewMappedLoader(func(ctx context.Context, codes []region.Code) (map[region.Code]*region.Region, error) {
			found, err := r.Regions.ByCodes(ctx, codes)
			if err != nil {
				return nil, err
			}
			out := make(map[region.Code]*region.Region, len(found))
			for c, reg := range found {
				out[c] = &reg
			}
			for _, c := range codes {
				if _, ok := out[c]; !ok {
					out[c] = nil // a missing parent is null, not an error
				}
			}
			return out, nil
		}, dataloadgen.WithWait(loaderWait)),
		children: dataloadgen.NewMappedLoader(func(ctx context.Context, parents []region.Code) (map[region.Code][]region.Region, error) {
			found, err := r.Regions.Children(ctx, parents)
			if err != nil {
				return nil, err
			}
			for _, p := range parents {
				if _, ok := found[p]; !ok {
					found[p] = []region.Region{}
				}
			}
			return found, nil
		}, dataloadgen.WithWait(loaderWait)),
		history: dataloadgen.NewMappedLoader(func(ctx context.Context, keys []historyKey) (map[historyKey][]idm.Score, error) {
			byIndex := map[string][]region.Code{}
			for _, k := range keys {
				byIndex[k.index] = append(byIndex[k.index], k.village)
			}
			out := make(map[historyKey][]idm.Score, len(keys))
			for index, villages := range byIndex {
				found, err := r.IDM.History(ctx, index, villages)
				if err != nil {
					return nil, err
				}
				for _, v := range villages {
					out[historyKey{index, v}] = found[v]
				}
			}
			return out, nil
		}, dataloadgen.WithWait(loaderWait)),
		parties: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string][]cooperation.Party, error) {
			found, err := r.Cooperation.Parties(ctx, ids)
			return fillMissing(found, ids), err
		}, dataloadgen.WithWait(loaderWait)),
		realisations: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string][]cooperation.Realisation, error) {
			found, err := r.Cooperation.Realisations(ctx, ids)
			return fillMissing(found, ids), err
		}, dataloadgen.WithWait(loaderWait)),
	}
}

// fillMissing gives keys without values an empty list, which is an answer,
// not an error.
func fillMissing[V any](m map[string][]V, keys []string) map[string][]V {
	if m == nil {
		m = map[string][]V{}
	}
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			m[k] = []V{}
		}
	}
	return m
}

// withLoaders attaches fresh loaders to one operation.
func (r *Resolver) withLoaders(ctx context.Context) context.Context {
	return context.WithValue(ctx, loadersKey{}, newLoaders(r))
}

func loadersFrom(ctx context.Context) *loaders {
	l, _ := ctx.Value(loadersKey{}).(*loaders)
	return l
}

// loaders returns the operation's loaders, or fresh ones when it has
// none (correct, only unbatched).
func (r *Resolver) loaders(ctx context.Context) *loaders {
	if l := loadersFrom(ctx); l != nil {
		return l
	}
	return newLoaders(r)
}
