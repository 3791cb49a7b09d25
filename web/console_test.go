package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/sinergi-id/sinergi/data/kaltim"
	"github.com/sinergi-id/sinergi/data/simulation"
	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/etl/etltest"
	"github.com/sinergi-id/sinergi/graph"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/cooperation/coopch"
	"github.com/sinergi-id/sinergi/internal/httpapi"
	"github.com/sinergi-id/sinergi/internal/idm"
	"github.com/sinergi-id/sinergi/internal/idm/idmch"
	"github.com/sinergi-id/sinergi/internal/ingest"
	"github.com/sinergi-id/sinergi/internal/ingest/ingestch"
	"github.com/sinergi-id/sinergi/internal/region"
	"github.com/sinergi-id/sinergi/internal/region/regionch"
	"github.com/sinergi-id/sinergi/web"
)

func TestMain(m *testing.M) { os.Exit(clickhousetest.Main(m)) }

// repoRoot is the repository's root directory.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0) // <repo>/web/console_test.go
	return filepath.Join(filepath.Dir(file), "..")
}

// server is sinergi as `make run` serves it: real ClickHouse, the real Kaltim
// data, the seed register and the simulation, the console and the API.
func server(t *testing.T) *httptest.Server {
	t.Helper()
	db := clickhousetest.NewDB(t)
	log := clickhousetest.Logger(t)
	runner := etltest.NewRunner(db, log)
	data := filepath.Join(repoRoot(), "data", "kaltim")
	simFiles, err := simulation.Write(filepath.Join(t.TempDir(), "SIMULASI-kaltim", "register"))
	if err != nil {
		t.Fatal(err)
	}
	seed := filepath.Join(repoRoot(), "etl", "seed")
	for _, l := range []struct {
		dataset string
		files   []string
	}{
		{etl.DatasetRegions, []string{filepath.Join(data, kaltim.Wilayah)}},
		{etl.DatasetIDM, []string{filepath.Join(data, kaltim.IDM2023), filepath.Join(data, kaltim.IDM2024)}},
		{etl.DatasetRegister, []string{filepath.Join(seed, "agreements.csv"), filepath.Join(seed, "parties.csv")}},
		{etl.DatasetSimulation, simFiles},
		// Rows refused (and nothing loaded), for the Data view to show.
		{etl.DatasetIDM, []string{filepath.Join("testdata", "idm_refused.csv")}},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		_, err := runner.Load(ctx, l.dataset, l.files...)
		cancel()
		if err != nil {
			t.Fatalf("load %s: %v", l.dataset, err)
		}
	}
	regions := region.NewService(regionch.NewStore(db))
	scores := idm.NewService(idmch.NewStore(db), regions)
	res := &graph.Resolver{
		Regions:     regions,
		IDM:         scores,
		Ingest:      ingest.NewService(ingestch.NewStore(db)),
		Cooperation: cooperation.NewService(coopch.NewStore(db), regions, scores),
	}
	srv := httptest.NewServer(httpapi.NewMux(consoleAPI(graph.NewHandler(res, log, graph.DefaultLimits, nil), log), db.Ping, log, web.Handler(kaltim.Files())))
	t.Cleanup(srv.Close)
	return srv
}

// artifactsDir keeps the screenshots and the PDF of a run (git-ignored).
func artifactsDir(t *testing.T) string {
	dir := filepath.Join(repoRoot(), "artifacts", "browser")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(dir)
	t.Logf("screenshots and PDF: %s", abs)
	return abs
}

// chromium finds Debian's Chromium; the test fails (never skips) without it.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("Chromium is not installed: `make test` installs it (apt-get install chromium chromium-driver)")
	return ""
}

// browserLog records what the page did wrong: requests that left the
// machine (refused), requests that failed, console errors and exceptions.
type browserLog struct {
	mu       sync.Mutex
	external []string
	failed   []string
	errors   []string
}

func (b *browserLog) add(list *[]string, s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	*list = append(*list, s)
}

// problems returns everything recorded since the last call and forgets it.
func (b *browserLog) problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, s := range b.external {
		out = append(out, "request to the internet (refused): "+s)
	}
	for _, s := range b.failed {
		out = append(out, "failed request: "+s)
	}
	for _, s := range b.errors {
		out = append(out, "console: "+s)
	}
	b.external, b.failed, b.errors = nil, nil, nil
	return out
}

