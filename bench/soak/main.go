// Command soak runs sinergi for a long time at a steady request rate while
// faults are injected, and checks every answer (issue 16, "Done when").
//
//	go build -o bin/sinergi ./cmd/sinergi && go build -o bin/generate ./bench/generate
//	go run ./bench/soak -duration 30m -rate 20 -fault-every 3m
//
// It generates a synthetic register over the real Kalimantan Timur regions
// (bench/generate --profile kaltim) in three versions — A, B with every
// value doubled, K with every value tripled — loads regions and IDM, starts
// `sinergi serve` on the managed ClickHouse, and records the answers of a
// fixed set of queries with each version loaded: the references. Then, for
// the duration:
//
//   - requests at a steady rate, half of them past the result cache; each
//     answer must equal the reference of a version that a completed load
//     published (A or B at any time; K only after a K load succeeded), or be
//     a refusal while ClickHouse is down (503, UNAVAILABLE). Anything else is
//     a wrong answer;
//   - every -load-every, a load of A or B (alternately), which must succeed
//     unless a fault hit it;
//   - every -fault-every, alternately: ClickHouse killed (SIGKILL; its
//     supervisor restarts it), or a load of K killed (SIGKILL) at a random
//     moment of its first seconds;
//   - every 5 s the resident memory of serve and of ClickHouse; every 30 s
//     the size of ClickHouse's data directory and the raw rows stored.
//
// At the end a last load of A settles every run, and no run may be left
// running or loaded. It prints a summary and exits 1 on any wrong answer.
package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
)

// The queries the soak asks: the register's values (0, 1 and 3 tell the
// versions apart), a page of agreements, and the IDM (which no register
// load changes).
var queries = []string{
	`{ cooperationStats(dimensions: [KABUPATEN_KOTA, ISSUE], measures: [AGREEMENTS, VILLAGES_COVERED, PARTNERS, COMMITTED_VALUE, REALISED_VALUE, BENEFICIARIES]) {
	   columns { dimensions { dimension values } measures { measure values } } totals { agreements committedValue realisedValue } } }`,
	`{ strategicIssues { issue agreements villagesCovered partners committedValue realisedValue } }`,
	`{ agreements(first: 25) { totalCount nodes { id title } } }`,
	`{ cooperationStats(dimensions: [PERIOD], measures: [COMMITTED_VALUE, REALISED_VALUE]) { totals { committedValue realisedValue } rows { period committedValue realisedValue } } }`,
	`{ idmDistribution(year: 2024, level: KABUPATEN_KOTA) { total meanIdm byStatus { status count } } }`,
}

var versions = []string{"A", "B", "K"}

type config struct {
	sinergi    string
	generate   string
	work       string
	kaltim     string
	duration   time.Duration
	rate       int
	faultEvery time.Duration
	loadEvery  time.Duration
	addr       string
}

func main() {
	var c config
	flag.StringVar(&c.sinergi, "sinergi", "bin/sinergi", "the sinergi binary")
	flag.StringVar(&c.generate, "generate", "bin/generate", "the generator (go build -o bin/generate ./bench/generate)")
	flag.StringVar(&c.work, "work", "var/soak", "work directory (emptied)")
	flag.StringVar(&c.kaltim, "kaltim", "data/kaltim", "the real Kalimantan Timur files")
	flag.DurationVar(&c.duration, "duration", 30*time.Minute, "how long to run")
	flag.IntVar(&c.rate, "rate", 20, "requests per second")
	flag.DurationVar(&c.faultEvery, "fault-every", 3*time.Minute, "time between faults")
	flag.DurationVar(&c.loadEvery, "load-every", time.Minute, "time between regular loads")
	flag.StringVar(&c.addr, "addr", "127.0.0.1:18090", "where serve listens")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := setup(ctx, c)
	if err != nil {
		log.Fatal(err)
	}
	sum, err := s.run(ctx)
	s.close() // before os.Exit, which runs no deferred call
	if err != nil {
		log.Print(err)
	}
	out, _ := json.MarshalIndent(sum, "", "  ")
	fmt.Println(string(out))
	if err != nil || sum.Wrong > 0 || len(sum.Unsettled) > 0 || sum.WrongK > 0 {
		os.Exit(1)
	}
}

