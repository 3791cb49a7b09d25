package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/sinergi-id/sinergi/data/kaltim"
	"github.com/sinergi-id/sinergi/etl"
)

// registerSheets are a register as an office fills it in: sheet → rows,
// the header first.
type registerSheets map[string][][]string

var registerHeaders = map[string][]string{
	"agreements":   {"agreement_id", "title", "document_type", "signed_date", "status", "committed_value"},
	"parties":      {"agreement_id", "party_type", "name", "region_code"},
	"realisations": {"agreement_id", "village_code", "month", "value"},
}

func workbook(t *testing.T, sheets registerSheets) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, name := range []string{"agreements", "parties", "realisations"} {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		rows := append([][]string{registerHeaders[name]}, sheets[name]...)
		for r, row := range rows {
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := f.SetCellStr(name, cell, v); err != nil {
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

// gqlUpload sends one operation with files as the GraphQL multipart
// request spec says ($files: [Upload!]!).
func gqlUpload(t *testing.T, srv *httptest.Server, token, query string, files map[string][]byte) httpAnswer {
	t.Helper()
	contentType, body := uploadRequest(query, files)
	return send(t, http.MethodPost, srv.URL+"/graphql", token, contentType, bytes.NewReader(body))
}

// uploadRequest is the body of a GraphQL multipart request.
func uploadRequest(query string, files map[string][]byte) (contentType string, body []byte) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	nulls := make([]any, len(names))
	fileMap := map[string][]string{}
	for i := range names {
		fileMap[fmt.Sprint(i)] = []string{fmt.Sprintf("variables.files.%d", i)}
	}
	ops, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"files": nulls}})
	m, _ := json.Marshal(fileMap)
	_ = w.WriteField("operations", string(ops))
	_ = w.WriteField("map", string(m))
	for i, name := range names {
		part, _ := w.CreateFormFile(fmt.Sprint(i), name)
		_, _ = part.Write(files[name])
	}
	_ = w.Close()
	return w.FormDataContentType(), buf.Bytes()
}

func gql(t *testing.T, srv *httptest.Server, token, query string, vars map[string]any) httpAnswer {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return send(t, http.MethodPost, srv.URL+"/graphql", token, "application/json", bytes.NewReader(body))
}

func decode[T any](t *testing.T, ans httpAnswer) T {
	t.Helper()
	var out struct {
		Data   T
		Errors []struct{ Message string }
	}
	if err := json.Unmarshal([]byte(ans.body), &out); err != nil || len(out.Errors) > 0 || ans.status != http.StatusOK {
		t.Fatalf("answer %d: %s", ans.status, ans.body)
	}
	return out.Data
}

const checkMutation = `mutation($files: [Upload!]!) { checkRegister(files: $files) {
	id rowsRead agreements outsideScope rejectedCount warningCount annotatedWorkbookPath
	files { name size sha256 }
	rejects(first: 1000) { totalCount nodes { sheet line reason } } } }`

const submitMutation = `mutation($files: [Upload!]!) { submitRegister(files: $files) {
	runId submittedBy files { name size sha256 } run { status rowsRejected error } } }`

type rejectNode struct {
	Sheet  string
	Line   int
	Reason string
}

// kukarRegister has an agreement of Kutai Kartanegara (64.02), one of
// Berau (64.03) alone, a joint one of both, and one the validation
// refuses.
func kukarRegister(t *testing.T) []byte {
	return workbook(t, registerSheets{
		"agreements": {
			{"KUKAR-2026-001", "Pembinaan UMKM Loa Kulu", "PKS", "2026-01-10", "ACTIVE", "100000000"},
			{"BERAU-2026-001", "Desa wisata Kelay", "PKS", "2026-01-11", "ACTIVE", "50000000"},
			{"JOINT-2026-001", "=HYPERLINK(\"http://x\") Kerja sama antar kabupaten", "PKS", "2026-01-12", "ACTIVE", "70000000"},
			{"BAD-2026-001", "Status salah", "PKS", "2026-01-13", "SIGNED-ISH", "1"},
		},
		"parties": {
			{"KUKAR-2026-001", "DESA", "Jonggon Desa", "64.02.02.2001"},
			{"KUKAR-2026-001", "DESA", "Sungai Payang", "64.02.02.2002"},
			{"BERAU-2026-001", "DESA", "Merabu", "64.03.01.2001"},
			{"BERAU-2026-001", "DESA", "Panaan", "64.03.01.2002"},
			{"JOINT-2026-001", "DESA", "Jembayan", "64.02.02.2003"},
			{"JOINT-2026-001", "DESA", "Merapun", "64.03.01.2003"},
		},
		"realisations": {
			{"KUKAR-2026-001", "64.02.02.2001", "2026-02", "10000000"},
			{"BERAU-2026-001", "64.03.01.2001", "2026-02", "5000000"},
		},
	})
}