// withoutSignIn: the console asks /auth/session first, and a server
// without sign-in (these tests' servers) answers 404, which the console
// takes as "no accounts here".
func withoutSignIn(raw string, status int64) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Path == "/auth/session" && status == http.StatusNotFound
}

func isLocal(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "data", "blob", "about":
		return true
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// startBrowser starts headless Chromium with no network but loopback: every
// other request is refused and recorded.
func startBrowser(t *testing.T, downloads string) (context.Context, *browserLog) {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("lang", "id-ID"),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 1000),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })

	bl := &browserLog{}
	// Start the browser, then listen to its tab.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	if err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *fetch.EventRequestPaused:
			go func() {
				if isLocal(e.Request.URL) {
					_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: e.RequestID})
					return
				}
				bl.add(&bl.external, e.Request.URL)
				_, _ = chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: e.RequestID, ErrorReason: network.ErrorReasonBlockedByClient})
			}()
		case *network.EventLoadingFailed:
			if !e.Canceled {
				bl.add(&bl.failed, fmt.Sprintf("%s %s", e.Type, e.ErrorText))
			}
		case *network.EventResponseReceived:
			if e.Response.Status >= 400 && !withoutSignIn(e.Response.URL, e.Response.Status) {
				bl.add(&bl.failed, fmt.Sprintf("%s: HTTP %d", e.Response.URL, e.Response.Status))
			}
		case *cdpruntime.EventConsoleAPICalled:
			if e.Type == cdpruntime.ConsoleAPICalledTypeError || e.Type == cdpruntime.ConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				bl.add(&bl.errors, strings.Join(parts, " "))
			}
		case *cdpruntime.EventExceptionThrown:
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			bl.add(&bl.errors, msg)
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError && !withoutSignIn(e.Entry.URL, 404) {
				bl.add(&bl.errors, e.Entry.Text+" "+e.Entry.URL)
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	steps := []error{
		call(ctx, network.Enable, network.EnableParams{}),
		call(ctx, cdpruntime.Enable, cdp.Empty{}),
		call(ctx, cdplog.Enable, cdp.Empty{}),
		call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*"}}}),
	}
	_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads})
	steps = append(steps, err)
	for _, err := range steps {
		if err != nil {
			t.Fatalf("setting up Chromium: %v", err)
		}
	}
	return ctx, bl
}

func call[P, R any](ctx context.Context, cmd cdp.Command[P, R], params P) error {
	_, err := chromedp.Call(ctx, cmd, params)
	return err
}

// The views, their Indonesian titles and something each must show.
var views = []struct {
	path, title string
	texts       []string // Indonesian text the view must contain
	charts      int      // charts drawn at least
}{
	{"ringkasan", "Ringkasan", []string{"Empat isu strategis", "Kerja sama pihak ketiga", "Sebaran status IDM per tahun", "Kesegaran data", "miliar",
		"Per kabupaten dan isu: tahun ini dan tahun lalu", "Kerja sama ditandatangani per tahun dan isu", "Perubahan IDM: desa dengan dan tanpa kerja sama"}, 3},
	{"peta", "Peta", []string{"Rata-rata IDM 2024", "Kabupaten Kutai Kartanegara", "Lihat kecamatan"}, 1},
	{"bandingkan", "Bandingkan", []string{"Kartu skor", "Kerja sama per 100 desa", "Porsi desa tercakup", "Cetak"}, 4},
	{"sasaran", "Sasaran", []string{"Desa lemah tanpa mitra aktif", "Berkembang", "Mitra aktif di sekitar"}, 0},
	{"kerja-sama", "Kerja sama", []string{"Daftar kerja sama", "Segera berakhir", "SIMULASI-"}, 0},
	{"mitra", "Mitra", []string{"Mitra paling aktif", "Jenis mitra per isu", "Energi dan mineral per kabupaten", "Batu bara"}, 2},
	{"bkad", "BKAD", []string{"Badan Kerja Sama Antar-Desa", "BKAD"}, 0},
	{"lintas-wilayah", "Lintas wilayah", []string{"Hubungan kerja sama lintas wilayah", "Kabupaten Kutai Timur"}, 1},
	{"data", "Data", []string{"Kesegaran data", "Riwayat muat (ETL)", "Register SIMULASI", "Berhasil"}, 0},
}

