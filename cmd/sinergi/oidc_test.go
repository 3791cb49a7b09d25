package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/sinergi-id/sinergi/internal/account/accounthttp"
)

// testIssuer is an OpenID Connect provider the test runs: discovery, its
// JWKS, and a token endpoint that hands out ID tokens for the codes the
// test issues, checking the PKCE verifier against the challenge.
type testIssuer struct {
	t   *testing.T
	srv *httptest.Server
	key *rsa.PrivateKey

	mu    sync.Mutex
	codes map[string]issuedCode
}

type issuedCode struct {
	challenge string
	claims    map[string]any
}

const testClientID, testClientSecret = "sinergi-console", "client-secret-for-tests"

func newTestIssuer(t *testing.T) *testIssuer {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	iss := &testIssuer{t: t, key: key, codes: map[string]issuedCode{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": iss.srv.URL, "authorization_endpoint": iss.srv.URL + "/authorize",
			"token_endpoint": iss.srv.URL + "/token", "jwks_uri": iss.srv.URL + "/jwks",
			"response_types_supported": []string{"code"}, "id_token_signing_alg_values_supported": []string{"RS256"}})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = r.FormValue("client_id"), r.FormValue("client_secret")
		}
		iss.mu.Lock()
		issued, found := iss.codes[r.FormValue("code")]
		delete(iss.codes, r.FormValue("code")) // a code works once
		iss.mu.Unlock()
		sum := sha256.Sum256([]byte(r.FormValue("code_verifier")))
		if id != testClientID || secret != testClientSecret || r.FormValue("grant_type") != "authorization_code" || !found ||
			base64.RawURLEncoding.EncodeToString(sum[:]) != issued.challenge {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "opaque", "token_type": "Bearer", "expires_in": 300,
			"id_token": iss.sign(key, issued.claims)})
	})
	iss.srv = httptest.NewServer(mux)
	t.Cleanup(iss.srv.Close)
	return iss
}

