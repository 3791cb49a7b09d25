// Package accountoidc signs people in through an OpenID Connect provider
// (the province's identity provider) with github.com/coreos/go-oidc and
// golang.org/x/oauth2: the authorization-code flow with state, nonce and
// PKCE for the console, and ID tokens (or JWT access tokens for a
// configured audience) sent as `Authorization: Bearer` by services. Tokens
// are verified against the provider's JWKS (signature, issuer, audience,
// expiry); claims name the person, their role and their scopes.
package accountoidc

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/sinergi-id/sinergi/internal/account"
	"github.com/sinergi-id/sinergi/internal/fault"
)

// Config says which provider to use and how its claims map to sinergi.
type Config struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is sinergi's /auth/oidc/callback as the provider knows it.
	RedirectURL string
	// RoleClaim holds viewer, editor or admin (a string, or a list of
	// which the strongest counts); ScopesClaim an editor's region codes (a
	// list, or one string separated by commas or spaces); NameClaim what
	// the person is called in the audit history (the subject when absent).
	RoleClaim, ScopesClaim, NameClaim string
	// Audience, when set, is accepted for Bearer tokens besides ClientID
	// (an API audience for access tokens).
	Audience string
}

// Provider is one OpenID Connect provider. Discovery happens on first use
// and is retried on the next use until it succeeds, so sinergi starts
// while the provider is unreachable.
type Provider struct {
	cfg    Config
	client *http.Client
	log    *slog.Logger

	mu       sync.Mutex
	provider *oidc.Provider
	// tokens verifies signature, issuer and expiry; the audience is
	// checked by audienceOK (the client id, or Audience for Bearer tokens).
	tokens *oidc.IDTokenVerifier
}

// New returns the provider of cfg; client makes its requests (discovery,
// JWKS, token exchange). Why a token was refused goes to log; the answer
// says only that it was.
func New(cfg Config, client *http.Client, log *slog.Logger) *Provider {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &Provider{cfg: cfg, client: client, log: log}
}

// refuse logs why and returns the public error.
func (p *Provider) refuse(ctx context.Context, public error, why error) error {
	p.log.InfoContext(ctx, "OIDC token refused", "reason", public, "err", why)
	return public
}

func (p *Provider) audienceOK(id *oidc.IDToken, bearer bool) bool {
	for _, aud := range id.Audience {
		if aud == p.cfg.ClientID || bearer && p.cfg.Audience != "" && aud == p.cfg.Audience {
			return true
		}
	}
	return false
}

func (p *Provider) discover(ctx context.Context) (*oidc.Provider, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.provider != nil {
		return p.provider, nil
	}
	// The context carries the HTTP client for the provider's key set,
	// which outlives this request.
	bg := oidc.ClientContext(context.WithoutCancel(ctx), p.client)
	discoverCtx, cancel := context.WithTimeout(bg, 10*time.Second)
	defer cancel()
	prov, err := oidc.NewProvider(discoverCtx, p.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", fault.Unavailable("the identity provider cannot be reached; try again shortly"), err)
	}
	p.tokens = prov.VerifierContext(bg, &oidc.Config{SkipClientIDCheck: true})
	p.provider = prov
	return prov, nil
}

func (p *Provider) oauth2Config(prov *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: p.cfg.ClientID, ClientSecret: p.cfg.ClientSecret, RedirectURL: p.cfg.RedirectURL,
		Endpoint: prov.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}
}

// AuthCodeURL is where the browser signs in: state, nonce and the PKCE
// challenge of verifier (S256) ride along.
func (p *Provider) AuthCodeURL(ctx context.Context, state, nonce, verifier string) (string, error) {
	prov, err := p.discover(ctx)
	if err != nil {
		return "", err
	}
	return p.oauth2Config(prov).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), nil
}

