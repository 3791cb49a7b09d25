package cluster_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clustertest"
)

// replicaRestartTimeout bounds the wait for a killed replica to answer again.
// 18.16 re-attaches every replicated table of every test database before it
// answers: seconds on a quiet machine, over two minutes under a load average of
// 70 (seen in a make test beside other work).
const replicaRestartTimeout = 6 * time.Minute

// nationalQueries read every path of the sharded realisation tables: sums
// by region and month (merged across shards), one agreement's rows (on one
// shard), and the rollups built from them.
func nationalQueries(kabupaten []string) []string {
	quoted := make([]string, len(kabupaten))
	for i, k := range kabupaten {
		quoted[i] = `"` + k + `"`
	}
	codes := strings.Join(quoted, ", ")
	return []string{
		`{ cooperationStats(dimensions: [PROVINSI, PERIOD], measures: [REALISED_VALUE, BENEFICIARIES], timeGrain: MONTH) { rows { provinsi period realisedValue beneficiaries } totals { realisedValue beneficiaries } } }`,
		`{ cooperationStats(dimensions: [KABUPATEN_KOTA, ISSUE, PERIOD], measures: [AGREEMENTS, VILLAGES_COVERED, COMMITTED_VALUE, REALISED_VALUE], timeGrain: YEAR) { rows { kabupatenKota issue period agreements villagesCovered committedValue realisedValue } totals { agreements realisedValue } } }`,
		`{ agreements(first: 20) { totalCount nodes { id status committedValue realisedValue beneficiaries realisations { month village { code } value beneficiaries } } pageInfo { endCursor } } }`,
		`{ strategicIssues { issue agreements activeAgreements villagesCovered partners committedValue realisedValue } }`,
		`{ compareRegions(codes: [` + codes + `], year: 2024) { region { code name } desaCount agreements agreementsPer100Desa desaCovered valuePerDesa realisedValue byIssue { issue agreements } idm { meanIdm movedUp byStatus { status count } } } }`,
		`{ partners(first: 50) { totalCount nodes { id name agreements activeAgreements villagesCovered } } }`,
		`{ idmDistribution(year: 2024, level: KABUPATEN_KOTA) { region { code } total meanIdm byStatus { status count } } }`,
	}
}

