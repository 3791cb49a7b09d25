// Command loadgen measures sinergi's planner workload: GraphQL requests at a
// fixed rate (open loop: latency counts from the moment a request was due,
// so a slow server cannot hide its queueing), and the same SQL that those
// requests issued, replayed straight to ClickHouse, in the same run.
//
//	loadgen -url http://127.0.0.1:8080/graphql -clickhouse 127.0.0.1:9000 -db sinergi \
//	        -rates 50,200,500 -duration 20s -pid $(pgrep -f 'sinergi serve')
//
// The server must run with SINERGI_CLICKHOUSE_LOG_QUERIES=true so that the
// SQL of each request can be read back from system.query_log.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080/graphql", "GraphQL endpoint")
	chAddr := flag.String("clickhouse", "", "ClickHouse native address for the raw replay (empty: skip it)")
	db := flag.String("db", "sinergi", "ClickHouse database")
	chUser := flag.String("user", "default", "ClickHouse user for the raw replay")
	chPassword := flag.String("password", "", "its password")
	ratesFlag := flag.String("rates", "20,100,500", "request rates to run, per second")
	aloneRuns := flag.Bool("alone", true, "also run each query alone at 20/s")
	cachedRate := flag.Int("cached-rate", 5000, "rate for the cached run (0: skip)")
	duration := flag.Duration("duration", 15*time.Second, "length of each run")
	concurrency := flag.Int("concurrency", 256, "requests in flight at most")
	pid := flag.Int("pid", 0, "server process to report memory of")
	kabupatenFlag := flag.String("kabupaten", "", "comma-separated kabupaten codes for compareRegions (default: the first 10 the server lists)")
	year := flag.Int("year", 2024, "year the workload asks about")
	replaySQL := flag.Bool("replay", true, "with -clickhouse: also send each run's SQL straight to ClickHouse (false: only count the statements)")
	flag.Parse()

	ctx := context.Background()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *concurrency, MaxConnsPerHost: *concurrency}, Timeout: 60 * time.Second}
	kab := strings.Split(*kabupatenFlag, ",")
	if *kabupatenFlag == "" {
		kab = firstKabupaten(ctx, client, *url, 10)
	}
	work := workload(kab, *year)
	alone := append(slices.Clone(work), rowsVariant())

	fmt.Printf("workload: %d planner queries, %d kabupaten\n", len(work), len(kab))
	var conn driver.Conn
	if *chAddr != "" {
		var err error
		conn, err = ch.Open(&ch.Options{Addr: []string{*chAddr}, Auth: ch.Auth{Database: *db, Username: *chUser, Password: *chPassword},
			MaxOpenConns: *concurrency, MaxIdleConns: *concurrency})
		if err != nil {
			log.Fatal(err)
		}
		captureSQL(ctx, client, *url, conn, alone)
		copy(work, alone)
	}

	fmt.Println("\n| run | rate (req/s) | achieved (req/s) | p50 ms | p95 ms | p99 ms | errors | not sent | server RSS max MB |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	for _, r := range strings.Split(*ratesFlag, ",") {
		rate, err := strconv.Atoi(strings.TrimSpace(r))
		if err != nil || rate <= 0 {
			log.Fatalf("bad rate %q", r)
		}
		res := run(ctx, rate, *duration, *concurrency, *pid, work, func(ctx context.Context, q query) error {
			return postGraphQL(ctx, client, *url, q.body, true)
		})
		res.print("GraphQL, mixed, uncached")
		if conn != nil && *replaySQL {
			raw := run(ctx, rate, *duration, *concurrency, 0, work, func(ctx context.Context, q query) error {
				return replay(ctx, conn, q.sql)
			})
			raw.print("same SQL straight to ClickHouse")
		}
	}
	runAlone := func(q query) {
		res := run(ctx, 20, *duration/2, *concurrency, *pid, []query{q}, func(ctx context.Context, q query) error {
			return postGraphQL(ctx, client, *url, q.body, true)
		})
		res.print("GraphQL " + q.name + " at 20/s")
		if conn != nil && *replaySQL {
			raw := run(ctx, 20, *duration/2, *concurrency, 0, []query{q}, func(ctx context.Context, q query) error {
				return replay(ctx, conn, q.sql)
			})
			raw.print("  its SQL (" + strconv.Itoa(len(q.sql)) + " statements) at 20/s")
		}
	}
	if *aloneRuns {
		for _, q := range alone[:len(work)] {
			runAlone(q)
		}
	}
	if *cachedRate > 0 {
		res := run(ctx, *cachedRate, *duration, *concurrency, *pid, work, func(ctx context.Context, q query) error {
			return postGraphQL(ctx, client, *url, q.body, false)
		})
		res.print("GraphQL, mixed, result cache")
	}
	// Last: the rows variant holds the most memory, which the server
	// returns to the system only slowly; earlier, it would blur the memory
	// figures of the runs after it.
	if *aloneRuns {
		for _, q := range alone[len(work):] {
			runAlone(q)
		}
	}
	if conn != nil {
		statements := 0
		for _, q := range work {
			statements += len(q.sql)
		}
		perRequest := float64(statements) / float64(len(work))
		ceiling := statementCeiling(ctx, conn, *duration/2)
		if perRequest == 0 {
			fmt.Printf("\nClickHouse ceiling: %.0f trivial statements/s (SELECT 1, closed loop); the mix sends no statement (answered from memory)\n", ceiling)
		} else {
			fmt.Printf("\nClickHouse ceiling: %.0f trivial statements/s (SELECT 1, closed loop); the mix sends %.1f statements per request: at most %.0f requests/s however cheap each statement\n",
				ceiling, perRequest, ceiling/perRequest)
		}
	}
	if *pid > 0 {
		fmt.Printf("\nserver memory (pid %d): %s\n", *pid, memory(*pid))
	}
}

