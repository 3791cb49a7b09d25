package graph

import (
	"strconv"
	"strings"

	"github.com/sinergi-id/sinergi/graph/model"
	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/fault"
	"github.com/sinergi-id/sinergi/internal/idm"
	"github.com/sinergi-id/sinergi/internal/ingest"
	"github.com/sinergi-id/sinergi/internal/region"
)

var levelsToModel = map[region.Level]model.RegionLevel{
	region.LevelProvinsi:      model.RegionLevelProvinsi,
	region.LevelKabupatenKota: model.RegionLevelKabupatenKota,
	region.LevelKecamatan:     model.RegionLevelKecamatan,
	region.LevelDesaKelurahan: model.RegionLevelDesaKelurahan,
}

func levelFromModel(l model.RegionLevel) (region.Level, error) {
	for lvl, m := range levelsToModel {
		if m == l {
			return lvl, nil
		}
	}
	return 0, fault.Invalid("unknown region level %q", l)
}

var kindsToModel = map[region.Kind]model.RegionKind{
	region.KindProvinsi:  model.RegionKindProvinsi,
	region.KindKabupaten: model.RegionKindKabupaten,
	region.KindKota:      model.RegionKindKota,
	region.KindKecamatan: model.RegionKindKecamatan,
	region.KindDesa:      model.RegionKindDesa,
	region.KindKelurahan: model.RegionKindKelurahan,
	region.KindDesaAdat:  model.RegionKindDesaAdat,
}

func regionToModel(r region.Region) *model.Region {
	return &model.Region{
		Code:           r.Code.Dotted(),
		CodeFlat:       string(r.Code),
		Name:           r.Name,
		Level:          levelsToModel[r.Level],
		Kind:           kindsToModel[r.Kind],
		DesaCount:      r.DesaCount,
		KelurahanCount: r.KelurahanCount,
		ParentCode:     string(r.Parent),
	}
}

func regionsToModel(rs []region.Region) []*model.Region {
	out := make([]*model.Region, len(rs))
	for i, r := range rs {
		out[i] = regionToModel(r)
	}
	return out
}

func statusToModel(s idm.Status) model.IdmStatus { return model.IdmStatus(s.String()) }

// yearsFromArgs reads idmDistribution's year or years: one of the two.
func yearsFromArgs(year *int, years []int) ([]int, error) {
	switch {
	case year != nil && years != nil:
		return nil, fault.Invalid("give year or years, not both")
	case year != nil:
		return []int{*year}, nil
	case len(years) == 0:
		return nil, fault.Invalid("give year or years")
	}
	return years, nil
}

// indexName is the index an argument names, IDM by default.
func indexName(index *string) string {
	if i := strings.TrimSpace(deref(index, "")); i != "" {
		return i
	}
	return idm.DefaultIndex
}

func distributionToModel(d idm.Distribution, index string) *model.IdmDistribution {
	out := &model.IdmDistribution{
		ID:         index + ":" + strconv.Itoa(d.Year) + ":" + d.Region.Dotted(),
		Index:      index,
		RegionCode: string(d.Region), Year: d.Year, Total: d.Total,
		MeanIdm: roundMean(d.MeanIDM, d.Total), MeanIks: roundMean(d.MeanIKS, d.Total),
		MeanIke: roundMean(d.MeanIKE, d.Total), MeanIkl: roundMean(d.MeanIKL, d.Total),
	}
	// One allocation for the counts, one for their pointers: a
	// distribution over every desa has thousands of them.
	counts := make([]model.IdmStatusCount, len(d.ByStatus))
	out.ByStatus = make([]*model.IdmStatusCount, len(d.ByStatus))
	for i, sc := range d.ByStatus {
		counts[i] = model.IdmStatusCount{Status: statusToModel(sc.Status), Count: sc.Count, Share: shareOf(sc.Count, d.Total)}
		out.ByStatus[i] = &counts[i]
	}
	return out
}

func scoreToModel(s idm.Score) *model.IdmScore {
	return &model.IdmScore{Index: s.Index, Year: s.Year, Iks: s.IKS, Ike: s.IKE, Ikl: s.IKL, Idm: s.IDM, Status: statusToModel(s.Status)}
}

func runToModel(r ingest.Run) *model.EtlRun {
	out := &model.EtlRun{
		ID: strconv.FormatUint(r.ID, 10), Dataset: r.Dataset, Source: r.Source, Fingerprint: r.Fingerprint,
		Status: model.EtlRunStatus(upper(string(r.Status))), StartedAt: r.StartedAt,
		RowsRead: r.RowsRead, RowsLoaded: r.RowsLoaded, RowsRejected: r.RowsRejected,
	}
	if !r.FinishedAt.IsZero() {
		f := r.FinishedAt
		ms := int(r.Duration().Milliseconds())
		out.FinishedAt, out.DurationMs = &f, &ms
	}
	if r.Error != "" {
		e := r.Error
		out.Error = &e
	}
	return out
}

func rejectToModel(r ingest.Reject) *model.EtlReject {
	out := &model.EtlReject{RunID: strconv.FormatUint(r.RunID, 10), Dataset: r.Dataset, Source: r.Source,
		Line: r.Line, Reason: r.Reason, Record: r.Record}
	if r.Sheet != "" {
		s := r.Sheet
		out.Sheet = &s
	}
	if r.Column != "" {
		c := r.Column
		out.Column = &c
	}
	return out
}

func freshnessToModel(f ingest.Freshness) *model.DatasetFreshness {
	at, id, src := f.Last.FinishedAt, strconv.FormatUint(f.Last.ID, 10), f.Last.Source
	return &model.DatasetFreshness{Dataset: f.Dataset, LastSuccessAt: &at, LastRunID: &id, Source: &src,
		RowsLoaded: f.Last.RowsLoaded, RowsRejected: f.Last.RowsRejected}
}

func simulationToModel(run ingest.Run, active bool) *model.Simulation {
	out := &model.Simulation{Active: active, IDPrefix: cooperation.SimulationPrefix}
	if active {
		id, at, src := strconv.FormatUint(run.ID, 10), run.FinishedAt, run.Source
		out.RunID, out.LoadedAt, out.Source = &id, &at, &src
	}
	return out
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