type soak struct {
	c        config
	dataDir  string
	regs     map[string]string // version → directory of its CSV files
	serve    *exec.Cmd
	refs     []map[string]string // per query: version → canonical answer
	loads    sync.Mutex          // one soak load at a time, so a killed load is a loading one
	started  time.Time
	mu       sync.Mutex
	sum      summary
	kSuccess []time.Time // when K loads succeeded
	kAnswers []time.Time // when answers showed K
}

type summary struct {
	Duration              string         `json:"duration"`
	Rate                  int            `json:"rate_per_s"`
	Requests              int64          `json:"requests"`
	Answered              map[string]int `json:"answered_by_version"`
	Unavailable           int64          `json:"unavailable_while_clickhouse_down"`
	Wrong                 int64          `json:"wrong_answers"`
	WrongK                int            `json:"answers_of_a_killed_load"`
	WrongExamples         []string       `json:"wrong_examples,omitempty"`
	Loads                 int            `json:"loads"`
	LoadsFailed           int            `json:"loads_failed_by_a_fault"`
	ClickHouseKills       int            `json:"clickhouse_kills"`
	LoadKills             int            `json:"load_kills"`
	LoadKillsAfterPublish int            `json:"load_kills_after_publish"`
	ServeRSSMaxMB         float64        `json:"serve_rss_max_mb"`
	ServeRSSLastMB        float64        `json:"serve_rss_last_mb"`
	CHRSSMaxMB            float64        `json:"clickhouse_rss_max_mb"`
	DiskStartMB           float64        `json:"clickhouse_data_start_mb"`
	DiskMaxMB             float64        `json:"clickhouse_data_max_mb"`
	DiskEndMB             float64        `json:"clickhouse_data_end_mb"`
	RawRowsMax            uint64         `json:"realisation_rows_max"`
	RawRowsEnd            uint64         `json:"realisation_rows_end"`
	RunsWithRowsEnd       uint64         `json:"register_runs_with_rows_end"`
	Unsettled             []string       `json:"unsettled_runs,omitempty"`
	RunsByStatus          map[string]int `json:"runs_by_status"`
}

func (s *soak) env() []string {
	// The soak reads without a key, as a viewer.
	return append(os.Environ(), "SINERGI_DATA_DIR="+s.dataDir, "SINERGI_HTTP_ADDR="+s.c.addr, "SINERGI_LOG_LEVEL=warn", "SINERGI_AUTH_ANONYMOUS_READ=on")
}

// sinergi runs a sinergi command to its end.
func (s *soak) sinergi(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, s.c.sinergi, args...)
	cmd.Env = s.env()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("sinergi %s: %w\n%s", strings.Join(args, " "), err, tail(out))
	}
	return nil
}

func tail(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-5):], "\n")
}

