package synth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/sinergi-id/sinergi/etl/idmfile"
	"github.com/sinergi-id/sinergi/etl/regionfile"
	"github.com/sinergi-id/sinergi/etl/tabular"
	coop "github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/idm"
	"github.com/sinergi-id/sinergi/internal/region"
)

// Options say what to generate and where.
type Options struct {
	Profile Profile
	Seed    uint64
	// Label marks the generated register (default Synthetic).
	Label Label
	// Dir receives the files. It is created if missing; an existing
	// directory must be empty or hold only files this generator writes
	// (which are replaced).
	Dir string
	// RegionsFile and IDMFiles are the real files a RealRegions profile
	// reads (kaltim_wilayah_kemendagri_2025.csv, kaltim_idm_*.csv). Nothing
	// of them is copied into Dir: the register refers to their codes and
	// names, and their IDM scores weigh which desa cooperate.
	RegionsFile string
	IDMFiles    []string
	// Progress, if set, is called about every ProgressEvery (default 1s)
	// and when each file is complete.
	Progress      func(Progress)
	ProgressEvery time.Duration
}

// FileCount is one written file: its path relative to Dir, data rows
// (without the header) and size.
type FileCount struct {
	Name  string
	Rows  int64
	Bytes int64
}

// Manifest describes a generated data set; its Text is MANIFEST.txt.
type Manifest struct {
	Profile  string
	Seed     uint64
	DataAsOf time.Time
	Files    []FileCount // in the order written
	Inputs   []string    // real inputs read: base name, SHA-256, rows, rejects
	Summary  []string    // shape of the register: issues, statuses, skew
	Elapsed  time.Duration
	Text     string
}

// Rows returns the data rows of the named file (0 if not written).
func (m *Manifest) Rows(name string) int64 {
	for _, f := range m.Files {
		if f.Name == name {
			return f.Rows
		}
	}
	return 0
}

// generator is one run of Generate.
type generator struct {
	ctx        context.Context
	p          Profile
	seed       uint64
	label      Label
	dir        string
	w          *world
	progress   func(Progress)
	every      time.Duration
	start      time.Time
	lastReport time.Time
	open       []*csvFile
	files      []FileCount
	err        error // cancellation noticed while writing
}

// Generate writes the profile's data set into opt.Dir: wilayah.csv and
// idm_<year>.csv (synthetic regions only), register/{agreements,parties,
// bodies,realisations}.csv and, last, MANIFEST.txt.
func Generate(ctx context.Context, opt Options) (*Manifest, error) {
	p := opt.Profile
	if p.Name == "" {
		return nil, errors.New("synth: no profile")
	}
	if opt.Dir == "" {
		return nil, errors.New("synth: no output directory")
	}
	if p.RealRegions && (opt.RegionsFile == "" || len(opt.IDMFiles) == 0) {
		return nil, fmt.Errorf("synth: profile %s needs the real region file and IDM files", p.Name)
	}
	if !p.RealRegions && (opt.RegionsFile != "" || len(opt.IDMFiles) > 0) {
		return nil, fmt.Errorf("synth: profile %s makes its own regions and IDM; it reads no region or IDM files", p.Name)
	}
	g := &generator{ctx: ctx, p: p, seed: opt.Seed, label: opt.Label.orDefault(), dir: opt.Dir, progress: opt.Progress, every: opt.ProgressEvery, start: time.Now()}
	if g.every <= 0 {
		g.every = time.Second
	}
	g.lastReport = g.start
	if err := g.cancelled(); err != nil {
		return nil, err
	}
	if err := prepareDir(opt.Dir); err != nil {
		return nil, err
	}
	defer g.closeOpen()
	m := &Manifest{Profile: p.Name, Seed: opt.Seed, DataAsOf: DataAsOf}

	if p.RealRegions {
		inputs, err := g.readRealWorld(opt.RegionsFile, opt.IDMFiles)
		if err != nil {
			return nil, err
		}
		m.Inputs = inputs
	} else {
		w, err := syntheticWorld(p, opt.Seed)
		if err != nil {
			return nil, err
		}
		g.w = w
		w.weigh(opt.Seed, nil)
		if err := g.writeRegions(); err != nil {
			return nil, err
		}
		if err := g.writeIDM(); err != nil {
			return nil, err
		}
	}
	if err := g.cancelled(); err != nil {
		return nil, err
	}

	agreements, bodyCount := p.Agreements, p.Bodies
	if p.AgreementsPerDesa > 0 {
		agreements = int(math.Round(p.AgreementsPerDesa * float64(g.w.desaCount())))
		bodyCount = int(math.Round(p.BodiesPerDesa * float64(g.w.desaCount())))
	}
	cat := newCatalogue(g.w, p, opt.Seed)
	bodies := makeBodies(g.w, bodyCount, opt.Seed, g.label.IDPrefix)
	stats, err := g.writeRegister(agreements, cat, bodies)
	if err != nil {
		return nil, err
	}
	m.Files = g.files
	m.Summary = summarise(g.w, stats, cat, agreements)
	m.Text = manifestText(m, p)
	if err := os.WriteFile(filepath.Join(opt.Dir, manifestName), []byte(m.Text), 0o644); err != nil {
		return nil, err
	}
	m.Elapsed = time.Since(g.start)
	return m, nil
}