// claims are an ID token's for the client, valid for five minutes, with
// more as given.
func (iss *testIssuer) claims(more map[string]any) map[string]any {
	now := time.Now()
	c := map[string]any{"iss": iss.srv.URL, "aud": testClientID, "sub": "0f3a-budi", "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()}
	for k, v := range more {
		c[k] = v
	}
	return c
}

func (iss *testIssuer) sign(key *rsa.PrivateKey, claims map[string]any) string {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	if err != nil {
		iss.t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	obj, err := signer.Sign(payload)
	if err != nil {
		iss.t.Fatal(err)
	}
	raw, err := obj.CompactSerialize()
	if err != nil {
		iss.t.Fatal(err)
	}
	return raw
}

// oidcApp serves the program with OpenID Connect against iss, anonymous
// reading off.
func oidcApp(t *testing.T, iss *testIssuer) (*app, *httptest.Server) {
	a := testApp(t, false)
	srv := httptest.NewUnstartedServer(nil)
	a.cfg.Auth.OIDC = OIDCConfig{Issuer: iss.srv.URL, ClientID: testClientID, ClientSecret: testClientSecret,
		RedirectURL: "http://" + srv.Listener.Addr().String() + "/auth/oidc/callback",
		RoleClaim:   "sinergi_role", ScopesClaim: "sinergi_scopes", NameClaim: "preferred_username", Audience: "sinergi-api"}
	srv.Config.Handler = a.httpHandler(newResultCache())
	srv.Start()
	t.Cleanup(srv.Close)
	return a, srv
}

// login begins a sign-in in b and returns the provider's authorization
// request.
func login(t *testing.T, b *browser) url.Values {
	t.Helper()
	ans := b.do(http.MethodGet, "/auth/oidc/login", "", "", "")
	loc, err := url.Parse(ans.header.Get("Location"))
	if ans.status != http.StatusFound || err != nil {
		t.Fatalf("GET /auth/oidc/login: %d %s", ans.status, ans.header.Get("Location"))
	}
	return loc.Query()
}

// TestOIDCSignIn: the authorization-code flow with state, nonce and PKCE
// against a provider the test runs; the claims give the role and scope; a
// callback with another state, a reused code, another nonce or no role
// does not sign in.
func TestOIDCSignIn(t *testing.T) {
	iss := newTestIssuer(t)
	_, srv := oidcApp(t, iss)
	b := newBrowser(t, srv)
	if st := b.session(); !st.OIDC {
		t.Errorf("GET /auth/session does not say OIDC is on: %+v", st)
	}
	q := login(t, b)
	c := b.cookie("sinergi_oidc")
	if q.Get("client_id") != testClientID || q.Get("response_type") != "code" || !strings.Contains(q.Get("scope"), "openid") ||
		q.Get("redirect_uri") != srv.URL+"/auth/oidc/callback" || len(q.Get("state")) < 43 || len(q.Get("nonce")) < 43 ||
		q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || c == nil || !c.HttpOnly || c.MaxAge <= 0 {
		t.Fatalf("authorization request %v, cookie %+v", q, c)
	}
	editor := map[string]any{"preferred_username": "budi", "name": "Budi Santoso", "sinergi_role": []any{"viewer", "editor"}, "sinergi_scopes": "64.02"}
	issue := func(q url.Values, claims map[string]any) string {
		code, _ := randomCode()
		iss.mu.Lock()
		iss.codes[code] = issuedCode{challenge: q.Get("code_challenge"), claims: iss.claims(claims)}
		iss.mu.Unlock()
		return code
	}
	callback := func(code, state string) httpAnswer {
		return b.do(http.MethodGet, "/auth/oidc/callback?"+url.Values{"code": {code}, "state": {state}}.Encode(), "", "", "")
	}

	withNonce := func(q url.Values, nonce string) map[string]any {
		c := map[string]any{"nonce": nonce}
		for k, v := range editor {
			c[k] = v
		}
		return c
	}
	if ans := callback(issue(q, withNonce(q, q.Get("nonce"))), "another-state"); ans.status != http.StatusBadRequest || b.cookies[accounthttp.SessionCookie] != "" {
		t.Errorf("a callback with another state: %d %s, want 400 and no session", ans.status, ans.body)
	}
	q = login(t, b)
	if ans := callback(issue(q, withNonce(q, "another-nonce")), q.Get("state")); ans.status != http.StatusUnauthorized || b.cookies[accounthttp.SessionCookie] != "" {
		t.Errorf("an ID token with another nonce: %d %s, want 401", ans.status, ans.body)
	}
	q = login(t, b)
	noRole := withNonce(q, q.Get("nonce"))
	delete(noRole, "sinergi_role")
	if ans := callback(issue(q, noRole), q.Get("state")); ans.status != http.StatusForbidden || !strings.Contains(ans.body, "no sinergi role") {
		t.Errorf("an ID token without a role: %d %s, want 403", ans.status, ans.body)
	}
	q = login(t, b)
	code := issue(q, withNonce(q, q.Get("nonce")))
	iss.mu.Lock()
	iss.codes[code] = issuedCode{challenge: "not-the-challenge", claims: iss.codes[code].claims}
	iss.mu.Unlock()
	if ans := callback(code, q.Get("state")); ans.status != http.StatusUnauthorized {
		t.Errorf("a code whose PKCE challenge the verifier does not meet: %d %s, want 401", ans.status, ans.body)
	}

	q = login(t, b)
	code = issue(q, withNonce(q, q.Get("nonce")))
	ans := callback(code, q.Get("state"))
	if ans.status != http.StatusFound || ans.header.Get("Location") != "/" || b.cookies[accounthttp.SessionCookie] == "" {
		t.Fatalf("the callback: %d %s %q, want 302 to / with a session", ans.status, ans.body, ans.header.Get("Location"))
	}
	st := b.session()
	if !st.SignedIn || st.User.Name != "budi" || st.User.DisplayName != "Budi Santoso" || st.User.Role != "editor" || !slices.Equal(st.User.Scopes, []string{"64.02"}) {
		t.Errorf("signed in through OIDC: %+v", st.User)
	}
	if ans := b.graphql(st.CSRFToken); ans.status != http.StatusOK {
		t.Errorf("GraphQL on the OIDC session: %d %s", ans.status, ans.body)
	}
	if ans := b.graphql(""); ans.status != http.StatusForbidden {
		t.Errorf("GraphQL on the OIDC session without the CSRF token: %d, want 403", ans.status)
	}
	q = login(t, b)
	if ans := callback(code, q.Get("state")); ans.status != http.StatusUnauthorized {
		t.Errorf("a code used twice: %d %s, want 401", ans.status, ans.body)
	}
}

func randomCode() (string, error) {
	var b [16]byte
	_, err := rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:]), err
}

