package etl_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/etl/etltest"
	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
	"github.com/sinergi-id/sinergi/internal/cooperation/coopch"
)

// TestPublicationEqualsFullRebuild follows loads of every kind — the
// simulation and the real register that withdraws it, an amendment (an
// agreement sent again, changed), a register without realisations, a
// failed run, a run killed before its publish and one stopped after it,
// agreements withdrawn (published at once, or by the next load when the
// publish failed) and restored, regions and IDM reloads —
// and after each compares what the load published with a full rebuild
// (Runner.Rebuild, sinergi etl rebuild) of every snapshot and rollup
// table, row by row, on both engines. Loads publish incremental
// generations where they can: this is what keeps them equal to a rebuild.
//
// Each check publishes a rebuild, so each of those loads is a delta on a
// whole base. The chain that follows checks without publishing: deltas on
// deltas (base → d1 → d2 → d3), pruned in between (no grace), until the
// agreements changed since the base outgrow the bound (lowered to
// deltaBound here) and a load builds a new base, then a delta on that.
func TestPublicationEqualsFullRebuild(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		cfg := clickhousetest.Config(t)
		cfg.GenerationGrace = -1 // prune every generation superseded, at once
		f := newFixtureOver(t, e.OpenDB(t, cfg))
		f.runner = etltest.NewRunnerWith(f.db, clickhousetest.Logger(t), coopch.NewStore(f.db).BoundDeltas(deltaBound))
		known := registerFiles(filepath.Join("register", "testdata", "known"))
		amended := amendedRegister(t, known)
		sharing, sharingAmended := sharingRegisters(t)
		steps := []struct {
			name string
			load func(t *testing.T)
		}{
			{"regions", func(t *testing.T) { f.mustLoad(etl.DatasetRegions, realdataPath(t)) }},
			{"IDM 2023", func(t *testing.T) {
				f.mustLoad(etl.DatasetIDM, filepath.Join(sharedDataDir(t), "kaltim_idm_2023.csv"))
			}},
			{"seed register", func(t *testing.T) { f.mustLoad(etl.DatasetRegister, seedFiles...) }},
			{"simulation", func(t *testing.T) { f.mustLoad(etl.DatasetSimulation, simulationFiles...) }},
			{"real register, withdrawing the simulation", func(t *testing.T) { f.mustLoad(etl.DatasetRegister, known...) }},
			{"amendment", func(t *testing.T) { f.mustLoad(etl.DatasetRegister, amended...) }},
			{"register without realisations", func(t *testing.T) { f.mustLoad(etl.DatasetRegister, known[:3]...) }},
			{"register with refused rows", func(t *testing.T) {
				f.mustLoad(etl.DatasetRegister, registerFiles(filepath.Join("register", "testdata", "broken"))...)
			}},
			{"failed register", func(t *testing.T) {
				if _, err := f.load(context.Background(), etl.DatasetRegister, known[0]); err == nil {
					t.Fatal("a register without its parties loaded")
				}
			}},
			{"register killed before its publish", func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				f.runner.SetRefresherPause(func(_ context.Context, point string) {
					if point == "publishing" {
						cancel()
					}
				})
				defer func() { f.runner.SetRefresherPause(nil) }()
				if _, err := f.load(ctx, etl.DatasetRegister, amended...); err == nil {
					t.Fatalf("a load cancelled before its publish: %v", err)
				}
			}},
			{"the same register, published", func(t *testing.T) { f.mustLoad(etl.DatasetRegister, known...) }},
			{"register stopped after its publish (committed late)", func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				f.runner.SetRefresherPause(func(_ context.Context, point string) {
					if point == "published" {
						cancel()
					}
				})
				defer func() { f.runner.SetRefresherPause(nil) }()
				_, _ = f.load(ctx, etl.DatasetRegister, amended...) // published: whatever it reports, its rows count
			}},
			{"an agreement withdrawn", func(t *testing.T) {
				f.changeWithdrawal(t, "KUKAR-2025-001", true)
				if err := f.runner.Republish(context.Background(), etl.DatasetRegister); err != nil {
					t.Fatal(err)
				}
			}},
			{"a withdrawal whose publish failed, then a load", func(t *testing.T) {
				f.changeWithdrawal(t, "JATIM-KALTIM-2025", true)
				f.mustLoad(etl.DatasetRegister, known[:3]...)
			}},
			{"an agreement restored", func(t *testing.T) {
				f.changeWithdrawal(t, "KUKAR-2025-001", false)
				if err := f.runner.Republish(context.Background(), etl.DatasetRegister); err != nil {
					t.Fatal(err)
				}
			}},
			{"an amendment of a withdrawn agreement", func(t *testing.T) { f.mustLoad(etl.DatasetRegister, amended...) }},
			{"two agreements in two kabupaten sharing a partner, a desa and a desa persiapan", func(t *testing.T) {
				f.mustLoad(etl.DatasetRegister, sharing...)
			}},
			{"one of them amended: the shared partner, desa and desa persiapan gone", func(t *testing.T) {
				f.mustLoad(etl.DatasetRegister, sharingAmended...)
			}},
			{"the other withdrawn: the partner counted nowhere", func(t *testing.T) {
				f.changeWithdrawal(t, "SHARED-KUKAR-2025", true)
				if err := f.runner.Republish(context.Background(), etl.DatasetRegister); err != nil {
					t.Fatal(err)
				}
			}},
			{"IDM 2024", func(t *testing.T) {
				f.mustLoad(etl.DatasetIDM, filepath.Join(sharedDataDir(t), "kaltim_idm_2024.csv"))
			}},
			{"regions again", func(t *testing.T) { f.mustLoad(etl.DatasetRegions, realdataPath(t)) }},
		}
		for _, step := range steps {
			step.load(t)
			if t.Failed() {
				t.Fatalf("after %s: stopping", step.name)
			}
			f.checkPublishedEqualsRebuild(t, step.name)
		}

		chain := []struct {
			name  string
			load  func(t *testing.T)
			delta bool // the published generation is a delta (else a new base)
		}{
			{"chain: an amendment (d1)", func(t *testing.T) { f.mustLoad(etl.DatasetRegister, amended...) }, true},
			{"chain: an agreement withdrawn (d2)", func(t *testing.T) {
				f.changeWithdrawal(t, "JATIM-KALTIM-2025", true)
				if err := f.runner.Republish(context.Background(), etl.DatasetRegister); err != nil {
					t.Fatal(err)
				}
			}, true},
			{"chain: the amendment again (d3)", func(t *testing.T) { f.mustLoad(etl.DatasetRegister, amended...) }, true},
			{"chain: the agreement restored (d4)", func(t *testing.T) {
				f.changeWithdrawal(t, "JATIM-KALTIM-2025", false)
				if err := f.runner.Republish(context.Background(), etl.DatasetRegister); err != nil {
					t.Fatal(err)
				}
			}, true},
			{"chain: the whole register, beyond the bound (a new base)", func(t *testing.T) { f.mustLoad(etl.DatasetRegister, known...) }, false},
			{"chain: an amendment on the new base", func(t *testing.T) { f.mustLoad(etl.DatasetRegister, amended...) }, true},
			{"chain: a failed register on it", func(t *testing.T) {
				if _, err := f.load(context.Background(), etl.DatasetRegister, known[0]); err == nil {
					t.Fatal("a register without its parties loaded")
				}
			}, true},
		}
		for _, step := range chain {
			step.load(t)
			if t.Failed() {
				t.Fatalf("after %s: stopping", step.name)
			}
			if base := f.publishedBase(t); (base != 0) != step.delta {
				t.Fatalf("after %s: the published generation's base is %d, want a delta: %v", step.name, base, step.delta)
			}
			f.checkPublishedEqualsUnpublishedRebuild(t, step.name)
		}
		f.checkPublishedEqualsRebuild(t, "the chain")
	})
}

