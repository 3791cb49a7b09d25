package cluster_test

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse/clustertest"
	"github.com/sinergi-id/sinergi/internal/realdata"
)

// kaltimQueries are asked of both deployments loaded with the real Kaltim
// regions and IDM and the seed register.
var kaltimQueries = []string{
	`{ idmDistribution(year: 2024, level: KABUPATEN_KOTA, parentCode: "64") { region { code name } total byStatus { status count share } meanIdm meanIks meanIke meanIkl } }`,
	`{ idmDistribution(years: [2023, 2024], level: KECAMATAN, parentCode: "64.02") { year region { code } total meanIdm } }`,
	`{ idmTransitions(fromYear: 2023, toYear: 2024, regionCode: "64") { from to count } }`,
	`{ regions(level: KECAMATAN, parentCode: "64.02") { code name desaCount kelurahanCount } }`,
	`{ village(code: "64.02.02.2010") { name chain { code name } idmHistory { year idm status } } }`,
	`{ compareRegions(codes: ["64.01", "64.02", "64.03", "64.71", "64.72"], year: 2025) { region { code } desaCount agreements desaCovered realisedValue byIssue { issue agreements } idm { year meanIdm movedUp byStatus { status count } } } }`,
	`{ strategicIssues { issue agreements activeAgreements villagesCovered partners committedValue realisedValue } }`,
	`{ cooperationStats(dimensions: [KABUPATEN_KOTA, ISSUE, PERIOD], measures: [AGREEMENTS, VILLAGES_COVERED, COMMITTED_VALUE, PARTNERS], timeGrain: YEAR) { rows { kabupatenKota issue period agreements villagesCovered committedValue partners } totals { agreements } } }`,
	`{ agreements(first: 50) { totalCount nodes { id title status signedOn committedValue issues parties { name type } } } }`,
	`{ partners(first: 20) { totalCount nodes { id name type agreements villagesCovered } } }`,
}