// TestNationalShapedOnCluster loads a synthetic register of national shape
// (the small profile: three provinces, 10,000 agreements, ~200,000
// realisations) on the cluster and on one server; the answers are equal,
// the realisations lie on both shards, and a replica killed while a new
// register loads never lets a reader see a mix of two generations, and
// answers like the others once restarted.
func TestNationalShapedOnCluster(t *testing.T) {
	c := clustertest.Current(t)
	data := t.TempDir()
	if out, err := exec.Command(generator, "--profile", "small", "--out", filepath.Join(data, "v1"), "--seed", "1").CombinedOutput(); err != nil {
		t.Fatalf("generate: %v\n%s", err, out)
	}
	// v2 resubmits every agreement, each realised and committed value
	// raised by Rp 1,000: every figure of money changes.
	raise(t, filepath.Join(data, "v1", "register"), filepath.Join(data, "v2", "register"))
	register := func(version string) []string {
		var files []string
		for _, f := range []string{"agreements", "parties", "bodies", "realisations"} {
			files = append(files, filepath.Join(data, version, "register", f+".csv"))
		}
		return files
	}
	idmFiles, _ := filepath.Glob(filepath.Join(data, "v1", "idm_*.csv"))

	database := newDatabase("national")
	ref, cl := singleNode(t, database), onCluster(t, database)
	for _, d := range []deployment{ref, cl} {
		d.sinergi(t, "migrate")
		d.sinergi(t, "etl", "load", "regions", filepath.Join(data, "v1", "wilayah.csv"))
		d.sinergi(t, append([]string{"etl", "load", "idm"}, idmFiles...)...)
		d.sinergi(t, append([]string{"etl", "load", "register"}, register("v1")...)...)
	}
	urlRef, urlCl := ref.serve(t), cl.serve(t)
	var regions struct {
		Data struct {
			Regions []struct{ Code string } `json:"regions"`
		} `json:"data"`
	}
	body, _ := answer(t, urlRef, `{ regions(level: KABUPATEN_KOTA) { code } }`, false)
	if err := json.Unmarshal([]byte(body), &regions); err != nil || len(regions.Data.Regions) < 10 {
		t.Fatalf("kabupaten: %v %s", err, body)
	}
	var kabupaten []string
	for _, r := range regions.Data.Regions[:10] {
		kabupaten = append(kabupaten, r.Code)
	}
	queries := nationalQueries(kabupaten)

	t.Run("answers equal one server's", func(t *testing.T) {
		sameAnswers(t, urlRef, urlCl, queries)
		var total uint64
		for _, s := range c.Servers {
			n := tableRows(t, s, database, "coop_realisations_local")
			if n == 0 {
				t.Errorf("shard %d replica %d holds no realisations: they are sharded", s.Shard, s.Replica)
			}
			if s.Replica == 1 {
				total += n
			}
		}
		if all := tableRows(t, c.Servers[0], database, "coop_realisations"); total != all {
			t.Errorf("the shards hold %d realisations, the Distributed table reads %d", total, all)
		}
	})

	t.Run("a replica killed during a load", func(t *testing.T) {
		// What each query answers before the load and after it, from the
		// reference server loading the same register.
		before := map[string]string{}
		for _, q := range queries {
			before[q], _ = answer(t, urlCl, q, false)
		}
		ref.sinergi(t, append([]string{"etl", "load", "register"}, register("v2")...)...)
		// A serve process reads the generation its cache knows, which
		// follows a load by another process within a second.
		waitForChange(t, urlRef, queries[0], before[queries[0]])
		after := map[string]string{}
		changed := 0
		for _, q := range queries {
			after[q], _ = answer(t, urlRef, q, false)
			if after[q] != before[q] {
				changed++
			}
		}
		if changed < 5 { // idmDistribution and partners do not depend on money
			t.Fatalf("the second register changes %d of %d answers: the test would prove little", changed, len(queries))
		}

		// Readers ask without pause while the cluster loads; every answer
		// must be the one of before or of after.
		ctx, stopReading := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		var mu sync.Mutex
		counts := map[string]int{}
		var mixes []string
		for _, q := range queries {
			wg.Go(func() {
				for ctx.Err() == nil {
					// An error (the killed server was asked) is no answer,
					// and no mix either.
					got, err := tryAnswer(urlCl, q)
					mu.Lock()
					switch {
					case err != nil:
						counts["errors"]++
					case got == before[q]:
						counts["before"]++
					case got == after[q]:
						counts["after"]++
					default:
						mixes = append(mixes, fmt.Sprintf("%s\n   got: %s\nbefore: %s\n after: %s", q, got, before[q], after[q]))
					}
					mu.Unlock()
				}
			})
		}

		victim := c.Servers[3] // shard 2, replica 2: not the server the load writes through
		load := cl.start(t, nil, append([]string{"etl", "load", "register"}, register("v2")...)...)
		time.Sleep(time.Second)
		c.Kill(victim)
		t.Logf("killed shard %d replica %d (%s)", victim.Shard, victim.Replica, victim.Addr())
		time.Sleep(5 * time.Second)
		restartCtx, cancel := context.WithTimeout(context.Background(), replicaRestartTimeout)
		defer cancel()
		if err := c.Restart(restartCtx, victim); err != nil {
			t.Fatal(err)
		}
		t.Logf("restarted %s", victim.Addr())
		select {
		case <-load.done:
		case <-time.After(5 * time.Minute):
			t.Fatalf("the load did not end:\n%s", load.output())
		}
		stopReading()
		wg.Wait()
		succeeded := load.cmd.ProcessState.ExitCode() == 0
		t.Logf("load succeeded: %v; answers of before: %d, of after: %d, errors: %d\n%s", succeeded, counts["before"], counts["after"], counts["errors"], load.output())
		if len(mixes) > 0 {
			t.Fatalf("%d answers were neither the previous generation's nor the new one's; the first:\n%s", len(mixes), mixes[0])
		}
		want := before
		if succeeded {
			want = after
		} else if !strings.Contains(load.output(), "failed") {
			t.Fatalf("the load failed without saying so:\n%s", load.output())
		}

		// The restarted replica catches up and answers as the others.
		alone := onCluster(t, database, victim.Addr())
		urlAlone := alone.serve(t)
		deadline := time.Now().Add(time.Minute)
		for _, q := range queries {
			for {
				got, _ := answer(t, urlAlone, q, false)
				if got == want[q] {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the restarted replica still answers otherwise a minute later: %s\n got: %s\nwant: %s", q, clip(got), clip(want[q]))
				}
				time.Sleep(500 * time.Millisecond)
			}
		}
		for _, q := range queries {
			if got, _ := answer(t, urlCl, q, false); got != want[q] {
				t.Errorf("the cluster answers otherwise than expected after the load: %s", q)
			}
		}
	})

	t.Run("a serve process fails over when its server dies", func(t *testing.T) {
		// A serve process whose first address is shard 1's second replica.
		victim := c.Servers[1]
		addrs := []string{victim.Addr()}
		for _, s := range c.Servers {
			if s != victim {
				addrs = append(addrs, s.Addr())
			}
		}
		url := onCluster(t, database, addrs...).serve(t)
		q := queries[1]
		want, _ := answer(t, url, q, false)
		if code, body := replicaReport(t, url); code != http.StatusOK || strings.Contains(body, `"reachable":false`) {
			t.Fatalf("/readyz/replicas with every server up: %d %s", code, body)
		}
		c.Kill(victim)
		killed := time.Now()
		deadline := killed.Add(30 * time.Second)
		failures := 0
		for {
			got, err := tryAnswer(url, q)
			if err == nil {
				if got != want {
					t.Fatalf("after failing over the answer changed:\n got: %s\nwant: %s", clip(got), clip(want))
				}
				break
			}
			failures++
			if time.Now().After(deadline) {
				t.Fatalf("no answer 30 s after its server died: %v", err)
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("answering again %s after its server was killed (%d failed requests)", time.Since(killed).Round(time.Millisecond), failures)
		code, body := replicaReport(t, url)
		if code != http.StatusServiceUnavailable || !strings.Contains(body, `"addr":"`+victim.Addr()+`","reachable":false`) {
			t.Errorf("/readyz/replicas with %s down: %d %s", victim.Addr(), code, body)
		}
		restartCtx, cancel := context.WithTimeout(context.Background(), replicaRestartTimeout)
		defer cancel()
		if err := c.Restart(restartCtx, victim); err != nil {
			t.Fatal(err)
		}
		if code, body := replicaReport(t, url); code != http.StatusOK {
			t.Errorf("/readyz/replicas once %s is back: %d %s", victim.Addr(), code, body)
		}
	})

	t.Run("a load fails cleanly while a replica stays down", func(t *testing.T) {
		// The replica is down for the whole load, which waits 5 s for it
		// and then must fail, leaving every answer as it was.
		before := map[string]string{}
		for _, q := range queries {
			before[q], _ = answer(t, urlCl, q, false)
		}
		victim := c.Servers[2] // shard 2, replica 1
		c.Kill(victim)
		t.Logf("killed shard %d replica %d (%s)", victim.Shard, victim.Replica, victim.Addr())
		impatient := cl
		impatient.env = append(slices.Clone(cl.env), "SINERGI_CLICKHOUSE_REPLICA_SYNC_TIMEOUT=5s")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		out, err := impatient.command(ctx, append([]string{"etl", "load", "register"}, register("v1")...)...).CombinedOutput()
		if err == nil {
			t.Fatalf("the load succeeded with a replica down throughout:\n%s", out)
		}
		if !strings.Contains(string(out), "failed") {
			t.Errorf("the load failed without saying so:\n%s", out)
		}
		t.Logf("the load failed: %v; its last lines:\n%s", err, lastLines(string(out), 5))
		for _, q := range queries {
			if got, _ := answer(t, urlCl, q, false); got != before[q] {
				t.Errorf("after the failed load the answer changed: %s\n got: %s\nwant: %s", q, clip(got), clip(before[q]))
			}
		}
		restartCtx, cancelRestart := context.WithTimeout(context.Background(), replicaRestartTimeout)
		defer cancelRestart()
		if err := c.Restart(restartCtx, victim); err != nil {
			t.Fatal(err)
		}
		// Back, it answers as the others: the failed load left it nothing.
		urlAlone := onCluster(t, database, victim.Addr()).serve(t)
		for _, q := range queries {
			if got, _ := answer(t, urlAlone, q, false); got != before[q] {
				t.Errorf("the restarted replica answers otherwise: %s\n got: %s\nwant: %s", q, clip(got), clip(before[q]))
			}
		}
	})

	t.Run("old generations are dropped on every shard", func(t *testing.T) {
		// Two more registers in a row: loads keep the generations
		// superseded in the last minute (GenerationGrace), so there are
		// three.
		cl.sinergi(t, append([]string{"etl", "load", "register"}, register("v1")...)...)
		cl.sinergi(t, append([]string{"etl", "load", "register"}, register("v2")...)...)
		if n := generationsOn(t, c.Servers[3], database, "coop_realisations_local"); n < 3 {
			t.Fatalf("coop_realisations_local holds %d generations after three loads: the test would prove nothing", n)
		}
		cfg := c.Config(t)
		cfg.Database, cfg.GenerationGrace = database, -1
		ctx := context.Background()
		db, err := clickhouse.Open(ctx, cfg, slog.New(slog.NewTextHandler(t.Output(), nil)))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.DropDeadGenerations(ctx, []string{"coop_realisations", "coop_agreements_current"}); err != nil {
			t.Fatal(err)
		}
		for _, s := range c.Servers {
			for _, table := range []string{"coop_realisations_local", "coop_agreements_current"} {
				// A dropped partition leaves replicas as the replication
				// log reaches them.
				deadline := time.Now().Add(30 * time.Second)
				for n := generationsOn(t, s, database, table); n > 2; n = generationsOn(t, s, database, table) {
					if time.Now().After(deadline) {
						t.Fatalf("%s on shard %d replica %d holds %d generations, want at most 2", table, s.Shard, s.Replica, n)
					}
					time.Sleep(200 * time.Millisecond)
				}
			}
		}
	})

	t.Run("a delta generation answers as one server", func(t *testing.T) {
		// 100 agreements sent again as v1 had them: an incremental publish
		// writes a delta generation, which reads its base's rows of every
		// other agreement, on each shard through the changed agreements'
		// list (replicated whole).
		first := filepath.Join(data, "first100")
		firstAgreements(t, filepath.Join(data, "v1", "register"), first, 100)
		files := []string{"etl", "load", "register"}
		for _, f := range []string{"agreements", "parties", "bodies", "realisations"} {
			files = append(files, filepath.Join(first, f+".csv"))
		}
		before, _ := answer(t, urlCl, queries[0], false)
		for _, d := range []deployment{ref, cl} {
			d.sinergi(t, files...)
		}
		waitForChange(t, urlCl, queries[0], before)
		waitForChange(t, urlRef, queries[0], before)
		var base uint64
		ctx := context.Background()
		cfg := c.Config(t)
		cfg.Database = database
		db, err := clickhouse.Open(ctx, cfg, slog.New(slog.NewTextHandler(t.Output(), nil)))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.QueryRow(ctx, `SELECT `+clickhouse.CurrentBase("coop_realisations"), nil, &base); err != nil || base == 0 {
			t.Fatalf("the published realisations' base is %d (%v): the load of 100 agreements did not write a delta", base, err)
		}
		sameAnswers(t, urlRef, urlCl, queries)
	})
}

// firstAgreements copies the rows of the first n agreements of the
// register in src to dst.
func firstAgreements(t *testing.T, src, dst string, n int) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	keep := map[string]bool{}
	for _, f := range []string{"agreements", "parties", "bodies", "realisations"} {
		in, err := os.Open(filepath.Join(src, f+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		records, err := csv.NewReader(in).ReadAll()
		in.Close()
		if err != nil {
			t.Fatal(err)
		}
		kept := records[:1]
		for _, r := range records[1:] {
			if f == "agreements" && len(keep) < n {
				keep[r[0]] = true
			}
			if records[0][0] == "agreement_id" && keep[r[0]] {
				kept = append(kept, r)
			}
		}
		out, err := os.Create(filepath.Join(dst, f+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		w := csv.NewWriter(out)
		if err := w.WriteAll(kept); err != nil {
			t.Fatal(err)
		}
		out.Close()
	}
}

// raise copies a generated register from src to dst with every realised
// value and every committed value raised by Rp 1,000.
func raise(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"agreements", "parties", "bodies", "realisations"} {
		in, err := os.Open(filepath.Join(src, f+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		records, err := csv.NewReader(in).ReadAll()
		in.Close()
		if err != nil {
			t.Fatal(err)
		}
		for col, name := range records[0] {
			if name != "value" && name != "committed_value" {
				continue
			}
			for _, r := range records[1:] {
				if v, err := strconv.ParseInt(r[col], 10, 64); err == nil {
					r[col] = strconv.FormatInt(v+1000, 10)
				}
			}
		}
		out, err := os.Create(filepath.Join(dst, f+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		w := csv.NewWriter(out)
		if err := w.WriteAll(records); err != nil {
			t.Fatal(err)
		}
		out.Close()
	}
}

// waitForChange waits until url answers query otherwise than old.
func waitForChange(t *testing.T, url, query, old string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if got, _ := answer(t, url, query, false); got != old {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s answers as before the load 15 s after it: %s", url, query)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// generationsOn counts the generations a table holds on one server.
func generationsOn(t *testing.T, s *clustertest.Server, database, table string) uint64 {
	t.Helper()
	c := clustertest.Current(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := clickhouse.Open(ctx, clickhouse.Config{Addr: s.Addr(), Database: database, Username: c.User, Password: c.Password},
		slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n uint64
	if err := db.QueryRow(ctx, "SELECT uniqExact(generation) FROM "+table, nil, &n); err != nil {
		t.Fatalf("%s on %s: %v", table, s.Addr(), err)
	}
	return n
}

// replicaReport asks a serve process which servers of the cluster answer.
func replicaReport(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url + "/readyz/replicas")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// lastLines is the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