// deltaBound is how many agreements a delta generation may list as
// changed in TestPublicationEqualsFullRebuild: more than the amended and
// withdrawn ones of its chain, fewer than the known register's.
const deltaBound = 3

// publishedBase is the base of the published generation of the shared
// tables (0: it is whole).
func (f *fixture) publishedBase(t *testing.T) uint64 {
	t.Helper()
	var base uint64
	if err := f.db.QueryRow(context.Background(), `SELECT `+clickhouse.CurrentBase(coopch.RealisationsTable), nil, &base); err != nil {
		t.Fatal(err)
	}
	return base
}

// checkPublishedEqualsUnpublishedRebuild rebuilds the cooperation
// snapshots whole into a generation it does not publish (so the chain of
// deltas goes on), compares each table with its published generation, row
// by row, and drops what it built.
func (f *fixture) checkPublishedEqualsUnpublishedRebuild(t *testing.T, step string) {
	t.Helper()
	ctx := context.Background()
	gen, err := f.db.NewGeneration(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := coopch.NewStore(f.db).RebuildSnapshot(ctx, gen, nil); err != nil {
		t.Fatalf("after %s: rebuild: %v", step, err)
	}
	for _, table := range coopch.SnapshotTables {
		if table == coopch.ChangedAgreements {
			continue
		}
		published := f.rows(t, table, coopch.PublishedRows(table))
		rebuilt := f.rows(t, table, "generation = "+strconv.FormatUint(gen, 10))
		if missing, extra := rowDiff(published, rebuilt); len(missing)+len(extra) > 0 {
			t.Errorf("after %s: %s as published differs from a full rebuild (%d rows only published, %d only rebuilt):\n  only published: %q\n  only rebuilt:   %q",
				step, table, len(missing), len(extra), missing[:min(len(missing), 5)], extra[:min(len(extra), 5)])
		}
		if err := f.db.DropGeneration(ctx, table, gen); err != nil {
			t.Fatal(err)
		}
	}
}

// changeWithdrawal withdraws or restores an agreement as withdrawAgreement
// and restoreAgreement record it (without publishing).
func (f *fixture) changeWithdrawal(t *testing.T, id string, withdrawn bool) {
	t.Helper()
	f.withdrawals++
	flag := uint8(0)
	if withdrawn {
		flag = 1
	}
	if err := f.db.Exec(context.Background(), `INSERT INTO coop_agreement_withdrawals (agreement_id, version, withdrawn, actor, at, reason)
		SELECT ?, ?, ?, 'test', now(), 'test'`, id, f.withdrawals, flag); err != nil {
		t.Fatal(err)
	}
}

// sharingRegisters are a register of two agreements, one in Kutai
// Kartanegara and one in Paser, with the same partner, the same desa (of
// Kukar: the Paser agreement crosses kabupaten) and the same desa persiapan
// — keys the agreement cube counts distinctly, which an incremental
// generation recounts (coopch/delta.go) — and that register with the Paser
// agreement amended so that it shares none of them: the Kukar agreement
// still counts each of them, in the rows the two shared.
func sharingRegisters(t *testing.T) (sharing, amended []string) {
	t.Helper()
	const agreements = `agreement_id,document_numbers,title,document_type,signed_date,signed_place,start_date,end_date,status,issues,fields,committed_value,funding_source,source_reference
SHARED-KUKAR-2025,,Kerja sama CSR Lung Anai,PKS,2025-02-01,Tenggarong,,,ACTIVE,pihak ketiga,pertanian,100000000,CSR,uji kubus
SHARED-PASER-2025,,Kerja sama CSR Samurangau dan Lung Anai,PKS,2025-03-01,Tanah Grogot,,,ACTIVE,pihak ketiga,pertanian,200000000,CSR,uji kubus
`
	const header = "agreement_id,party_type,name,region_code,sector,role\n"
	const kukar = `SHARED-KUKAR-2025,COMPANY,PT Mitra Dua Kabupaten,64.02,,partner
SHARED-KUKAR-2025,DESA,Desa Lung Anai,64.02.02.2010,,participating village
SHARED-KUKAR-2025,DESA_PERSIAPAN,Desa Persiapan Sungai Bersama,64.02,,participating village
`
	const paser = `SHARED-PASER-2025,COMPANY,PT Mitra Dua Kabupaten,64.01,,partner
SHARED-PASER-2025,DESA,Desa Samurangau,64.01.01.2009,,participating village
SHARED-PASER-2025,DESA,Desa Lung Anai,64.02.02.2010,,participating village
SHARED-PASER-2025,DESA_PERSIAPAN,Desa Persiapan Sungai Bersama,64.02,,participating village
`
	const paserAmended = `SHARED-PASER-2025,COMPANY,PT Mitra Satu Kabupaten,64.01,,partner
SHARED-PASER-2025,DESA,Desa Samurangau,64.01.01.2009,,participating village
`
	write := func(name, agreements, parties string) []string {
		dir := filepath.Join(t.TempDir(), name)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		files := []string{filepath.Join(dir, "agreements.csv"), filepath.Join(dir, "parties.csv")}
		for i, body := range []string{agreements, header + parties} {
			if err := os.WriteFile(files[i], []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return files
	}
	lines := strings.SplitAfter(agreements, "\n")
	return write("sharing", agreements, kukar+paser), write("amended", lines[0]+lines[2], paserAmended)
}

// amendedRegister is the known register with its first agreement sent
// again, changed: another title and value, a party fewer, a realisation
// more.
func amendedRegister(t *testing.T, known []string) []string {
	t.Helper()
	dir := t.TempDir()
	var out []string
	for _, p := range known {
		body, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitAfter(string(body), "\n")
		header, rows := lines[0], lines[1:]
		first := strings.SplitN(rows[0], ",", 2)[0]
		var kept []string
		for _, r := range rows {
			if strings.HasPrefix(r, first+",") {
				kept = append(kept, r)
			}
		}
		switch filepath.Base(p) {
		case "agreements.csv":
			kept[0] = strings.Replace(kept[0], "MoU kerja sama", "MoU kerja sama (perubahan)", 1)
			kept[0] = strings.Replace(kept[0], "Rp 1.500.000.000", "Rp 1.750.000.000", 1)
		case "parties.csv":
			kept = kept[:len(kept)-1]
		case "realisations.csv":
			kept = append(kept, first+",64.02.02.2010,2025-11,12000000,10,pelatihan lanjutan\n")
		}
		if len(kept) == 0 {
			continue // bodies: none of this agreement's
		}
		dst := filepath.Join(dir, filepath.Base(p))
		if err := os.WriteFile(dst, []byte(header+strings.Join(kept, "")), 0o600); err != nil {
			t.Fatal(err)
		}
		out = append(out, dst)
	}
	return out
}

// checkPublishedEqualsRebuild rebuilds every snapshot whole and compares
// each table's published generation before the rebuild with the rebuilt
// one, row by row.
func (f *fixture) checkPublishedEqualsRebuild(t *testing.T, step string) {
	t.Helper()
	ctx := context.Background()
	tables := f.runner.SnapshotTables()
	tables = slices.DeleteFunc(slices.Clone(tables), func(t string) bool { return t == coopch.ChangedAgreements })
	before := map[string][]string{}
	for _, table := range tables {
		before[table] = f.rows(t, table, coopch.PublishedRows(table))
	}
	if _, err := f.runner.Rebuild(ctx); err != nil {
		t.Fatalf("after %s: rebuild: %v", step, err)
	}
	for _, table := range tables {
		after := f.rows(t, table, coopch.PublishedRows(table))
		if missing, extra := rowDiff(before[table], after); len(missing)+len(extra) > 0 {
			t.Errorf("after %s: %s as published differs from a full rebuild (%d rows only published, %d only rebuilt):\n  only published: %q\n  only rebuilt:   %q",
				step, table, len(missing), len(extra), missing[:min(len(missing), 5)], extra[:min(len(extra), 5)])
		}
	}
}

// rows reads every row of a snapshot table that where selects (say its
// published generation), each as one line of its columns (all but the
// generation), sorted. (The changed agreements' list of a delta is not
// compared: a whole generation has none.)
func (f *fixture) rows(t *testing.T, table, where string) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := f.db.Query(ctx, `SELECT name FROM system.columns
		WHERE database = currentDatabase() AND table = ? AND name != 'generation' ORDER BY name`, table)
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, "ifNull(toString(`"+c+"`), 'NULL')")
	}
	rows.Close()
	if len(cols) == 0 {
		t.Fatalf("%s has no columns", table)
	}
	q := `SELECT arrayStringConcat([` + strings.Join(cols, ", ") + `], '|') AS line FROM ` + table + ` WHERE ` + where
	rows, err = f.db.Query(ctx, q)
	if err != nil {
		t.Fatalf("reading %s: %v", table, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		out = append(out, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// rowDiff lists the rows of want missing from got and those of got not in
// want, duplicates counted.
func rowDiff(want, got []string) (missing, extra []string) {
	i, j := 0, 0
	for i < len(want) || j < len(got) {
		switch {
		case j == len(got) || i < len(want) && want[i] < got[j]:
			missing = append(missing, want[i])
			i++
		case i == len(want) || got[j] < want[i]:
			extra = append(extra, got[j])
			j++
		default:
			i++
			j++
		}
	}
	return missing, extra
}

// The comparison finds a changed, a missing and a duplicated row.
func TestRowDiff(t *testing.T) {
	missing, extra := rowDiff([]string{"a", "b", "c", "c"}, []string{"a", "b2", "c"})
	if !slices.Equal(missing, []string{"b", "c"}) || !slices.Equal(extra, []string{"b2"}) {
		t.Fatalf("missing %q, extra %q", missing, extra)
	}
}
