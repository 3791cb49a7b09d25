// Command generate writes deterministic synthetic data (the same profile
// and seed give the same bytes), marked as such, in the layouts sinergi's
// ETL reads: the benchmarks' data (bench/run.sh) and the simulated register
// that `sinergi dev` ships (data/simulation, see its README).
//
//	go run ./bench/generate --profile small|kaltim|national --out DIR [--seed N] [--simulation]
//	                        [--regions FILE --idm FILE...]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"

	"github.com/sinergi-id/sinergi/bench/synth"
)

const generateUsage = `Usage:
  go run ./bench/generate --profile small|kaltim|national --out DIR [--seed N]
                          [--simulation] [--regions FILE --idm FILE...]

Writes deterministic synthetic data (the same profile and seed give the same
bytes), marked as such, in the layouts the ETL reads: wilayah.csv,
idm_<year>.csv, register/{agreements,parties,bodies,realisations}.csv and
MANIFEST.txt.

Profiles:
  small     3 provinces, 20 kabupaten/kota, 200 kecamatan, 2,500 villages,
            IDM 2019-2024, 10,000 agreements (tests, quick benchmarks)
  kaltim    the real Kalimantan Timur regions and IDM, read from --regions and
            --idm (not copied), with a synthetic register in national
            proportions; writes no wilayah.csv or idm files
  national  38 provinces, 514 kabupaten/kota, ~7,200 kecamatan, ~83,000
            villages, IDM 2015-2024, ~500,000 agreements, ~12 M realisations

Flags:
`

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }

func (s *stringList) Set(v string) error {
	*s = append(*s, v)
	return nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := generate(ctx, os.Args[1:], log); err != nil {
		fmt.Fprintf(os.Stderr, "generate: %v\n", err)
		os.Exit(1)
	}
}

// generate parses its flags, writes the data set and logs progress (file,
// rows, rows/s) while it does.
func generate(ctx context.Context, args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), generateUsage)
		fs.PrintDefaults()
	}
	profileName := fs.String("profile", "", "small, kaltim or national")
	out := fs.String("out", "", "output directory (created; an existing one must be empty or hold an earlier generated set)")
	seed := fs.Uint64("seed", 1, "random seed")
	simulation := fs.Bool("simulation", false, "label the register as sinergi's simulation (ids SIMULASI-…), as data/simulation holds it")
	regions := fs.String("regions", "", "kaltim: the real region file (kaltim_wilayah_kemendagri_2025.csv)")
	var idmFiles stringList
	fs.Var(&idmFiles, "idm", "kaltim: a real IDM file (kaltim_idm_2024.csv); repeat the flag or list the files after it")

	// "--idm a.csv b.csv --seed 2": the files after --idm are positional
	// arguments to the flag package, which stops there; take them as IDM
	// files and parse on.
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return err
		}
		rest := fs.Args()
		i := 0
		for i < len(rest) && !strings.HasPrefix(rest[i], "-") {
			idmFiles = append(idmFiles, rest[i])
			i++
		}
		if i == len(rest) {
			break
		}
		if i == 0 { // "-" or "--" followed by more
			return fmt.Errorf("unexpected argument %q", rest[0])
		}
		args = rest[i:]
	}
	if *profileName == "" || *out == "" {
		fs.Usage()
		return errors.New("--profile and --out are required")
	}
	profile, err := synth.ProfileByName(*profileName)
	if err != nil {
		return err
	}
	if !profile.RealRegions && (*regions != "" || len(idmFiles) > 0) {
		return fmt.Errorf("profile %s makes its own regions and IDM: --regions, --idm and file arguments are for the kaltim profile", profile.Name)
	}
	if profile.RealRegions && (*regions == "" || len(idmFiles) == 0) {
		return fmt.Errorf("profile %s reads the real regions and IDM: give --regions FILE and --idm FILE... (e.g. ../shared/data/kaltim_wilayah_kemendagri_2025.csv, ../shared/data/kaltim_idm_2024.csv)", profile.Name)
	}
	for _, f := range append([]string{*regions}, idmFiles...) {
		if f == "" {
			continue
		}
		if _, err := os.Stat(f); err != nil {
			return err
		}
	}

	label := synth.Synthetic
	if *simulation {
		label = synth.Simulation
	}
	log.Info("generating synthetic data", "profile", profile.Name, "seed", *seed, "out", *out)
	m, err := synth.Generate(ctx, synth.Options{
		Profile: profile, Seed: *seed, Dir: *out, RegionsFile: *regions, IDMFiles: idmFiles, Label: label,
		Progress: func(p synth.Progress) {
			if p.FileDone {
				log.Info("wrote", "file", p.File, "rows", p.FileRows, "total_rows", p.TotalRows,
					"rows_per_s", int64(p.RowsPerSec), "elapsed", p.Elapsed.Round(10e6))
				return
			}
			log.Info("progress", "file", p.File, "rows", p.FileRows, "total_rows", p.TotalRows,
				"rows_per_s", int64(p.RowsPerSec), "elapsed", p.Elapsed.Round(10e6))
		},
	})
	if err != nil {
		return err
	}
	var total int64
	for _, f := range m.Files {
		total += f.Rows
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	log.Info("generated synthetic data", "profile", m.Profile, "seed", m.Seed, "files", len(m.Files), "rows", total,
		"elapsed", m.Elapsed.Round(10e6), "rows_per_s", int64(float64(total)/m.Elapsed.Seconds()),
		"heap_sys_mib", ms.HeapSys>>20, "manifest", *out+"/MANIFEST.txt")
	for _, s := range m.Summary {
		log.Info("register", "shape", s)
	}
	return nil
}
