package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
)

// testApp opens the program on a fresh migrated database of the test
// server, as `sinergi serve` does, with anonymous reading as given.
func testApp(t *testing.T, anonymousRead bool) *app {
	t.Helper()
	db := clickhousetest.NewDB(t)
	chCfg := db.Config()
	cfg := defaultConfig()
	cfg.ClickHouse.Addr, cfg.ClickHouse.Database = chCfg.Addr, chCfg.Database
	cfg.ClickHouse.Username, cfg.ClickHouse.Password = chCfg.Username, chCfg.Password
	cfg.Auth.AnonymousRead = anonymousRead
	cfg.DataDir = t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	a, err := openApp(ctx, cfg, clickhousetest.Logger(t), schemaRequire)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.close(context.Background()) })
	if err := a.openServing(ctx); err != nil {
		t.Fatal(err)
	}
	return a
}

// createKey runs `sinergi keys create` and returns the key it printed.
func createKey(t *testing.T, a *app, args ...string) (id, token string) {
	t.Helper()
	var out bytes.Buffer
	if err := keysCommand(context.Background(), a.accounts, &out, "cli:test", append([]string{"create"}, args...)); err != nil {
		t.Fatalf("keys create %v: %v", args, err)
	}
	m := regexp.MustCompile(`(?m)^key ([0-9a-f]{12}) created.*\n\n    (sinergi_\S+)\n`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("keys create printed no key:\n%s", out.String())
	}
	return m[1], m[2]
}

type httpAnswer struct {
	status int
	header http.Header
	body   string
}

func (h httpAnswer) code() string {
	var body struct {
		Errors []struct {
			Extensions struct{ Code string } `json:"extensions"`
		} `json:"errors"`
	}
	_ = json.Unmarshal([]byte(h.body), &body)
	if len(body.Errors) == 0 {
		return ""
	}
	return body.Errors[0].Extensions.Code
}

