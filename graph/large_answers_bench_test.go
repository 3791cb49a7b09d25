package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/cooperation/coopch"
	"github.com/sinergi-id/sinergi/internal/idm"
	"github.com/sinergi-id/sinergi/internal/idm/idmch"
	"github.com/sinergi-id/sinergi/internal/region"
	"github.com/sinergi-id/sinergi/internal/region/regionch"
)

// BenchmarkLargeAnswers compares the two large answers encoded by hand
// and by gqlgen, one after the other in the same run, through the whole
// endpoint (result cache off), beside their store calls alone (the SQL
// and the driver's decoding, which is what GraphQL's overhead is
// measured against). SINERGI_BENCH_DATA names a profile's data
// (bench/run.sh small leaves it in var/bench-small/data); without it, the
// real Kaltim data and the known register.
//
//	SINERGI_BENCH_DATA=$PWD/var/bench-small/data go test ./graph -run '^$' -bench LargeAnswers -benchmem -count 3
func BenchmarkLargeAnswers(b *testing.B) {
	hand := newAPIWith(b, apiOptions{})
	if dir := os.Getenv("SINERGI_BENCH_DATA"); dir != "" {
		idm, _ := filepath.Glob(filepath.Join(dir, "idm_*.csv"))
		register, _ := filepath.Glob(filepath.Join(dir, "register", "*.csv"))
		hand.load(etl.DatasetRegions, filepath.Join(dir, "wilayah.csv"))
		hand.load(etl.DatasetIDM, idm...)
		hand.load(etl.DatasetRegister, register...)
	} else {
		dir := sharedData(b)
		hand.load(etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
		hand.load(etl.DatasetIDM, filepath.Join(dir, "kaltim_idm_2024.csv"))
		hand.load(etl.DatasetRegister, expandRegister(b, filepath.Join(knownRegisterDir, "v1"), plannersToday())...)
	}
	gqlgen := newAPIWith(b, apiOptions{db: hand.db, gqlgenEncoded: true})
	regions := region.NewService(regionch.NewStore(hand.db))
	scores := idm.NewService(idmch.NewStore(hand.db), regions)
	stats := coopch.NewStore(hand.db)
	ctx := context.Background()
	// The workload's questions (bench/loadgen), a level finer: the small
	// profile has 20 kabupaten where the national one has 514.
	queries := []struct {
		name, query string
		store       func() error
	}{
		{"idmDistribution", `{ idmDistribution(year: 2024, level: DESA_KELURAHAN) { region { code name } total meanIdm byStatus { status count } } }`, func() error {
			dist, err := scores.Distributions(ctx, "IDM", []int{2024}, region.LevelDesaKelurahan, "")
			if err != nil {
				return err
			}
			codes := make([]region.Code, len(dist))
			for i, d := range dist {
				codes[i] = d.Region
			}
			_, err = regions.ByCodes(ctx, codes)
			return err
		}},
		{"cooperationStats", `{ cooperationStats(dimensions: [KECAMATAN, ISSUE, PERIOD], measures: [AGREEMENTS, VILLAGES_COVERED, COMMITTED_VALUE], timeGrain: YEAR) { columns { dimensions { dimension values } measures { measure values } } totals { agreements } } }`, func() error {
			_, err := stats.Stats(ctx, cooperation.StatsQuery{
				Dimensions: []cooperation.Dimension{cooperation.DimKecamatan, cooperation.DimIssue, cooperation.DimPeriod},
				Measures:   []cooperation.Measure{cooperation.MeasureAgreements, cooperation.MeasureVillagesCovered, cooperation.MeasureCommittedValue},
				Grain:      cooperation.GrainYear, FillPeriods: true, AsOf: plannersToday(),
			})
			return err
		}},
	}
	for _, q := range queries {
		b.Run(q.name+"/store", func(b *testing.B) {
			cpu := processCPU()
			for b.Loop() {
				if err := q.store(); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu)
		})
		body, _ := json.Marshal(map[string]string{"query": q.query})
		for _, side := range []struct {
			name string
			a    *api
		}{{"hand", hand}, {"gqlgen", gqlgen}} {
			b.Run(q.name+"/"+side.name, func(b *testing.B) {
				var size int64
				cpu := processCPU()
				for b.Loop() {
					req, _ := http.NewRequest(http.MethodPost, side.a.srv.URL+"/graphql", bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					size, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK || size < 1000 {
						b.Fatalf("status %d, %d bytes", resp.StatusCode, size)
					}
				}
				reportCPU(b, cpu)
				b.ReportMetric(float64(size), "answer-bytes")
			})
		}
	}
}

// processCPU is the CPU time this process (client, API and driver; not
// the ClickHouse server) has used: on a shared machine, steadier than the
// wall clock.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, since time.Duration) {
	b.ReportMetric(float64(processCPU()-since)/float64(b.N)/1e6, "cpu-ms/op")
}
