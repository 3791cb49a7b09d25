package accounthttp

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/sinergi-id/sinergi/internal/account"
	"github.com/sinergi-id/sinergi/internal/fault"
)

// The cookies. The session cookie holds a 256-bit random token whose
// SHA-256 names the session in the database (account.Session): the
// session is server-side, so that signing out, disabling an account or
// changing its password ends it at once on every API server. The
// pre-session CSRF cookie protects the sign-in form itself (double submit:
// the page reads the token from GET /auth/session and sends it back in
// X-CSRF-Token, which another site cannot do).
const (
	SessionCookie    = "sinergi_session"
	PreSessionCookie = "sinergi_csrf"
	// CSRFHeader carries the CSRF token on state-changing requests.
	CSRFHeader = "X-CSRF-Token"
	// maxSignInBody bounds a sign-in request's body.
	maxSignInBody = 8 << 10
)

// SessionKeeper signs local accounts in and keeps their sessions
// (account.Service).
type SessionKeeper interface {
	SignIn(ctx context.Context, name, password string) (*account.Principal, error)
	StartSession(ctx context.Context, p *account.Principal) (string, account.Session, error)
	SessionPrincipal(ctx context.Context, token string) (*account.Principal, account.Session, error)
	EndSession(ctx context.Context, sess account.Session, actor string) error
}

type sessionKey struct{}

// sessionFrom returns the session a request was authenticated by, if any.
func sessionFrom(ctx context.Context) (account.Session, bool) {
	s, ok := ctx.Value(sessionKey{}).(account.Session)
	return s, ok
}

// SessionState is the body of GET /auth/session and of a sign-in.
type SessionState struct {
	SignedIn      bool         `json:"signedIn"`
	User          *SessionUser `json:"user"`
	CSRFToken     string       `json:"csrfToken"`
	AnonymousRead bool         `json:"anonymousRead"`
	OIDC          bool         `json:"oidc"`
}

// SessionUser is who is signed in.
type SessionUser struct {
	Name        string   `json:"name"`
	DisplayName string   `json:"displayName"`
	Role        string   `json:"role"`
	Scopes      []string `json:"scopes"`
}

// Routes serves /auth/*: the session's state, signing in and out, and
// signing in through OpenID Connect (404 when it is not configured). They sit behind the guard, which puts
// the request's principal and session on its context and checks the CSRF
// token of requests a session authenticates.
func (g *Guard) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /auth/session", g.sessionState)
	mux.HandleFunc("POST /auth/signin", g.signIn)
	mux.HandleFunc("POST /auth/signout", g.signOut)
	mux.HandleFunc("GET /auth/oidc/login", g.oidcLogin)
	mux.HandleFunc("GET /auth/oidc/callback", g.oidcCallback)
}

func (g *Guard) secure(r *http.Request) bool { return r.TLS != nil || g.SecureCookies }

func (g *Guard) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: g.secure(r), SameSite: http.SameSiteLaxMode})
}

// preSessionToken returns the request's pre-session CSRF token, setting a
// new cookie when it has none.
func (g *Guard) preSessionToken(w http.ResponseWriter, r *http.Request) (string, error) {
	if c, err := r.Cookie(PreSessionCookie); err == nil && len(c.Value) == 43 {
		return c.Value, nil
	}
	token, err := account.RandomToken()
	if err != nil {
		return "", err
	}
	g.setCookie(w, r, PreSessionCookie, token, 0)
	return token, nil
}

func (g *Guard) state(w http.ResponseWriter, r *http.Request, p *account.Principal, sess account.Session, hasSession bool) (SessionState, error) {
	st := SessionState{SignedIn: p != nil, AnonymousRead: g.AnonymousRead, OIDC: g.OIDC != nil}
	if p != nil {
		st.User = &SessionUser{Name: p.ID, DisplayName: p.Name, Role: string(p.Role), Scopes: []string{}}
		for _, s := range p.Scopes {
			st.User.Scopes = append(st.User.Scopes, account.Dotted(s))
		}
	}
	if hasSession {
		st.CSRFToken = sess.CSRFToken
		return st, nil
	}
	var err error
	st.CSRFToken, err = g.preSessionToken(w, r)
	return st, err
}

