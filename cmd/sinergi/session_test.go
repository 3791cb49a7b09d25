package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sinergi-id/sinergi/internal/account/accounthttp"
)

// browser is a console in a browser: it keeps the cookies the server sets
// and sends them back, as a browser does on same-site requests.
type browser struct {
	t       *testing.T
	srv     *httptest.Server
	cookies map[string]string
	// set is every cookie the last answer set.
	set []*http.Cookie
}

// noRedirects answers redirects rather than following them, so that a
// test sees where they lead.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func newBrowser(t *testing.T, srv *httptest.Server) *browser {
	return &browser{t: t, srv: srv, cookies: map[string]string{}}
}

func (b *browser) do(method, path, csrf, contentType, body string) httpAnswer {
	b.t.Helper()
	req, err := http.NewRequest(method, b.srv.URL+path, strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	for name, value := range b.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	if csrf != "" {
		req.Header.Set(accounthttp.CSRFHeader, csrf)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	b.set = resp.Cookies()
	for _, c := range b.set {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return httpAnswer{status: resp.StatusCode, header: resp.Header, body: string(data)}
}

func (b *browser) cookie(name string) *http.Cookie {
	for _, c := range b.set {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (b *browser) session() accounthttp.SessionState {
	b.t.Helper()
	ans := b.do(http.MethodGet, "/auth/session", "", "", "")
	var st accounthttp.SessionState
	if err := json.Unmarshal([]byte(ans.body), &st); err != nil || ans.status != http.StatusOK {
		b.t.Fatalf("GET /auth/session: %d %s", ans.status, ans.body)
	}
	return st
}

func (b *browser) signIn(csrf, user, password string) httpAnswer {
	b.t.Helper()
	body, _ := json.Marshal(map[string]string{"username": user, "password": password})
	return b.do(http.MethodPost, "/auth/signin", csrf, "application/json", string(body))
}

func (b *browser) graphql(csrf string) httpAnswer {
	b.t.Helper()
	return b.do(http.MethodPost, "/graphql", csrf, "application/json", freshnessQuery)
}

// createUser runs `sinergi users create` with the password on standard
// input.
func createUser(t *testing.T, a *app, password string, args ...string) {
	t.Helper()
	var out bytes.Buffer
	if err := usersCommand(context.Background(), a.accounts, strings.NewReader(password+"\n"), &out, "cli:test", append([]string{"create"}, args...)); err != nil {
		t.Fatalf("users create %v: %v", args, err)
	}
}

func errorOf(t *testing.T, ans httpAnswer) string {
	t.Helper()
	var body struct{ Error string }
	if err := json.Unmarshal([]byte(ans.body), &body); err != nil || body.Error == "" {
		t.Fatalf("answer %d has no {\"error\": …}: %s", ans.status, ans.body)
	}
	return body.Error
}

// TestSignInSessionsAndCSRF: with anonymous reading off, a local account
// signs in through /auth/* as the console does, with the sign-in form
// protected by the pre-session CSRF token; the session cookie's flags are
// as the contract says; state-changing requests on the session need its
// CSRF token; signing out, disabling the account and changing its
// password end the session on the server (the same cookie replayed is
// anonymous); every change is in the audit history.
func TestSignInSessionsAndCSRF(t *testing.T) {
	a := testApp(t, false)
	srv := httptest.NewServer(a.httpHandler(newResultCache()))
	defer srv.Close()
	const password = "kukar-kerja-sama-2026"
	createUser(t, a, password, "--name", "dpmd.kukar", "--display-name", "DPMD Kukar", "--role", "editor", "--scope", "64.02")
	var out bytes.Buffer
	if err := usersCommand(context.Background(), a.accounts, strings.NewReader(password+"\n"), &out, "cli:test",
		[]string{"create", "--name", "x", "--role", "viewer", password}); err == nil || !strings.Contains(err.Error(), "never given on the command line") {
		t.Errorf("users create with the password in argv: %v, want it refused", err)
	}

	b := newBrowser(t, srv)
	st := b.session()
	pre := b.cookie(accounthttp.PreSessionCookie)
	if st.SignedIn || st.User != nil || st.AnonymousRead || st.OIDC || st.CSRFToken == "" || pre == nil || pre.Value != st.CSRFToken || !pre.HttpOnly {
		t.Fatalf("GET /auth/session before signing in: %+v, pre-session cookie %+v", st, pre)
	}
	if ans := b.do(http.MethodGet, "/auth/oidc/login", "", "", ""); ans.status != http.StatusNotFound {
		t.Errorf("GET /auth/oidc/login without OIDC configured: %d, want 404", ans.status)
	}
	if again := b.session(); again.CSRFToken != st.CSRFToken || b.cookie(accounthttp.PreSessionCookie) != nil {
		t.Errorf("a second GET /auth/session changed the pre-session token or set it again")
	}
	if ans := b.graphql(""); ans.status != http.StatusUnauthorized {
		t.Errorf("GraphQL before signing in: %d, want 401", ans.status)
	}

	if ans := b.signIn("", "dpmd.kukar", password); ans.status != http.StatusForbidden {
		t.Errorf("sign-in without the CSRF token: %d %s, want 403", ans.status, ans.body)
	}
	if ans := b.signIn("forged-token", "dpmd.kukar", password); ans.status != http.StatusForbidden {
		t.Errorf("sign-in with a wrong CSRF token: %d %s, want 403", ans.status, ans.body)
	}
	wrong := b.signIn(st.CSRFToken, "dpmd.kukar", "not the password")
	unknown := b.signIn(st.CSRFToken, "nobody", password)
	if wrong.status != http.StatusUnauthorized || unknown.status != http.StatusUnauthorized || errorOf(t, wrong) != errorOf(t, unknown) {
		t.Errorf("wrong password %d %s, unknown user %d %s: want 401 with the same message", wrong.status, wrong.body, unknown.status, unknown.body)
	}
	if b.cookies[accounthttp.SessionCookie] != "" {
		t.Fatal("a refused sign-in set a session cookie")
	}

	ans := b.signIn(st.CSRFToken, "DPMD.Kukar", password)
	if ans.status != http.StatusOK {
		t.Fatalf("sign-in: %d %s", ans.status, ans.body)
	}
	var signedIn accounthttp.SessionState
	_ = json.Unmarshal([]byte(ans.body), &signedIn)
	if !signedIn.SignedIn || signedIn.User == nil || signedIn.User.Name != "dpmd.kukar" || signedIn.User.DisplayName != "DPMD Kukar" ||
		signedIn.User.Role != "editor" || !slices.Equal(signedIn.User.Scopes, []string{"64.02"}) || signedIn.CSRFToken == "" || signedIn.CSRFToken == st.CSRFToken {
		t.Errorf("sign-in answer: %s", ans.body)
	}
	c := b.cookie(accounthttp.SessionCookie)
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure || c.MaxAge < 11*3600 {
		t.Errorf("session cookie over plain HTTP: %+v, want HttpOnly, SameSite=Lax, Path=/, not Secure, lasting the session's lifetime", c)
	}
	if s := b.session(); !s.SignedIn || s.CSRFToken != signedIn.CSRFToken || s.User.Role != "editor" {
		t.Errorf("GET /auth/session signed in: %+v", s)
	}

	if ans := b.do(http.MethodGet, "/export.csv?query=%7BdataFreshness%7Bdataset%7D%7D", "", "", ""); ans.status != http.StatusOK {
		t.Errorf("an export (GET) on the session: %d %s", ans.status, ans.body)
	}
	if ans := b.graphql(""); ans.status != http.StatusForbidden || ans.code() != "FORBIDDEN" || !strings.Contains(ans.body, accounthttp.CSRFHeader) {
		t.Errorf("a GraphQL POST on the session without the CSRF token: %d %s, want 403 FORBIDDEN naming the header", ans.status, ans.body)
	}
	if ans := b.graphql(st.CSRFToken); ans.status != http.StatusForbidden {
		t.Errorf("a GraphQL POST with the pre-session token: %d, want 403", ans.status)
	}
	if ans := b.graphql(signedIn.CSRFToken); ans.status != http.StatusOK || ans.code() != "" {
		t.Errorf("a GraphQL POST with the session's CSRF token: %d %s", ans.status, ans.body)
	}
	ct, body := uploadBody(t)
	if ans := b.do(http.MethodPost, "/graphql", "", ct, body.String()); ans.status != http.StatusForbidden {
		t.Errorf("an upload on the session without the CSRF token: %d %s, want 403", ans.status, ans.body)
	}
	auditAs := `{"query":"{ auditEvents(first: 5) { action } }"}`
	if ans := b.do(http.MethodPost, "/graphql", signedIn.CSRFToken, "application/json", auditAs); ans.status != http.StatusForbidden || !strings.Contains(ans.body, "needs the admin role") {
		t.Errorf("an editor's session reading the audit history: %d %s, want 403", ans.status, ans.body)
	}

	// Signing out needs the token, ends the session on the server and
	// clears the cookie; the old cookie, replayed, is anonymous.
	stolen := b.cookies[accounthttp.SessionCookie]
	if ans := b.do(http.MethodPost, "/auth/signout", "", "", ""); ans.status != http.StatusForbidden {
		t.Errorf("sign-out without the CSRF token: %d, want 403", ans.status)
	}
	if ans := b.do(http.MethodPost, "/auth/signout", signedIn.CSRFToken, "", ""); ans.status != http.StatusNoContent ||
		b.cookie(accounthttp.SessionCookie) == nil || b.cookie(accounthttp.SessionCookie).MaxAge >= 0 {
		t.Errorf("sign-out: %d, cookie %+v; want 204 clearing the cookie", ans.status, b.cookie(accounthttp.SessionCookie))
	}
	b.cookies[accounthttp.SessionCookie] = stolen
	if ans := b.graphql(signedIn.CSRFToken); ans.status != http.StatusUnauthorized {
		t.Errorf("the signed-out session's cookie replayed: %d %s, want 401", ans.status, ans.body)
	}
	if s := b.session(); s.SignedIn {
		t.Errorf("GET /auth/session with a signed-out cookie says signed in")
	}

	// Disabling the account and changing its password end its sessions.
	sessionToken := func() (string, string) {
		t.Helper()
		pre := b.session().CSRFToken
		ans := b.signIn(pre, "dpmd.kukar", password)
		if ans.status != http.StatusOK {
			t.Fatalf("sign-in: %d %s", ans.status, ans.body)
		}
		var st accounthttp.SessionState
		_ = json.Unmarshal([]byte(ans.body), &st)
		return b.cookies[accounthttp.SessionCookie], st.CSRFToken
	}
	_, csrf := sessionToken()
	if err := usersCommand(context.Background(), a.accounts, nil, &out, "cli:test", []string{"disable", "dpmd.kukar"}); err != nil {
		t.Fatal(err)
	}
	if ans := b.graphql(csrf); ans.status != http.StatusUnauthorized {
		t.Errorf("a disabled account's session: %d, want 401", ans.status)
	}
	if ans := b.signIn(b.session().CSRFToken, "dpmd.kukar", password); ans.status != http.StatusUnauthorized {
		t.Errorf("a disabled account signing in: %d, want 401", ans.status)
	}
	if err := usersCommand(context.Background(), a.accounts, nil, &out, "cli:test", []string{"enable", "dpmd.kukar"}); err != nil {
		t.Fatal(err)
	}
	_, csrf = sessionToken()
	const newPassword = "a-new-password-for-kukar"
	if err := usersCommand(context.Background(), a.accounts, strings.NewReader(newPassword+"\n"), &out, "cli:test", []string{"passwd", "dpmd.kukar"}); err != nil {
		t.Fatal(err)
	}
	if ans := b.graphql(csrf); ans.status != http.StatusUnauthorized {
		t.Errorf("a session begun before the password changed: %d, want 401", ans.status)
	}
	if ans := b.signIn(b.session().CSRFToken, "dpmd.kukar", newPassword); ans.status != http.StatusOK {
		t.Errorf("sign-in with the new password: %d %s", ans.status, ans.body)
	}

	out.Reset()
	if err := usersCommand(context.Background(), a.accounts, nil, &out, "cli:test", []string{"list"}); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`dpmd\.kukar\s+DPMD Kukar\s+editor\s+64\.02\s+active`).MatchString(out.String()) || strings.Contains(out.String(), "argon2") {
		t.Errorf("users list:\n%s", out.String())
	}
	users, err := a.accounts.Users(context.Background())
	if err != nil || len(users) != 1 || !strings.HasPrefix(users[0].PasswordHash, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(users[0].PasswordHash, newPassword) {
		t.Errorf("stored account: %+v, %v; want one, its password as an argon2id PHC string", users, err)
	}
	events, err := a.accounts.Store().Events(context.Background(), 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range events {
		actions = append(actions, e.Action+" "+e.Subject+" "+e.Actor)
	}
	slices.Reverse(actions)
	want := []string{
		"user.create dpmd.kukar cli:test",
		"session.start dpmd.kukar user:dpmd.kukar (DPMD Kukar)",
		"session.end dpmd.kukar user:dpmd.kukar (DPMD Kukar)",
		"session.start dpmd.kukar user:dpmd.kukar (DPMD Kukar)",
		"user.disable dpmd.kukar cli:test",
		"user.enable dpmd.kukar cli:test",
		"session.start dpmd.kukar user:dpmd.kukar (DPMD Kukar)",
		"user.password dpmd.kukar cli:test",
		"session.start dpmd.kukar user:dpmd.kukar (DPMD Kukar)",
	}
	if !slices.Equal(actions, want) {
		t.Errorf("audit history:\n%s\nwant:\n%s", strings.Join(actions, "\n"), strings.Join(want, "\n"))
	}
}

// TestSecureSessionCookie: behind a proxy that terminates TLS
// (auth.secure_cookies), and over TLS itself, the cookies are Secure.
func TestSecureSessionCookie(t *testing.T) {
	a := testApp(t, false)
	a.cfg.Auth.SecureCookies = true
	srv := httptest.NewServer(a.httpHandler(newResultCache()))
	defer srv.Close()
	const password = "viewer-password-long"
	createUser(t, a, password, "--name", "pembaca", "--role", "viewer")
	b := newBrowser(t, srv)
	st := b.session()
	if c := b.cookie(accounthttp.PreSessionCookie); c == nil || !c.Secure {
		t.Errorf("pre-session cookie with secure_cookies: %+v, want Secure", c)
	}
	if ans := b.signIn(st.CSRFToken, "pembaca", password); ans.status != http.StatusOK {
		t.Fatalf("sign-in: %d %s", ans.status, ans.body)
	}
	if c := b.cookie(accounthttp.SessionCookie); c == nil || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
		t.Errorf("session cookie with secure_cookies: %+v, want Secure, HttpOnly, SameSite=Lax", c)
	}

	tlsSrv := httptest.NewTLSServer(testApp(t, false).httpHandler(newResultCache()))
	defer tlsSrv.Close()
	req, _ := http.NewRequest(http.MethodGet, tlsSrv.URL+"/auth/session", nil)
	resp, err := tlsSrv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if cs := resp.Cookies(); len(cs) != 1 || !cs[0].Secure {
		t.Errorf("cookies over TLS: %+v, want the pre-session cookie, Secure", cs)
	}
}

// TestDevMakesAnAdminOnce: `sinergi dev` on a database without accounts
// makes an admin whose random password is in the log, once; that password
// signs in.
func TestDevMakesAnAdminOnce(t *testing.T) {
	a := testApp(t, false)
	var logged bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logged, nil))
	for range 2 {
		if err := ensureDevAdmin(context.Background(), a, log); err != nil {
			t.Fatal(err)
		}
	}
	m := regexp.MustCompile(`user=admin password=(\S+)`).FindAllStringSubmatch(logged.String(), -1)
	if len(m) != 1 || len(m[0][1]) < 20 {
		t.Fatalf("log: %s\nwant one line with the admin's password", logged.String())
	}
	srv := httptest.NewServer(a.httpHandler(newResultCache()))
	defer srv.Close()
	b := newBrowser(t, srv)
	ans := b.signIn(b.session().CSRFToken, "admin", m[0][1])
	if ans.status != http.StatusOK || !strings.Contains(ans.body, `"role":"admin"`) {
		t.Errorf("signing in with the logged password: %d %s", ans.status, ans.body)
	}
}

// TestSignInRateLimits: five wrong passwords for one account, and twenty
// failures from one address, make further sign-ins wait (429 with
// Retry-After) without checking the password, even a right one.
func TestSignInRateLimits(t *testing.T) {
	a := testApp(t, false)
	srv := httptest.NewServer(a.httpHandler(newResultCache()))
	defer srv.Close()
	const password = "the-right-password"
	createUser(t, a, password, "--name", "dpmd.paser", "--role", "editor", "--scope", "64.01")
	createUser(t, a, password, "--name", "dpmd.berau", "--role", "editor", "--scope", "64.03")
	b := newBrowser(t, srv)
	csrf := b.session().CSRFToken
	for i := range 5 {
		if ans := b.signIn(csrf, "dpmd.paser", "wrong"); ans.status != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d %s, want 401", i+1, ans.status, ans.body)
		}
	}
	ans := b.signIn(csrf, "DPMD.Paser", password)
	if ans.status != http.StatusTooManyRequests || ans.header.Get("Retry-After") == "" || ans.header.Get("Retry-After") == "0" || errorOf(t, ans) == "" {
		t.Errorf("the right password after five wrong ones: %d %q %s, want 429 with Retry-After", ans.status, ans.header.Get("Retry-After"), ans.body)
	}
	if ans := b.signIn(csrf, "dpmd.berau", password); ans.status != http.StatusOK {
		t.Errorf("another account from the same address: %d %s, want 200", ans.status, ans.body)
	}
	// The address's allowance comes back at one every 6 s, so on a slow
	// machine a few more than 15 may pass before the 429.
	b = newBrowser(t, srv) // signed out, from the same address
	csrf = b.session().CSRFToken
	failures := 0
	for ; failures < 30; failures++ {
		ans := b.signIn(csrf, fmt.Sprintf("guess%d", failures), "wrong")
		if ans.status == http.StatusTooManyRequests {
			break
		}
		if ans.status != http.StatusUnauthorized {
			t.Fatalf("failure %d from the address: %d, want 401", 6+failures, ans.status)
		}
	}
	if failures < 15 || failures == 30 {
		t.Errorf("the address was limited after %d more failures, want 15 (a burst of 20) or a few more", failures)
	}
	if ans := b.signIn(csrf, "dpmd.berau", password); ans.status != http.StatusTooManyRequests || ans.header.Get("Retry-After") == "" {
		t.Errorf("after twenty failures from the address: %d %q, want 429 with Retry-After", ans.status, ans.header.Get("Retry-After"))
	}
}

// TestSignInRateLimitsParallel: thirty wrong passwords sent at once for
// one account get at most the account's burst (five) checked, the rest
// 429, because a sign-in takes its token when it starts, not after the
// hash; and a right password after a few failures signs in without using
// a token.
func TestSignInRateLimitsParallel(t *testing.T) {
	a := testApp(t, false)
	srv := httptest.NewServer(a.httpHandler(newResultCache()))
	defer srv.Close()
	const password = "the-right-password"
	createUser(t, a, password, "--name", "dpmd.paser", "--role", "editor", "--scope", "64.01")
	b := newBrowser(t, srv)
	csrf := b.session().CSRFToken
	cookies := maps.Clone(b.cookies)
	for i := range 2 {
		if ans := b.signIn(csrf, "dpmd.paser", "wrong"); ans.status != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d %s, want 401", i+1, ans.status, ans.body)
		}
	}
	if ans := b.signIn(csrf, "dpmd.paser", password); ans.status != http.StatusOK {
		t.Fatalf("the right password after two wrong ones: %d %s, want 200", ans.status, ans.body)
	}
	// Three tokens are left if the success took none: thirty guesses at
	// once, each from the signed-out browser, may have three checked.
	const guesses = 30
	statuses := make([]int, guesses)
	errs := make([]error, guesses)
	var wg sync.WaitGroup
	for i := range guesses {
		wg.Go(func() {
			body, _ := json.Marshal(map[string]string{"username": "dpmd.paser", "password": fmt.Sprintf("guess%d", i)})
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/auth/signin", bytes.NewReader(body))
			if err != nil {
				errs[i] = err
				return
			}
			for name, value := range cookies {
				req.AddCookie(&http.Cookie{Name: name, Value: value})
			}
			req.Header.Set(accounthttp.CSRFHeader, csrf)
			req.Header.Set("Content-Type", "application/json")
			resp, err := noRedirects.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			defer resp.Body.Close()
			_, _ = io.Copy(io.Discard, resp.Body)
			statuses[i] = resp.StatusCode
			if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
				errs[i] = fmt.Errorf("429 without Retry-After")
			}
		})
	}
	wg.Wait()
	checked, limited := 0, 0
	for i, status := range statuses {
		switch {
		case errs[i] != nil:
			t.Errorf("guess %d: %v", i, errs[i])
		case status == http.StatusUnauthorized:
			checked++
		case status == http.StatusTooManyRequests:
			limited++
		default:
			t.Errorf("guess %d: %d, want 401 or 429", i, status)
		}
	}
	// The bucket refills one a minute; a slow machine may let one more in.
	if checked < 3 || checked > 4 || checked+limited != guesses {
		t.Errorf("%d parallel guesses: %d checked (401), %d refused (429); want 3 (or 4) checked, the rest refused", guesses, checked, limited)
	}
}

