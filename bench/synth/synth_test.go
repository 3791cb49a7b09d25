package synth_test

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/bench/synth"
	"github.com/sinergi-id/sinergi/etl/idmfile"
	"github.com/sinergi-id/sinergi/etl/regionfile"
	"github.com/sinergi-id/sinergi/etl/register"
	"github.com/sinergi-id/sinergi/etl/tabular"
	coop "github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/idm"
	"github.com/sinergi-id/sinergi/internal/realdata"
	"github.com/sinergi-id/sinergi/internal/region"
)

// The small profile, generated once for the tests that only read it.
var (
	smallOnce sync.Once
	smallDir  string
	smallMan  *synth.Manifest
	smallErr  error
)

func small(t *testing.T) (string, *synth.Manifest) {
	t.Helper()
	smallOnce.Do(func() {
		dir, err := os.MkdirTemp("", "synth-small-")
		if err != nil {
			smallErr = err
			return
		}
		smallDir = filepath.Join(dir, "out")
		smallMan, smallErr = synth.Generate(context.Background(), synth.Options{Profile: synth.Small, Seed: 42, Dir: smallDir})
	})
	if smallErr != nil {
		t.Fatal(smallErr)
	}
	return smallDir, smallMan
}

// The small profile's register as register.Stream reads it, parsed once.
var (
	registerOnce  sync.Once
	registerBatch parsedRegister
)

func smallRegister(t *testing.T) parsedRegister {
	t.Helper()
	dir, _ := small(t)
	registerOnce.Do(func() {
		tab, err := tabular.Open(filepath.Join(dir, "wilayah.csv"))
		if err != nil {
			t.Fatal(err)
		}
		rb, err := regionfile.Parse(tab, nil)
		tab.Close()
		if err != nil {
			t.Fatal(err)
		}
		registerBatch = parseRegister(t, dir, region.NewSet(rb.Regions))
	})
	if registerBatch.Agreements == nil {
		t.Fatal("the small register could not be parsed")
	}
	return registerBatch
}

func TestMain(m *testing.M) {
	code := m.Run()
	if smallDir != "" {
		os.RemoveAll(filepath.Dir(smallDir))
	}
	os.Exit(code)
}

