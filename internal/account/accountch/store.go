// Package accountch keeps API keys and the audit history in ClickHouse.
//
// Keys are versioned rows (ReplacingMergeTree, newest version wins, read
// with ORDER BY version DESC LIMIT 1 BY key_id rather than FINAL, as
// etl_runs are), so a revocation is a new version and nothing is updated
// in place. The store must be given the writer's connection pool: the
// API's managed-server user is read-only, and reading back on the pool
// that wrote is what makes a revocation count at once.
package accountch

import (
	"context"
	"fmt"
	"time"

	"github.com/sinergi-id/sinergi/internal/account"
	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/region"
)

// Store is the ClickHouse account.Store.
type Store struct{ db *clickhouse.DB }

// NewStore returns a Store on db, which must be allowed to write.
func NewStore(db *clickhouse.DB) *Store { return &Store{db: db} }

var _ account.Store = (*Store)(nil)

// SaveKey writes a new version of the key's row.
func (s *Store) SaveKey(ctx context.Context, k account.Key) error {
	batch, err := s.db.PrepareBatch(ctx, `INSERT INTO api_keys (key_id, version, name, role, scopes, secret_hash,
		created_by, created_at, expires_at, revoked_at)`)
	if err != nil {
		return fmt.Errorf("save key: %w", err)
	}
	scopes := make([]string, len(k.Scopes))
	for i, c := range k.Scopes {
		scopes[i] = string(c)
	}
	if err := batch.Append(k.ID, uint64(time.Now().UnixNano()), k.Name, string(k.Role), scopes, k.Hash,
		k.CreatedBy, k.CreatedAt, k.ExpiresAt, k.RevokedAt); err != nil {
		return fmt.Errorf("save key: %w", err)
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("save key: %w", clickhouse.MapError(err))
	}
	return nil
}

const keyColumns = `key_id, name, toString(role) AS role, scopes, secret_hash, created_by, created_at, expires_at, revoked_at`

type keyRow struct {
	ID        string    `ch:"key_id"`
	Name      string    `ch:"name"`
	Role      string    `ch:"role"`
	Scopes    []string  `ch:"scopes"`
	Hash      string    `ch:"secret_hash"`
	CreatedBy string    `ch:"created_by"`
	CreatedAt time.Time `ch:"created_at"`
	ExpiresAt time.Time `ch:"expires_at"`
	RevokedAt time.Time `ch:"revoked_at"`
}

func (r keyRow) key() account.Key {
	k := account.Key{ID: r.ID, Name: r.Name, Role: account.Role(r.Role), Hash: r.Hash, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt.UTC(), ExpiresAt: unlessEpoch(r.ExpiresAt), RevokedAt: unlessEpoch(r.RevokedAt)}
	for _, s := range r.Scopes {
		k.Scopes = append(k.Scopes, region.Code(s))
	}
	return k
}

// unlessEpoch reads a DateTime that stands for "never" as 0.
func unlessEpoch(t time.Time) time.Time {
	if t.Unix() <= 0 {
		return time.Time{}
	}
	return t.UTC()
}

// Key returns the newest version of one key.
func (s *Store) Key(ctx context.Context, id string) (account.Key, bool, error) {
	var rows []keyRow
	q := `SELECT ` + keyColumns + ` FROM api_keys WHERE key_id = ? ORDER BY version DESC LIMIT 1`
	if err := s.db.Select(ctx, &rows, q, id); err != nil {
		return account.Key{}, false, fmt.Errorf("key: %w", err)
	}
	if len(rows) == 0 {
		return account.Key{}, false, nil
	}
	return rows[0].key(), true, nil
}

// maxKeys bounds a listing: keys are made by hand, one per office or
// service.
const maxKeys = 10_000

// Keys returns the newest version of every key, newest key first.
func (s *Store) Keys(ctx context.Context) ([]account.Key, error) {
	var rows []keyRow
	q := `SELECT ` + keyColumns + ` FROM (
		SELECT ` + keyColumns + ` FROM api_keys ORDER BY key_id, version DESC LIMIT 1 BY key_id
	) AS latest ORDER BY created_at DESC, key_id LIMIT ?`
	if err := s.db.Select(ctx, &rows, q, maxKeys); err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	out := make([]account.Key, len(rows))
	for i, r := range rows {
		out[i] = r.key()
	}
	return out, nil
}

// Record adds an event to the audit history.
func (s *Store) Record(ctx context.Context, e account.Event) error {
	batch, err := s.db.PrepareBatch(ctx, `INSERT INTO audit_events (event_id, at, actor, action, subject, detail)`)
	if err != nil {
		return fmt.Errorf("record event: %w", err)
	}
	if err := batch.Append(e.ID, e.At, e.Actor, e.Action, e.Subject, e.Detail); err != nil {
		return fmt.Errorf("record event: %w", err)
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("record event: %w", clickhouse.MapError(err))
	}
	return nil
}

type eventRow struct {
	ID      uint64    `ch:"event_id"`
	At      time.Time `ch:"at"`
	Actor   string    `ch:"actor"`
	Action  string    `ch:"action"`
	Subject string    `ch:"subject"`
	Detail  string    `ch:"detail"`
}

// Events returns the newest events first (event ids grow with time).
func (s *Store) Events(ctx context.Context, limit int, before uint64) ([]account.Event, error) {
	var rows []eventRow
	q := `SELECT event_id, at, actor, action, subject, detail FROM audit_events
		WHERE ? = 0 OR event_id < ? ORDER BY event_id DESC LIMIT ?`
	if err := s.db.Select(ctx, &rows, q, before, before, limit); err != nil {
		return nil, fmt.Errorf("audit events: %w", err)
	}
	out := make([]account.Event, len(rows))
	for i, r := range rows {
		out[i] = account.Event{ID: r.ID, At: r.At.UTC(), Actor: r.Actor, Action: r.Action, Subject: r.Subject, Detail: r.Detail}
	}
	return out, nil
}
