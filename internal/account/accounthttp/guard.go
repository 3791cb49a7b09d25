// Package accounthttp puts principals on HTTP requests: it reads the
// credentials a request carries (an API key as a Bearer token, or a
// signed-in browser's session cookie), refuses bad keys with 401, refuses
// requests without any credentials with 401 where anonymous reading is
// off, and refuses state-changing requests that a session authenticates
// without its CSRF token (403). It also serves /auth/* (session.go,
// oidc.go). What a principal may do once in is decided where it is done
// (account.Require, the services' scope checks).
package accounthttp

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"net/netip"
	"strings"
	"sync"

	"github.com/sinergi-id/sinergi/internal/account"
	"github.com/sinergi-id/sinergi/internal/fault"
)

// KeyChecker turns an API key into its principal.
type KeyChecker interface {
	AuthenticateKey(ctx context.Context, token string) (*account.Principal, error)
}

// Guard authenticates requests.
type Guard struct {
	Keys KeyChecker
	// AnonymousRead lets requests without credentials read (as viewers
	// do); off, only the public paths answer them.
	AnonymousRead bool
	Log           *slog.Logger
	// Sessions signs local accounts in and keeps the sessions of signed-in
	// browsers.
	Sessions SessionKeeper
	// SecureCookies marks cookies Secure on plain HTTP requests too: the
	// server is behind a proxy that terminates TLS. (Requests that came
	// over TLS get Secure cookies anyway.)
	SecureCookies bool
	// TrustedProxies are the addresses of proxies in front whose
	// X-Forwarded-For says who the client is (for the sign-in limits
	// per address and the logs).
	TrustedProxies []netip.Prefix
	// OIDC, when set, signs people in through an OpenID Connect provider
	// and verifies its tokens sent as Bearer (those that are not API keys).
	OIDC OIDCProvider
	// SignInLimits bound failed sign-ins (DefaultSignInLimits when nil).
	SignInLimits *SignInLimits
	limitsOnce   sync.Once
}

// public paths answer anyone: the console's page and its built assets
// (which hold no data, and must load to let someone sign in), GraphiQL's
// page, and the health checks. Everything else — GraphQL, exports, the
// map files the console fetches — needs a principal when anonymous
// reading is off. A path not listed here is protected.
func public(path string) bool {
	switch path {
	case "/", "/graphiql", "/healthz", "/readyz", "/favicon.ico",
		// What the console's sign-in needs: whether someone is signed in
		// (and the form's CSRF token), signing in and out, OpenID Connect.
		"/auth/session", "/auth/signin", "/auth/signout", "/auth/oidc/login", "/auth/oidc/callback":
		return true
	}
	return strings.HasPrefix(path, "/assets/")
}

// Wrap returns next behind the guard: the request's context carries its
// principal (account.FromContext), nil when anonymous.
func (g *Guard) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
			next.ServeHTTP(w, r)
			return
		}
		p, sess, hasSession, err := g.authenticate(r)
		switch {
		case errors.Is(err, fault.ErrUnauthenticated):
			g.refuse(w, r, http.StatusUnauthorized, fault.CodeUnauthenticated, refusalMessage(err))
			return
		case errors.Is(err, fault.ErrForbidden):
			g.refuse(w, r, http.StatusForbidden, fault.CodeForbidden, refusalMessage(err))
			return
		case err != nil:
			g.Log.ErrorContext(r.Context(), "authenticating a request", "err", err)
			g.refuse(w, r, http.StatusServiceUnavailable, fault.CodeUnavailable, "credentials cannot be checked now; try again shortly")
			return
		}
		ctx := r.Context()
		if hasSession {
			if !safeMethod(r.Method) && subtle.ConstantTimeCompare([]byte(r.Header.Get(CSRFHeader)), []byte(sess.CSRFToken)) != 1 {
				g.refuse(w, r, http.StatusForbidden, fault.CodeForbidden,
					"this request needs the header "+CSRFHeader+" with the session's token (GET /auth/session gives it)")
				return
			}
			ctx = context.WithValue(ctx, sessionKey{}, sess)
		}
		if p == nil && !g.AnonymousRead && !public(r.URL.Path) {
			g.refuse(w, r, http.StatusUnauthorized, fault.CodeUnauthenticated,
				"sign in or send an API key (Authorization: Bearer …): anonymous reading is off on this server")
			return
		}
		if isUpload(r) {
			// Files are sent only to submit a register: refused before a
			// byte of them is read unless the sender may submit.
			if err := account.Require(account.WithPrincipal(r.Context(), p), account.RoleEditor); err != nil {
				status, code := http.StatusForbidden, fault.CodeForbidden
				if p == nil {
					status, code = http.StatusUnauthorized, fault.CodeUnauthenticated
				}
				g.refuse(w, r, status, code, refusalMessage(err))
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(account.WithPrincipal(ctx, p)))
	})
}

// authenticate returns the request's principal: nil without credentials,
// an ErrUnauthenticated error with a key or token that does not hold (an
// ErrForbidden one with a provider's token that gives no role). A Bearer
// token wins over a session cookie (and needs no CSRF token: a browser
// never adds one on its own). A session cookie that no longer holds
// (signed out, expired, its account disabled) counts as none: the request
// is anonymous, and GET /auth/session says so.
func (g *Guard) authenticate(r *http.Request) (p *account.Principal, sess account.Session, hasSession bool, err error) {
	header := r.Header.Get("Authorization")
	if header != "" {
		scheme, token, ok := strings.Cut(header, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return nil, sess, false, fault.Unauthenticated("the Authorization header must be `Bearer <API key>`")
		}
		token = strings.TrimSpace(token)
		if g.OIDC != nil && !strings.HasPrefix(token, account.KeyPrefix) {
			p, err = g.OIDC.AuthenticateToken(r.Context(), token)
		} else {
			p, err = g.Keys.AuthenticateKey(r.Context(), token)
		}
		return p, sess, false, err
	}
	c, cerr := r.Cookie(SessionCookie)
	if cerr != nil || c.Value == "" || g.Sessions == nil {
		return nil, sess, false, nil
	}
	p, sess, err = g.Sessions.SessionPrincipal(r.Context(), c.Value)
	return p, sess, err == nil && p != nil, err
}

// safeMethod: a request that changes nothing (RFC 9110), which needs no
// CSRF token.
func safeMethod(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// isUpload: a multipart request (the GraphQL multipart request spec).
func isUpload(r *http.Request) bool {
	media, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return r.Method == http.MethodPost && strings.HasPrefix(media, "multipart/")
}

// refusalMessage is the message the one error map (fault.Classify) shows
// for an unauthenticated or forbidden err.
func refusalMessage(err error) string {
	_, message := fault.Classify(err)
	return message
}

// refuse answers as the GraphQL endpoint answers a refused request, so
// clients read one shape of error whatever refused them.
func (g *Guard) refuse(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="sinergi"`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	body, _ := json.Marshal(map[string]any{"errors": []any{map[string]any{
		"message": message, "extensions": map[string]any{"code": code},
	}}})
	_, _ = w.Write(body)
	g.Log.InfoContext(r.Context(), "request refused", "status", status, "code", code, "path", r.URL.Path, "remote", g.clientAddress(r))
}
