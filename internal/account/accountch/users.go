package accountch

import (
	"context"
	"fmt"
	"time"

	"github.com/sinergi-id/sinergi/internal/account"
	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/region"
)

// Local accounts and sessions are versioned rows like keys: each change
// is a new version, read newest first with LIMIT 1 (BY).

func codes(scopes []region.Code) []string {
	out := make([]string, len(scopes))
	for i, c := range scopes {
		out[i] = string(c)
	}
	return out
}

func regionCodes(scopes []string) []region.Code {
	var out []region.Code
	for _, s := range scopes {
		out = append(out, region.Code(s))
	}
	return out
}

// SaveUser writes a new version of the account's row.
func (s *Store) SaveUser(ctx context.Context, u account.User) error {
	batch, err := s.db.PrepareBatch(ctx, `INSERT INTO users (name, version, display_name, role, scopes, password_hash,
		disabled, epoch, created_by, created_at, updated_at)`)
	if err != nil {
		return fmt.Errorf("save user: %w", err)
	}
	var disabled uint8
	if u.Disabled {
		disabled = 1
	}
	if err := batch.Append(u.Name, uint64(time.Now().UnixNano()), u.DisplayName, string(u.Role), codes(u.Scopes), u.PasswordHash,
		disabled, u.Epoch, u.CreatedBy, u.CreatedAt, u.UpdatedAt); err != nil {
		return fmt.Errorf("save user: %w", err)
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("save user: %w", clickhouse.MapError(err))
	}
	return nil
}

const userColumns = `name, display_name, toString(role) AS role, scopes, password_hash, disabled, epoch, created_by, created_at, updated_at`

type userRow struct {
	Name         string    `ch:"name"`
	DisplayName  string    `ch:"display_name"`
	Role         string    `ch:"role"`
	Scopes       []string  `ch:"scopes"`
	PasswordHash string    `ch:"password_hash"`
	Disabled     uint8     `ch:"disabled"`
	Epoch        uint32    `ch:"epoch"`
	CreatedBy    string    `ch:"created_by"`
	CreatedAt    time.Time `ch:"created_at"`
	UpdatedAt    time.Time `ch:"updated_at"`
}

func (r userRow) user() account.User {
	return account.User{Name: r.Name, DisplayName: r.DisplayName, Role: account.Role(r.Role), Scopes: regionCodes(r.Scopes),
		PasswordHash: r.PasswordHash, Disabled: r.Disabled == 1, Epoch: r.Epoch, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// User returns the newest version of one account.
func (s *Store) User(ctx context.Context, name string) (account.User, bool, error) {
	var rows []userRow
	q := `SELECT ` + userColumns + ` FROM users WHERE name = ? ORDER BY version DESC LIMIT 1`
	if err := s.db.Select(ctx, &rows, q, name); err != nil {
		return account.User{}, false, fmt.Errorf("user: %w", err)
	}
	if len(rows) == 0 {
		return account.User{}, false, nil
	}
	return rows[0].user(), true, nil
}

// maxUsers bounds a listing: accounts are made by hand, a few per office.
const maxUsers = 10_000

// Users returns the newest version of every account, by name.
func (s *Store) Users(ctx context.Context) ([]account.User, error) {
	var rows []userRow
	q := `SELECT ` + userColumns + ` FROM (
		SELECT ` + userColumns + ` FROM users ORDER BY name, version DESC LIMIT 1 BY name
	) AS latest ORDER BY name LIMIT ?`
	if err := s.db.Select(ctx, &rows, q, maxUsers); err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	out := make([]account.User, len(rows))
	for i, r := range rows {
		out[i] = r.user()
	}
	return out, nil
}

// SaveSession writes a new version of the session's row.
func (s *Store) SaveSession(ctx context.Context, sess account.Session) error {
	batch, err := s.db.PrepareBatch(ctx, `INSERT INTO user_sessions (session_id, version, kind, user_name, display_name, role,
		scopes, epoch, csrf_token, created_at, expires_at, ended_at)`)
	if err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	if err := batch.Append(sess.ID, uint64(time.Now().UnixNano()), sess.Kind, sess.UserName, sess.DisplayName, string(sess.Role),
		codes(sess.Scopes), sess.Epoch, sess.CSRFToken, sess.CreatedAt, sess.ExpiresAt, sess.EndedAt); err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("save session: %w", clickhouse.MapError(err))
	}
	return nil
}

type sessionRow struct {
	ID          string    `ch:"session_id"`
	Kind        string    `ch:"kind"`
	UserName    string    `ch:"user_name"`
	DisplayName string    `ch:"display_name"`
	Role        string    `ch:"role"`
	Scopes      []string  `ch:"scopes"`
	Epoch       uint32    `ch:"epoch"`
	CSRFToken   string    `ch:"csrf_token"`
	CreatedAt   time.Time `ch:"created_at"`
	ExpiresAt   time.Time `ch:"expires_at"`
	EndedAt     time.Time `ch:"ended_at"`
}

// Session returns the newest version of one session.
func (s *Store) Session(ctx context.Context, id string) (account.Session, bool, error) {
	var rows []sessionRow
	q := `SELECT session_id, kind, user_name, display_name, toString(role) AS role, scopes, epoch, csrf_token,
		created_at, expires_at, ended_at FROM user_sessions WHERE session_id = ? ORDER BY version DESC LIMIT 1`
	if err := s.db.Select(ctx, &rows, q, id); err != nil {
		return account.Session{}, false, fmt.Errorf("session: %w", err)
	}
	if len(rows) == 0 {
		return account.Session{}, false, nil
	}
	r := rows[0]
	return account.Session{ID: r.ID, Kind: r.Kind, UserName: r.UserName, DisplayName: r.DisplayName, Role: account.Role(r.Role),
		Scopes: regionCodes(r.Scopes), Epoch: r.Epoch, CSRFToken: r.CSRFToken, CreatedAt: r.CreatedAt.UTC(),
		ExpiresAt: r.ExpiresAt.UTC(), EndedAt: unlessEpoch(r.EndedAt)}, true, nil
}

// PruneSessions deletes every version of the sessions that expired before
// before (a session keeps its expiry when it ends, so its versions go
// together). Deleting is a mutation: ClickHouse rewrites the parts that
// hold the rows in the background.
func (s *Store) PruneSessions(ctx context.Context, before time.Time) error {
	if err := s.db.Exec(ctx, `ALTER TABLE user_sessions DELETE WHERE expires_at < ?`, before.UTC()); err != nil {
		return fmt.Errorf("prune sessions: %w", err)
	}
	return nil
}
