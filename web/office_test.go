package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/sinergi-id/sinergi/data/kaltim"
	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/etl/etltest"
	"github.com/sinergi-id/sinergi/etl/idmfile"
	"github.com/sinergi-id/sinergi/etl/regionfile"
	"github.com/sinergi-id/sinergi/etl/register"
	"github.com/sinergi-id/sinergi/graph"
	"github.com/sinergi-id/sinergi/internal/account"
	"github.com/sinergi-id/sinergi/internal/account/accountch"
	"github.com/sinergi-id/sinergi/internal/account/accounthttp"
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
	"github.com/sinergi-id/sinergi/internal/submission"
	"github.com/sinergi-id/sinergi/internal/submission/submissionch"
	"github.com/sinergi-id/sinergi/internal/submission/submissionhttp"
	"github.com/sinergi-id/sinergi/web"
)

// office is sinergi as `sinergi serve` wires it for the offices: keys,
// anonymous reading off, register checks and submissions scoped to the
// editor's regions, withdrawals, the audit history; the real Kaltim
// regions and the seed register.
type office struct {
	srv      *httptest.Server
	accounts *account.Service
}

func officeServer(t *testing.T) *office { return accountsServer(t, false) }

// accountsServer is sinergi with accounts, as `sinergi serve` wires it
// (anonymous reading off) or as `sinergi dev` does (on, with the IDM the
// views read besides).
func accountsServer(t *testing.T, anonymousRead bool) *office {
	t.Helper()
	db := clickhousetest.NewDB(t)
	log := clickhousetest.Logger(t)
	regionStore, runs, coop := regionch.NewStore(db), ingestch.NewStore(db), coopch.NewStore(db)
	runner := etl.NewRunner(runs, []etl.Dataset{
		regionfile.New(regionStore),
		idmfile.New(idmch.NewStore(db), regionStore),
		&register.Scoped{Dataset: register.New(coop, regionStore, runs, log), Regions: regionStore, Current: coop},
	}, etltest.NewRefresher(db), ingestch.LoadLock{DB: db, Log: log}, log)
	data, seed := filepath.Join(repoRoot(), "data", "kaltim"), filepath.Join(repoRoot(), "etl", "seed")
	type load struct {
		dataset string
		files   []string
	}
	loads := []load{
		{etl.DatasetRegions, []string{filepath.Join(data, kaltim.Wilayah)}},
		{etl.DatasetRegister, []string{filepath.Join(seed, "agreements.csv"), filepath.Join(seed, "parties.csv")}},
	}
	if anonymousRead {
		loads = append(loads, load{etl.DatasetIDM, []string{filepath.Join(data, kaltim.IDM2023), filepath.Join(data, kaltim.IDM2024)}})
	}
	for _, l := range loads {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		_, err := runner.Load(ctx, l.dataset, l.files...)
		cancel()
		if err != nil {
			t.Fatalf("load %s: %v", l.dataset, err)
		}
	}
	accounts := account.NewService(accountch.NewStore(db))
	subs := submission.NewService(&register.Registers{Runner: runner, Regions: regionStore, Current: coop, Limits: register.SubmissionLimits}, coop, submissionch.NewStore(db), submissionch.NewStore(db), accounts,
		t.TempDir(), submission.DefaultLimits, log)
	regions := region.NewService(regionStore)
	scores := idm.NewService(idmch.NewStore(db), regions)
	res := &graph.Resolver{
		Regions:     regions,
		IDM:         scores,
		Ingest:      ingest.NewService(runs),
		Cooperation: cooperation.NewService(coop, regions, scores),
		Submissions: subs,
		Accounts:    accounts,
	}
	mux := httpapi.NewMux(consoleAPI(graph.NewHandler(res, log, graph.DefaultLimits, nil), log), db.Ping, log, web.Handler(kaltim.Files()))
	mux.Handle("GET "+graph.AnnotatedWorkbookPath, submissionhttp.AnnotatedWorkbook(subs, log))
	guard := &accounthttp.Guard{Keys: accounts, Sessions: accounts, AnonymousRead: anonymousRead, Log: log}
	guard.Routes(mux)
	srv := httptest.NewServer(guard.Wrap(mux))
	t.Cleanup(srv.Close)
	return &office{srv: srv, accounts: accounts}
}

