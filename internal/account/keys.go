package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/sinergi-id/sinergi/internal/fault"
	"github.com/sinergi-id/sinergi/internal/region"
)

// Key is an API key as stored: never its secret, only the secret's SHA-256.
type Key struct {
	ID        string
	Name      string
	Role      Role
	Scopes    []region.Code
	Hash      string // hex SHA-256 of the whole key as given to its holder
	CreatedBy string
	CreatedAt time.Time
	ExpiresAt time.Time // zero: never
	RevokedAt time.Time // zero: not revoked
}

// Active reports whether the key may be used at now.
func (k Key) Active(now time.Time) bool {
	return k.RevokedAt.IsZero() && (k.ExpiresAt.IsZero() || now.Before(k.ExpiresAt))
}

// Status is the key's state in words: active, revoked or expired.
func (k Key) Status(now time.Time) string {
	switch {
	case !k.RevokedAt.IsZero():
		return "revoked"
	case !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt):
		return "expired"
	}
	return "active"
}

// Event is one entry of the audit history.
type Event struct {
	ID      uint64
	At      time.Time
	Actor   string // Principal.Actor, or "cli:<user>" for the command line
	Action  string // key.create, key.revoke, register.submit, agreement.withdraw, …
	Subject string // what it acted on: a key id, a run id, an agreement id
	Detail  string
}

// Store keeps keys and the audit history. Writes are read back at once
// (the store reads and writes on the same connection pool of one server).
type Store interface {
	SaveKey(ctx context.Context, k Key) error
	Key(ctx context.Context, id string) (Key, bool, error)
	Keys(ctx context.Context) ([]Key, error)
	Record(ctx context.Context, e Event) error
	// Events returns the newest events first, at most limit of them,
	// with ids below before when it is not 0.
	Events(ctx context.Context, limit int, before uint64) ([]Event, error)
	UserStore
}

// Service creates, lists, revokes and checks API keys, manages local
// accounts, signs them in and keeps their sessions, and records every
// change in the audit history.
type Service struct {
	store Store
	now   func() time.Time
	// SessionLifetime is how long a session holds (DefaultSessionLifetime).
	SessionLifetime time.Duration
}

// NewService returns a Service on store.
func NewService(store Store) *Service {
	return &Service{store: store, now: time.Now, SessionLifetime: DefaultSessionLifetime}
}

// KeyPrefix starts every API key, so that a leaked one is recognisable
// (secret scanners, logs) and a Bearer token of another kind is told apart.
const KeyPrefix = "sinergi_"

// NewKey is what CreateKey needs.
type NewKey struct {
	Name      string
	Role      Role
	Scopes    []region.Code
	ExpiresAt time.Time // zero: never
}

// CreateKey makes a key and returns it with its secret, the only time the
// secret exists outside its holder: the store keeps its SHA-256. A key is
// 256 random bits, so one round of SHA-256 is enough (nothing to guess
// from, unlike a password).
func (s *Service) CreateKey(ctx context.Context, actor string, nk NewKey) (Key, string, error) {
	nk.Name = strings.TrimSpace(nk.Name)
	if nk.Name == "" || len(nk.Name) > 200 {
		return Key{}, "", fault.Invalid("a key needs a name (at most 200 bytes) saying whose it is")
	}
	if _, err := ParseRole(string(nk.Role)); err != nil {
		return Key{}, "", err
	}
	if nk.Role == RoleEditor && len(nk.Scopes) == 0 {
		return Key{}, "", fault.Invalid("an editor key needs at least one scope (a region code such as 64.02)")
	}
	if nk.Role != RoleEditor && len(nk.Scopes) > 0 {
		return Key{}, "", fault.Invalid("only editor keys have scopes (a viewer changes nothing, an admin changes everything)")
	}
	now := s.now().UTC().Truncate(time.Second)
	if !nk.ExpiresAt.IsZero() && !nk.ExpiresAt.After(now) {
		return Key{}, "", fault.Invalid("the expiry %s is not in the future", nk.ExpiresAt.Format(time.RFC3339))
	}
	var idBytes [6]byte
	var secret [32]byte
	if _, err := rand.Read(idBytes[:]); err != nil {
		return Key{}, "", err
	}
	if _, err := rand.Read(secret[:]); err != nil {
		return Key{}, "", err
	}
	id := hex.EncodeToString(idBytes[:])
	token := KeyPrefix + id + "_" + base64.RawURLEncoding.EncodeToString(secret[:])
	k := Key{ID: id, Name: nk.Name, Role: nk.Role, Scopes: nk.Scopes, Hash: hashKey(token),
		CreatedBy: actor, CreatedAt: now, ExpiresAt: nk.ExpiresAt.UTC().Truncate(time.Second)}
	if err := s.store.SaveKey(ctx, k); err != nil {
		return Key{}, "", fmt.Errorf("create key: %w", err)
	}
	detail := fmt.Sprintf("name=%q role=%s", k.Name, k.Role)
	if len(k.Scopes) > 0 {
		detail += " scope=" + (&Principal{Role: k.Role, Scopes: k.Scopes}).ScopeText()
	}
	if !k.ExpiresAt.IsZero() {
		detail += " expires=" + k.ExpiresAt.Format(time.RFC3339)
	}
	if err := s.record(ctx, actor, "key.create", id, detail); err != nil {
		return Key{}, "", err
	}
	return k, token, nil
}