// show goes to a view and waits until it is drawn.
func show(ctx context.Context, hash string) error {
	view := strings.SplitN(strings.TrimPrefix(hash, "#/"), "?", 2)[0]
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf("location.hash = %q", hash))); err != nil {
		return err
	}
	return chromedp.Do(ctx, chromedp.WaitVisible(fmt.Sprintf(`main[data-ready="1"][data-view=%q]`, view)))
}

func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func evalInt(t *testing.T, ctx context.Context, js string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return n
}

func evalString(t *testing.T, ctx context.Context, js string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return s
}

// query asks the API directly, as a notebook would.
func query(t *testing.T, srv *httptest.Server, q string, out any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q})
	resp, err := http.Post(srv.URL+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	if len(r.Errors) > 0 {
		t.Fatalf("%s: %v", q, r.Errors)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		t.Fatal(err)
	}
}

// waitFile waits for a download to complete.
func waitFile(t *testing.T, path string) []byte {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return b
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no download at %s", path)
	return nil
}

func TestConsoleInChromium(t *testing.T) {
	srv := server(t)
	shots := artifactsDir(t)
	downloads := t.TempDir()
	ctx, bl := startBrowser(t, downloads)
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()

	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(`main[data-ready="1"]`),
	); err != nil {
		t.Fatalf("opening the console: %v", err)
	}

	t.Run("every view renders the real data, offline, without errors", func(t *testing.T) {
		for _, v := range views {
			if err := show(ctx, "#/"+v.path); err != nil {
				t.Fatalf("%s: %v", v.path, err)
			}
			screenshot(t, ctx, shots, v.path)
			if h1 := evalString(t, ctx, `document.querySelector("main h1").textContent`); h1 != v.title {
				t.Errorf("%s: title %q, want %q", v.path, h1, v.title)
			}
			text := evalString(t, ctx, `document.body.innerText`)
			for _, want := range v.texts {
				if !strings.Contains(text, want) {
					t.Errorf("%s: %q not shown", v.path, want)
				}
			}
			if !strings.Contains(text, "SIMULASI") {
				t.Errorf("%s: the SIMULASI banner is missing", v.path)
			}
			if n := evalInt(t, ctx, `document.querySelectorAll("main .error").length`); n > 0 {
				t.Errorf("%s: %d errors shown: %s", v.path, n, evalString(t, ctx, `[...document.querySelectorAll("main .error")].map(e => e.textContent).join("; ")`))
			}
			if n := evalInt(t, ctx, `document.querySelectorAll("main .chart svg").length`); n < v.charts {
				t.Errorf("%s: %d charts drawn, want %d", v.path, n, v.charts)
			}
			if n := evalInt(t, ctx, `document.querySelectorAll("main table tbody tr").length`); n == 0 {
				t.Errorf("%s: no table rows", v.path)
			}
			if n := evalInt(t, ctx, `[...document.querySelectorAll("main [data-panel]")].filter(p => !p.dataset.query).length`); n > 0 {
				t.Errorf("%s: %d panels without their query (Lihat kueri)", v.path, n)
			}
			for _, p := range bl.problems() {
				t.Errorf("%s: %s", v.path, p)
			}
		}
	})

	t.Run("Ringkasan's Kesegaran data fits its panel, a date on two lines at most", func(t *testing.T) {
		if err := show(ctx, "#/ringkasan"); err != nil {
			t.Fatal(err)
		}
		type fit struct {
			Overflow  float64 // how far the table reaches past its panel, px
			DateLines []float64
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[fit](`(() => {
			const wrap = document.querySelector('[data-panel="kesegaran-data"] .table-wrap');
			const line = parseFloat(getComputedStyle(wrap).lineHeight) || 24;
			const cells = [...wrap.querySelectorAll('tbody tr')].map(tr => tr.cells[1]);
			return {overflow: wrap.scrollWidth - wrap.clientWidth,
				dateLines: cells.map(td => Math.round(td.querySelector('.when').getBoundingClientRect().height / line * 10) / 10)};
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		panel, err := chromedp.Run(ctx, chromedp.Screenshot(`[data-panel="kesegaran-data"]`))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(shots, "ringkasan-kesegaran-data.png"), panel, 0o644); err != nil {
			t.Fatal(err)
		}
		if got.Overflow > 0 {
			t.Errorf("the freshness table scrolls sideways by %.0f px", got.Overflow)
		}
		if len(got.DateLines) < 3 {
			t.Errorf("%d datasets shown, want regions, IDM and a register at least", len(got.DateLines))
		}
		for _, n := range got.DateLines {
			if n > 2.2 {
				t.Errorf("a date over %.1f lines (want 2 at most): %v", n, got.DateLines)
			}
		}
	})

	t.Run("the map's names neither overlap nor leave out the kota", func(t *testing.T) {
		if err := show(ctx, "#/peta"); err != nil {
			t.Fatal(err)
		}
		type box struct {
			Text       string
			X, Y, W, H float64
		}
		boxes, err := chromedp.Run(ctx, chromedp.Evaluate[[]box](`[...document.querySelectorAll('[data-panel="peta-kabupaten"] .chart.map svg text')]
			.map(t => { const r = t.getBoundingClientRect(); return {text: t.textContent.trim(), x: r.x, y: r.y, w: r.width, h: r.height}; })
			.filter(b => b.text && b.w > 0 && !/^[0-9,]+$/.test(b.text))`))
		if err != nil {
			t.Fatal(err)
		}
		if len(boxes) < 10 {
			t.Fatalf("%d names on the map of 10 kabupaten/kota: %+v", len(boxes), boxes)
		}
		shown := ""
		for i, a := range boxes {
			shown += a.Text + " "
			for _, b := range boxes[i+1:] {
				// One pixel of slack: the lines of one name touch.
				if a.X+1 < b.X+b.W && b.X+1 < a.X+a.W && a.Y+1 < b.Y+b.H && b.Y+1 < a.Y+a.H {
					t.Errorf("map names overlap: %q and %q", a.Text, b.Text)
				}
			}
		}
		for _, name := range []string{"Samarinda", "Bontang", "Balikpapan", "Penajam", "Kartanegara", "Paser"} {
			if !strings.Contains(shown, name) {
				t.Errorf("the map does not name %s: %q", name, shown)
			}
		}
		screenshot(t, ctx, shots, "peta-nama")
	})

	t.Run("a click on the map drills down to the kecamatan", func(t *testing.T) {
		if err := show(ctx, "#/peta"); err != nil {
			t.Fatal(err)
		}
		if n := evalInt(t, ctx, `document.querySelectorAll("main .chart.map svg path").length`); n < 10 {
			t.Fatalf("the map has %d shapes", n)
		}
		if err := chromedp.Do(ctx, chromedp.ScrollIntoView(`.hotspot[data-code="64.02"]`)); err != nil {
			t.Fatal(err)
		}
		xy, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const r = document.querySelector('.hotspot[data-code="64.02"]').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`))
		if err != nil {
			t.Fatal(err)
		}
		// The marker lets the mouse through: this clicks the map's shape of
		// Kutai Kartanegara.
		if err := chromedp.Do(ctx,
			chromedp.MouseClickXY(xy[0], xy[1]),
			chromedp.WaitVisible(`main[data-ready="1"] [data-panel="peta-kecamatan-64.02"]`),
		); err != nil {
			t.Fatalf("drill-down: %v", err)
		}
		screenshot(t, ctx, shots, "peta-kecamatan-kukar")
		var kec struct{ Regions []struct{ Code string } }
		query(t, srv, `{ regions(level: KECAMATAN, parentCode: "64.02") { code } }`, &kec)
		if n := evalInt(t, ctx, `document.querySelectorAll('[data-panel="peta-kecamatan-64.02"] tbody tr').length`); n != len(kec.Regions) {
			t.Errorf("drilled-down table: %d rows, want the %d kecamatan of Kutai Kartanegara", n, len(kec.Regions))
		}
		if crumb := evalString(t, ctx, `document.querySelector(".breadcrumb").innerText`); !strings.Contains(crumb, "Kutai Kartanegara") {
			t.Errorf("breadcrumb %q", crumb)
		}
		if err := chromedp.Do(ctx,
			chromedp.Click(`.breadcrumb a`),
			chromedp.WaitVisible(`main[data-ready="1"] [data-panel="peta-kabupaten"]`),
		); err != nil {
			t.Fatalf("back by the breadcrumb: %v", err)
		}
		for _, p := range bl.problems() {
			t.Error(p)
		}
	})

	t.Run("the Data view shows a load's refused rows with the reasons", func(t *testing.T) {
		if err := show(ctx, "#/data"); err != nil {
			t.Fatal(err)
		}
		// The run of idm_refused.csv: its button is the one with 3 rejects.
		if err := chromedp.Do(ctx, chromedp.Click(`//button[contains(., "(3)")]`)); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.WaitVisible(`main[data-ready="1"] [data-panel^="penolakan-"] tbody tr`)); err != nil {
			t.Fatal(err)
		}
		reasons, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-panel^="penolakan-"] tbody tr td:nth-child(5)')].map(td => td.textContent)`))
		if err != nil {
			t.Fatal(err)
		}
		if len(reasons) != 3 || slices.Contains(reasons, "") || slices.Contains(reasons, "–") {
			t.Errorf("refused rows shown with reasons %q, want the 3 rows of idm_refused.csv", reasons)
		}
		// Kolom: the unknown code's and the score's columns as the file
		// names them; none for a status that contradicts the scores (the
		// whole row's).
		columns, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-panel^="penolakan-"] tbody tr td:nth-child(4)')].map(td => td.textContent)`))
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"kode_desa", "iks", "–"}; !slices.Equal(columns, want) {
			t.Errorf("Kolom of the refused rows: %q, want %q", columns, want)
		}
		screenshot(t, ctx, shots, "data-penolakan")
		for _, p := range bl.problems() {
			t.Error(p)
		}
	})

	t.Run("a filter changes the table", func(t *testing.T) {
		if err := show(ctx, "#/kerja-sama"); err != nil {
			t.Fatal(err)
		}
		statuses := func() []string {
			out, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
				`[...document.querySelectorAll('[data-panel="daftar-kerja-sama"] tbody tr td:nth-child(3)')].map(td => td.textContent)`))
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		before := statuses()
		var labels struct {
			Labels []struct {
				Values []struct{ Value, Label string }
			}
		}
		query(t, srv, `{ labels(enums: [AGREEMENT_STATUS], language: ID) { values { value label } } }`, &labels)
		expired := ""
		for _, v := range labels.Labels[0].Values {
			if v.Value == "EXPIRED" {
				expired = v.Label
			}
		}
		if expired == "" || slices.IndexFunc(before, func(s string) bool { return s != expired }) < 0 {
			t.Fatalf("before filtering: statuses %v (expired is %q)", before, expired)
		}
		// Choose "Kedaluwarsa" in the status menu with the keyboard.
		if err := chromedp.Do(ctx,
			chromedp.Focus(`select[name="status"]`),
			chromedp.SetValue(`select[name="status"]`, "EXPIRED"),
		); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('select[name="status"]').dispatchEvent(new Event("change"))`)); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.WaitVisible(`main[data-ready="1"][data-view="kerja-sama"] [data-panel="daftar-kerja-sama"]`)); err != nil {
			t.Fatal(err)
		}
		after := statuses()
		if len(after) == 0 || slices.IndexFunc(after, func(s string) bool { return s != expired }) >= 0 {
			t.Fatalf("after filtering on EXPIRED: statuses %v", after)
		}
		screenshot(t, ctx, shots, "kerja-sama-kedaluwarsa")
		for _, p := range bl.problems() {
			t.Error(p)
		}
	})

	t.Run("the download of a view equals the API's figures", func(t *testing.T) {
		if err := show(ctx, "#/ringkasan"); err != nil {
			t.Fatal(err)
		}
		want := issueFigures(t, srv)

		if err := chromedp.Do(ctx, chromedp.Click(`[data-panel="isu-strategis"] button[data-action="csv"]`)); err != nil {
			t.Fatal(err)
		}
		raw := waitFile(t, filepath.Join(downloads, "sinergi-isu-strategis.csv"))
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if got := rows[0]; !slices.Equal(got, []string{"Isu strategis", "Kerja sama", "Kerja sama berlaku", "Desa tercakup", "Mitra aktif", "Nilai komitmen", "Nilai realisasi"}) {
			t.Errorf("CSV header %v", got)
		}
		if !equalRows(rows[1:], want) {
			t.Errorf("CSV rows\n%v\nwant (API)\n%v", rows[1:], want)
		}

		if err := chromedp.Do(ctx, chromedp.Click(`[data-panel="isu-strategis"] button[data-action="xlsx"]`)); err != nil {
			t.Fatal(err)
		}
		xlsx := waitFile(t, filepath.Join(downloads, "sinergi-isu-strategis.xlsx"))
		f, err := excelize.OpenReader(bytes.NewReader(xlsx))
		if err != nil {
			t.Fatalf("the XLSX download does not open: %v", err)
		}
		sheetRows, err := f.GetRows(f.GetSheetList()[0], excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if !equalRows(sheetRows[1:], want) {
			t.Errorf("XLSX rows\n%v\nwant (API)\n%v", sheetRows[1:], want)
		}
		for _, p := range bl.problems() {
			t.Error(p)
		}
	})

	t.Run("Bandingkan opens on the latest year with realisations", func(t *testing.T) {
		var stats struct {
			CooperationStats struct {
				Rows []struct {
					Period        string
					RealisedValue float64
				}
			}
		}
		query(t, srv, `{ cooperationStats(dimensions: [PERIOD], measures: [REALISED_VALUE], timeGrain: YEAR, fillPeriods: false) { rows { period realisedValue } } }`, &stats)
		latest := 0
		for _, r := range stats.CooperationStats.Rows {
			y, err := strconv.Atoi(r.Period)
			if err != nil {
				t.Fatalf("period %q", r.Period)
			}
			if r.RealisedValue > 0 && y <= time.Now().Year() && y > latest {
				latest = y
			}
		}
		if latest == 0 {
			t.Fatal("the simulation has no realisations")
		}
		if err := show(ctx, "#/bandingkan"); err != nil {
			t.Fatal(err)
		}
		if y := evalString(t, ctx, `document.querySelector('select[name="tahun"]').value`); y != strconv.Itoa(latest) {
			t.Errorf("Bandingkan opens on %s, want %d, the latest year with realisations", y, latest)
		}
		// The scorecards' realised value of that year is not an empty year's Rp 0.
		realised := evalString(t, ctx, fmt.Sprintf(`[...document.querySelectorAll('[data-panel="kartu-skor"] tbody tr')].find(r => r.cells[0].textContent === "Nilai realisasi %d")?.innerText ?? ""`, latest))
		if realised == "" || strings.Contains(realised, "Rp 0\t") || strings.HasSuffix(realised, "Rp 0") {
			t.Errorf("Nilai realisasi %d: %q", latest, realised)
		}
		for _, p := range bl.problems() {
			t.Error(p)
		}
	})

	t.Run("the print layout of the scorecards renders", func(t *testing.T) {
		if err := show(ctx, "#/bandingkan"); err != nil {
			t.Fatal(err)
		}
		if err := call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
			t.Fatal(err)
		}
		if d := evalString(t, ctx, `getComputedStyle(document.querySelector("nav#nav")).display`); d != "none" {
			t.Errorf("the menu prints (display %s)", d)
		}
		if d := evalString(t, ctx, `getComputedStyle(document.querySelector(".panel-actions")).display`); d != "none" {
			t.Errorf("the buttons print (display %s)", d)
		}
		if n := evalInt(t, ctx, `[...document.querySelectorAll('[data-panel]')].filter(p => p.getBoundingClientRect().height > 0).length`); n < 5 {
			t.Errorf("%d panels visible in print", n)
		}
		screenshot(t, ctx, shots, "bandingkan-cetak")
		pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFLandscape(), chromedp.PDFPrintBackground()))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(pdf, []byte("%PDF")) || len(pdf) < 10_000 {
			t.Errorf("PDF of %d bytes", len(pdf))
		}
		if err := os.WriteFile(filepath.Join(shots, "bandingkan.pdf"), pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
			t.Fatal(err)
		}
		for _, p := range bl.problems() {
			t.Error(p)
		}
	})

	t.Run("GraphiQL works offline with the query of a panel", func(t *testing.T) {
		if err := show(ctx, "#/ringkasan"); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx,
			chromedp.Click(`[data-panel="isu-strategis"] button[data-action="query"]`),
			chromedp.WaitVisible(`#query-dialog[open]`),
		); err != nil {
			t.Fatal(err)
		}
		href := evalString(t, ctx, `document.querySelector("#query-dialog-open").getAttribute("href")`)
		if text := evalString(t, ctx, `document.querySelector("#query-dialog-text").textContent`); !strings.Contains(text, "strategicIssues") {
			t.Errorf("Lihat kueri shows %q", text)
		}
		// The dialog's link to the API's own export of the list gives the
		// same figures, named in Indonesian.
		csvHref := evalString(t, ctx, `document.querySelector('#query-dialog-exports a[data-export="csv"]').getAttribute("href")`)
		resp, err := http.Get(srv.URL + csvHref)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(resp.Body).ReadAll()
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("export %s: HTTP %d, %v", csvHref, resp.StatusCode, err)
		}
		if want := issueFigures(t, srv); !equalRows(rows[1:], want) {
			t.Errorf("the API's export\n%v\nwant\n%v", rows[1:], want)
		}
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+href),
			chromedp.WaitVisible(`.graphiql-container .CodeMirror`),
			chromedp.Sleep(time.Second),
		); err != nil {
			t.Fatalf("GraphiQL: %v", err)
		}
		if q := evalString(t, ctx, `document.querySelector(".graphiql-query-editor .CodeMirror").CodeMirror.getValue()`); !strings.Contains(q, "strategicIssues") {
			t.Errorf("GraphiQL's editor holds %q", q)
		}
		// The schema is there: the documentation explorer lists the root
		// types (introspection through the same endpoint, offline).
		if err := chromedp.Do(ctx,
			chromedp.Click(`button[aria-label*="Documentation Explorer"]`),
			chromedp.WaitVisible(`.graphiql-doc-explorer-content`),
		); err != nil {
			t.Fatalf("GraphiQL's documentation explorer: %v", err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(evalString(t, ctx, `document.querySelector(".graphiql-doc-explorer-content").innerText`), "Query") {
			if time.Now().After(deadline) {
				t.Fatalf("GraphiQL shows no schema: %q", evalString(t, ctx, `document.querySelector(".graphiql-doc-explorer-content").innerText`))
			}
			time.Sleep(200 * time.Millisecond)
		}
		screenshot(t, ctx, shots, "graphiql")
		for _, p := range bl.problems() {
			t.Error(p)
		}
	})
}