// readCSV reads a generated file whole (the small profile's files are small).
func readCSV(t *testing.T, path string) (header []string, rows [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return all[0], all[1:]
}

// byName indexes a header.
func byName(header []string) map[string]int {
	m := map[string]int{}
	for i, h := range header {
		m[h] = i
	}
	return m
}

func hashDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		s := sha256.Sum256(b)
		sums[filepath.ToSlash(rel)] = hex.EncodeToString(s[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sums
}

func TestProfileByName(t *testing.T) {
	for _, name := range []string{"small", "kaltim", "national", "NATIONAL"} {
		if _, err := synth.ProfileByName(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := synth.ProfileByName("huge"); err == nil {
		t.Error("unknown profile accepted")
	}
}

func TestSameSeedSameBytes(t *testing.T) {
	base := t.TempDir()
	gen := func(name string, seed uint64) map[string]string {
		dir := filepath.Join(base, name)
		if _, err := synth.Generate(context.Background(), synth.Options{Profile: synth.Small, Seed: seed, Dir: dir}); err != nil {
			t.Fatal(err)
		}
		return hashDir(t, dir)
	}
	a, b, c := gen("a", 7), gen("b", 7), gen("c", 8)
	if len(a) != 12 { // wilayah, 6 IDM years, 4 register tables, manifest
		t.Errorf("%d files written, want 12: %v", len(a), a)
	}
	for name, sum := range a {
		if b[name] != sum {
			t.Errorf("%s differs between two runs with seed 7", name)
		}
	}
	for _, name := range []string{"wilayah.csv", "idm_2024.csv", "register/agreements.csv", "register/realisations.csv"} {
		if c[name] == a[name] {
			t.Errorf("%s is the same with seeds 7 and 8", name)
		}
	}
}

func TestSmallCounts(t *testing.T) {
	dir, m := small(t)
	_, regions := readCSV(t, filepath.Join(dir, "wilayah.csv"))
	levels := map[string]int{}
	kinds := map[string]int{}
	for _, r := range regions {
		levels[r[2]]++
		kinds[r[3]]++
	}
	want := map[string]int{"provinsi": 3, "kabupaten_kota": 20, "kecamatan": 200, "desa_kelurahan": 2500}
	for level, n := range want {
		if levels[level] != n {
			t.Errorf("%s: %d regions, want %d", level, levels[level], n)
		}
	}
	desa := kinds["desa"]
	if share := float64(desa) / 2500; share < 0.8 || share > 0.96 {
		t.Errorf("desa are %.2f of villages, want about 0.9", share)
	}
	for y := 2019; y <= 2024; y++ {
		if n := m.Rows("idm_" + strconv.Itoa(y) + ".csv"); n != int64(desa) {
			t.Errorf("idm_%d.csv: %d rows, want one per desa (%d)", y, n, desa)
		}
	}
	within := func(name string, lo, hi int64) {
		if n := m.Rows(name); n < lo || n > hi {
			t.Errorf("%s: %d rows, want %d..%d", name, n, lo, hi)
		}
	}
	within("register/agreements.csv", 10_000, 10_000)
	within("register/parties.csv", 34_000, 46_000)
	within("register/realisations.csv", 170_000, 230_000)
	within("register/bodies.csv", 60, 200)
	man, err := os.ReadFile(filepath.Join(dir, "MANIFEST.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"profile: small", "seed: 42", "NOT official data", "register/realisations.csv"} {
		if !strings.Contains(string(man), s) {
			t.Errorf("MANIFEST.txt lacks %q", s)
		}
	}
}

// TestParsesWithTheETLParsers: every file goes through the repository's own
// parsers without a single reject, and no row is merged away.
func TestParsesWithTheETLParsers(t *testing.T) {
	dir, m := small(t)
	tab, err := tabular.Open(filepath.Join(dir, "wilayah.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rb, err := regionfile.Parse(tab, nil)
	tab.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(rb.Rejects) > 0 || int64(len(rb.Regions)) != m.Rows("wilayah.csv") {
		t.Fatalf("regions: %d accepted of %d, rejects %v", len(rb.Regions), m.Rows("wilayah.csv"), firstRejects(rb.Rejects))
	}
	known := region.NewSet(rb.Regions)
	for y := 2019; y <= 2024; y++ {
		name := "idm_" + strconv.Itoa(y) + ".csv"
		tab, err := tabular.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		b, err := idmfile.Parse(tab, known, idmfile.Years(time.Now()))
		tab.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Rejects) > 0 || int64(len(b.Scores)) != m.Rows(name) || !slices.Equal(b.Years, []int{y}) {
			t.Fatalf("%s: %d accepted of %d, years %v, rejects %v", name, len(b.Scores), m.Rows(name), b.Years, firstRejects(b.Rejects))
		}
	}
	batch := smallRegister(t)
	if len(batch.Rejects) > 0 {
		t.Fatalf("register: %d rejects: %v", len(batch.Rejects), firstRejects(batch.Rejects))
	}
	for _, c := range []struct {
		name string
		n    int
	}{
		{"register/agreements.csv", len(batch.Agreements)}, {"register/parties.csv", len(batch.Parties)},
		{"register/bodies.csv", len(batch.Bodies)}, {"register/realisations.csv", len(batch.Realisations)},
	} {
		if int64(c.n) != m.Rows(c.name) {
			t.Errorf("%s: %d accepted of %d rows", c.name, c.n, m.Rows(c.name))
		}
	}
}

// parsedRegister is a generated register as a load reads it, held.
type parsedRegister struct {
	register.Batch
	Agreements   []coop.Agreement
	Parties      []coop.Party
	Realisations []coop.Realisation
}

func parseRegister(t *testing.T, dir string, known region.Lookup) parsedRegister {
	t.Helper()
	var paths []string
	for _, n := range []string{"agreements", "parties", "bodies", "realisations"} {
		paths = append(paths, filepath.Join(dir, "register", n+".csv"))
	}
	var out parsedRegister
	var err error
	out.Batch, err = register.Stream(paths, known, register.Sink{
		Party: func(p *coop.Party, _ int) error {
			out.Parties = append(out.Parties, *p)
			return nil
		},
		Realisation: func(rl *coop.Realisation, _, _ int) error {
			out.Realisations = append(out.Realisations, *rl)
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	err = out.ReadAgreements(func(a *coop.Agreement, _ int) error {
		out.Agreements = append(out.Agreements, *a)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func firstRejects(rs []tabular.Reject) []tabular.Reject { return rs[:min(len(rs), 5)] }

func TestIDMFollowsKemendesaRules(t *testing.T) {
	dir, _ := small(t)
	var means []float64
	var mandiriShare []float64
	for y := 2019; y <= 2024; y++ {
		header, rows := readCSV(t, filepath.Join(dir, "idm_"+strconv.Itoa(y)+".csv"))
		for _, col := range []string{"kode_desa", "kode_desa_dotted", "nama_desa", "tahun", "iks", "ike", "ikl", "nilai_idm", "status_idm", "keterangan_sumber"} {
			if !slices.Contains(header, col) {
				t.Fatalf("idm_%d.csv lacks column %s (header %v)", y, col, header)
			}
		}
		c := byName(header)
		statuses := map[string]int{}
		sum := 0.0
		for _, r := range rows {
			v := func(name string) float64 {
				f, err := strconv.ParseFloat(r[c[name]], 64)
				if err != nil || f < 0 || f > 1 {
					t.Fatalf("idm_%d.csv %s %q", y, name, r[c[name]])
				}
				if i := strings.IndexByte(r[c[name]], '.'); i >= 0 && len(r[c[name]])-i-1 > 4 {
					t.Fatalf("idm_%d.csv %s %q has more than 4 decimals", y, name, r[c[name]])
				}
				return f
			}
			iks, ike, ikl, score := v("iks"), v("ike"), v("ikl"), v("nilai_idm")
			if math.Abs((iks+ike+ikl)/3-score) > idm.MeanTolerance {
				t.Fatalf("idm_%d.csv %s: IDM %v is not the mean of %v %v %v", y, r[0], score, iks, ike, ikl)
			}
			want := strings.ReplaceAll(idm.StatusForScore(score).String(), "_", " ")
			if r[c["status_idm"]] != want {
				t.Fatalf("idm_%d.csv %s: status %q for IDM %v, thresholds give %q", y, r[0], r[c["status_idm"]], score, want)
			}
			if r[c["keterangan_sumber"]] != synth.Marker || r[c["tahun"]] != strconv.Itoa(y) {
				t.Fatalf("idm_%d.csv %s: tahun %q keterangan_sumber %q", y, r[0], r[c["tahun"]], r[c["keterangan_sumber"]])
			}
			if len(r[0]) != 10 || r[0][6] != '2' {
				t.Fatalf("idm_%d.csv: %s is not a desa code", y, r[0])
			}
			statuses[r[c["status_idm"]]]++
			sum += score
		}
		if len(statuses) < 4 {
			t.Errorf("idm_%d.csv: only statuses %v", y, statuses)
		}
		means = append(means, sum/float64(len(rows)))
		mandiriShare = append(mandiriShare, float64(statuses["MANDIRI"])/float64(len(rows)))
	}
	// Slow improvement: the mean rises every year, by a little.
	for i := 1; i < len(means); i++ {
		if d := means[i] - means[i-1]; d <= 0 || d > 0.04 {
			t.Errorf("mean IDM %d→%d moves by %.4f, want a small rise (means %v)", 2018+i, 2019+i, d, means)
		}
	}
	if mandiriShare[len(mandiriShare)-1] <= mandiriShare[0] {
		t.Errorf("MANDIRI share does not grow: %v", mandiriShare)
	}
}

// TestSkewed: a few partners sign most agreements, most desa have few
// agreements and a few very many.
func TestSkewed(t *testing.T) {
	dir, _ := small(t)
	header, parties := readCSV(t, filepath.Join(dir, "register", "parties.csv"))
	c := byName(header)
	partnerOf := map[string]map[string]bool{} // partner name → agreements
	perDesa := map[string]int{}
	links := 0
	for _, p := range parties {
		typ := coop.PartyType(p[c["party_type"]])
		switch {
		case isThirdParty(typ):
			if partnerOf[p[c["name"]]] == nil {
				partnerOf[p[c["name"]]] = map[string]bool{}
			}
			partnerOf[p[c["name"]]][p[c["agreement_id"]]] = true
			links++
		case typ == coop.PartyDesa:
			perDesa[p[c["region_code"]]]++
		}
	}
	counts := make([]int, 0, len(partnerOf))
	for _, a := range partnerOf {
		counts = append(counts, len(a))
	}
	sort.Sort(sort.Reverse(sort.IntSlice(counts)))
	top := max(1, len(counts)/100)
	topLinks := 0
	for _, n := range counts[:top] {
		topLinks += n
	}
	share := float64(topLinks) / float64(links)
	t.Logf("%d partners; top 1%% (%d) carry %.0f%% of partner links; the largest is in %d agreements; singletons %d",
		len(counts), top, 100*share, counts[0], countEq(counts, 1))
	if share < 0.25 {
		t.Errorf("top 1%% of partners carry %.0f%% of partner links, want a large share (>= 25%%)", 100*share)
	}
	if countEq(counts, 1) < len(counts)/10 {
		t.Errorf("only %d of %d partners sign a single agreement: no long tail", countEq(counts, 1), len(counts))
	}

	// Every desa of the region file, with or without agreements.
	_, regions := readCSV(t, filepath.Join(dir, "wilayah.csv"))
	var per []int
	for _, r := range regions {
		if r[3] == "desa" {
			per = append(per, perDesa[r[0]])
		}
	}
	sort.Ints(per)
	n := len(per)
	median, p99, maxN := per[n/2], per[n*99/100], per[n-1]
	zeroToTwo := sort.SearchInts(per, 3)
	t.Logf("agreements per desa: median %d, 99th percentile %d, max %d; %d of %d desa have 0-2", median, p99, maxN, zeroToTwo, n)
	if median > 2 || zeroToTwo < n/2 {
		t.Errorf("median agreements per desa %d (%d of %d with 0-2), want most desa with 0-2", median, zeroToTwo, n)
	}
	if maxN < 50 || p99 < 10*max(median, 1) {
		t.Errorf("no desa with many agreements: 99th percentile %d, max %d", p99, maxN)
	}
}

func countEq(xs []int, v int) int {
	n := 0
	for _, x := range xs {
		if x == v {
			n++
		}
	}
	return n
}

// TestRegisterShape checks the register's content against its rules:
// marked synthetic, statuses, dates, money, issues consistent with parties,
// BKAD linked to bodies, realisations inside the periods of their desa.
func TestRegisterShape(t *testing.T) {
	batch := smallRegister(t)
	parties := map[string][]coop.Party{}
	for _, p := range batch.Parties {
		parties[p.AgreementID] = append(parties[p.AgreementID], p)
	}
	bodies := map[string]coop.Body{}
	for _, b := range batch.Bodies {
		bodies[b.ID] = b
	}
	status := map[coop.Status]int{}
	issue := map[coop.Issue]int{}
	emByKab := map[region.Code]int{}
	emUndeclared, persiapan := 0, 0
	agreements := map[string]coop.Agreement{}
	for _, a := range batch.Agreements {
		agreements[a.ID] = a
		status[a.Status]++
		if !strings.HasPrefix(a.Title, synth.TitlePrefix) || a.SourceReference != synth.Marker {
			t.Fatalf("%s: title %q, source %q: not marked synthetic", a.ID, a.Title, a.SourceReference)
		}
		if a.Status != coop.StatusDraft {
			if y := a.SignedOn.Year(); y < 2015 || y > 2025 {
				t.Errorf("%s signed %v, want 2015..2025", a.ID, a.SignedOn)
			}
		}
		if years := a.EndsOn.Sub(a.StartsOn).Hours() / 24 / 365.25; a.EndsOn.IsZero() || years < 0.9 || years > 5.1 {
			t.Errorf("%s: period %v..%v, want 1-5 years", a.ID, a.StartsOn, a.EndsOn)
		}
		if a.CommittedValue != nil {
			if f := a.CommittedValue.InexactFloat64(); f < 10e6 || f > 50e9 {
				t.Errorf("%s: committed Rp %v, want Rp 10 juta .. 50 miliar", a.ID, f)
			}
		}
		for _, is := range a.DeclaredIssues {
			issue[is]++
		}
		ps := parties[a.ID]
		derived := derivedIssues(ps)
		desa := 0
		var kab region.Code
		for _, p := range ps {
			switch p.Type {
			case coop.PartyDesa:
				desa++
				kab = p.Region.Ancestor(region.LevelKabupatenKota)
			case coop.PartyDesaPersiapan:
				persiapan++
			case coop.PartyBKAD:
				b, ok := bodies[p.BodyID]
				if !ok || b.Name != p.Name {
					t.Errorf("%s: BKAD party %q body_id %q is not in the bodies", a.ID, p.Name, p.BodyID)
				}
			}
		}
		if desa == 0 {
			t.Errorf("%s has no desa party", a.ID)
		}
		has := func(list []coop.Issue, is coop.Issue) bool { return slices.Contains(list, is) }
		if has(a.DeclaredIssues, coop.IssueCrossKabupaten) != has(derived, coop.IssueCrossKabupaten) {
			t.Errorf("%s: CROSS_KABUPATEN declared %v, derived from parties %v", a.ID, a.DeclaredIssues, derived)
		}
		if has(a.DeclaredIssues, coop.IssueEnergyMineral) && !has(derived, coop.IssueEnergyMineral) {
			t.Errorf("%s: ENERGY_MINERAL declared without an energy or mining party", a.ID)
		}
		if has(derived, coop.IssueEnergyMineral) {
			emByKab[kab]++
			if !has(a.DeclaredIssues, coop.IssueEnergyMineral) {
				emUndeclared++
			}
		}
		if has(a.DeclaredIssues, coop.IssueThirdParty) != slices.ContainsFunc(ps, func(p coop.Party) bool { return isThirdParty(p.Type) }) {
			t.Errorf("%s: THIRD_PARTY declared %v, parties %v", a.ID, a.DeclaredIssues, ps)
		}
		if has(a.DeclaredIssues, coop.IssueInterVillageBody) && !slices.ContainsFunc(ps, func(p coop.Party) bool { return p.Type == coop.PartyBKAD }) {
			t.Errorf("%s: INTER_VILLAGE_BODY without a BKAD party", a.ID)
		}
	}
	n := len(batch.Agreements)
	t.Logf("statuses %v; issues %v; desa persiapan parties %d; energy agreements by kabupaten %v (undeclared %d)", status, issue, persiapan, emByKab, emUndeclared)
	if float64(status[coop.StatusActive]+status[coop.StatusExpired]) < 0.85*float64(n) || status[coop.StatusDraft] == 0 || status[coop.StatusTerminated] == 0 {
		t.Errorf("statuses %v: want mostly ACTIVE/EXPIRED and some DRAFT/TERMINATED", status)
	}
	for _, is := range coop.Issues {
		if is != coop.IssueThirdParty && issue[is] >= issue[coop.IssueThirdParty] {
			t.Errorf("issues %v: THIRD_PARTY should be the most common", issue)
		}
		if issue[is] < n/50 {
			t.Errorf("issues %v: %s is rare", issue, is)
		}
	}
	if persiapan == 0 {
		t.Error("no desa persiapan party")
	}
	// Energy agreements concentrate in a few (mining) kabupaten.
	var em []int
	total := 0
	for _, c := range emByKab {
		em = append(em, c)
		total += c
	}
	sort.Sort(sort.Reverse(sort.IntSlice(em)))
	if top := em[0] + em[min(1, len(em)-1)] + em[min(2, len(em)-1)]; float64(top) < 0.5*float64(total) {
		t.Errorf("energy agreements by kabupaten %v: the top three hold %d of %d, want them concentrated", emByKab, top, total)
	}
	if emUndeclared > total/10 {
		t.Errorf("%d of %d energy agreements do not declare ENERGY_MINERAL", emUndeclared, total)
	}

	// Realisations: a desa party of the agreement, a month within its period
	// up to the data date.
	desaOf := map[string]map[region.Code]bool{}
	for _, p := range batch.Parties {
		if p.Type == coop.PartyDesa {
			if desaOf[p.AgreementID] == nil {
				desaOf[p.AgreementID] = map[region.Code]bool{}
			}
			desaOf[p.AgreementID][p.Region] = true
		}
	}
	for _, r := range batch.Realisations {
		a := agreements[r.AgreementID]
		first := time.Date(a.StartsOn.Year(), a.StartsOn.Month(), 1, 0, 0, 0, 0, time.UTC)
		if !desaOf[r.AgreementID][r.Village] || r.Month.Before(first) || r.Month.After(a.EndsOn) || r.Month.After(synth.DataAsOf) ||
			a.Status == coop.StatusDraft || r.Value.Sign() <= 0 {
			t.Fatalf("realisation %+v of agreement %+v", r, a)
		}
	}
}

// TestRealisationsFileForClickHouse: the realisations file is also fit for
// clickhouse-client's CSVWithNames into coop_realisation_rows: flat village
// codes, months as dates, plain amounts, whole beneficiaries.
func TestRealisationsFileForClickHouse(t *testing.T) {
	dir, _ := small(t)
	f, err := os.Open(filepath.Join(dir, "register", "realisations.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if lines[0] != "agreement_id,village_code,month,value,beneficiaries,outputs" {
		t.Fatalf("header %q", lines[0])
	}
	row := regexp.MustCompile(`^SIN-\d{4}-\d{4}-\d{6},\d{10},\d{4}-(0[1-9]|1[0-2])-01,\d+(\.\d{1,2})?,\d+,[^,"]*$`)
	for i, l := range lines[1:] {
		if !row.MatchString(l) {
			t.Fatalf("line %d: %q", i+2, l)
		}
	}
}

func TestKaltimProfile(t *testing.T) {
	regionsFile := realdata.Path(t, realdata.Wilayah)
	idmFiles := []string{realdata.Path(t, realdata.IDM2023), realdata.Path(t, realdata.IDM2024)}
	dir := filepath.Join(t.TempDir(), "kaltim")
	label := synth.Label{IDPrefix: "SIMULASI", TitlePrefix: "(SIMULASI)", Marker: "SIMULASI: uji"}
	m, err := synth.Generate(context.Background(), synth.Options{Profile: synth.Kaltim, Seed: 1, Dir: dir,
		RegionsFile: regionsFile, IDMFiles: idmFiles, Label: label})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"wilayah.csv", "idm_2024.csv"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("the kaltim profile wrote %s: the real files are loaded instead", name)
		}
	}
	if n := m.Rows("register/agreements.csv"); n < 5000 || n > 6200 {
		t.Errorf("%d agreements for 841 desa, want about 5,600 (national proportions)", n)
	}
	tab, err := tabular.Open(regionsFile)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := regionfile.Parse(tab, nil)
	tab.Close()
	if err != nil {
		t.Fatal(err)
	}
	batch := parseRegister(t, dir, region.NewSet(rb.Regions))
	if len(batch.Rejects) > 0 || int64(len(batch.Realisations)) != m.Rows("register/realisations.csv") {
		t.Fatalf("register over the real regions: %d rejects %v", len(batch.Rejects), firstRejects(batch.Rejects))
	}
	// The label marks every agreement and body.
	for _, a := range batch.Agreements {
		if !strings.HasPrefix(a.ID, "SIMULASI-") || !strings.HasPrefix(a.Title, "(SIMULASI) ") || a.SourceReference != label.Marker {
			t.Fatalf("agreement %s %q %q: not marked with the label", a.ID, a.Title, a.SourceReference)
		}
	}
	for _, b := range batch.Bodies {
		if !strings.HasPrefix(b.ID, "SIMULASI-BKAD-") {
			t.Fatalf("body %s: not marked with the label", b.ID)
		}
	}
	// Kutai Kartanegara and Kutai Timur mine coal: energy agreements are there.
	em := map[region.Code]int{}
	parties := map[string][]coop.Party{}
	for _, p := range batch.Parties {
		parties[p.AgreementID] = append(parties[p.AgreementID], p)
	}
	for _, ps := range parties {
		if slices.Contains(derivedIssues(ps), coop.IssueEnergyMineral) {
			for _, p := range ps {
				if p.Type == coop.PartyDesa {
					em[p.Region.Ancestor(region.LevelKabupatenKota)]++
					break
				}
			}
		}
	}
	if em["6402"] < 5*max(em["6409"], 1) || em["6408"] < 5*max(em["6411"], 1) {
		t.Errorf("energy agreements by kabupaten %v: want them in the mining kabupaten", em)
	}
}

func TestOutputDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := synth.Generate(context.Background(), synth.Options{Profile: synth.Small, Seed: 1, Dir: dir}); err == nil {
		t.Fatal("generated into a directory holding someone else's file")
	}
	// An earlier generated set is replaced, stale IDM years included.
	dir = filepath.Join(t.TempDir(), "set")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "idm_2015.csv"), []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := synth.Generate(context.Background(), synth.Options{Profile: synth.Small, Seed: 1, Dir: dir}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "idm_2015.csv")); err == nil {
		t.Error("a stale idm_2015.csv was left beside the small profile's 2019..2024")
	}
	// A cancelled run stops with the context's error and leaves no manifest.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir = filepath.Join(t.TempDir(), "cancelled")
	if _, err := synth.Generate(ctx, synth.Options{Profile: synth.Small, Seed: 1, Dir: dir}); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled run: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST.txt")); err == nil {
		t.Error("a cancelled run left a MANIFEST.txt")
	}
}

func TestProgressReported(t *testing.T) {
	var mu sync.Mutex
	var done []string
	_, err := synth.Generate(context.Background(), synth.Options{Profile: synth.Small, Seed: 1, Dir: filepath.Join(t.TempDir(), "p"),
		ProgressEvery: time.Millisecond, Progress: func(p synth.Progress) {
			mu.Lock()
			defer mu.Unlock()
			if p.FileDone {
				done = append(done, p.File)
			}
			if p.TotalRows < p.FileRows || p.RowsPerSec < 0 {
				t.Errorf("progress %+v", p)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != 11 || !slices.Contains(done, "register/realisations.csv") {
		t.Errorf("files reported done: %v", done)
	}
}

// derivedIssues are the issues a load derives from an agreement's parties
// (cooperation.RecordBuilder).
func derivedIssues(parties []coop.Party) []coop.Issue {
	b := coop.NewRecordBuilder()
	for i := range parties {
		b.AddParty(0, &parties[i])
	}
	return b.Record(0, coop.Agreement{}).Derived
}

// isThirdParty: a party outside village and regional government, the
// partners of THIRD_PARTY cooperation as the generator declares them.
func isThirdParty(t coop.PartyType) bool {
	switch t {
	case coop.PartyCompany, coop.PartyStateEnterprise, coop.PartyZakatBody, coop.PartyFoundation, coop.PartyUniversity:
		return true
	}
	return false
}