// key makes an API key as `sinergi keys create` does and returns it.
func (o *office) key(t *testing.T, name string, role account.Role, scopes ...string) string {
	t.Helper()
	codes, err := account.ParseScopes(scopes)
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := o.accounts.CreateKey(context.Background(), "cli:test", account.NewKey{Name: name, Role: role, Scopes: codes})
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// user makes a local account as `sinergi users create` does.
func (o *office) user(t *testing.T, name, display, password string, role account.Role, scopes ...string) {
	t.Helper()
	codes, err := account.ParseScopes(scopes)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.accounts.CreateUser(context.Background(), "cli:test", account.NewUser{Name: name, DisplayName: display, Role: role, Scopes: codes, Password: password}); err != nil {
		t.Fatal(err)
	}
}

// api asks the API with a key, as a notebook would.
func (o *office) api(t *testing.T, token, q string, vars map[string]any, out any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, o.srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
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

// agreementIDs are the agreements every figure counts now.
func (o *office) agreementIDs(t *testing.T, token string) []string {
	var d struct {
		Agreements struct{ Nodes []struct{ ID string } }
	}
	o.api(t, token, `{ agreements(first: 100) { nodes { id } } }`, nil, &d)
	var ids []string
	for _, n := range d.Agreements.Nodes {
		ids = append(ids, n.ID)
	}
	slices.Sort(ids)
	return ids
}

// kukarWorkbook is an office's register with rows in and out of the scope
// of Kutai Kartanegara (64.02): one of Kukar, one of Berau (64.03) alone,
// a joint one of both, and one the validation refuses.
func kukarWorkbook(t *testing.T) []byte {
	t.Helper()
	sheets := []struct {
		name string
		rows [][]string
	}{
		{"agreements", [][]string{
			{"agreement_id", "title", "document_type", "signed_date", "status", "committed_value"},
			{"KUKAR-2026-001", "Pembinaan UMKM Loa Kulu", "PKS", "2026-01-10", "ACTIVE", "100000000"},
			{"BERAU-2026-001", "Desa wisata Kelay", "PKS", "2026-01-11", "ACTIVE", "50000000"},
			{"JOINT-2026-001", "Kerja sama antar kabupaten", "PKS", "2026-01-12", "ACTIVE", "70000000"},
			{"BAD-2026-001", "Status salah", "PKS", "2026-01-13", "SIGNED-ISH", "1"},
		}},
		{"parties", [][]string{
			{"agreement_id", "party_type", "name", "region_code"},
			{"KUKAR-2026-001", "DESA", "Jonggon Desa", "64.02.02.2001"},
			{"KUKAR-2026-001", "DESA", "Sungai Payang", "64.02.02.2002"},
			{"BERAU-2026-001", "DESA", "Merabu", "64.03.01.2001"},
			{"BERAU-2026-001", "DESA", "Panaan", "64.03.01.2002"},
			{"JOINT-2026-001", "DESA", "Jembayan", "64.02.02.2003"},
			{"JOINT-2026-001", "DESA", "Merapun", "64.03.01.2003"},
		}},
		{"realisations", [][]string{
			{"agreement_id", "village_code", "month", "value"},
			{"KUKAR-2026-001", "64.02.02.2001", "2026-02", "10000000"},
			{"BERAU-2026-001", "64.03.01.2001", "2026-02", "5000000"},
		}},
	}
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := f.SetCellStr(s.name, cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The refused rows of kukarWorkbook for an editor of 64.02: sheet, line and
// what the reason says.
var kukarRejects = []struct {
	sheet  string
	line   int
	column string // as the Kolom cell shows it: "–" for a reason of the whole row
	reason string
}{
	{"agreements", 3, "–", "outside your scope (64.02)"},
	{"agreements", 5, "status", "status"},
	{"parties", 4, "–", "outside your scope (64.02)"},
	{"parties", 5, "–", "outside your scope (64.02)"},
	{"realisations", 3, "–", "outside your scope (64.02)"},
}

// signIn signs in through the console's sign-in screen, from wherever the
// console is, and waits for the view it returns to.
func signIn(t *testing.T, ctx context.Context, name, password, view string) {
	t.Helper()
	if err := step(ctx,
		chromedp.WaitVisible(`main[data-ready="1"][data-view="masuk"] #f-username`),
		chromedp.SetValue(`#f-username`, name),
		chromedp.SetValue(`#f-password`, password),
		chromedp.Click(`button[data-action="masuk"]`),
	); err != nil {
		t.Fatalf("signing in as %s: %v", name, err)
	}
	if err := waitReady(ctx, view); err != nil {
		t.Fatalf("after signing in as %s: %v", name, err)
	}
}

// signOut signs out with Keluar and waits for the sign-in screen.
func signOut(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := step(ctx, chromedp.Click(`#keluar`)); err != nil {
		t.Fatal(err)
	}
	if err := waitReady(ctx, "masuk"); err != nil {
		t.Fatalf("after Keluar: %v", err)
	}
}

func menu(t *testing.T, ctx context.Context) []string {
	t.Helper()
	items, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("nav#nav a")].map(a => a.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func waitReady(ctx context.Context, view string) error {
	return step(ctx, chromedp.WaitVisible(fmt.Sprintf(`main[data-ready="1"][data-view=%q]`, view)))
}

// step runs browser actions, failing after a minute rather than waiting
// for the whole test's deadline on a selector that never shows.
func step(ctx context.Context, actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

// TestOfficeSubmitsAndWithdrawsInChromium is an office's round in the
// console, with anonymous reading off: an unsigned visitor gets the
// sign-in screen and no data; an editor for 64.02 signs in, checks a
// workbook with rows in and out of its scope, reads the refused rows with
// their reasons, downloads its workbook with the Keterangan column,
// submits it and finds the run in the Data view; withdraws an agreement
// and the figures leave it out; an admin finds it in the history and
// restores it; a viewer sees neither Kirim register nor Tarik.
func TestOfficeSubmitsAndWithdrawsInChromium(t *testing.T) {
	o := officeServer(t)
	o.user(t, "kukar", "DPMD Kukar", "kukar-sandi-2026", account.RoleEditor, "64.02")
	o.user(t, "bappeda", "Admin Bappeda", "admin-sandi-2026", account.RoleAdmin)
	o.user(t, "pembaca", "Pembaca Bappeda", "pembaca-sandi-2026", account.RoleViewer)
	viewer := o.key(t, "Notebook Bappeda", account.RoleViewer)
	shots := artifactsDir(t)
	downloads := t.TempDir()
	ctx, bl := startBrowser(t, downloads)
	ctx, cancel := context.WithTimeout(ctx, 6*time.Minute)
	defer cancel()

	book := filepath.Join(t.TempDir(), "Register Kukar 2026.xlsx")
	if err := os.WriteFile(book, kukarWorkbook(t), 0o644); err != nil {
		t.Fatal(err)
	}
	seedIDs := o.agreementIDs(t, viewer)

	t.Run("an unsigned visitor gets the sign-in screen and no data", func(t *testing.T) {
		if err := step(ctx, chromedp.Navigate(o.srv.URL+"/#/kirim-register")); err != nil {
			t.Fatal(err)
		}
		if err := waitReady(ctx, "masuk"); err != nil {
			t.Fatalf("no sign-in screen: %v", err)
		}
		if items := menu(t, ctx); len(items) != 0 {
			t.Errorf("menu before signing in: %q", items)
		}
		if n := evalInt(t, ctx, `document.querySelectorAll("main table, main [data-panel]").length`); n != 0 {
			t.Errorf("%d tables or panels before signing in", n)
		}
		screenshot(t, ctx, shots, "masuk")
		for _, p := range bl.problems() {
			t.Error(p) // nothing was asked that needs signing in
		}
		// A wrong password: the same message as an unknown user, the form stays.
		if err := step(ctx,
			chromedp.SendKeys(`#f-username`, "kukar"),
			chromedp.SendKeys(`#f-password`, "salah"),
			chromedp.Click(`button[data-action="masuk"]`),
			chromedp.WaitVisible(`#masuk-error`),
		); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for evalString(t, ctx, `document.querySelector("#masuk-error").textContent`) == "" && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		if msg := evalString(t, ctx, `document.querySelector("#masuk-error").textContent`); !strings.Contains(msg, "Nama pengguna atau kata sandi salah") {
			t.Errorf("wrong password: %q", msg)
		}
		// Wrong passwords for one name, again and again: the sign-in limit
		// answers 429, and the screen says how long to wait.
		var msg string
		for i := range 8 {
			if err := step(ctx,
				chromedp.SetValue(`#f-username`, "tamu"),
				chromedp.SetValue(`#f-password`, fmt.Sprintf("salah-%d", i)),
				chromedp.Click(`button[data-action="masuk"]`),
				chromedp.WaitVisible(`button[data-action="masuk"]:enabled`),
			); err != nil {
				t.Fatal(err)
			}
			if msg = evalString(t, ctx, `document.querySelector("#masuk-error").textContent`); strings.Contains(msg, "Terlalu banyak percobaan masuk") {
				break
			}
		}
		if !strings.Contains(msg, "Terlalu banyak percobaan masuk. Coba lagi dalam") || !strings.Contains(msg, "detik") {
			t.Errorf("after many wrong passwords: %q", msg)
		}
		screenshot(t, ctx, shots, "masuk-terlalu-banyak")
		bl.problems() // the refused sign-ins' 401 and 429
	})

	signIn(t, ctx, "kukar", "kukar-sandi-2026", "kirim-register")
	if who := evalString(t, ctx, `document.querySelector("#siapa").textContent`); who != "DPMD Kukar · penyunting · 64.02" {
		t.Errorf("signed in as %q", who)
	}
	if items := menu(t, ctx); !slices.Contains(items, "Kirim register") || slices.Contains(items, "Riwayat perubahan") {
		t.Errorf("an editor's menu: %q", items)
	}

	t.Run("a file that is not a register is refused with the reason", func(t *testing.T) {
		dir := t.TempDir()
		notes, broken := filepath.Join(dir, "catatan.txt"), filepath.Join(dir, "rusak.xlsx")
		if err := os.WriteFile(notes, []byte("bukan register"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(broken, []byte("PK\x03\x04 bukan zip yang utuh"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := step(ctx, chromedp.SetUploadFiles(`#f-berkas`, []string{notes}), chromedp.WaitVisible(`.status .error`)); err != nil {
			t.Fatal(err)
		}
		if msg := evalString(t, ctx, `document.querySelector(".status .error").textContent`); !strings.Contains(msg, "Bukan .xlsx atau .csv: catatan.txt") {
			t.Errorf("a .txt file: %q", msg)
		}
		if err := step(ctx,
			chromedp.SetUploadFiles(`#f-berkas`, []string{broken}),
			chromedp.WaitEnabled(`button[data-action="periksa"]`),
			chromedp.Click(`button[data-action="periksa"]`),
			chromedp.WaitVisible(`.status .error`),
		); err != nil {
			t.Fatal(err)
		}
		msg := evalString(t, ctx, `document.querySelector(".status .error").textContent`)
		if !strings.HasPrefix(msg, "Register ditolak: ") || !strings.Contains(msg, "rusak.xlsx") {
			t.Errorf("a broken workbook: %q", msg)
		}
		if n := evalInt(t, ctx, `document.querySelectorAll("[data-panel]").length`); n != 0 {
			t.Errorf("a refused check shows %d panels", n)
		}
		if evalInt(t, ctx, `document.querySelector('button[data-action="kirim"]').disabled ? 1 : 0`) != 1 {
			t.Errorf("Kirim is enabled after a refused check")
		}
		screenshot(t, ctx, shots, "kirim-register-rusak")
		t.Logf("a broken workbook: %s", msg)
		bl.problems() // the refused check's answer
	})

	t.Run("files over the limits are too large, with the limit, not a refused register", func(t *testing.T) {
		dir := t.TempDir()
		for _, tc := range []struct {
			name  string
			size  int64
			limit string
		}{
			{"besar.csv", 40 << 20, "32 MB"},   // over a submission's limit: the API's REQUEST_TOO_LARGE
			{"raksasa.csv", 70 << 20, "32 MB"}, // over the upload body's hard stop too (HTTP 413), which still names the submission's limit
		} {
			path := filepath.Join(dir, tc.name)
			row := []byte("KUKAR-1,judul,PKS,2026-01-01,ACTIVE,1\n")
			if err := os.WriteFile(path, bytes.Repeat(row, int(tc.size)/len(row)+1), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := step(ctx,
				chromedp.SetUploadFiles(`#f-berkas`, []string{path}),
				chromedp.WaitEnabled(`button[data-action="periksa"]`),
				chromedp.Click(`button[data-action="periksa"]`),
				chromedp.WaitVisible(`.status .error`),
			); err != nil {
				t.Fatal(err)
			}
			want := "Berkas terlalu besar: batasnya " + tc.limit + " untuk satu kiriman."
			msg := ""
			for deadline := time.Now().Add(time.Minute); msg != want && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
				msg = evalString(t, ctx, `document.querySelector(".status .error")?.textContent ?? ""`)
			}
			if msg != want {
				t.Errorf("%s (%d MB): %q, want %q", tc.name, tc.size>>20, msg, want)
			}
			screenshot(t, ctx, shots, "kirim-register-"+strings.TrimSuffix(tc.name, ".csv"))
			bl.problems() // the refusals' answers
		}
	})

	t.Run("the refused rows come a page at a time", func(t *testing.T) {
		f := excelize.NewFile()
		defer f.Close()
		_ = f.SetSheetName("Sheet1", "agreements")
		_ = f.SetSheetRow("agreements", "A1", &[]string{"agreement_id", "title", "document_type", "signed_date", "status", "committed_value"})
		for i := range 60 {
			row := []string{fmt.Sprintf("KUKAR-2026-%03d", i+100), "Status salah", "PKS", "2026-01-13", "SIGNED-ISH", "1"}
			if err := f.SetSheetRow("agreements", fmt.Sprintf("A%d", i+2), &row); err != nil {
				t.Fatal(err)
			}
		}
		for sheet, header := range map[string][]string{
			"parties":      {"agreement_id", "party_type", "name", "region_code"},
			"realisations": {"agreement_id", "village_code", "month", "value"},
		} {
			if _, err := f.NewSheet(sheet); err != nil {
				t.Fatal(err)
			}
			if err := f.SetSheetRow(sheet, "A1", &header); err != nil {
				t.Fatal(err)
			}
		}
		path := filepath.Join(t.TempDir(), "Banyak salah.xlsx")
		if err := f.SaveAs(path); err != nil {
			t.Fatal(err)
		}
		if err := step(ctx,
			chromedp.SetUploadFiles(`#f-berkas`, []string{path}),
			chromedp.WaitEnabled(`button[data-action="periksa"]`),
			chromedp.Click(`button[data-action="periksa"]`),
			chromedp.WaitVisible(`[data-panel="periksa-ditolak"] tbody tr, .status .error`),
		); err != nil {
			t.Fatal(err)
		}
		if msg := evalString(t, ctx, `document.querySelector(".status .error")?.textContent ?? ""`); msg != "" {
			t.Fatalf("the check was refused: %s", msg)
		}
		lines := func() []string {
			out, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-panel="periksa-ditolak"] tbody tr td:nth-child(3)')].map(td => td.textContent)`))
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		first := lines()
		if count := evalString(t, ctx, `document.querySelector('[data-panel="periksa-ditolak"] .count').textContent`); count != "60 baris · Halaman 1 dari 2" || len(first) != 50 || first[0] != "2" {
			t.Fatalf("first page: %q, lines %v", count, first)
		}
		if err := step(ctx,
			chromedp.Click(`[data-panel="periksa-ditolak"] button[data-action="next"]`),
			chromedp.WaitVisible(`[data-panel="periksa-ditolak"] button[data-action="prev"]:enabled`),
		); err != nil {
			t.Fatal(err)
		}
		if second := lines(); len(second) != 10 || second[0] != "52" || second[9] != "61" {
			t.Errorf("second page: lines %v, want 52 to 61", second)
		}
		if evalInt(t, ctx, `document.querySelector('[data-panel="periksa-ditolak"] button[data-action="next"]').disabled ? 1 : 0`) != 1 {
			t.Errorf("Berikutnya is enabled on the last page")
		}
		for _, p := range bl.problems() {
			t.Error(p)
		}
	})

	t.Run("the check shows every refused row with sheet, line and reason", func(t *testing.T) {
		if err := step(ctx,
			chromedp.SetUploadFiles(`#f-berkas`, []string{book}),
			chromedp.WaitEnabled(`button[data-action="periksa"]`),
			chromedp.Click(`button[data-action="periksa"]`),
			chromedp.WaitVisible(`[data-panel="periksa-ditolak"] tbody tr`),
		); err != nil {
			t.Fatalf("checking: %v", err)
		}
		facts := map[string]string{}
		for _, k := range []string{"rowsRead", "agreements", "outsideScope", "rejectedCount", "warningCount"} {
			facts[k] = evalString(t, ctx, fmt.Sprintf(`document.querySelector('[data-fact=%q] .kpi-main').textContent`, k))
		}
		if want := map[string]string{"rowsRead": "12", "agreements": "3", "outsideScope": "1", "rejectedCount": "5", "warningCount": "0"}; !maps.Equal(facts, want) {
			t.Errorf("the report's counts: %v, want %v", facts, want)
		}
		rows, err := chromedp.Run(ctx, chromedp.Evaluate[[][]string](
			`[...document.querySelectorAll('[data-panel="periksa-ditolak"] tbody tr')].map(tr => [...tr.children].map(td => td.textContent))`))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(kukarRejects) {
			t.Fatalf("refused rows shown: %q, want %d", rows, len(kukarRejects))
		}
		for i, w := range kukarRejects {
			if rows[i][1] != w.sheet || rows[i][2] != fmt.Sprint(w.line) || rows[i][3] != w.column || !strings.Contains(rows[i][4], w.reason) {
				t.Errorf("refused row %d: %q, want %s line %d, Kolom %s: %s", i, rows[i], w.sheet, w.line, w.column, w.reason)
			}
		}
		if text := evalString(t, ctx, `document.querySelector('[data-panel="periksa-peringatan"]').innerText`); !strings.Contains(text, "Tidak ada peringatan.") {
			t.Errorf("warnings panel: %q", text)
		}
		// Nothing of a check is visible.
		if got := o.agreementIDs(t, viewer); !slices.Equal(got, seedIDs) {
			t.Errorf("agreements after a check: %v, want the seed's %v", got, seedIDs)
		}
		screenshot(t, ctx, shots, "kirim-register-periksa")
		for _, p := range bl.problems() {
			t.Error(p)
		}
	})

	t.Run("the annotated workbook has a Keterangan beside each refused row", func(t *testing.T) {
		if err := step(ctx, chromedp.Click(`[data-link="keterangan"]`)); err != nil {
			t.Fatal(err)
		}
		f := openDownloadedWorkbook(t, downloads)
		notes := map[string]string{}
		for _, sheet := range []string{"agreements", "parties", "realisations"} {
			rows, err := f.GetRows(sheet)
			if err != nil {
				t.Fatal(err)
			}
			col := slices.Index(rows[0], "Keterangan")
			if col < 0 {
				t.Fatalf("%s: no Keterangan column in %q", sheet, rows[0])
			}
			for i, row := range rows[1:] {
				if len(row) > col && row[col] != "" {
					notes[fmt.Sprintf("%s:%d", sheet, i+2)] = row[col]
				}
			}
		}
		if len(notes) != len(kukarRejects) {
			t.Errorf("Keterangan on %d rows (%v), want %d", len(notes), notes, len(kukarRejects))
		}
		for _, w := range kukarRejects {
			if n := notes[fmt.Sprintf("%s:%d", w.sheet, w.line)]; !strings.Contains(n, w.reason) {
				t.Errorf("Keterangan of %s line %d: %q, want %q", w.sheet, w.line, n, w.reason)
			}
		}
		for _, p := range bl.problems() {
			t.Error(p)
		}
	})

	var runID string
	t.Run("the submission loads and the Data view shows the run", func(t *testing.T) {
		if err := step(ctx,
			chromedp.WaitEnabled(`button[data-action="kirim"]`),
			chromedp.Click(`button[data-action="kirim"]`),
			chromedp.WaitVisible(`[data-panel="hasil-kirim"] a[data-link="run"]`),
		); err != nil {
			t.Fatalf("submitting: %v", err)
		}
		outcome := evalString(t, ctx, `document.querySelector('[data-panel="hasil-kirim"] .outcome').textContent`)
		if !strings.Contains(outcome, "Register dimuat") || !strings.Contains(outcome, "5 baris ditolak") {
			t.Errorf("outcome: %q", outcome)
		}
		screenshot(t, ctx, shots, "kirim-register-terkirim")
		if got, want := o.agreementIDs(t, viewer), sortedWith(seedIDs, "JOINT-2026-001", "KUKAR-2026-001"); !slices.Equal(got, want) {
			t.Errorf("agreements after the submission: %v, want %v", got, want)
		}
		href := evalString(t, ctx, `document.querySelector('[data-panel="hasil-kirim"] a[data-link="run"]').getAttribute("href")`)
		runID = strings.TrimPrefix(href, "#/data?run=")
		if err := step(ctx, chromedp.Click(`[data-panel="hasil-kirim"] a[data-link="run"]`)); err != nil {
			t.Fatal(err)
		}
		if err := step(ctx, chromedp.WaitVisible(fmt.Sprintf(`main[data-ready="1"][data-view="data"] [data-panel="penolakan-%s"] tbody tr`, runID))); err != nil {
			t.Fatalf("the Data view of run %s: %v", runID, err)
		}
		run, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](fmt.Sprintf(
			`[...[...document.querySelectorAll('[data-panel="riwayat-muat"] tbody tr')].find(tr => tr.children[0].textContent === %q)?.children ?? []].map(td => td.textContent)`, runID)))
		if err != nil {
			t.Fatal(err)
		}
		if len(run) < 9 || run[2] != "Berhasil" || run[6] != "5" || !strings.Contains(run[8], "DPMD Kukar") {
			t.Errorf("the run in the Data view: %q, want succeeded, 5 refused, submitted by DPMD Kukar", run)
		}
		if n := evalInt(t, ctx, fmt.Sprintf(`document.querySelectorAll('[data-panel="penolakan-%s"] tbody tr').length`, runID)); n != len(kukarRejects) {
			t.Errorf("the run's refused rows in the Data view: %d, want %d", n, len(kukarRejects))
		}
		screenshot(t, ctx, shots, "kirim-register-data")
		for _, p := range bl.problems() {
			t.Error(p)
		}
	})

	t.Run("a withdrawal takes the agreement out of the figures", func(t *testing.T) {
		before := o.agreementIDs(t, viewer)
		if err := show(ctx, "#/kerja-sama?id=KUKAR-2026-001"); err != nil {
			t.Fatal(err)
		}
		count := func() string {
			return evalString(t, ctx, `document.querySelector('[data-panel="daftar-kerja-sama"] .subtitle').textContent`)
		}
		listedBefore := count()
		if err := step(ctx,
			chromedp.Click(`[data-panel="rincian-kerja-sama"] button[data-action="tarik"]`),
			chromedp.WaitVisible(`#alasan-dialog[open]`),
		); err != nil {
			t.Fatal(err)
		}
		// No reason, no withdrawal.
		if err := step(ctx, chromedp.Click(`#alasan-dialog button[data-action="konfirmasi"]`)); err != nil {
			t.Fatal(err)
		}
		if got := o.agreementIDs(t, viewer); !slices.Equal(got, before) {
			t.Fatalf("withdrawn without a reason: %v", got)
		}
		screenshot(t, ctx, shots, "tarik-kerja-sama")
		if err := step(ctx,
			chromedp.SendKeys(`#alasan`, "Dimasukkan dua kali; salah kabupaten"),
			chromedp.Click(`#alasan-dialog button[data-action="konfirmasi"]`),
			chromedp.WaitVisible(`main[data-ready="1"][data-view="kerja-sama"] [data-notice="ok"]`),
		); err != nil {
			t.Fatalf("withdrawing: %v", err)
		}
		if got, want := o.agreementIDs(t, viewer), slices.DeleteFunc(slices.Clone(before), func(s string) bool { return s == "KUKAR-2026-001" }); !slices.Equal(got, want) {
			t.Errorf("agreements after the withdrawal: %v, want %v", got, want)
		}
		if after := count(); after == listedBefore {
			t.Errorf("the list still says %q after the withdrawal", after)
		}
		if n := evalInt(t, ctx, `[...document.querySelectorAll('[data-panel="daftar-kerja-sama"] tbody td:first-child')].filter(td => td.textContent === "KUKAR-2026-001").length`); n != 0 {
			t.Errorf("the withdrawn agreement is still listed")
		}
		screenshot(t, ctx, shots, "tarik-kerja-sama-selesai")
		for _, p := range bl.problems() {
			t.Error(p)
		}
	})

	t.Run("a register sent as CSV files, all rows in scope", func(t *testing.T) {
		dir := t.TempDir()
		files := map[string]string{
			"agreements.csv": "agreement_id,title,document_type,signed_date,status,committed_value\nKUKAR-2026-050,Jalan usaha tani,PKS,2026-03-01,ACTIVE,25000000\n",
			"parties.csv":    "agreement_id,party_type,name,region_code\nKUKAR-2026-050,DESA,Jonggon Desa,64.02.02.2001\n",
		}
		var paths []string
		for name, body := range files {
			paths = append(paths, filepath.Join(dir, name))
			if err := os.WriteFile(paths[len(paths)-1], []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := show(ctx, "#/kirim-register"); err != nil {
			t.Fatal(err)
		}
		if err := step(ctx,
			chromedp.SetUploadFiles(`#f-berkas`, paths),
			chromedp.WaitEnabled(`button[data-action="periksa"]`),
			chromedp.Click(`button[data-action="periksa"]`),
			chromedp.WaitVisible(`[data-panel="periksa-ditolak"] .empty, .status .error`),
		); err != nil {
			t.Fatal(err)
		}
		if msg := evalString(t, ctx, `document.querySelector(".status .error")?.textContent ?? ""`); msg != "" {
			t.Fatalf("the check was refused: %s", msg)
		}
		if n := evalInt(t, ctx, `document.querySelectorAll('[data-link="keterangan"]').length`); n != 0 {
			t.Errorf("a Keterangan download offered with nothing refused")
		}
		if got := evalString(t, ctx, `document.querySelector('[data-fact="agreements"] .kpi-main').textContent`); got != "1" {
			t.Errorf("agreements accepted: %s", got)
		}
		if err := step(ctx,
			chromedp.WaitEnabled(`button[data-action="kirim"]`),
			chromedp.Click(`button[data-action="kirim"]`),
			chromedp.WaitVisible(`[data-panel="hasil-kirim"] .outcome`),
		); err != nil {
			t.Fatal(err)
		}
		if outcome := evalString(t, ctx, `document.querySelector('[data-panel="hasil-kirim"] .outcome').textContent`); !strings.Contains(outcome, "2 baris dimuat, 0 baris ditolak") {
			t.Errorf("outcome: %q", outcome)
		}
		if got := o.agreementIDs(t, viewer); !slices.Contains(got, "KUKAR-2026-050") {
			t.Errorf("agreements after the CSV submission: %v", got)
		}
		for _, p := range bl.problems() {
			t.Error(p)
		}
	})

	t.Run("a register whose only finding is a warning offers its Keterangan", func(t *testing.T) {
		dir := t.TempDir()
		files := map[string]string{
			"agreements.csv": "agreement_id,title,document_type,signed_date,status,committed_value\nKUKAR-2026-051,Jalan usaha tani,PKS,2026-03-01,ACTIVE,25000000\n",
			"parties.csv":    "agreement_id,party_type,name,region_code\nKUKAR-2026-051,DESA,Kampung Keliru,64.02.02.2001\n",
		}
		var paths []string
		for name, body := range files {
			paths = append(paths, filepath.Join(dir, name))
			if err := os.WriteFile(paths[len(paths)-1], []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := show(ctx, "#/kirim-register"); err != nil {
			t.Fatal(err)
		}
		if err := step(ctx,
			chromedp.SetUploadFiles(`#f-berkas`, paths),
			chromedp.WaitEnabled(`button[data-action="periksa"]`),
			chromedp.Click(`button[data-action="periksa"]`),
			chromedp.WaitVisible(`[data-panel="periksa-ditolak"] .empty, .status .error`),
		); err != nil {
			t.Fatal(err)
		}
		if msg := evalString(t, ctx, `document.querySelector(".status .error")?.textContent ?? ""`); msg != "" {
			t.Fatalf("the check was refused: %s", msg)
		}
		if got := evalString(t, ctx, `document.querySelector('[data-fact="warningCount"] .kpi-main').textContent`); got != "1" {
			t.Errorf("warnings: %s, want 1", got)
		}
		if n := evalInt(t, ctx, `document.querySelectorAll('[data-link="keterangan"]').length`); n != 1 {
			t.Errorf("no Keterangan download offered for a register with a warning")
		}
		for _, p := range bl.problems() {
			t.Error(p)
		}
	})

	t.Run("an admin reads the history and restores the agreement", func(t *testing.T) {
		signOut(t, ctx)
		if err := step(ctx, chromedp.Navigate(o.srv.URL+"/#/riwayat")); err != nil {
			t.Fatal(err)
		}
		signIn(t, ctx, "bappeda", "admin-sandi-2026", "riwayat")
		if items := menu(t, ctx); !slices.Contains(items, "Riwayat perubahan") || !slices.Contains(items, "Kirim register") {
			t.Errorf("an admin's menu: %q", items)
		}
		actions, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-panel="riwayat-perubahan"] tbody tr td:nth-child(3)')].map(td => td.textContent)`))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"kerja sama ditarik", "register dikirim", "kunci API dibuat", "akun dibuat", "masuk", "keluar"} {
			if !slices.Contains(actions, want) {
				t.Errorf("history %q lacks %q", actions, want)
			}
		}
		withdrawn := evalString(t, ctx, `document.querySelector('[data-panel="kerja-sama-ditarik"] tbody').innerText`)
		if !strings.Contains(withdrawn, "KUKAR-2026-001") || !strings.Contains(withdrawn, "Dimasukkan dua kali; salah kabupaten") {
			t.Errorf("withdrawn agreements: %q", withdrawn)
		}
		screenshot(t, ctx, shots, "riwayat")
		// The list is the API's, for admins only.
		body, _ := json.Marshal(map[string]any{"query": "{ withdrawnAgreements { agreementId } }"})
		req, _ := http.NewRequest(http.MethodPost, o.srv.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+viewer)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("withdrawnAgreements for a viewer: HTTP %d, want 403", resp.StatusCode)
		}
		if err := step(ctx,
			chromedp.Click(`[data-panel="kerja-sama-ditarik"] button.row-action`),
			chromedp.WaitVisible(`#alasan-dialog[open]`),
			chromedp.SendKeys(`#alasan`, "Ternyata benar"),
			chromedp.Click(`#alasan-dialog button[data-action="konfirmasi"]`),
			chromedp.WaitVisible(`main[data-ready="1"][data-view="riwayat"] [data-notice="ok"]`),
		); err != nil {
			t.Fatalf("restoring: %v", err)
		}
		if got := o.agreementIDs(t, viewer); !slices.Contains(got, "KUKAR-2026-001") {
			t.Errorf("agreements after the restoration: %v", got)
		}
		if text := evalString(t, ctx, `document.querySelector('[data-panel="kerja-sama-ditarik"]').innerText`); strings.Contains(text, "KUKAR-2026-001") {
			t.Errorf("still listed as withdrawn: %q", text)
		}
		for _, p := range bl.problems() {
			t.Error(p)
		}
	})

	t.Run("an admin makes an account and a key, shown once, and revokes the key", func(t *testing.T) {
		if err := show(ctx, "#/akun"); err != nil {
			t.Fatal(err)
		}
		if err := step(ctx,
			chromedp.SetValue(`#akun-nama`, "berau"),
			chromedp.SetValue(`#akun-tampilan`, "DPMD Berau"),
			chromedp.SetValue(`#akun-peran`, "EDITOR"),
			chromedp.SetValue(`#akun-wilayah`, "64.03"),
			chromedp.SetValue(`#akun-sandi`, "berau-sandi-2026"),
			chromedp.Click(`[data-form="akun-baru"] button[type="submit"]`),
			chromedp.WaitVisible(`main[data-ready="1"][data-view="akun"] [data-notice="ok"]`),
		); err != nil {
			t.Fatalf("creating an account: %v", err)
		}
		accounts := evalString(t, ctx, `document.querySelector('[data-panel="akun"] tbody').innerText`)
		if !strings.Contains(accounts, "DPMD Berau") || !strings.Contains(accounts, "64.03") {
			t.Errorf("accounts after creating one: %q", accounts)
		}
		if err := step(ctx,
			chromedp.SetValue(`#kunci-nama`, "Notebook Berau"),
			chromedp.SetValue(`#kunci-peran`, "VIEWER"),
			chromedp.Click(`[data-form="kunci-baru"] button[type="submit"]`),
			chromedp.WaitVisible(`main[data-ready="1"][data-view="akun"] #kunci-baru`),
		); err != nil {
			t.Fatalf("creating a key: %v", err)
		}
		token := evalString(t, ctx, `document.querySelector("#kunci-baru").textContent`)
		if ids := o.agreementIDs(t, token); len(ids) == 0 {
			t.Errorf("the new key reads nothing")
		}
		screenshot(t, ctx, shots, "akun-kunci")
		if n := evalInt(t, ctx, `document.querySelectorAll("#kunci-baru").length`); n != 1 {
			t.Fatalf("token shown %d times", n)
		}
		// Drawn again, the token is gone: shown once.
		if err := show(ctx, "#/akun?lagi"); err != nil {
			t.Fatal(err)
		}
		if n := evalInt(t, ctx, `document.querySelectorAll("#kunci-baru").length`); n != 0 {
			t.Errorf("the token is shown again")
		}
		row := `[...document.querySelectorAll('[data-panel="kunci-api"] tbody tr')].find(tr => tr.children[1].textContent === "Notebook Berau")`
		if err := step(ctx, chromedp.Evaluate[chromedp.Void](row+`.querySelector("button.row-action").click()`)); err != nil {
			t.Fatal(err)
		}
		if err := step(ctx, chromedp.WaitVisible(`main[data-ready="1"][data-view="akun"] [data-notice="ok"]`)); err != nil {
			t.Fatalf("revoking: %v", err)
		}
		if status := evalString(t, ctx, row+`.children[4].textContent`); status == "" || status == "Aktif" {
			t.Errorf("the revoked key's status: %q", status)
		}
		body, _ := json.Marshal(map[string]any{"query": "{ dataFreshness { dataset } }"})
		req, _ := http.NewRequest(http.MethodPost, o.srv.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("the revoked key: HTTP %d, want 401", resp.StatusCode)
		}
		for _, p := range bl.problems() {
			t.Error(p)
		}
	})

	t.Run("a viewer sees neither Kirim register nor Tarik", func(t *testing.T) {
		signOut(t, ctx)
		if err := step(ctx, chromedp.Navigate(o.srv.URL+"/#/kerja-sama?id=KUKAR-2026-001")); err != nil {
			t.Fatal(err)
		}
		signIn(t, ctx, "pembaca", "pembaca-sandi-2026", "kerja-sama")
		if err := step(ctx, chromedp.WaitVisible(`[data-panel="rincian-kerja-sama"] h3`)); err != nil {
			t.Fatal(err)
		}
		if items := menu(t, ctx); slices.Contains(items, "Kirim register") || slices.Contains(items, "Riwayat perubahan") || !slices.Contains(items, "Data") {
			t.Errorf("a viewer's menu: %q", items)
		}
		if n := evalInt(t, ctx, `document.querySelectorAll('button[data-action="tarik"]').length`); n != 0 {
			t.Errorf("a viewer is offered Tarik")
		}
		if who := evalString(t, ctx, `document.querySelector("#siapa").textContent`); who != "Pembaca Bappeda · pembaca" {
			t.Errorf("signed in as %q", who)
		}
		screenshot(t, ctx, shots, "pembaca-kerja-sama")
		// In English, the same console: the menu, the header's role.
		if err := step(ctx, chromedp.Navigate(o.srv.URL+"/?lang=en#/data")); err != nil {
			t.Fatal(err)
		}
		if err := waitReady(ctx, "data"); err != nil {
			t.Fatal(err)
		}
		if items := menu(t, ctx); !slices.Contains(items, "Agreements") || slices.Contains(items, "Submit register") {
			t.Errorf("a viewer's menu in English: %q", items)
		}
		if who := evalString(t, ctx, `document.querySelector("#siapa").textContent + " " + document.querySelector("#keluar").textContent`); who != "Pembaca Bappeda · viewer Sign out" {
			t.Errorf("the header in English: %q", who)
		}
		for _, p := range bl.problems() {
			t.Error(p)
		}
	})
}

// openDownloadedWorkbook waits for the one .xlsx download in dir.
func openDownloadedWorkbook(t *testing.T, dir string) *excelize.File {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		matches, _ := filepath.Glob(filepath.Join(dir, "*.xlsx"))
		if len(matches) == 1 {
			b := waitFile(t, matches[0])
			f, err := excelize.OpenReader(bytes.NewReader(b))
			if err == nil {
				return f
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	entries, _ := os.ReadDir(dir)
	t.Fatalf("no workbook downloaded to %s (%v)", dir, entries)
	return nil
}

func sortedWith(ids []string, more ...string) []string {
	out := append(slices.Clone(ids), more...)
	slices.Sort(out)
	return out
}

// TestMakeRunConsoleInChromium is the console as `make run` serves it:
// anonymous reading on and sign-in offered. A visitor reads the views
// without signing in and sees Masuk, not Kirim register; an editor and
// then an admin sign in from Masuk and get Kirim register (the admin
// Akun dan kunci too); Keluar brings back the anonymous console.
func TestMakeRunConsoleInChromium(t *testing.T) {
	o := accountsServer(t, true)
	o.user(t, "admin", "Admin (dev)", "admin-sandi-2026", account.RoleAdmin)
	o.user(t, "kukar", "DPMD Kukar", "kukar-sandi-2026", account.RoleEditor, "64.02")
	shots := artifactsDir(t)
	ctx, bl := startBrowser(t, t.TempDir())
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()

	t.Run("an anonymous visitor reads the views and is offered Masuk", func(t *testing.T) {
		if err := step(ctx, chromedp.Navigate(o.srv.URL+"/")); err != nil {
			t.Fatal(err)
		}
		if err := waitReady(ctx, "ringkasan"); err != nil {
			t.Fatal(err)
		}
		for _, view := range []string{"ringkasan", "peta", "kerja-sama", "data"} {
			if err := show(ctx, "#/"+view); err != nil {
				t.Fatalf("%s: %v", view, err)
			}
			if n := evalInt(t, ctx, `document.querySelectorAll("main table tbody tr").length`); n == 0 {
				t.Errorf("%s: no table rows for an anonymous visitor", view)
			}
			if n := evalInt(t, ctx, `document.querySelectorAll("main .error").length`); n > 0 {
				t.Errorf("%s: %s", view, evalString(t, ctx, `[...document.querySelectorAll("main .error")].map(e => e.textContent).join("; ")`))
			}
			screenshot(t, ctx, shots, "anonim-"+view)
		}
		items := menu(t, ctx)
		if !slices.Contains(items, "Ringkasan") || slices.Contains(items, "Kirim register") || slices.Contains(items, "Akun dan kunci") {
			t.Errorf("an anonymous visitor's menu: %q", items)
		}
		if link := evalString(t, ctx, `document.querySelector("#masuk-link")?.textContent ?? ""`); link != "Masuk" {
			t.Errorf("the header offers %q, want Masuk", link)
		}
		for _, p := range bl.problems() {
			t.Error(p)
		}
	})

	for _, who := range []struct {
		name, password, display string
		menu, notMenu           []string
	}{
		{"kukar", "kukar-sandi-2026", "DPMD Kukar · penyunting · 64.02", []string{"Ringkasan", "Kirim register"}, []string{"Akun dan kunci"}},
		{"admin", "admin-sandi-2026", "Admin (dev) · admin", []string{"Ringkasan", "Kirim register", "Akun dan kunci", "Riwayat perubahan"}, nil},
	} {
		t.Run(who.name+" signs in from Masuk and gets Kirim register", func(t *testing.T) {
			if err := step(ctx, chromedp.Click(`#masuk-link`)); err != nil {
				t.Fatal(err)
			}
			signIn(t, ctx, who.name, who.password, "ringkasan")
			if got := evalString(t, ctx, `document.querySelector("#siapa")?.textContent ?? ""`); got != who.display {
				t.Errorf("signed in as %q, want %q", got, who.display)
			}
			items := menu(t, ctx)
			for _, m := range who.menu {
				if !slices.Contains(items, m) {
					t.Errorf("%s's menu %q lacks %s", who.name, items, m)
				}
			}
			for _, m := range who.notMenu {
				if slices.Contains(items, m) {
					t.Errorf("%s's menu %q has %s", who.name, items, m)
				}
			}
			if err := show(ctx, "#/kirim-register"); err != nil {
				t.Fatal(err)
			}
			if n := evalInt(t, ctx, `document.querySelectorAll("#f-berkas").length`); n != 1 {
				t.Errorf("Kirim register has no file chooser")
			}
			screenshot(t, ctx, shots, "masuk-lalu-kirim-"+who.name)
			// Keluar: the anonymous console again, with Masuk.
			if err := step(ctx, chromedp.Click(`#keluar`)); err != nil {
				t.Fatal(err)
			}
			// The console reloads on Ringkasan, anonymous, before anything else.
			if err := waitReady(ctx, "ringkasan"); err != nil {
				t.Fatalf("after Keluar: %v", err)
			}
			if err := step(ctx, chromedp.WaitVisible(`#masuk-link`)); err != nil {
				t.Fatalf("no Masuk after Keluar: %v", err)
			}
			if items := menu(t, ctx); slices.Contains(items, "Kirim register") {
				t.Errorf("after Keluar the menu has Kirim register: %q", items)
			}
			for _, p := range bl.problems() {
				t.Error(p)
			}
		})
	}
}