// issueFigures are the four strategic issues as the API gives them, each
// named as the API's labels name it, in the Ringkasan panel's columns.
func issueFigures(t *testing.T, srv *httptest.Server) [][]string {
	t.Helper()
	var api struct {
		StrategicIssues []struct {
			Issue                                                   string
			Agreements, ActiveAgreements, VillagesCovered, Partners int
			CommittedValue, RealisedValue                           float64
		}
		Labels []struct {
			Values []struct{ Value, Label string }
		}
	}
	query(t, srv, `{ strategicIssues { issue agreements activeAgreements villagesCovered partners committedValue realisedValue }
		labels(enums: [STRATEGIC_ISSUE], language: ID) { values { value label } } }`, &api)
	name := map[string]string{}
	for _, v := range api.Labels[0].Values {
		name[v.Value] = v.Label
	}
	var want [][]string
	for _, s := range api.StrategicIssues {
		want = append(want, []string{name[s.Issue], strconv.Itoa(s.Agreements), strconv.Itoa(s.ActiveAgreements),
			strconv.Itoa(s.VillagesCovered), strconv.Itoa(s.Partners),
			strconv.FormatFloat(s.CommittedValue, 'f', -1, 64), strconv.FormatFloat(s.RealisedValue, 'f', -1, 64)})
	}
	return want
}

// equalRows compares rows of text, numbers by value.
func equalRows(got, want [][]string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if len(got[i]) != len(want[i]) {
			return false
		}
		for j := range got[i] {
			if got[i][j] == want[i][j] {
				continue
			}
			a, errA := strconv.ParseFloat(got[i][j], 64)
			b, errB := strconv.ParseFloat(want[i][j], 64)
			if errA != nil || errB != nil || a != b {
				return false
			}
		}
	}
	return true
}

// consoleAPI is the API as cmd/sinergi serves it: GraphQL and its exports.
func consoleAPI(gql http.Handler, log *slog.Logger) httpapi.API {
	return httpapi.API{GraphQL: gql, CSV: graph.NewExport(gql, log, false), XLSX: graph.NewExport(gql, log, true)}
}
