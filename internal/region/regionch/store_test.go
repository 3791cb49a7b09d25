package regionch_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
	"github.com/sinergi-id/sinergi/internal/ingest"
	"github.com/sinergi-id/sinergi/internal/ingest/ingestch"
	"github.com/sinergi-id/sinergi/internal/region"
	"github.com/sinergi-id/sinergi/internal/region/regionch"
)

func TestMain(m *testing.M) { os.Exit(clickhousetest.Main(m)) }

// A register larger than one index granule (8192 rows): ClickHouse 18.16
// once pruned granules wrongly here when a SELECT alias shadowed the key
// column used in the WHERE, and every level came back empty.
func TestRegionsBeyondOneGranule(t *testing.T) {
	ctx := context.Background()
	db := clickhousetest.NewDB(t)
	store := regionch.NewStore(db)
	var regions []region.Region
	regions = append(regions, region.Region{Code: "11", Name: "P", Level: region.LevelProvinsi, Kind: region.KindProvinsi})
	for k := 1; k <= 20; k++ {
		kab := region.Code(fmt.Sprintf("11%02d", k))
		regions = append(regions, region.Region{Code: kab, Name: "K", Level: region.LevelKabupatenKota, Kind: region.KindKabupaten, Parent: "11"})
		for c := 1; c <= 10; c++ {
			kec := region.Code(fmt.Sprintf("%s%02d", kab, c))
			regions = append(regions, region.Region{Code: kec, Name: "C", Level: region.LevelKecamatan, Kind: region.KindKecamatan, Parent: kab})
			for v := 1; v <= 60; v++ {
				regions = append(regions, region.Region{Code: region.Code(fmt.Sprintf("%s2%03d", kec, v)), Name: "D",
					Level: region.LevelDesaKelurahan, Kind: region.KindDesa, Parent: kec})
			}
		}
	}
	const runID = 1
	runs := ingestch.NewStore(db)
	if err := runs.SaveRun(ctx, ingest.Run{ID: runID, Dataset: "regions", Status: ingest.StatusSucceeded, StartedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := store.InsertRows(ctx, runID, "test", regions); err != nil {
		t.Fatal(err)
	}
	if err := store.RebuildSnapshot(ctx, 7, []uint64{runID}); err != nil {
		t.Fatal(err)
	}
	if err := db.PublishGenerations(ctx, []uint64{runID}, 7, []string{regionch.SnapshotTable}, nil); err != nil {
		t.Fatal(err)
	}
	for lvl, want := range map[region.Level]int{region.LevelProvinsi: 1, region.LevelKabupatenKota: 20,
		region.LevelKecamatan: 200, region.LevelDesaKelurahan: 12000} {
		got, err := store.Regions(ctx, lvl, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != want {
			t.Errorf("%s: %d regions, want %d", lvl, len(got), want)
		}
	}
	kab, err := store.ByCodes(ctx, []region.Code{"1107"})
	if err != nil || len(kab) != 1 || kab[0].DesaCount != 600 {
		t.Fatalf("kabupaten 11.07: %+v %v", kab, err)
	}
}