func (g *Guard) sessionState(w http.ResponseWriter, r *http.Request) {
	sess, ok := sessionFrom(r.Context())
	st, err := g.state(w, r, account.FromContext(r.Context()), sess, ok)
	if err != nil {
		g.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// signIn checks a local account's password and begins a session. The
// request must carry the CSRF token: the session's when one is signed in
// already (the guard checked it), else the pre-session cookie's.
func (g *Guard) signIn(w http.ResponseWriter, r *http.Request) {
	old, hadSession := sessionFrom(r.Context())
	if !hadSession {
		c, err := r.Cookie(PreSessionCookie)
		if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.Header.Get(CSRFHeader))) != 1 {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "the sign-in form's CSRF token is missing or wrong: reload the page (GET /auth/session gives it)"})
			return
		}
	}
	var body struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, maxSignInBody))
	if err := dec.Decode(&body); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": `the body must be JSON: {"username": "…", "password": "…"}`})
		return
	}
	address := g.clientAddress(r)
	attempt, wait, allowed := g.limits().begin(body.Username, address)
	if !allowed {
		g.tooMany(w, r, wait)
		return
	}
	p, err := g.Sessions.SignIn(r.Context(), body.Username, body.Password)
	if errors.Is(err, fault.ErrUnauthenticated) {
		// The attempt's tokens stay taken.
		g.Log.InfoContext(r.Context(), "sign-in refused", "user", body.Username, "remote", address)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": err.Error()})
		return
	}
	if err != nil {
		g.fail(w, r, err)
		return
	}
	g.limits().succeeded(attempt)
	if hadSession {
		if err := g.Sessions.EndSession(r.Context(), old, p.Actor()); err != nil {
			g.fail(w, r, err)
			return
		}
	}
	g.begin(w, r, p)
}

// begin starts a session for p, sets its cookie and answers with its state.
func (g *Guard) begin(w http.ResponseWriter, r *http.Request, p *account.Principal) {
	sess, ok := g.startSession(w, r, p)
	if !ok {
		return
	}
	st, err := g.state(w, r, p, sess, true)
	if err != nil {
		g.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// startSession starts a session for p and sets its cookie; false when it
// could not (answered).
func (g *Guard) startSession(w http.ResponseWriter, r *http.Request, p *account.Principal) (account.Session, bool) {
	token, sess, err := g.Sessions.StartSession(r.Context(), p)
	if err != nil {
		g.fail(w, r, err)
		return account.Session{}, false
	}
	g.setCookie(w, r, SessionCookie, token, int(time.Until(sess.ExpiresAt).Seconds()))
	g.Log.InfoContext(r.Context(), "signed in", "principal", p.Actor(), "remote", g.clientAddress(r))
	return sess, true
}

// signOut ends the request's session in the database and clears its
// cookie; without a session there is nothing to end.
func (g *Guard) signOut(w http.ResponseWriter, r *http.Request) {
	if sess, ok := sessionFrom(r.Context()); ok {
		if err := g.Sessions.EndSession(r.Context(), sess, account.FromContext(r.Context()).Actor()); err != nil {
			g.fail(w, r, err)
			return
		}
		g.Log.InfoContext(r.Context(), "signed out", "principal", account.FromContext(r.Context()).Actor())
	}
	g.setCookie(w, r, SessionCookie, "", -1)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// fail answers an error that is not the request's fault, logged, without
// its details.
func (g *Guard) fail(w http.ResponseWriter, r *http.Request, err error) {
	g.Log.ErrorContext(r.Context(), "session", "path", r.URL.Path, "err", err)
	writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "signing in is not possible now; try again shortly"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