type query struct {
	name string
	body []byte
	sql  []string // what the server issued for it, read from query_log
}

func workload(kab []string, year int) []query {
	quoted := make([]string, len(kab))
	for i, k := range kab {
		quoted[i] = strconv.Quote(k)
	}
	y := strconv.Itoa(year)
	qs := []struct{ name, q string }{
		{"compareRegions(10 kabupaten)", `{ compareRegions(codes: [` + strings.Join(quoted, ",") + `], year: ` + y + `) { region { code name } desaCount agreements agreementsPer100Desa desaCovered desaCoveredShare valuePerDesa realisedValue byIssue { issue agreements } idm { meanIdm movedUp byStatus { status count } } } }`},
		{"cooperationStats(kabupaten x issue x year)", `{ cooperationStats(dimensions: [KABUPATEN_KOTA, ISSUE, PERIOD], measures: [AGREEMENTS, VILLAGES_COVERED, COMMITTED_VALUE], timeGrain: YEAR) { columns { dimensions { dimension values } measures { measure values } } totals { agreements } } }`},
		{"idmDistribution(kabupaten)", `{ idmDistribution(year: ` + y + `, level: KABUPATEN_KOTA) { region { code name } total meanIdm byStatus { status count } } }`},
		{"agreements(page)", `{ agreements(first: 50, filter: {regionCode: ` + quoted[0] + `}) { totalCount nodes { id title status signedOn committedValue issues } pageInfo { hasNextPage endCursor } } }`},
		{"strategicIssues", `{ strategicIssues { issue agreements activeAgreements villagesCovered partners committedValue realisedValue } }`},
	}
	out := make([]query, len(qs))
	for i, q := range qs {
		body, _ := json.Marshal(map[string]string{"query": q.q})
		out[i] = query{name: q.name, body: body}
	}
	return out
}

// rowsVariant is the cooperationStats question of the workload answered as
// rows (one GraphQL object per group) instead of columns: measured alone,
// beside its SQL, to show what the shape of the answer costs.
func rowsVariant() query {
	q := `{ cooperationStats(dimensions: [KABUPATEN_KOTA, ISSUE, PERIOD], measures: [AGREEMENTS, VILLAGES_COVERED, COMMITTED_VALUE], timeGrain: YEAR) { rows { kabupatenKota issue period agreements villagesCovered committedValue } totals { agreements } } }`
	body, _ := json.Marshal(map[string]string{"query": q})
	return query{name: "cooperationStats as rows", body: body}
}