// cancelled is the context's error, once it is done.
func (g *generator) cancelled() error {
	if g.ctx.Err() != nil {
		return context.Cause(g.ctx)
	}
	return nil
}

func (g *generator) closeOpen() {
	for _, f := range g.open {
		f.f.Close()
	}
	g.open = nil
}

const manifestName = "MANIFEST.txt"

// ownFile matches what Generate writes, relative to Dir.
var ownFile = regexp.MustCompile(`^(wilayah\.csv|idm_\d{4}\.csv|MANIFEST\.txt|register|register/(agreements|parties|bodies|realisations)\.csv)$`)

// prepareDir creates dir, or checks that it holds only files of an earlier
// run and removes them (a profile writes different IDM years; a stale file
// would be loaded with the new ones).
func prepareDir(dir string) error {
	var stale []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if rel == "." {
			return nil
		}
		rel = filepath.ToSlash(rel)
		if !ownFile.MatchString(rel) {
			return fmt.Errorf("synth: %s holds %s, which the generator does not write: give an empty or new directory", dir, rel)
		}
		if !d.IsDir() {
			stale = append(stale, path)
		}
		return nil
	})
	switch {
	case errors.Is(err, os.ErrNotExist):
		return os.MkdirAll(dir, 0o755)
	case err != nil:
		return err
	}
	// The manifest goes first: a directory without one is incomplete.
	slices.SortStableFunc(stale, func(a, b string) int {
		return boolInt(filepath.Base(b) == manifestName) - boolInt(filepath.Base(a) == manifestName)
	})
	for _, path := range stale {
		if err := os.Remove(path); err != nil {
			return err
		}
	}
	return nil
}