// TestEditorChecksThenSubmitsWithinScope is the office's round: an editor
// for 64.02 checks a workbook with rows in and out of its scope, reads
// exactly the documented rejects in the report and in its own workbook
// annotated, submits it, and finds the run with who sent which file; the
// agreement outside the scope is nowhere, the joint one is everyone's.
func TestEditorChecksThenSubmitsWithinScope(t *testing.T) {
	a, srv := kaltimServer(t)
	ctx := context.Background()
	_, kukar := createKey(t, a, "--name", "DPMD Kukar", "--role", "editor", "--scope", "64.02")
	_, viewer := createKey(t, a, "--name", "Bappeda", "--role", "viewer")

	book := kukarRegister(t)
	sum := sha256.Sum256(book)
	files := map[string][]byte{"Register Kukar 2026.xlsx": book}

	check := decode[struct {
		CheckRegister struct {
			ID                                                              string
			RowsRead, Agreements, OutsideScope, RejectedCount, WarningCount int
			AnnotatedWorkbookPath                                           string
			Files                                                           []struct{ Name, Sha256 string }
			Rejects                                                         struct {
				TotalCount int
				Nodes      []rejectNode
			}
		}
	}](t, gqlUpload(t, srv, kukar, checkMutation, files)).CheckRegister
	if check.Agreements != 3 || check.OutsideScope != 1 || check.Files[0].Sha256 != hex.EncodeToString(sum[:]) {
		t.Errorf("check: %+v, want 3 agreements accepted, 1 outside the scope, the file's SHA-256", check)
	}
	outside := "outside your scope (64.02)"
	want := []rejectNode{
		{"agreements", 3, outside},
		{"agreements", 5, "status"},
		{"parties", 4, outside},
		{"parties", 5, outside},
		{"realisations", 3, outside},
	}
	got := check.Rejects.Nodes
	if len(got) != len(want) || check.Rejects.TotalCount != len(want) || check.RejectedCount != len(want) {
		t.Fatalf("check rejects: %+v, want %+v", got, want)
	}
	for i, w := range want {
		if got[i].Sheet != w.Sheet || got[i].Line != w.Line || !strings.Contains(got[i].Reason, w.Reason) {
			t.Errorf("reject %d: %+v, want %+v", i, got[i], w)
		}
	}

	// The annotated workbook: the office's own sheets, a Keterangan column
	// beside each refused row and nowhere else.
	ans := send(t, http.MethodGet, srv.URL+check.AnnotatedWorkbookPath, kukar, "", nil)
	if ans.status != http.StatusOK {
		t.Fatalf("annotated workbook: %d %s", ans.status, ans.body)
	}
	if other := send(t, http.MethodGet, srv.URL+check.AnnotatedWorkbookPath, viewer, "", nil); other.status == http.StatusOK {
		t.Errorf("someone else's annotated workbook: %d", other.status)
	}
	annotated, err := excelize.OpenReader(strings.NewReader(ans.body))
	if err != nil {
		t.Fatal(err)
	}
	notes := map[string]string{}
	for _, sheet := range []string{"agreements", "parties", "realisations"} {
		rows, err := annotated.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		col := len(registerHeaders[sheet])
		if len(rows[0]) <= col || rows[0][col] != "Keterangan" {
			t.Errorf("%s: header %q has no Keterangan column after the office's", sheet, rows[0])
		}
		for i, row := range rows[1:] {
			if len(row) > col && row[col] != "" {
				notes[fmt.Sprintf("%s:%d", sheet, i+2)] = row[col]
			}
		}
	}
	if title, _ := annotated.GetCellValue("agreements", "B4"); !strings.HasPrefix(title, "=HYPERLINK") {
		t.Errorf("a formula-looking title is not kept as text: %q", title)
	}
	if len(notes) != len(want) {
		t.Errorf("annotated rows: %v, want %d", notes, len(want))
	}
	for _, w := range want {
		if note := notes[fmt.Sprintf("%s:%d", w.Sheet, w.Line)]; !strings.Contains(note, w.Reason) {
			t.Errorf("Keterangan of %s:%d = %q, want %q", w.Sheet, w.Line, note, w.Reason)
		}
	}
	// Nothing of a check is visible.
	if n := agreementIDs(t, srv, viewer); len(n) != 0 {
		t.Errorf("agreements after a check: %v, want none", n)
	}

	sub := decode[struct {
		SubmitRegister struct {
			RunID, SubmittedBy string
			Files              []struct{ Name, Sha256 string }
			Run                struct {
				Status       string
				RowsRejected int
			}
		}
	}](t, gqlUpload(t, srv, kukar, submitMutation, files)).SubmitRegister
	if sub.Run.Status != "SUCCEEDED" || sub.Run.RowsRejected != len(want) || !strings.Contains(sub.SubmittedBy, "DPMD Kukar") {
		t.Errorf("submission: %+v", sub)
	}
	if got, want := agreementIDs(t, srv, viewer), []string{"JOINT-2026-001", "KUKAR-2026-001"}; !slices.Equal(got, want) {
		t.Errorf("agreements after the submission: %v, want %v", got, want)
	}
	runs := decode[struct {
		EtlRuns []struct {
			ID         string
			Submission *struct {
				SubmittedBy string
				Files       []struct {
					Name   string
					Size   int
					Sha256 string
				}
			}
		}
	}](t, gql(t, srv, viewer, `{ etlRuns(dataset: "register") { id submission { submittedBy files { name size sha256 } } } }`, nil)).EtlRuns
	if len(runs) != 1 || runs[0].ID != sub.RunID || runs[0].Submission == nil ||
		runs[0].Submission.Files[0].Sha256 != hex.EncodeToString(sum[:]) || runs[0].Submission.Files[0].Size != len(book) ||
		runs[0].Submission.Files[0].Name != "Register Kukar 2026.xlsx" {
		t.Errorf("etlRuns: %+v, want the run with its submission", runs)
	}
	rejects := decode[struct{ EtlRejects struct{ TotalCount int } }](t,
		gql(t, srv, viewer, `query($id: ID!) { etlRejects(runId: $id) { totalCount } }`, map[string]any{"id": sub.RunID})).EtlRejects
	if rejects.TotalCount != len(want) {
		t.Errorf("etlRejects of the run: %d, want %d", rejects.TotalCount, len(want))
	}
	events, err := a.accounts.Store().Events(ctx, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if events[0].Action != "register.submit" || events[0].Subject != sub.RunID || !strings.Contains(events[0].Detail, hex.EncodeToString(sum[:])) {
		t.Errorf("audit history: newest %+v, want the submission", events[0])
	}

	// A viewer submits nothing; nor does anyone without a key.
	if ans := gqlUpload(t, srv, viewer, submitMutation, files); ans.status != http.StatusForbidden {
		t.Errorf("a viewer's submission: %d %s", ans.status, ans.body)
	}
	if ans := gqlUpload(t, srv, "", submitMutation, files); ans.status != http.StatusUnauthorized {
		t.Errorf("an anonymous submission: %d %s", ans.status, ans.body)
	}
}

func agreementIDs(t *testing.T, srv *httptest.Server, token string) []string {
	t.Helper()
	data := decode[struct {
		Agreements struct{ Nodes []struct{ ID string } }
	}](t, gql(t, srv, token, `{ agreements(first: 100) { nodes { id } } }`, nil))
	var ids []string
	for _, n := range data.Agreements.Nodes {
		ids = append(ids, n.ID)
	}
	slices.Sort(ids)
	return ids
}

// TestTwoOfficesSubmitAtOnce: Kukar and Berau submit at the same moment;
// both runs land, each with its own agreements, and the joint agreement
// Berau sends again (it touches Berau) replaces Kukar's version.
func TestTwoOfficesSubmitAtOnce(t *testing.T) {
	a, srv := kaltimServer(t)
	_, kukar := createKey(t, a, "--name", "DPMD Kukar", "--role", "editor", "--scope", "64.02")
	_, berau := createKey(t, a, "--name", "DPMD Berau", "--role", "editor", "--scope", "64.03")
	kukarBook := workbook(t, registerSheets{
		"agreements": {{"KUKAR-2026-002", "Irigasi", "PKS", "2026-02-01", "ACTIVE", "1000"}},
		"parties":    {{"KUKAR-2026-002", "DESA", "Loh Sumber", "64.02.02.2005"}},
	})
	berauBook := workbook(t, registerSheets{
		"agreements": {{"BERAU-2026-002", "Wisata", "PKS", "2026-02-02", "ACTIVE", "2000"}},
		"parties":    {{"BERAU-2026-002", "DESA", "Merabu", "64.03.01.2001"}},
	})
	var wg sync.WaitGroup
	answers := make([]httpAnswer, 2)
	for i, office := range []struct {
		key  string
		book []byte
	}{{kukar, kukarBook}, {berau, berauBook}} {
		wg.Go(func() {
			answers[i] = gqlUpload(t, srv, office.key, submitMutation, map[string][]byte{fmt.Sprintf("register-%d.xlsx", i): office.book})
		})
	}
	wg.Wait()
	for i, ans := range answers {
		if !strings.Contains(ans.body, `"status":"SUCCEEDED"`) {
			t.Errorf("office %d: %d %s", i, ans.status, ans.body)
		}
	}
	if got, want := agreementIDs(t, srv, kukar), []string{"BERAU-2026-002", "KUKAR-2026-002"}; !slices.Equal(got, want) {
		t.Errorf("agreements: %v, want %v", got, want)
	}

	// Berau cannot take Kukar's agreement over by sending it with a party
	// of its own: as published it touches no Berau region.
	takeover := workbook(t, registerSheets{
		"agreements": {{"KUKAR-2026-002", "Irigasi (diubah Berau)", "PKS", "2026-02-01", "ACTIVE", "1000"}},
		"parties":    {{"KUKAR-2026-002", "DESA", "Merabu", "64.03.01.2001"}},
	})
	ans := gqlUpload(t, srv, berau, submitMutation, map[string][]byte{"takeover.xlsx": takeover})
	if !strings.Contains(ans.body, `"rowsRejected":2`) {
		t.Errorf("Berau sending Kukar's agreement: %s, want its 2 rows refused", ans.body)
	}
	title := decode[struct{ Agreement struct{ Title string } }](t,
		gql(t, srv, kukar, `{ agreement(id: "KUKAR-2026-002") { title } }`, nil)).Agreement.Title
	if title != "Irigasi" {
		t.Errorf("Kukar's agreement after Berau sent it: title %q", title)
	}
	rejects := decode[struct {
		EtlRejects struct{ Nodes []struct{ Reason string } }
	}](t, gql(t, srv, berau, `{ etlRejects(runId: "`+runIDOf(t, ans)+`") { nodes { reason } } }`, nil)).EtlRejects.Nodes
	if len(rejects) != 2 || !strings.Contains(rejects[0].Reason, "another office's") {
		t.Errorf("rejects of the takeover: %+v", rejects)
	}
}

func runIDOf(t *testing.T, ans httpAnswer) string {
	t.Helper()
	return decode[struct{ SubmitRegister struct{ RunID string } }](t, ans).SubmitRegister.RunID
}

// TestOversizedAndZipBombUploadsAreRefused: a submission over the size
// limit and a workbook that unpacks to far more than it weighs are refused
// with a message saying so, before anything parses them.
func TestOversizedAndZipBombUploadsAreRefused(t *testing.T) {
	a := testApp(t, false)
	srv := httptest.NewServer(a.httpHandler(newResultCache()))
	defer srv.Close()
	_, kukar := createKey(t, a, "--name", "DPMD Kukar", "--role", "editor", "--scope", "64.02")

	big := bytes.Repeat([]byte("KUKAR-1,judul,PKS,2026-01-01,ACTIVE,1\n"), (33<<20)/38)
	if ans := gqlUpload(t, srv, kukar, checkMutation, map[string][]byte{"agreements.csv": big}); !strings.Contains(ans.body, "larger than 32 MB") ||
		!strings.Contains(ans.body, `"code":"REQUEST_TOO_LARGE"`) || !strings.Contains(ans.body, fmt.Sprintf(`"maxBytes":%d`, 32<<20)) {
		t.Errorf("an oversized submission (want the code and the limit for the console to say): %d %.300s", ans.status, ans.body)
	}
	// Over the multipart body's hard stop (64 MiB) too: cut off with 413, but
	// the office is told the same limit, the submission's, not a second one.
	huge := bytes.Repeat([]byte("KUKAR-1,judul,PKS,2026-01-01,ACTIVE,1\n"), (70<<20)/38)
	if ans := gqlUpload(t, srv, kukar, checkMutation, map[string][]byte{"agreements.csv": huge}); ans.status != http.StatusRequestEntityTooLarge ||
		!strings.Contains(ans.body, "limit of 32 MiB per submission") || !strings.Contains(ans.body, `"code":"REQUEST_TOO_LARGE"`) ||
		!strings.Contains(ans.body, fmt.Sprintf(`"maxBytes":%d`, 32<<20)) {
		t.Errorf("a request over the body's hard stop (want 413 naming the submission's limit): %d %.300s", ans.status, ans.body)
	}

	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	for _, name := range []string{"[Content_Types].xml", "xl/workbook.xml"} {
		w, _ := zw.Create(name)
		_, _ = io.WriteString(w, "<x/>")
	}
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	zeros := make([]byte, 1<<20)
	for range 300 { // 300 MiB unpacked, a few hundred KiB packed
		_, _ = w.Write(zeros)
	}
	_ = zw.Close()
	if bomb.Len() > 2<<20 {
		t.Fatalf("the bomb weighs %d bytes: not a bomb", bomb.Len())
	}
	if ans := gqlUpload(t, srv, kukar, checkMutation, map[string][]byte{"register.xlsx": bomb.Bytes()}); !strings.Contains(ans.body, "unpacks to") {
		t.Errorf("a zip bomb: %d %.300s", ans.status, ans.body)
	}
}

// TestEtlSubmitCommand: `sinergi etl submit` sends a register given as CSV
// files, checks it (saving the annotated workbook), then submits it; each
// refused row it prints names its column when the reason is about one.
func TestEtlSubmitCommand(t *testing.T) {
	a, srv := kaltimServer(t)
	ctx := context.Background()
	dir := t.TempDir()
	_, kukar := createKey(t, a, "--name", "DPMD Kukar", "--role", "editor", "--scope", "64.02")
	write := func(name, body string) string {
		p := dir + "/" + name
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	agreements := write("agreements.csv", "agreement_id,title,document_type,signed_date,status\n"+
		"KUKAR-2026-003,Jalan desa,PKS,2026-03-01,ACTIVE\n"+
		"BERAU-2026-003,Jalan desa Kelay,PKS,2026-03-02,ACTIVE\n"+
		"KUKAR-2026-004,Tanggal salah,PKS,kemarin,ACTIVE\n")
	parties := write("parties.csv", "agreement_id,party_type,name,region_code\n"+
		"KUKAR-2026-003,DESA,Lung Anai,64.02.02.2010\n"+
		"BERAU-2026-003,DESA,Merabu,64.03.01.2001\n"+
		"KUKAR-2026-004,DESA,Lung Anai,64.02.02.2010\n")
	env := func(string) (string, bool) { return kukar, true }
	annotated := dir + "/keterangan.xlsx"
	var out bytes.Buffer
	if err := runSubmit(ctx, []string{"--server", srv.URL, "--check", "--annotated", annotated, agreements, parties}, env, &out); err != nil {
		t.Fatalf("etl submit --check: %v\n%s", err, out.String())
	}
	for _, want := range []string{"1 of them outside your scope, 4 rows refused", "refused agreements line 3: outside your scope (64.02)",
		"refused parties line 3: outside your scope (64.02)", `refused agreements line 4 [signed_date]: signed_date "kemarin" is not a date`,
		"refused parties line 4: agreement KUKAR-2026-004 was rejected"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("etl submit --check printed:\n%s\nwant %q", out.String(), want)
		}
	}
	f, err := excelize.OpenFile(annotated)
	if err != nil {
		t.Fatal(err)
	}
	if note, _ := f.GetCellValue("parties", "E3"); !strings.Contains(note, "outside your scope") {
		t.Errorf("annotated CSV register, parties E3 = %q", note)
	}
	if header, _ := f.GetCellValue("agreements", "F1"); header != "Keterangan" {
		t.Errorf("annotated CSV register, agreements F1 = %q", header)
	}
	f.Close()
	out.Reset()
	if err := runSubmit(ctx, []string{"--server", srv.URL, agreements, parties}, env, &out); err != nil {
		t.Fatalf("etl submit: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "succeeded: read 6, loaded 2, refused 4") ||
		!strings.Contains(out.String(), `refused agreements line 4 [signed_date]: signed_date "kemarin" is not a date`) {
		t.Errorf("etl submit printed:\n%s", out.String())
	}
}

// TestWithdrawalAndAuditHistory: an office withdraws its mistaken
// agreement with a reason; another office cannot; the figures leave it
// out from the publish the withdrawal makes; only an admin restores it;
// the audit history (admins only) has both, and exports as CSV.
func TestWithdrawalAndAuditHistory(t *testing.T) {
	a, srv := kaltimServer(t)
	_, kukar := createKey(t, a, "--name", "DPMD Kukar", "--role", "editor", "--scope", "64.02")
	_, berau := createKey(t, a, "--name", "DPMD Berau", "--role", "editor", "--scope", "64.03")
	_, admin := createKey(t, a, "--name", "Admin DPMPD", "--role", "admin")
	if ans := gqlUpload(t, srv, kukar, submitMutation, map[string][]byte{"kukar.xlsx": kukarRegister(t)}); !strings.Contains(ans.body, "SUCCEEDED") {
		t.Fatalf("submission: %s", ans.body)
	}
	inKukar := func() int {
		return decode[struct{ Agreements struct{ TotalCount int } }](t, gql(t, srv, kukar,
			`{ agreements(filter: {regionCode: "64.02"}) { totalCount } }`, nil)).Agreements.TotalCount
	}
	if n := inKukar(); n != 2 {
		t.Fatalf("agreements touching 64.02 before: %d, want 2", n)
	}
	const withdraw = `mutation($id: ID!, $reason: String!) { withdrawAgreement(id: $id, reason: $reason) { agreementId withdrawn by reason } }`
	const restore = `mutation($id: ID!, $reason: String!) { restoreAgreement(id: $id, reason: $reason) { withdrawn } }`
	vars := map[string]any{"id": "KUKAR-2026-001", "reason": "salah input: perjanjian ganda"}
	if ans := gql(t, srv, berau, withdraw, vars); ans.status != http.StatusForbidden || ans.code() != "FORBIDDEN" {
		t.Errorf("Berau withdrawing Kukar's agreement: %d %s, want 403", ans.status, ans.body)
	}
	if ans := gql(t, srv, kukar, withdraw, map[string]any{"id": "KUKAR-2026-001", "reason": " "}); ans.code() != "BAD_USER_INPUT" {
		t.Errorf("a withdrawal without a reason: %s", ans.body)
	}
	w := decode[struct {
		WithdrawAgreement struct {
			AgreementID string
			Withdrawn   bool
			By, Reason  string
		}
	}](t, gql(t, srv, kukar, withdraw, vars)).WithdrawAgreement
	if !w.Withdrawn || !strings.Contains(w.By, "DPMD Kukar") || w.Reason != "salah input: perjanjian ganda" {
		t.Errorf("withdrawal: %+v", w)
	}
	if n := inKukar(); n != 1 {
		t.Errorf("agreements touching 64.02 after the withdrawal: %d, want 1", n)
	}
	if got := agreementIDs(t, srv, kukar); !slices.Equal(got, []string{"JOINT-2026-001"}) {
		t.Errorf("agreements after the withdrawal: %v", got)
	}
	if ans := gql(t, srv, kukar, restore, vars); ans.status != http.StatusForbidden {
		t.Errorf("an editor restoring: %d %s, want 403", ans.status, ans.body)
	}
	// Another publish (a load) keeps it out.
	if ans := gqlUpload(t, srv, berau, submitMutation, map[string][]byte{"berau.xlsx": workbook(t, registerSheets{
		"agreements": {{"BERAU-2026-009", "Wisata", "PKS", "2026-02-02", "ACTIVE", "2000"}},
		"parties":    {{"BERAU-2026-009", "DESA", "Merabu", "64.03.01.2001"}},
	})}); !strings.Contains(ans.body, "SUCCEEDED") {
		t.Fatalf("Berau's submission: %s", ans.body)
	}
	if n := inKukar(); n != 1 {
		t.Errorf("agreements touching 64.02 after another load: %d, want 1", n)
	}
	if ans := gql(t, srv, admin, restore, map[string]any{"id": "KUKAR-2026-001", "reason": "ternyata benar"}); ans.status != http.StatusOK || ans.code() != "" {
		t.Errorf("an admin restoring: %d %s", ans.status, ans.body)
	}
	if n := inKukar(); n != 2 {
		t.Errorf("agreements touching 64.02 after the restoration: %d, want 2", n)
	}

	const history = `{ auditEvents(first: 20) { id at actor action subject detail } }`
	if ans := gql(t, srv, kukar, history, nil); ans.status != http.StatusForbidden {
		t.Errorf("an editor reading the audit history: %d %s, want 403", ans.status, ans.body)
	}
	events := decode[struct {
		AuditEvents []struct{ Actor, Action, Subject, Detail string }
	}](t, gql(t, srv, admin, history, nil)).AuditEvents
	var actions []string
	for _, e := range events {
		actions = append(actions, e.Action)
	}
	if len(events) < 4 || events[0].Action != "agreement.restore" || events[2].Action != "agreement.withdraw" ||
		!strings.Contains(events[2].Actor, "DPMD Kukar") || !strings.Contains(events[2].Detail, "perjanjian ganda") {
		t.Errorf("audit history: %v\n%+v", actions, events)
	}
	csv := send(t, http.MethodGet, srv.URL+"/export.csv?query="+url.QueryEscape(history), admin, "", nil)
	if csv.status != http.StatusOK || !strings.Contains(csv.body, "agreement.withdraw") || !strings.Contains(csv.body, "key.create") {
		t.Errorf("audit history as CSV: %d %.500s", csv.status, csv.body)
	}
}

// kaltimServer is the API, as serve wires it with anonymous reading off,
// over a fresh database holding the real Kaltim regions.
func kaltimServer(t *testing.T) (*app, *httptest.Server) {
	t.Helper()
	a := testApp(t, false)
	wilayah, err := extractFiles(kaltim.Files(), t.TempDir(), kaltim.Wilayah)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.runner().Load(context.Background(), etl.DatasetRegions, wilayah...); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.httpHandler(newResultCache()))
	t.Cleanup(srv.Close)
	return a, srv
}