func setup(ctx context.Context, c config) (*soak, error) {
	if err := os.RemoveAll(c.work); err != nil {
		return nil, err
	}
	s := &soak{c: c, dataDir: filepath.Join(c.work, "var"), regs: map[string]string{}}
	s.sum.Answered = map[string]int{}
	gen := filepath.Join(c.work, "generated")
	wilayah := filepath.Join(c.kaltim, "kaltim_wilayah_kemendagri_2025.csv")
	idm := []string{filepath.Join(c.kaltim, "kaltim_idm_2023.csv"), filepath.Join(c.kaltim, "kaltim_idm_2024.csv")}
	genArgs := append([]string{"--profile", "kaltim", "--out", gen, "--regions", wilayah, "--idm"}, idm...)
	if out, err := exec.CommandContext(ctx, c.generate, genArgs...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("generate: %w\n%s", err, tail(out))
	}
	for i, v := range versions {
		dir := filepath.Join(c.work, "register-"+v)
		if err := scaleRegister(filepath.Join(gen, "register"), dir, i+1); err != nil {
			return nil, err
		}
		s.regs[v] = dir
	}
	log.Printf("loading regions and IDM")
	if err := s.sinergi(ctx, "migrate"); err != nil {
		return nil, err
	}
	if err := s.sinergi(ctx, "etl", "load", "regions", wilayah); err != nil {
		return nil, err
	}
	if err := s.sinergi(ctx, append([]string{"etl", "load", "idm"}, idm...)...); err != nil {
		return nil, err
	}
	s.serve = exec.Command(c.sinergi, "serve")
	s.serve.Env = s.env()
	logFile, err := os.Create(filepath.Join(c.work, "serve.log"))
	if err != nil {
		return nil, err
	}
	s.serve.Stdout, s.serve.Stderr = logFile, logFile
	if err := s.serve.Start(); err != nil {
		return nil, err
	}
	if err := s.waitReady(ctx); err != nil {
		s.close()
		return nil, err
	}
	// The references: the answers with each version loaded (K first, so
	// that the soak starts from A).
	s.refs = make([]map[string]string, len(queries))
	for i := range s.refs {
		s.refs[i] = map[string]string{}
	}
	for _, v := range []string{"K", "B", "A"} {
		if err := s.load(ctx, v); err != nil {
			s.close()
			return nil, err
		}
		// serve learns of another process's publish by polling (every
		// second), and answers from the generation it knows until then.
		time.Sleep(3 * time.Second)
		for i, q := range queries {
			ans, err := s.referenceAnswer(ctx, q)
			if err != nil {
				s.close()
				return nil, fmt.Errorf("reference of %s for query %d: %w", v, i, err)
			}
			s.refs[i][v] = ans
		}
	}
	if b, err := json.MarshalIndent(s.refs, "", " "); err == nil {
		_ = os.WriteFile(filepath.Join(c.work, "references.json"), b, 0o644)
	}
	for _, i := range []int{0, 1, 3} { // the value queries must tell the versions apart
		if s.refs[i]["A"] == s.refs[i]["B"] || s.refs[i]["B"] == s.refs[i]["K"] {
			s.close()
			return nil, fmt.Errorf("query %d answers the same for two versions", i)
		}
	}
	return s, nil
}

// scaleRegister copies a register's CSV files, multiplying committed and
// realised values by k.
func scaleRegister(from, to string, k int) error {
	if err := os.MkdirAll(to, 0o755); err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(from, "*.csv"))
	if err != nil {
		return err
	}
	for _, f := range files {
		in, err := os.Open(f)
		if err != nil {
			return err
		}
		recs, err := csv.NewReader(in).ReadAll()
		in.Close()
		if err != nil {
			return err
		}
		for c, h := range recs[0] {
			if h != "committed_value" && h != "value" {
				continue
			}
			for _, r := range recs[1:] {
				if r[c] == "" {
					continue
				}
				v, err := strconv.ParseFloat(r[c], 64)
				if err != nil {
					return fmt.Errorf("%s: %q: %w", f, r[c], err)
				}
				r[c] = strconv.FormatFloat(v*float64(k), 'f', 2, 64)
			}
		}
		out, err := os.Create(filepath.Join(to, filepath.Base(f)))
		if err != nil {
			return err
		}
		w := csv.NewWriter(out)
		if err := w.WriteAll(recs); err != nil {
			return err
		}
		if err := out.Close(); err != nil {
			return err
		}
	}
	return nil
}

func (s *soak) registerFiles(v string) []string {
	files, _ := filepath.Glob(filepath.Join(s.regs[v], "*.csv"))
	return files
}