func firstKabupaten(ctx context.Context, client *http.Client, url string, n int) []string {
	body, _ := json.Marshal(map[string]string{"query": "{ regions(level: KABUPATEN_KOTA) { code } }"})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data struct{ Regions []struct{ Code string } }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Data.Regions) == 0 {
		log.Fatalf("listing kabupaten: %v", err)
	}
	var codes []string
	for _, r := range out.Data.Regions[:min(n, len(out.Data.Regions))] {
		codes = append(codes, r.Code)
	}
	return codes
}

// captureSQL sends each query once and reads back from system.query_log
// the statements the server ran for it.
func captureSQL(ctx context.Context, client *http.Client, url string, conn driver.Conn, work []query) {
	for i := range work {
		var since time.Time
		if err := conn.QueryRow(ctx, "SELECT now()").Scan(&since); err != nil {
			log.Fatal(err)
		}
		// query_log has second resolution: statements of the second in which
		// since was read (another process's, e.g. an ETL load finishing) are
		// left out by asking for later seconds only, and the request is sent
		// after that second has passed.
		time.Sleep(1100 * time.Millisecond)
		if err := postGraphQL(ctx, client, url, work[i].body, true); err != nil {
			log.Fatalf("%s: %v", work[i].name, err)
		}
		time.Sleep(1100 * time.Millisecond)
		work[i].sql = loggedSince(ctx, conn, since)
		// No statement at all is a question answered from the server's
		// warm rollups (or query logging is off: the server's
		// SINERGI_CLICKHOUSE_LOG_QUERIES=true, which bench/run.sh sets).
		fmt.Printf("captured: %s: %d statements\n", work[i].name, len(work[i].sql))
	}
}

// loggedSince reads the statements sinergi's reads logged after since.
// ClickHouse 18.16's SYSTEM FLUSH LOGS may leave out entries still queued
// (ClickHouse issue 5456, fixed in 19.9), so the log is flushed and read
// again a second later until two reads agree.
func loggedSince(ctx context.Context, conn driver.Conn, since time.Time) []string {
	var prev []string
	for try := 0; ; try++ {
		if err := conn.Exec(ctx, "SYSTEM FLUSH LOGS"); err != nil {
			log.Fatal(err)
		}
		// Only sinergi's reads are logged (log_queries is set per query,
		// or by the managed server's reader profile); the result cache's
		// generation poll is not part of any request.
		rows, err := conn.Query(ctx, `SELECT query FROM system.query_log
			WHERE type = 2 AND event_time > ?
			  AND query NOT LIKE 'SELECT max(generation) FROM snapshot_generations%'
			ORDER BY event_time, query_start_time`, since)
		if err != nil {
			log.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var q string
			if err := rows.Scan(&q); err != nil {
				log.Fatal(err)
			}
			got = append(got, q)
		}
		rows.Close()
		if try > 0 && len(got) == len(prev) || try == 5 {
			return got
		}
		prev = got
		time.Sleep(time.Second)
	}
}

func postGraphQL(ctx context.Context, client *http.Client, url string, body []byte, bypassCache bool) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	// Like a browser or a BI client, accept gzip; set by hand, the body
	// arrives as sent (the transport does not decompress it), so the
	// client's decompression is not charged to the server on this machine.
	req.Header.Set("Accept-Encoding", "gzip")
	if bypassCache {
		req.Header.Set("Cache-Control", "no-cache")
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	// Compressed answers come from the result cache, which keeps no errors.
	compressed := resp.Header.Get("Content-Encoding") == "gzip"
	if resp.StatusCode != http.StatusOK || !compressed && bytes.Contains(out, []byte(`"errors":`)) {
		return fmt.Errorf("status %d: %.300s", resp.StatusCode, out)
	}
	return nil
}