// TestSignedInOfficeSubmits: a kabupaten office signed in to the console
// (no key, no shell) checks and submits its register and withdraws an
// agreement, each with the session's CSRF token; without it the upload is
// refused before anything is read or written; the run and the audit
// history name the account.
func TestSignedInOfficeSubmits(t *testing.T) {
	a, srv := kaltimServer(t)
	const password = "kukar-office-password"
	createUser(t, a, password, "--name", "dpmd.kukar", "--display-name", "DPMD Kukar", "--role", "editor", "--scope", "64.02")
	b := newBrowser(t, srv)
	ans := b.signIn(b.session().CSRFToken, "dpmd.kukar", password)
	if ans.status != http.StatusOK {
		t.Fatalf("sign-in: %d %s", ans.status, ans.body)
	}
	csrf := b.session().CSRFToken
	files := map[string][]byte{"Register Kukar 2026.xlsx": kukarRegister(t)}
	ct, body := uploadRequest(submitMutation, files)
	if ans := b.do(http.MethodPost, "/graphql", "", ct, string(body)); ans.status != http.StatusForbidden || ans.code() != "FORBIDDEN" {
		t.Errorf("a submission on the session without the CSRF token: %d %s, want 403", ans.status, ans.body)
	}
	runs := decode[struct{ EtlRuns []struct{ ID string } }](t, b.do(http.MethodPost, "/graphql", csrf, "application/json",
		`{"query":"{ etlRuns(dataset: \"register\") { id } }"}`)).EtlRuns
	if len(runs) != 0 {
		t.Errorf("runs after the refused submission: %+v, want none", runs)
	}

	ct, body = uploadRequest(checkMutation, files)
	check := decode[struct {
		CheckRegister struct {
			Agreements, OutsideScope int
			AnnotatedWorkbookPath    string
		}
	}](t, b.do(http.MethodPost, "/graphql", csrf, ct, string(body))).CheckRegister
	if check.Agreements != 3 || check.OutsideScope != 1 {
		t.Errorf("check on the session: %+v", check)
	}
	if ans := b.do(http.MethodGet, check.AnnotatedWorkbookPath, "", "", ""); ans.status != http.StatusOK || !strings.HasPrefix(ans.body, "PK") {
		t.Errorf("the annotated workbook on the session: %d", ans.status)
	}
	ct, body = uploadRequest(submitMutation, files)
	sub := decode[struct {
		SubmitRegister struct {
			SubmittedBy string
			Run         struct{ Status string }
		}
	}](t, b.do(http.MethodPost, "/graphql", csrf, ct, string(body))).SubmitRegister
	if sub.Run.Status != "SUCCEEDED" || sub.SubmittedBy != "user:dpmd.kukar (DPMD Kukar)" {
		t.Errorf("submission on the session: %+v", sub)
	}
	withdraw, _ := json.Marshal(map[string]any{"query": `mutation($id: ID!, $reason: String!) { withdrawAgreement(id: $id, reason: $reason) { withdrawn by } }`,
		"variables": map[string]any{"id": "KUKAR-2026-001", "reason": "entered twice"}})
	w := decode[struct {
		WithdrawAgreement struct {
			Withdrawn bool
			By        string
		}
	}](t,
		b.do(http.MethodPost, "/graphql", csrf, "application/json", string(withdraw))).WithdrawAgreement
	if !w.Withdrawn || w.By != "user:dpmd.kukar (DPMD Kukar)" {
		t.Errorf("withdrawal on the session: %+v", w)
	}
	events, err := a.accounts.Store().Events(context.Background(), 20, 0)
	if err != nil {
		t.Fatal(err)
	}
	var byUser []string
	for _, e := range events {
		if e.Actor == "user:dpmd.kukar (DPMD Kukar)" {
			byUser = append(byUser, e.Action)
		}
	}
	slices.Sort(byUser)
	if want := []string{"agreement.withdraw", "register.submit", "session.start"}; !slices.Equal(byUser, want) {
		t.Errorf("the account's audit events: %v, want %v", byUser, want)
	}
}
