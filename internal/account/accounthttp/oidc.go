package accounthttp

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"

	"golang.org/x/oauth2"

	"github.com/sinergi-id/sinergi/internal/account"
	"github.com/sinergi-id/sinergi/internal/fault"
)

// OIDCProvider signs people in through an OpenID Connect provider and
// verifies its tokens (accountoidc.Provider).
type OIDCProvider interface {
	AuthCodeURL(ctx context.Context, state, nonce, verifier string) (string, error)
	Exchange(ctx context.Context, code, verifier, nonce string) (*account.Principal, error)
	AuthenticateToken(ctx context.Context, raw string) (*account.Principal, error)
}

// oidcCookie carries a sign-in's state, nonce and PKCE verifier from
// /auth/oidc/login to the callback: only this browser, within 10 minutes,
// can complete the sign-in it began (the state in the callback's URL must
// match the cookie's).
const (
	oidcCookie       = "sinergi_oidc"
	oidcCookiePath   = "/auth/oidc/"
	oidcCookieMaxAge = 600
)

// oidcLogin sends the browser to the provider.
func (g *Guard) oidcLogin(w http.ResponseWriter, r *http.Request) {
	if g.OIDC == nil {
		http.NotFound(w, r)
		return
	}
	state, err := account.RandomToken()
	if err != nil {
		g.fail(w, r, err)
		return
	}
	nonce, err := account.RandomToken()
	if err != nil {
		g.fail(w, r, err)
		return
	}
	verifier := oauth2.GenerateVerifier()
	target, err := g.OIDC.AuthCodeURL(r.Context(), state, nonce, verifier)
	if err != nil {
		g.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: state + "." + nonce + "." + verifier, Path: oidcCookiePath,
		MaxAge: oidcCookieMaxAge, HttpOnly: true, Secure: g.secure(r), SameSite: http.SameSiteLaxMode})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, target, http.StatusFound)
}

// oidcCallback completes a sign-in: the state must be this browser's, the
// code is exchanged with the PKCE verifier, the ID token verified (and its
// nonce checked); a session begins and the browser goes to the console.
func (g *Guard) oidcCallback(w http.ResponseWriter, r *http.Request) {
	if g.OIDC == nil {
		http.NotFound(w, r)
		return
	}
	c, err := r.Cookie(oidcCookie)
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: "", Path: oidcCookiePath, MaxAge: -1, HttpOnly: true,
		Secure: g.secure(r), SameSite: http.SameSiteLaxMode})
	parts := []string{}
	if err == nil {
		parts = strings.Split(c.Value, ".")
	}
	q := r.URL.Query()
	if len(parts) != 3 || subtle.ConstantTimeCompare([]byte(parts[0]), []byte(q.Get("state"))) != 1 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "this sign-in was not begun in this browser, or took over 10 minutes: sign in again"})
		return
	}
	if e := q.Get("error"); e != "" {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "the identity provider refused the sign-in: " + e})
		return
	}
	p, err := g.OIDC.Exchange(r.Context(), q.Get("code"), parts[2], parts[1])
	switch {
	case errors.Is(err, fault.ErrUnauthenticated):
		g.Log.InfoContext(r.Context(), "OIDC sign-in refused", "err", err, "remote", g.clientAddress(r))
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": refusalMessage(err)})
		return
	case errors.Is(err, fault.ErrForbidden):
		g.Log.InfoContext(r.Context(), "OIDC sign-in without a role", "err", err, "remote", g.clientAddress(r))
		writeJSON(w, http.StatusForbidden, map[string]string{"error": refusalMessage(err)})
		return
	case err != nil:
		g.fail(w, r, err)
		return
	}
	if old, ok := sessionFrom(r.Context()); ok {
		if err := g.Sessions.EndSession(r.Context(), old, p.Actor()); err != nil {
			g.fail(w, r, err)
			return
		}
	}
	if _, ok := g.startSession(w, r, p); !ok {
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, "/", http.StatusFound)
}