// Exchange trades the callback's code (with the PKCE verifier) for tokens,
// verifies the ID token and its nonce, and returns its principal.
func (p *Provider) Exchange(ctx context.Context, code, verifier, nonce string) (*account.Principal, error) {
	prov, err := p.discover(ctx)
	if err != nil {
		return nil, err
	}
	tok, err := p.oauth2Config(prov).Exchange(oidc.ClientContext(ctx, p.client), code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, p.refuse(ctx, fault.Unauthenticated("the identity provider did not accept the sign-in; try again"), err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return nil, fault.Unauthenticated("the identity provider sent no ID token")
	}
	id, err := p.tokens.Verify(ctx, raw)
	if err == nil && !p.audienceOK(id, false) {
		err = fmt.Errorf("audience %v is not the client id", id.Audience)
	}
	if err != nil {
		return nil, p.refuse(ctx, fault.Unauthenticated("the identity provider's token does not verify"), err)
	}
	if id.Nonce == "" || id.Nonce != nonce {
		return nil, fault.Unauthenticated("the identity provider's token is not for this sign-in (nonce)")
	}
	return p.principal(id)
}

// AuthenticateToken verifies a Bearer token that is a JWT of the provider
// (an ID token for the client, or an access token for Audience) and
// returns its principal; ErrUnauthenticated when it does not verify.
func (p *Provider) AuthenticateToken(ctx context.Context, raw string) (*account.Principal, error) {
	if strings.Count(raw, ".") != 2 {
		return nil, fault.Unauthenticated("the API key or token is unknown, revoked or expired")
	}
	if _, err := p.discover(ctx); err != nil {
		return nil, err
	}
	id, err := p.tokens.Verify(ctx, raw)
	if err == nil && !p.audienceOK(id, true) {
		err = fmt.Errorf("audience %v is neither the client id nor the configured audience", id.Audience)
	}
	if err != nil {
		return nil, p.refuse(ctx, fault.Unauthenticated("the token does not verify (signature, issuer, audience or expiry)"), err)
	}
	return p.principal(id)
}

// principal maps a verified token's claims to sinergi's role and scopes.
// A token without a sinergi role is refused: the provider vouches for the
// person, not for what they may do here.
func (p *Provider) principal(id *oidc.IDToken) (*account.Principal, error) {
	var claims map[string]any
	if err := id.Claims(&claims); err != nil {
		return nil, fault.Unauthenticated("the token's claims cannot be read")
	}
	role, ok := strongestRole(claims[p.cfg.RoleClaim])
	if !ok {
		return nil, fault.Forbidden("the identity provider gives you no sinergi role (claim %q: viewer, editor or admin)", p.cfg.RoleClaim)
	}
	var scopes []string
	if role == account.RoleEditor {
		scopes = stringsOf(claims[p.cfg.ScopesClaim])
		if len(scopes) == 0 {
			return nil, fault.Forbidden("the identity provider makes you an editor without a scope (claim %q: region codes)", p.cfg.ScopesClaim)
		}
	}
	codes, err := account.ParseScopes(scopes)
	if err != nil {
		return nil, fault.Forbidden("the identity provider's scope claim %q: %v", p.cfg.ScopesClaim, err)
	}
	name, _ := claims[p.cfg.NameClaim].(string)
	if name == "" {
		name = id.Subject
	}
	display, _ := claims["name"].(string)
	if display == "" {
		display = name
	}
	return &account.Principal{Kind: "oidc", ID: name, Name: display, Role: role, Scopes: codes}, nil
}

func strongestRole(v any) (account.Role, bool) {
	var best account.Role
	for _, s := range stringsOf(v) {
		r, err := account.ParseRole(s)
		if err != nil {
			continue
		}
		if best == "" || r.Includes(best) {
			best = r
		}
	}
	return best, best != ""
}

// stringsOf reads a claim that is a string (split on commas and spaces) or
// a list of strings.
func stringsOf(v any) []string {
	switch v := v.(type) {
	case string:
		return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })
	case []any:
		var out []string
		for _, item := range v {
			if s, ok := item.(string); ok && s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
