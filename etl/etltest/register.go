package etltest

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/etl/regionfile"
	"github.com/sinergi-id/sinergi/etl/tabular"
	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
	"github.com/sinergi-id/sinergi/internal/realdata"
	"github.com/sinergi-id/sinergi/internal/region"
	"github.com/sinergi-id/sinergi/internal/region/regionch"
)

// KaltimRegions is the real region register of Kalimantan Timur (1154
// regions). Tests fail, never skip, when the real data is missing.
func KaltimRegions(tb testing.TB) []region.Region {
	tb.Helper()
	tbl, err := tabular.Open(realdata.Path(tb, realdata.Wilayah))
	if err != nil {
		tb.Fatalf("open real data (data/kaltim): %v", err)
	}
	defer tbl.Close()
	b, err := regionfile.Parse(tbl, nil)
	if err != nil || len(b.Rejects) != 0 || len(b.Regions) != 1154 {
		tb.Fatalf("real region register: %d regions, %d rejects, %v", len(b.Regions), len(b.Rejects), err)
	}
	return b.Regions
}

// GeneratedRegister writes a register of CSV files into dir whose
// realisations table has rows rows, narrow like a national realisations
// file: an agreement, a dotted desa code, a month, an amount, a count and a
// short text. Each agreement reports for four desa (of regions) over
// months months from 2020-01 (so rows/(4×months) agreements, each with two
// parties). Every row is valid and every (agreement, village, month) is
// distinct. Agreement ids start with prefix, and every value (committed
// and realised) is times scale. It returns the files (agreements, parties,
// realisations).
func GeneratedRegister(tb testing.TB, dir string, regions []region.Region, rows, months int, prefix string, scale int) []string {
	tb.Helper()
	var desa []region.Code
	for _, r := range regions {
		if r.Level == region.LevelDesaKelurahan && r.Kind.IsDesa() {
			desa = append(desa, r.Code)
		}
	}
	if len(desa) < 10 {
		tb.Fatalf("only %d desa to generate realisations for", len(desa))
	}
	// Sorted, so the file is the same every time.
	slices.Sort(desa)
	const villagesPer = 4
	perAgreement := villagesPer * months
	agreements := max(1, (rows+perAgreement-1)/perAgreement)

	write := func(name string, fill func(w *bufio.Writer)) string {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			tb.Fatal(err)
		}
		w := bufio.NewWriterSize(f, 1<<20)
		fill(w)
		if err := w.Flush(); err != nil {
			tb.Fatal(err)
		}
		if err := f.Close(); err != nil {
			tb.Fatal(err)
		}
		return path
	}
	id := func(i int) string { return fmt.Sprintf("%s-%04d-%06d", prefix, 2015+i%10, i) }
	a := write("agreements.csv", func(w *bufio.Writer) {
		w.WriteString("agreement_id,title,document_type,status,committed_value\n")
		for i := range agreements {
			fmt.Fprintf(w, "%s,Kerja sama desa nomor %d,PKS,aktif,%d\n", id(i), i, (100_000_000+i%97*1_000_000)*scale)
		}
	})
	p := write("parties.csv", func(w *bufio.Writer) {
		w.WriteString("agreement_id,party_type,name,region_code,sector,role\n")
		for i := range agreements {
			fmt.Fprintf(w, "%s,perusahaan,PT Mitra Desa %d,64,batubara,mitra\n", id(i), i%500)
			fmt.Fprintf(w, "%s,desa,Desa %d,%s,,penerima manfaat\n", id(i), i, desa[i%len(desa)].Dotted())
		}
	})
	r := write("realisations.csv", func(w *bufio.Writer) {
		w.WriteString("agreement_id,village_code,month,value,beneficiaries,outputs\n")
		n := 0
		for i := 0; n < rows; i++ {
			aid := id(i)
			for m := 0; m < months && n < rows; m++ {
				for v := 0; v < villagesPer && n < rows; v++ {
					code := desa[(i*villagesPer+v)%len(desa)].Dotted()
					value := (100_000 + (n*7919)%5000*1000) * scale
					output := "pelatihan dan bibit"
					if n%7 == 0 {
						output = ""
					}
					fmt.Fprintf(w, "%s,%s,%04d-%02d,%d,%d,%s\n", aid, code, 2020+m/12, m%12+1, value, 1+n%300, output)
					n++
				}
			}
		}
	})
	return []string{a, p, r}
}

// MemSampler samples the heap while a load runs.
type MemSampler struct {
	stop      chan struct{}
	done      sync.WaitGroup
	peakInuse uint64
	startAll  uint64
}

// SampleMemory starts sampling the heap every so often.
func SampleMemory(every time.Duration) *MemSampler {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s := &MemSampler{stop: make(chan struct{}), startAll: ms.TotalAlloc, peakInuse: ms.HeapInuse}
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				runtime.ReadMemStats(&ms)
				s.peakInuse = max(s.peakInuse, ms.HeapInuse)
			}
		}
	}()
	return s
}

// End stops sampling and returns the peak heap in use and the bytes
// allocated meanwhile.
func (s *MemSampler) End() (peakInuse, allocated uint64) {
	close(s.stop)
	s.done.Wait()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s.peakInuse = max(s.peakInuse, ms.HeapInuse)
	return s.peakInuse, ms.TotalAlloc - s.startAll
}

// KaltimRunner is a runner on a fresh database with the regions of
// regionsFile loaded (the real Kalimantan Timur regions when it is ""),
// and those regions as stored. SINERGI_BENCH_LOG logs the load's phases with their
// times.
func KaltimRunner(tb testing.TB, regionsFile string) (*etl.Runner, *clickhouse.DB, []region.Region) {
	tb.Helper()
	if regionsFile == "" {
		regionsFile = realdata.Path(tb, realdata.Wilayah)
	}
	db := clickhousetest.NewDB(tb)
	log := clickhousetest.Logger(tb)
	if os.Getenv("SINERGI_BENCH_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	runner := NewRunner(db, log)
	if _, err := runner.Load(context.Background(), etl.DatasetRegions, regionsFile); err != nil {
		tb.Fatal(err)
	}
	all, err := regionch.NewStore(db).All(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return runner, db, all
}