// TestKaltimOnCluster loads the real Kaltim files on the cluster and on
// one server: two serve processes on the cluster (each starting from a
// different server) drop their caches when a load publishes, answer every
// question as the single server does, and two `sinergi etl` elect one
// scheduler.
func TestKaltimOnCluster(t *testing.T) {
	c := clustertest.Current(t)
	database := newDatabase("kaltim")
	ref, cl := singleNode(t, database), onCluster(t, database)
	// The two serve processes start from opposite ends of the cluster.
	var reversed []string
	for i := len(c.Servers) - 1; i >= 0; i-- {
		reversed = append(reversed, c.Servers[i].Addr())
	}
	clB := onCluster(t, database, reversed...)
	wilayah, idm2023, idm2024 := realdata.Path(t, realdata.Wilayah), realdata.Path(t, realdata.IDM2023), realdata.Path(t, realdata.IDM2024)
	for _, d := range []deployment{ref, cl} {
		d.sinergi(t, "migrate")
		d.sinergi(t, "etl", "load", "regions", wilayah)
		d.sinergi(t, "etl", "load", "idm", idm2023)
	}
	for _, s := range c.Servers {
		if n := tableRows(t, s, database, "regions_current"); n == 0 {
			t.Errorf("%s holds no regions: tables replicated whole are on every server", s.Addr())
		}
	}

	urlA, urlB := cl.serve(t), clB.serve(t)

	t.Run("both caches drop when a load publishes", func(t *testing.T) {
		q := `{ village(code: "64.02.02.2010") { idmHistory { year idm status } } }`
		before := map[string]string{}
		for _, url := range []string{urlA, urlB} {
			first, _ := answer(t, url, q, true)
			again, cache := answer(t, url, q, true)
			if cache != "hit" || again != first {
				t.Fatalf("%s: the repeated request was not answered from the cache (X-Sinergi-Cache %q)", url, cache)
			}
			before[url] = first
		}
		if before[urlA] != before[urlB] {
			t.Fatalf("the two serve processes differ before the load:\n%s\n%s", before[urlA], before[urlB])
		}
		loaded := time.Now()
		cl.sinergi(t, "etl", "load", "idm", idm2024)
		for _, url := range []string{urlA, urlB} {
			deadline := time.Now().Add(15 * time.Second)
			for {
				now, cache := answer(t, url, q, true)
				if now != before[url] {
					if cache == "hit" {
						t.Errorf("%s: a new answer came from the cache", url)
					}
					t.Logf("%s answered the new generation %s after the load ended", url, time.Since(loaded).Round(time.Millisecond))
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s still answers from before the load 15 s after it (cache %q)", url, cache)
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
	})
	ref.sinergi(t, "etl", "load", "idm", idm2024)

	seedAgreements, seedParties := repoFile(t, "etl", "seed", "agreements.csv"), repoFile(t, "etl", "seed", "parties.csv")
	for _, d := range []deployment{ref, cl} {
		d.sinergi(t, "etl", "load", "register", seedAgreements, seedParties)
	}

	t.Run("answers equal one server's", func(t *testing.T) {
		urlRef := ref.serve(t)
		// The serve processes on the cluster ran before the register
		// was loaded: they read it once their cache has seen the load.
		want, _ := answer(t, urlRef, kaltimQueries[6], false)
		for _, url := range []string{urlA, urlB} {
			deadline := time.Now().Add(15 * time.Second)
			for got, _ := answer(t, url, kaltimQueries[6], false); got != want; got, _ = answer(t, url, kaltimQueries[6], false) {
				if time.Now().After(deadline) {
					t.Fatalf("%s does not answer the register 15 s after its load", url)
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
		sameAnswers(t, urlRef, urlA, kaltimQueries)
		sameAnswers(t, urlA, urlB, kaltimQueries)
	})

	t.Run("a key made or revoked on one server holds on every serve process", func(t *testing.T) {
		// Keys are made and revoked through the first server; a serve
		// process that reads from the last one, with anonymous reading
		// off, accepts the key and then refuses it once ClickHouse has
		// replicated api_keys.
		first := onCluster(t, database, c.Servers[0].Addr())
		closed := onCluster(t, database, reversed...)
		closed.env = append(closed.env, "SINERGI_AUTH_ANONYMOUS_READ=off")
		url := closed.serve(t)
		q := kaltimQueries[3]
		if code := status(t, url, q, ""); code != http.StatusUnauthorized {
			t.Fatalf("without a key: %d, want 401", code)
		}
		out := first.sinergi(t, "keys", "create", "--name", "cluster test", "--role", "viewer")
		m := regexp.MustCompile(`key (\S+) created[\s\S]*?(sinergi_\S+)`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no key in the output of keys create:\n%s", out)
		}
		id, key := m[1], m[2]
		waitStatus := func(want int, what string) {
			t.Helper()
			start := time.Now()
			for code := status(t, url, q, key); code != want; code = status(t, url, q, key) {
				if time.Since(start) > 15*time.Second {
					t.Fatalf("%s: %d 15 s later, want %d", what, code, want)
				}
				time.Sleep(100 * time.Millisecond)
			}
			t.Logf("%s: %d after %s", what, want, time.Since(start).Round(time.Millisecond))
		}
		waitStatus(http.StatusOK, "a key made on "+c.Servers[0].Addr())
		first.sinergi(t, "keys", "revoke", id)
		waitStatus(http.StatusUnauthorized, "the key revoked on "+c.Servers[0].Addr())
	})

	t.Run("one scheduler at a time", func(t *testing.T) {
		dir := t.TempDir()
		source := filepath.Join(dir, "wilayah.csv")
		b, err := os.ReadFile(wilayah)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(source, b, 0o644); err != nil {
			t.Fatal(err)
		}
		config := filepath.Join(dir, "etl.yaml")
		if err := os.WriteFile(config, []byte("jobs:\n  - name: wilayah\n    dataset: regions\n    source: "+source+"\n    schedule: 1s\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		env := []string{"SINERGI_LOG_LEVEL=debug", "SINERGI_CONFIG=" + config}
		first := cl.start(t, env, "etl")
		first.waitLog(t, "etl scheduler started", time.Minute)
		second := cl.start(t, env, "etl")
		second.waitLog(t, "etl scheduler started", time.Minute)
		leader, standby := first, second
		if strings.Contains(first.output(), "as a standby") {
			leader, standby = second, first
		}
		if !strings.Contains(standby.output(), "as a standby") || strings.Contains(leader.output(), "as a standby") {
			t.Fatalf("want one leader and one standby:\nfirst:\n%s\nsecond:\n%s", first.output(), second.output())
		}
		// The leader runs the job every second (the file is unchanged, so
		// it is skipped); the standby never does while the leader lives.
		time.Sleep(4 * time.Second)
		if n := strings.Count(leader.output(), "source unchanged, skipped"); n < 2 {
			t.Errorf("the leader ran the job %d times in 4 s, want every second:\n%s", n, leader.output())
		}
		if strings.Contains(standby.output(), "source unchanged, skipped") || strings.Contains(standby.output(), "etl job failed") {
			t.Fatalf("the standby ran the job while the leader lives:\n%s", standby.output())
		}
		killed := time.Now()
		leader.signal(9) // SIGKILL: its ZooKeeper session ends by timeout (3 s)
		<-leader.done
		standby.waitLog(t, "this etl scheduler leads now", 30*time.Second)
		standby.waitLog(t, "source unchanged, skipped", 30*time.Second)
		t.Logf("the standby took over %s after the leader was killed", time.Since(killed).Round(100*time.Millisecond))
	})
}
