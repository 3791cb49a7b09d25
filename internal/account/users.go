package account

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/sinergi-id/sinergi/internal/fault"
	"github.com/sinergi-id/sinergi/internal/region"
)

// User is a local account as stored: its password only as an argon2id
// hash (HashPassword).
type User struct {
	Name         string // what the person types to sign in
	DisplayName  string
	Role         Role
	Scopes       []region.Code
	PasswordHash string
	Disabled     bool
	// Epoch grows each time the password changes or the account is
	// disabled: sessions begun under an older epoch no longer hold.
	Epoch     uint32
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Session is a signed-in browser's session as stored: never its token,
// only the token's SHA-256. It holds the principal it was begun for; for a
// local account the account's current role, scopes and state count.
type Session struct {
	ID          string // hex SHA-256 of the cookie's token
	Kind        string // "user" (a local account) or "oidc"
	UserName    string
	DisplayName string
	Role        Role
	Scopes      []region.Code
	Epoch       uint32 // the account's epoch when it began (local accounts)
	CSRFToken   string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	EndedAt     time.Time // zero: not signed out
}

// UserStore keeps local accounts and sessions.
type UserStore interface {
	SaveUser(ctx context.Context, u User) error
	User(ctx context.Context, name string) (User, bool, error)
	Users(ctx context.Context) ([]User, error)
	SaveSession(ctx context.Context, s Session) error
	Session(ctx context.Context, id string) (Session, bool, error)
	// PruneSessions deletes the sessions that expired before before.
	PruneSessions(ctx context.Context, before time.Time) error
}

// DefaultSessionLifetime is how long a session holds without signing in
// again: a working day.
const DefaultSessionLifetime = 12 * time.Hour

var userNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{0,63}$`)

// NewUser is what CreateUser needs.
type NewUser struct {
	Name        string
	DisplayName string
	Role        Role
	Scopes      []region.Code
	Password    string
}

// checkRoleScopes: an editor needs a scope; only an editor has one.
func checkRoleScopes(role Role, scopes []region.Code, what string) error {
	if _, err := ParseRole(string(role)); err != nil {
		return err
	}
	if role == RoleEditor && len(scopes) == 0 {
		return fault.Invalid("an editor %s needs at least one scope (a region code such as 64.02)", what)
	}
	if role != RoleEditor && len(scopes) > 0 {
		return fault.Invalid("only editor %ss have scopes (a viewer changes nothing, an admin changes everything)", what)
	}
	return nil
}

// CreateUser makes a local account and records it in the audit history.
func (s *Service) CreateUser(ctx context.Context, actor string, nu NewUser) (User, error) {
	nu.Name = strings.ToLower(strings.TrimSpace(nu.Name))
	nu.DisplayName = strings.TrimSpace(nu.DisplayName)
	if !userNamePattern.MatchString(nu.Name) {
		return User{}, fault.Invalid("a user name is 1 to 64 lowercase letters, digits and . _ @ -, starting with a letter or digit")
	}
	if nu.DisplayName == "" {
		nu.DisplayName = nu.Name
	}
	if len(nu.DisplayName) > 200 {
		return User{}, fault.Invalid("a display name may have at most 200 bytes")
	}
	if err := checkRoleScopes(nu.Role, nu.Scopes, "account"); err != nil {
		return User{}, err
	}
	if err := CheckPassword(nu.Password); err != nil {
		return User{}, err
	}
	if _, found, err := s.store.User(ctx, nu.Name); err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	} else if found {
		return User{}, fault.Invalid("an account %q exists already", nu.Name)
	}
	hash, err := s.hashPassword(ctx, nu.Password)
	if err != nil {
		return User{}, err
	}
	now := s.now().UTC().Truncate(time.Second)
	u := User{Name: nu.Name, DisplayName: nu.DisplayName, Role: nu.Role, Scopes: nu.Scopes, PasswordHash: hash,
		CreatedBy: actor, CreatedAt: now, UpdatedAt: now}
	if err := s.store.SaveUser(ctx, u); err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	detail := fmt.Sprintf("display=%q role=%s", u.DisplayName, u.Role)
	if len(u.Scopes) > 0 {
		detail += " scope=" + (&Principal{Role: u.Role, Scopes: u.Scopes}).ScopeText()
	}
	if err := s.record(ctx, actor, "user.create", u.Name, detail); err != nil {
		return User{}, err
	}
	return u, nil
}

// Users lists the local accounts, by name.
func (s *Service) Users(ctx context.Context) ([]User, error) { return s.store.Users(ctx) }

func (s *Service) existingUser(ctx context.Context, name string) (User, error) {
	u, found, err := s.store.User(ctx, strings.ToLower(strings.TrimSpace(name)))
	if err != nil {
		return User{}, fmt.Errorf("user: %w", err)
	}
	if !found {
		return User{}, fault.NotFound("no account %q", name)
	}
	return u, nil
}

// SetUserDisabled disables an account (its sessions end at once and it
// cannot sign in) or enables it again.
func (s *Service) SetUserDisabled(ctx context.Context, actor, name string, disabled bool) (User, error) {
	u, err := s.existingUser(ctx, name)
	if err != nil {
		return User{}, err
	}
	if u.Disabled == disabled {
		return u, nil
	}
	u.Disabled = disabled
	u.UpdatedAt = s.now().UTC().Truncate(time.Second)
	action := "user.enable"
	if disabled {
		u.Epoch++
		action = "user.disable"
	}
	if err := s.store.SaveUser(ctx, u); err != nil {
		return User{}, fmt.Errorf("%s: %w", action, err)
	}
	return u, s.record(ctx, actor, action, u.Name, "")
}

// SetUserPassword gives an account a new password; its sessions end.
func (s *Service) SetUserPassword(ctx context.Context, actor, name, password string) (User, error) {
	if err := CheckPassword(password); err != nil {
		return User{}, err
	}
	u, err := s.existingUser(ctx, name)
	if err != nil {
		return User{}, err
	}
	if u.PasswordHash, err = s.hashPassword(ctx, password); err != nil {
		return User{}, err
	}
	u.Epoch++
	u.UpdatedAt = s.now().UTC().Truncate(time.Second)
	if err := s.store.SaveUser(ctx, u); err != nil {
		return User{}, fmt.Errorf("set password: %w", err)
	}
	return u, s.record(ctx, actor, "user.password", u.Name, "sessions ended")
}

// hashSlots bound the password hashes computed at once (each takes
// argonMemoryKiB), so that a burst of sign-ins costs time, not memory.
var hashSlots = make(chan struct{}, max(2, runtime.NumCPU()))

func (s *Service) hashPassword(ctx context.Context, password string) (string, error) {
	select {
	case hashSlots <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-hashSlots }()
	return HashPassword(password)
}

func (s *Service) verifyPassword(ctx context.Context, hash, password string) (bool, error) {
	select {
	case hashSlots <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-hashSlots }()
	return VerifyPassword(hash, password), nil
}

// decoyHash is verified when the account does not exist, so that an
// unknown name takes as long to refuse as a wrong password.
var decoyHash = sync.OnceValue(func() string {
	h, err := HashPassword("no account has this password")
	if err != nil {
		panic(err) // crypto/rand failing: nothing can be signed in safely
	}
	return h
})

// ErrSignInRefused is the one answer to a wrong name, a wrong password and
// a disabled account, so that a sign-in tells nobody which accounts exist.
var ErrSignInRefused = fault.Unauthenticated("the user name or password is wrong")

// SignIn checks a local account's password and returns its principal.
func (s *Service) SignIn(ctx context.Context, name, password string) (*Principal, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if len(password) > MaxPasswordLength || !userNamePattern.MatchString(name) {
		return nil, ErrSignInRefused
	}
	u, found, err := s.store.User(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	hash := decoyHash()
	if found {
		hash = u.PasswordHash
	}
	ok, err := s.verifyPassword(ctx, hash, password)
	if err != nil {
		return nil, err
	}
	if !found || !ok || u.Disabled {
		return nil, ErrSignInRefused
	}
	return userPrincipal(u), nil
}

func userPrincipal(u User) *Principal {
	return &Principal{Kind: "user", ID: u.Name, Name: u.DisplayName, Role: u.Role, Scopes: u.Scopes}
}

// RandomToken is 256 random bits from crypto/rand, URL-safe: for session
// and CSRF tokens, OIDC state and nonces.
func RandomToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// StartSession begins a session for p (a local account's, or one an
// identity provider vouched for, Kind "oidc") and returns the token for
// its cookie, the only time it exists outside the browser.
func (s *Service) StartSession(ctx context.Context, p *Principal) (token string, sess Session, err error) {
	if token, err = RandomToken(); err != nil {
		return "", Session{}, err
	}
	csrf, err := RandomToken()
	if err != nil {
		return "", Session{}, err
	}
	now := s.now().UTC().Truncate(time.Second)
	sess = Session{ID: hashKey(token), Kind: p.Kind, UserName: p.ID, DisplayName: p.Name, Role: p.Role, Scopes: p.Scopes,
		CSRFToken: csrf, CreatedAt: now, ExpiresAt: now.Add(s.SessionLifetime)}
	if p.Kind == "user" {
		u, err := s.existingUser(ctx, p.ID)
		if err != nil {
			return "", Session{}, err
		}
		sess.Epoch = u.Epoch
	}
	if err := s.store.SaveSession(ctx, sess); err != nil {
		return "", Session{}, fmt.Errorf("start session: %w", err)
	}
	if err := s.record(ctx, p.Actor(), "session.start", p.ID, "session="+sess.ID[:12]); err != nil {
		return "", Session{}, err
	}
	return token, sess, nil
}

// SessionPrincipal returns the principal of a session cookie's token and
// its session; nil when the session is unknown, ended or expired, or its
// local account is disabled or has had its password changed since.
func (s *Service) SessionPrincipal(ctx context.Context, token string) (*Principal, Session, error) {
	if token == "" || len(token) > 100 {
		return nil, Session{}, nil
	}
	id := hashKey(token)
	sess, found, err := s.store.Session(ctx, id)
	if err != nil {
		return nil, Session{}, fmt.Errorf("session: %w", err)
	}
	if !found || subtle.ConstantTimeCompare([]byte(sess.ID), []byte(id)) != 1 || !sess.EndedAt.IsZero() || !s.now().Before(sess.ExpiresAt) {
		return nil, Session{}, nil
	}
	if sess.Kind != "user" {
		return &Principal{Kind: sess.Kind, ID: sess.UserName, Name: sess.DisplayName, Role: sess.Role, Scopes: sess.Scopes}, sess, nil
	}
	u, found, err := s.store.User(ctx, sess.UserName)
	if err != nil {
		return nil, Session{}, fmt.Errorf("session: %w", err)
	}
	if !found || u.Disabled || u.Epoch != sess.Epoch {
		return nil, Session{}, nil
	}
	return userPrincipal(u), sess, nil
}

// EndSession signs a session out, for good, in every process.
func (s *Service) EndSession(ctx context.Context, sess Session, actor string) error {
	if !sess.EndedAt.IsZero() {
		return nil
	}
	sess.EndedAt = s.now().UTC().Truncate(time.Second)
	if err := s.store.SaveSession(ctx, sess); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return s.record(ctx, actor, "session.end", sess.UserName, "session="+sess.ID[:12])
}

// sessionsKept is how long an expired session's rows stay before
// PruneSessions deletes them.
const sessionsKept = 24 * time.Hour

// PruneSessions deletes the rows of sessions that expired over a day ago
// (who signed in when stays in the audit history).
func (s *Service) PruneSessions(ctx context.Context) error {
	return s.store.PruneSessions(ctx, s.now().Add(-sessionsKept))
}