// Keys lists every key, newest first.
func (s *Service) Keys(ctx context.Context) ([]Key, error) { return s.store.Keys(ctx) }

// Key returns one key.
func (s *Service) Key(ctx context.Context, id string) (Key, error) {
	k, ok, err := s.store.Key(ctx, id)
	if err != nil {
		return Key{}, fmt.Errorf("key: %w", err)
	}
	if !ok {
		return Key{}, fault.NotFound("no key %q", id)
	}
	return k, nil
}

// RevokeKey stops a key from working, at once and for good.
func (s *Service) RevokeKey(ctx context.Context, actor, id string) error {
	k, ok, err := s.store.Key(ctx, id)
	if err != nil {
		return fmt.Errorf("revoke key: %w", err)
	}
	if !ok {
		return fault.NotFound("no key %q", id)
	}
	if !k.RevokedAt.IsZero() {
		return nil
	}
	k.RevokedAt = s.now().UTC().Truncate(time.Second)
	if err := s.store.SaveKey(ctx, k); err != nil {
		return fmt.Errorf("revoke key: %w", err)
	}
	return s.record(ctx, actor, "key.revoke", id, fmt.Sprintf("name=%q", k.Name))
}

// AuthenticateKey returns the principal of a key given as a Bearer token,
// or an ErrUnauthenticated error that does not say which part was wrong.
func (s *Service) AuthenticateKey(ctx context.Context, token string) (*Principal, error) {
	refused := fault.Unauthenticated("the API key is unknown, revoked or expired")
	rest, ok := strings.CutPrefix(token, KeyPrefix)
	if !ok {
		return nil, refused
	}
	id, _, ok := strings.Cut(rest, "_")
	if !ok || len(id) != 12 {
		return nil, refused
	}
	if _, err := hex.DecodeString(id); err != nil {
		return nil, refused
	}
	k, found, err := s.store.Key(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("authenticate key: %w", err)
	}
	if !found || subtle.ConstantTimeCompare([]byte(k.Hash), []byte(hashKey(token))) != 1 || !k.Active(s.now()) {
		return nil, refused
	}
	return &Principal{Kind: "key", ID: k.ID, Name: k.Name, Role: k.Role, Scopes: k.Scopes}, nil
}

// Events returns the audit history, newest first (at most limit events,
// with ids below before when it is not 0); admins only.
func (s *Service) Events(ctx context.Context, limit int, before uint64) ([]Event, error) {
	if err := Require(ctx, RoleAdmin); err != nil {
		return nil, err
	}
	if limit < 1 || limit > 1000 {
		return nil, fault.Invalid("first must be between 1 and 1000")
	}
	return s.store.Events(ctx, limit, before)
}

// Record adds an event to the audit history.
func (s *Service) Record(ctx context.Context, actor, action, subject, detail string) error {
	return s.record(ctx, actor, action, subject, detail)
}

func (s *Service) record(ctx context.Context, actor, action, subject, detail string) error {
	now := s.now().UTC()
	if err := s.store.Record(ctx, Event{ID: uint64(now.UnixNano()), At: now.Truncate(time.Second),
		Actor: actor, Action: action, Subject: subject, Detail: detail}); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

func hashKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Store returns the service's store (for tests and the export of the
// audit history).
func (s *Service) Store() Store { return s.store }