// load loads a version to its end.
func (s *soak) load(ctx context.Context, v string) error {
	s.loads.Lock()
	defer s.loads.Unlock()
	return s.sinergi(ctx, append([]string{"etl", "load", "register"}, s.registerFiles(v)...)...)
}

// killedLoad starts a load of K and kills it after a random moment.
func (s *soak) killedLoad(ctx context.Context) {
	s.loads.Lock()
	defer s.loads.Unlock()
	cmd := exec.CommandContext(ctx, s.c.sinergi, append([]string{"etl", "load", "register"}, s.registerFiles("K")...)...)
	cmd.Env = s.env()
	if err := cmd.Start(); err != nil {
		log.Printf("K load: %v", err)
		return
	}
	after := time.Duration(300+rand.IntN(3700)) * time.Millisecond
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		log.Printf("the K load ended before its kill (%v): %v", after, err)
		if err == nil {
			s.mu.Lock()
			s.kSuccess = append(s.kSuccess, time.Now())
			s.mu.Unlock()
		}
	case <-time.After(after):
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-done
		// A kill that came after the publish killed a completed load:
		// its answers may show (until the next load replaces them).
		published := false
		if a, err := s.ask(ctx, queries[3], true); err == nil && a.data == s.refs[3]["K"] {
			published = true
		}
		log.Printf("killed a K load after %v (published before the kill: %v)", after, published)
		s.mu.Lock()
		s.sum.LoadKills++
		if published {
			s.sum.LoadKillsAfterPublish++
			s.kSuccess = append(s.kSuccess, time.Now())
		}
		s.mu.Unlock()
	}
}

// killClickHouse kills the managed server; its supervisor restarts it.
func (s *soak) killClickHouse() {
	var st struct {
		PID int `json:"pid"`
	}
	b, err := os.ReadFile(filepath.Join(s.dataDir, "clickhouse", "server.json"))
	if err == nil {
		err = json.Unmarshal(b, &st)
	}
	if err != nil || st.PID == 0 {
		log.Printf("no ClickHouse to kill: %v", err)
		return
	}
	_ = syscall.Kill(st.PID, syscall.SIGKILL)
	log.Printf("killed ClickHouse (pid %d)", st.PID)
	s.mu.Lock()
	s.sum.ClickHouseKills++
	s.mu.Unlock()
}