// TestOIDCBearerTokens: a service sends the provider's token as Bearer: a
// valid one gets in with the role and scope its claims give (an ID token
// for the client, or an access token for the configured audience); one
// signed with another key, expired, for another audience or from another
// issuer gets 401; one without a role 403.
func TestOIDCBearerTokens(t *testing.T) {
	iss := newTestIssuer(t)
	a, srv := oidcApp(t, iss)
	audit := `{ auditEvents(first: 1) { action } }`
	admin := iss.sign(iss.key, iss.claims(map[string]any{"preferred_username": "ops", "sinergi_role": "admin"}))
	if ans := gql(t, srv, admin, audit, nil); ans.status != http.StatusOK || ans.code() != "" {
		t.Errorf("an admin's ID token: %d %s", ans.status, ans.body)
	}
	viewer := iss.sign(iss.key, iss.claims(map[string]any{"preferred_username": "notebook", "sinergi_role": "viewer"}))
	if ans := query(t, srv, viewer); ans.status != http.StatusOK {
		t.Errorf("a viewer's ID token reading: %d %s", ans.status, ans.body)
	}
	if ans := gql(t, srv, viewer, audit, nil); ans.status != http.StatusForbidden {
		t.Errorf("a viewer's ID token reading the audit history: %d, want 403", ans.status)
	}
	access := iss.sign(iss.key, iss.claims(map[string]any{"aud": "sinergi-api", "sinergi_role": "viewer"}))
	if ans := query(t, srv, access); ans.status != http.StatusOK {
		t.Errorf("an access token for the API audience: %d %s", ans.status, ans.body)
	}

	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for name, token := range map[string]string{
		"signed with another key": iss.sign(other, iss.claims(map[string]any{"sinergi_role": "admin"})),
		"expired":                 iss.sign(iss.key, iss.claims(map[string]any{"sinergi_role": "admin", "iat": now.Add(-time.Hour).Unix(), "exp": now.Add(-time.Minute).Unix()})),
		"for another audience":    iss.sign(iss.key, iss.claims(map[string]any{"sinergi_role": "admin", "aud": "another-app"})),
		"from another issuer":     iss.sign(iss.key, iss.claims(map[string]any{"sinergi_role": "admin", "iss": "https://evil.example"})),
		"tampered":                admin[:strings.LastIndex(admin, ".")] + ".AAAA",
	} {
		if ans := query(t, srv, token); ans.status != http.StatusUnauthorized || ans.code() != "UNAUTHENTICATED" || strings.Contains(ans.body, "oidc:") {
			t.Errorf("a token %s: %d %s, want 401 without the verifier's details", name, ans.status, ans.body)
		}
	}
	noRole := iss.sign(iss.key, iss.claims(map[string]any{"preferred_username": "someone"}))
	if ans := query(t, srv, noRole); ans.status != http.StatusForbidden || !strings.Contains(ans.body, "no sinergi role") {
		t.Errorf("a token without a role: %d %s, want 403", ans.status, ans.body)
	}
	if _, key := createKey(t, a, "--name", "still works", "--role", "viewer"); query(t, srv, key).status != http.StatusOK {
		t.Error("an API key beside OIDC is refused")
	}
}