// readRealWorld reads the region file and IDM files of a real-regions
// profile; the latest IDM score of a desa raises its appetite for
// cooperation a little (planners target and partners prefer capable desa).
func (g *generator) readRealWorld(regionsFile string, idmFiles []string) ([]string, error) {
	var inputs []string
	t, err := tabular.Open(regionsFile)
	if err != nil {
		return nil, err
	}
	batch, err := regionfile.Parse(t, nil)
	t.Close()
	if err != nil {
		return nil, err
	}
	sum, err := fileSHA256(regionsFile)
	if err != nil {
		return nil, err
	}
	inputs = append(inputs, fmt.Sprintf("%s sha256 %s: %d regions read, %d rejected", filepath.Base(regionsFile), sum, batch.RowsRead, len(batch.Rejects)))
	w, err := realWorld(batch.Regions)
	if err != nil {
		return nil, fmt.Errorf("synth: %s: %w", regionsFile, err)
	}
	g.w = w
	known := region.NewSet(batch.Regions)
	latest := map[region.Code]idm.Score{}
	for _, path := range idmFiles {
		t, err := tabular.Open(path)
		if err != nil {
			return nil, err
		}
		b, err := idmfile.Parse(t, known, idmfile.Years(time.Now()))
		t.Close()
		if err != nil {
			return nil, err
		}
		for _, s := range b.Scores {
			if s.Index == idm.DefaultIndex && s.Year >= latest[s.Village].Year {
				latest[s.Village] = s
			}
		}
		sum, err := fileSHA256(path)
		if err != nil {
			return nil, err
		}
		inputs = append(inputs, fmt.Sprintf("%s sha256 %s: %d IDM rows read, %d rejected", filepath.Base(path), sum, b.RowsRead, len(b.Rejects)))
	}
	w.markMining(g.seed)
	w.weigh(g.seed, func(d int) float64 {
		if s, ok := latest[region.Code(w.villages[w.desa[d]].code)]; ok {
			return 0.6 + 0.8*s.IDM
		}
		return 1
	})
	return inputs, nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// summarise describes the register's shape for the manifest.
func summarise(w *world, st *registerStats, cat *catalogue, agreements int) []string {
	var out []string
	pct := func(n int64) string { return fmt.Sprintf("%d (%.1f%%)", n, 100*float64(n)/float64(max(agreements, 1))) }
	var issues []string
	for _, is := range coop.Issues {
		issues = append(issues, fmt.Sprintf("%s %s", is, pct(st.ByIssue[is])))
	}
	out = append(out, "declared issues: "+strings.Join(issues, ", "))
	var statuses []string
	for _, s := range coop.Statuses {
		statuses = append(statuses, fmt.Sprintf("%s %s", s, pct(st.ByStatus[s])))
	}
	out = append(out, "statuses: "+strings.Join(statuses, ", "))
	counts := slices.Clone(st.AgreementsOfDesa)
	slices.Sort(counts)
	covered := 0
	for _, c := range counts {
		if c > 0 {
			covered++
		}
	}
	if n := len(counts); n > 0 {
		out = append(out, fmt.Sprintf("desa in at least one agreement: %d of %d; agreements per desa: median %d, 90th percentile %d, max %d",
			covered, n, counts[n/2], counts[n*9/10], counts[n-1]))
	}
	out = append(out, fmt.Sprintf("desa parties %d, desa persiapan parties %d, other-province parties %d", st.DesaParties, st.PersiapanParty, st.OtherProvince))
	out = append(out, "partner catalogue: "+cat.String())
	mining := 0
	for _, k := range w.kabs {
		if k.mining {
			mining++
		}
	}
	out = append(out, fmt.Sprintf("mining kabupaten/kota (where ENERGY_MINERAL agreements concentrate): %d of %d", mining, len(w.kabs)))
	return out
}

func manifestText(m *Manifest, p Profile) string {
	var b strings.Builder
	fmt.Fprintf(&b, "SINTETIS — synthetic data made by `go run ./bench/generate`; NOT official data (data buatan, bukan data resmi).\n")
	fmt.Fprintf(&b, "Every region name, score, agreement, party, body and realisation here is made up, except where\n")
	fmt.Fprintf(&b, "the inputs below are real files: their codes and names are referred to, never copied.\n\n")
	fmt.Fprintf(&b, "profile: %s\nseed: %d\ndata as of: %s\n", m.Profile, m.Seed, m.DataAsOf.Format(time.DateOnly))
	if len(m.Inputs) > 0 {
		fmt.Fprintf(&b, "\ninputs (real, read only):\n")
		for _, in := range m.Inputs {
			fmt.Fprintf(&b, "  %s\n", in)
		}
	}
	fmt.Fprintf(&b, "\nfiles (data rows, bytes):\n")
	for _, f := range m.Files {
		fmt.Fprintf(&b, "  %-30s %12d rows %14d bytes\n", f.Name, f.Rows, f.Bytes)
	}
	fmt.Fprintf(&b, "\nregister:\n")
	for _, s := range m.Summary {
		fmt.Fprintf(&b, "  %s\n", s)
	}
	fmt.Fprintf(&b, "\nload order (regions before IDM and register):\n")
	if p.RealRegions {
		fmt.Fprintf(&b, "  sinergi etl load regions <the real region file>\n  sinergi etl load idm <the real IDM files>\n")
	} else {
		fmt.Fprintf(&b, "  sinergi etl load regions wilayah.csv\n  sinergi etl load idm idm_*.csv\n")
	}
	fmt.Fprintf(&b, "  sinergi etl load register register/agreements.csv register/parties.csv register/bodies.csv register/realisations.csv\n")
	return b.String()
}