func (s *soak) waitReady(ctx context.Context) error {
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		resp, err := http.Get("http://" + s.c.addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return errors.New("serve not ready after 2 minutes")
}

type answer struct {
	status int
	data   string // canonical JSON of data, when there are no errors
	code   string // the first error's code
}

func (s *soak) ask(ctx context.Context, q string, bypassCache bool) (answer, error) {
	body, _ := json.Marshal(map[string]string{"query": q})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+s.c.addr+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if bypassCache {
		req.Header.Set("Cache-Control", "no-cache")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	var env struct {
		Data   any `json:"data"`
		Errors []struct {
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	a := answer{status: resp.StatusCode}
	if err := json.Unmarshal(raw, &env); err != nil {
		a.code = "UNDECODABLE"
		return a, nil
	}
	if len(env.Errors) > 0 {
		a.code = env.Errors[0].Extensions.Code
		return a, nil
	}
	canon, _ := json.Marshal(env.Data)
	a.data = string(canon)
	return a, nil
}

func (s *soak) referenceAnswer(ctx context.Context, q string) (string, error) {
	for range 50 { // until the load's publish is seen
		a, err := s.ask(ctx, q, true)
		if err != nil {
			return "", err
		}
		if a.data != "" {
			return a.data, nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return "", errors.New("no answer")
}

// judge classifies one answer.
func (s *soak) judge(i int, a answer, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sum.Requests++
	if err != nil || a.status == http.StatusServiceUnavailable || a.code == "UNAVAILABLE" {
		s.sum.Unavailable++
		return
	}
	for _, v := range versions {
		if a.data != "" && a.data == s.refs[i][v] {
			s.sum.Answered[v]++
			if v == "K" {
				s.kAnswers = append(s.kAnswers, time.Now())
			}
			return
		}
	}
	s.sum.Wrong++
	if f, err := os.OpenFile(filepath.Join(s.c.work, "wrong.jsonl"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
		line, _ := json.Marshal(map[string]any{"at": time.Now(), "query": i, "status": a.status, "code": a.code, "data": a.data})
		_, _ = f.Write(append(line, '\n'))
		f.Close()
	}
	if len(s.sum.WrongExamples) < 5 {
		ex := fmt.Sprintf("query %d: HTTP %d, code %q, data %.200s", i, a.status, a.code, a.data)
		s.sum.WrongExamples = append(s.sum.WrongExamples, ex)
		log.Printf("WRONG ANSWER %s", ex)
	}
}

func (s *soak) run(ctx context.Context) (summary, error) {
	ctx, cancel := context.WithTimeout(ctx, s.c.duration)
	defer cancel()
	s.started = time.Now()
	s.sum.Duration, s.sum.Rate = s.c.duration.String(), s.c.rate
	s.sum.DiskStartMB = dirMB(filepath.Join(s.dataDir, "clickhouse", "data"))
	var wg sync.WaitGroup

	// Requests at a steady rate, open loop.
	var inflight atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Second / time.Duration(s.c.rate))
		defer tick.Stop()
		for n := 0; ; n++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			if inflight.Load() > 200 {
				continue // the server is stuck: do not pile up
			}
			i := n % len(queries)
			inflight.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer inflight.Add(-1)
				rctx, rcancel := context.WithTimeout(context.Background(), 40*time.Second)
				defer rcancel()
				a, err := s.ask(rctx, queries[i], n%2 == 0)
				s.judge(i, a, err)
			}()
		}
	}()

	// Regular loads, alternately B and A.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for n := 0; ; n++ {
			select {
			case <-ctx.Done():
				return
			case <-time.After(s.c.loadEvery):
			}
			v := []string{"B", "A"}[n%2]
			err := s.load(context.Background(), v)
			s.mu.Lock()
			s.sum.Loads++
			if err != nil {
				s.sum.LoadsFailed++
				log.Printf("load of %s failed: %v", v, err)
			}
			s.mu.Unlock()
		}
	}()

	// Faults, alternately.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for n := 0; ; n++ {
			select {
			case <-ctx.Done():
				return
			case <-time.After(s.c.faultEvery):
			}
			if n%2 == 0 {
				s.killClickHouse()
			} else {
				s.killedLoad(context.Background())
			}
		}
	}()

	// Memory and disk.
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(5 * time.Second)
		defer tick.Stop()
		for n := 0; ; n++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			rss := rssMB(s.serve.Process.Pid)
			chRSS := rssMB(s.clickHousePID())
			s.mu.Lock()
			s.sum.ServeRSSMaxMB = max(s.sum.ServeRSSMaxMB, rss)
			s.sum.ServeRSSLastMB = rss
			s.sum.CHRSSMaxMB = max(s.sum.CHRSSMaxMB, chRSS)
			s.mu.Unlock()
			if n%6 == 0 {
				disk := dirMB(filepath.Join(s.dataDir, "clickhouse", "data"))
				rows, _, _ := s.rawRows()
				s.mu.Lock()
				s.sum.DiskMaxMB = max(s.sum.DiskMaxMB, disk)
				s.sum.RawRowsMax = max(s.sum.RawRowsMax, rows)
				s.mu.Unlock()
				log.Printf("%s: %d requests, %d wrong, %d unavailable; serve %.0f MB, ClickHouse %.0f MB; data %.0f MB, %d realisation rows",
					time.Since(s.started).Round(time.Second), s.sum.Requests, s.sum.Wrong, s.sum.Unavailable, rss, chRSS, disk, rows)
			}
		}
	}()
	wg.Wait()

	// A last load settles every run; then nothing may be left unfinished.
	if err := s.load(context.Background(), "A"); err != nil {
		return s.sum, fmt.Errorf("the last load: %w", err)
	}
	if err := s.finish(); err != nil {
		return s.sum, err
	}
	return s.sum, nil
}