// statementCeiling measures how many trivial statements (SELECT 1) per
// second ClickHouse answers here, closed loop from 2×cores clients: the
// ceiling of any workload that sends n statements per request is that
// divided by n, however cheap each statement is.
func statementCeiling(ctx context.Context, conn driver.Conn, d time.Duration) float64 {
	var done atomic.Int64
	var wg sync.WaitGroup
	stop := time.Now().Add(d)
	for range 2 * runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				if err := replay(ctx, conn, []string{"SELECT 1"}); err != nil {
					log.Fatal(err)
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	return float64(done.Load()) / d.Seconds()
}

// replay runs a request's statements one after the other, reading every row,
// as the server does.
func replay(ctx context.Context, conn driver.Conn, sql []string) error {
	for _, q := range sql {
		rows, err := conn.Query(ctx, q)
		if err != nil {
			return err
		}
		for rows.Next() {
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

type result struct {
	rate      int
	latencies []time.Duration
	errors    int64
	elapsed   time.Duration
	firstErr  string
	dropped   int
	maxRSSkB  int64 // the server's largest VmRSS seen during the run (0: not watched)
}

// run sends the workload round robin at rate for d, open loop, and with a
// pid watches that server's memory meanwhile.
func run(ctx context.Context, rate int, d time.Duration, concurrency, pid int, work []query, do func(context.Context, query) error) result {
	var maxRSS atomic.Int64
	stopWatch := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		if pid <= 0 {
			return
		}
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if kb := residentKB(pid); kb > maxRSS.Load() {
				maxRSS.Store(kb)
			}
			select {
			case <-stopWatch:
				return
			case <-t.C:
			}
		}
	}()
	n := int(d.Seconds() * float64(rate))
	interval := time.Second / time.Duration(rate)
	lat := make([]time.Duration, n)
	sem := make(chan struct{}, concurrency)
	var errs atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	sent := 0
	for i := 0; i < n; i++ {
		due := start.Add(time.Duration(i) * interval)
		if wait := time.Until(due); wait > 0 {
			time.Sleep(wait)
		}
		// A saturated server would stretch the run without end: stop
		// sending once it is well past its length; what was not sent is
		// reported as dropped.
		if time.Since(start) > d+d/2 {
			break
		}
		sent++
		sem <- struct{}{}
		wg.Add(1)
		go func(i int, due time.Time) {
			defer wg.Done()
			defer func() { <-sem }()
			if err := do(ctx, work[i%len(work)]); err != nil {
				errs.Add(1)
				firstErr.CompareAndSwap(nil, err.Error())
			}
			lat[i] = time.Since(due)
		}(i, due)
	}
	wg.Wait()
	close(stopWatch)
	<-watched
	res := result{rate: rate, latencies: lat[:sent], errors: errs.Load(), elapsed: time.Since(start), dropped: n - sent, maxRSSkB: maxRSS.Load()}
	if e, ok := firstErr.Load().(string); ok {
		res.firstErr = e
	}
	return res
}

func (r result) print(name string) {
	sort.Slice(r.latencies, func(i, j int) bool { return r.latencies[i] < r.latencies[j] })
	pct := func(p float64) string {
		if len(r.latencies) == 0 {
			return "-"
		}
		v := r.latencies[min(len(r.latencies)-1, int(p*float64(len(r.latencies))))]
		return strconv.FormatFloat(float64(v.Microseconds())/1000, 'f', 1, 64)
	}
	achieved := float64(len(r.latencies)) / r.elapsed.Seconds()
	rss := "-"
	if r.maxRSSkB > 0 {
		rss = strconv.FormatInt(r.maxRSSkB/1024, 10)
	}
	fmt.Printf("| %s | %d | %.0f | %s | %s | %s | %d | %d | %s |\n", name, r.rate, achieved, pct(0.50), pct(0.95), pct(0.99), r.errors, r.dropped, rss)
	if r.firstErr != "" {
		fmt.Fprintf(os.Stderr, "  first error: %s\n", r.firstErr)
	}
}

// residentKB reads a process's VmRSS (0 if it cannot).
func residentKB(pid int) int64 {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb
			}
		}
	}
	return 0
}

// memory reads the resident set size and its peak from /proc.
func memory(pid int) string {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return err.Error()
	}
	var parts []string
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "VmRSS:") || strings.HasPrefix(line, "VmHWM:") {
			parts = append(parts, strings.Join(strings.Fields(line), " "))
		}
	}
	return strings.Join(parts, ", ")
}