func send(t *testing.T, method, url, token, contentType string, body io.Reader) httpAnswer {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return httpAnswer{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

const freshnessQuery = `{"query":"{ dataFreshness { dataset } }"}`

func query(t *testing.T, srv *httptest.Server, token string) httpAnswer {
	return send(t, http.MethodPost, srv.URL+"/graphql", token, "application/json", strings.NewReader(freshnessQuery))
}

// uploadBody is a GraphQL multipart request (one file).
func uploadBody(t *testing.T) (string, *bytes.Buffer) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("operations", `{"query":"mutation($f: Upload!) { checkRegister(files: [$f]) { rowsRead } }","variables":{"f":null}}`)
	_ = w.WriteField("map", `{"0":["variables.f"]}`)
	part, _ := w.CreateFormFile("0", "register.csv")
	_, _ = part.Write([]byte("agreement_id\n"))
	_ = w.Close()
	return w.FormDataContentType(), &buf
}

// TestAnonymousReadingOff: without credentials GraphQL, exports and the
// console's data answer 401, while the console's page loads (to let
// someone sign in); a viewer's key reads; a wrong, revoked or expired key
// is refused with 401 however anonymous reading is set; a viewer's upload
// is refused with 403 before it is read.
func TestAnonymousReadingOff(t *testing.T) {
	a := testApp(t, false)
	srv := httptest.NewServer(a.httpHandler(newResultCache()))
	defer srv.Close()

	ans := query(t, srv, "")
	if ans.status != http.StatusUnauthorized || ans.code() != "UNAUTHENTICATED" || !strings.HasPrefix(ans.header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("GraphQL without credentials: %d %s %q, want 401 UNAUTHENTICATED with WWW-Authenticate", ans.status, ans.body, ans.header.Get("WWW-Authenticate"))
	}
	for _, path := range []string{"/export.csv?query=%7BdataFreshness%7Bdataset%7D%7D", "/export.xlsx?query=%7BdataFreshness%7Bdataset%7D%7D",
		"/data/kaltim/kaltim_kabkota_boundaries.geojson", "/graphql?query=%7BdataFreshness%7Bdataset%7D%7D", "/unknown"} {
		if ans := send(t, http.MethodGet, srv.URL+path, "", "", nil); ans.status != http.StatusUnauthorized {
			t.Errorf("GET %s without credentials: %d, want 401", path, ans.status)
		}
	}
	for _, path := range []string{"/", "/healthz"} {
		if ans := send(t, http.MethodGet, srv.URL+path, "", "", nil); ans.status != http.StatusOK {
			t.Errorf("GET %s without credentials: %d, want 200 (public)", path, ans.status)
		}
	}

	viewerID, viewer := createKey(t, a, "--name", "Bappeda notebook", "--role", "viewer")
	if ans := query(t, srv, viewer); ans.status != http.StatusOK || ans.code() != "" {
		t.Errorf("GraphQL with a viewer key: %d %s", ans.status, ans.body)
	}
	if ans := send(t, http.MethodGet, srv.URL+"/export.csv?query=%7BdataFreshness%7Bdataset%7D%7D", viewer, "", nil); ans.status != http.StatusOK {
		t.Errorf("export with a viewer key: %d %s", ans.status, ans.body)
	}
	if ans := send(t, http.MethodGet, srv.URL+"/data/kaltim/kaltim_kabkota_boundaries.geojson", viewer, "", nil); ans.status != http.StatusOK {
		t.Errorf("map file with a viewer key: %d", ans.status)
	}
	ct, body := uploadBody(t)
	if ans := send(t, http.MethodPost, srv.URL+"/graphql", viewer, ct, body); ans.status != http.StatusForbidden || ans.code() != "FORBIDDEN" ||
		!strings.Contains(ans.body, "needs the editor role") {
		t.Errorf("a viewer's upload: %d %s, want 403 saying it needs the editor role", ans.status, ans.body)
	}

	forged := viewer[:len(viewer)-4] + "AAAA"
	for name, token := range map[string]string{"forged": forged, "not a key": "hello", "unknown id": "sinergi_000000000000_" + viewer[len("sinergi_000000000000_"):]} {
		if ans := query(t, srv, token); ans.status != http.StatusUnauthorized {
			t.Errorf("%s key: %d %s, want 401", name, ans.status, ans.body)
		}
	}
	if ans := send(t, http.MethodPost, srv.URL+"/graphql", "", "application/json", strings.NewReader(freshnessQuery)); ans.status != http.StatusUnauthorized {
		t.Errorf("no key: %d", ans.status)
	}

	var out bytes.Buffer
	if err := keysCommand(context.Background(), a.accounts, &out, "cli:test", []string{"revoke", viewerID}); err != nil {
		t.Fatal(err)
	}
	if ans := query(t, srv, viewer); ans.status != http.StatusUnauthorized {
		t.Errorf("a revoked key: %d %s, want 401", ans.status, ans.body)
	}

	_, shortLived := createKey(t, a, "--name", "short", "--role", "viewer", "--expires", "2s")
	if ans := query(t, srv, shortLived); ans.status != http.StatusOK {
		t.Errorf("a key before its expiry: %d %s", ans.status, ans.body)
	}
	time.Sleep(2500 * time.Millisecond)
	if ans := query(t, srv, shortLived); ans.status != http.StatusUnauthorized {
		t.Errorf("an expired key: %d %s, want 401", ans.status, ans.body)
	}

	out.Reset()
	if err := keysCommand(context.Background(), a.accounts, &out, "cli:test", []string{"list"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), viewerID) || !strings.Contains(out.String(), "revoked") || !strings.Contains(out.String(), "expired") {
		t.Errorf("keys list does not show the keys' states:\n%s", out.String())
	}
	if strings.Contains(out.String(), viewer) || strings.Contains(out.String(), shortLived[20:]) {
		t.Errorf("keys list shows a secret:\n%s", out.String())
	}
	events, err := a.accounts.Store().Events(context.Background(), 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range events {
		actions = append(actions, e.Action+" "+e.Subject+" by "+e.Actor)
	}
	if want := "key.revoke " + viewerID + " by cli:test"; len(events) != 3 || actions[1] != want {
		t.Errorf("audit history: %q, want three events, the second %q", actions, want)
	}
}

// TestAnonymousReadingOn: dev's setting lets anyone read, but a key that
// does not hold is still refused, and uploads still need an editor.
func TestAnonymousReadingOn(t *testing.T) {
	a := testApp(t, true)
	srv := httptest.NewServer(a.httpHandler(newResultCache()))
	defer srv.Close()
	if ans := query(t, srv, ""); ans.status != http.StatusOK {
		t.Errorf("anonymous read: %d %s", ans.status, ans.body)
	}
	if ans := query(t, srv, "sinergi_0123456789ab_nope"); ans.status != http.StatusUnauthorized {
		t.Errorf("a bad key with anonymous reading on: %d, want 401", ans.status)
	}
	ct, body := uploadBody(t)
	if ans := send(t, http.MethodPost, srv.URL+"/graphql", "", ct, body); ans.status != http.StatusUnauthorized {
		t.Errorf("an anonymous upload: %d %s, want 401", ans.status, ans.body)
	}
}