// finish checks the runs, counts K answers not backed by a K load that
// succeeded, and takes the last disk figures.
func (s *soak) finish() error {
	db, err := s.admin()
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	rows, err := db.Query(ctx, `SELECT run_id, toString(argMax(status, version)) AS status FROM etl_runs GROUP BY run_id`)
	if err != nil {
		return err
	}
	s.sum.RunsByStatus = map[string]int{}
	for rows.Next() {
		var id uint64
		var status string
		if err := rows.Scan(&id, &status); err != nil {
			return err
		}
		s.sum.RunsByStatus[status]++
		if status == "running" || status == "loaded" {
			s.sum.Unsettled = append(s.sum.Unsettled, fmt.Sprintf("run %d is %s", id, status))
		}
	}
	rows.Close()
	for _, t := range s.kAnswers {
		backed := false
		for _, ok := range s.kSuccess {
			// from the publish (before the process exits) until a
			// regular load or two replaced it
			backed = backed || (!t.Before(ok.Add(-time.Minute)) && t.Before(ok.Add(2*s.c.loadEvery+time.Minute)))
		}
		if !backed {
			s.sum.WrongK++
		}
	}
	s.sum.Wrong += int64(s.sum.WrongK)
	time.Sleep(5 * time.Second) // the last prune's deletes run in the background
	s.sum.DiskEndMB = dirMB(filepath.Join(s.dataDir, "clickhouse", "data"))
	s.sum.RawRowsEnd, s.sum.RunsWithRowsEnd, err = s.rawRows()
	return err
}

// admin connects to the managed ClickHouse as its admin user.
func (s *soak) admin() (ch.Conn, error) {
	dir := filepath.Join(s.dataDir, "clickhouse")
	var creds struct {
		Admin struct{ User, Password string }
	}
	var st struct {
		TCPPort int `json:"tcp_port"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "credentials.json"))
	if err == nil {
		err = json.Unmarshal(b, &creds)
	}
	if err == nil {
		b, err = os.ReadFile(filepath.Join(dir, "server.json"))
	}
	if err == nil {
		err = json.Unmarshal(b, &st)
	}
	if err != nil {
		return nil, err
	}
	return ch.Open(&ch.Options{Addr: []string{"127.0.0.1:" + strconv.Itoa(st.TCPPort)},
		Auth: ch.Auth{Database: "sinergi", Username: creds.Admin.User, Password: creds.Admin.Password}})
}

// rawRows counts the realisation rows stored and the register runs they
// belong to.
func (s *soak) rawRows() (rows, runs uint64, err error) {
	db, err := s.admin()
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = db.QueryRow(ctx, `SELECT count(), uniqExact(run_id) FROM coop_realisation_rows`).Scan(&rows, &runs)
	return rows, runs, err
}

func (s *soak) clickHousePID() int {
	var st struct {
		PID int `json:"pid"`
	}
	b, err := os.ReadFile(filepath.Join(s.dataDir, "clickhouse", "server.json"))
	if err == nil {
		_ = json.Unmarshal(b, &st)
	}
	return st.PID
}

func (s *soak) close() {
	if s.serve != nil && s.serve.Process != nil {
		_ = s.serve.Process.Signal(os.Interrupt)
		_ = s.serve.Wait()
	}
}

// rssMB is a process's resident memory, from /proc.
func rssMB(pid int) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// dirMB is the size of the files under dir.
func dirMB(dir string) float64 {
	var total int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				total += fi.Size()
			}
		}
		return nil
	})
	return float64(total) / (1 << 20)
}
