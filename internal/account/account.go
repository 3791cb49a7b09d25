// Package account says who a request acts for and what it may do: roles
// (viewer, editor, admin), the regions an editor is scoped to, and the API
// keys that carry them. The ClickHouse store is accountch; the HTTP side
// (credentials on requests, 401 and 403) is accounthttp.
package account

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/sinergi-id/sinergi/internal/fault"
	"github.com/sinergi-id/sinergi/internal/label"
	"github.com/sinergi-id/sinergi/internal/region"
)

// Role is what a principal may do. Each role may do everything the roles
// before it may.
type Role string

const (
	// RoleViewer reads every figure, run and reject.
	RoleViewer Role = "viewer"
	// RoleEditor also submits registers and withdraws agreements, within
	// its scope.
	RoleEditor Role = "editor"
	// RoleAdmin does everything, everywhere, and manages keys and accounts.
	RoleAdmin Role = "admin"
)

// Roles lists the roles, weakest first.
var Roles = []Role{RoleViewer, RoleEditor, RoleAdmin}

// RoleLabels are the roles' display names.
var RoleLabels = map[Role]label.Text{
	RoleViewer: {ID: "Pembaca", EN: "Viewer"},
	RoleEditor: {ID: "Penyunting", EN: "Editor"},
	RoleAdmin:  {ID: "Admin", EN: "Admin"},
}

// KeyStatusLabels are the display names of Key.Status's states.
var KeyStatusLabels = map[string]label.Text{
	"active":  {ID: "Aktif", EN: "Active"},
	"revoked": {ID: "Dicabut", EN: "Revoked"},
	"expired": {ID: "Kedaluwarsa", EN: "Expired"},
}

// ParseRole reads a role name.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if !slices.Contains(Roles, r) {
		return "", fault.Invalid("unknown role %q (want viewer, editor or admin)", s)
	}
	return r, nil
}

// Includes reports whether r may do what need may.
func (r Role) Includes(need Role) bool {
	return slices.Index(Roles, r) >= slices.Index(Roles, need) && slices.Contains(Roles, need)
}

// ParseScopes reads region codes (dotted or flat) an editor is scoped to.
func ParseScopes(codes []string) ([]region.Code, error) {
	var out []region.Code
	for _, s := range codes {
		c, err := region.ParseCode(s)
		if err != nil {
			return nil, fault.Invalid("scope: %v", err)
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out, nil
}

// Principal is who a request acts for: an API key or a signed-in user.
type Principal struct {
	// Kind is "key" or "user".
	Kind string
	// ID identifies the key or user; Name is what people call it.
	ID, Name string
	Role     Role
	// Scopes are the regions an editor may change; empty for viewers and
	// admins (an admin's scope is everything).
	Scopes []region.Code
}

// Actor is how the principal is named in run records and the audit
// history: kind, id and name.
func (p *Principal) Actor() string {
	if p == nil {
		return "anonymous"
	}
	return fmt.Sprintf("%s:%s (%s)", p.Kind, p.ID, p.Name)
}

// Covers reports whether code lies in the principal's scope: everywhere
// for an admin, under one of the scopes for an editor, nowhere otherwise.
func (p *Principal) Covers(code region.Code) bool {
	if p == nil {
		return false
	}
	if p.Role == RoleAdmin {
		return true
	}
	if p.Role != RoleEditor {
		return false
	}
	for _, s := range p.Scopes {
		if strings.HasPrefix(string(code), string(s)) {
			return true
		}
	}
	return false
}

// ScopeText is the scope in words, for messages: "64.02, 64.03" or
// "everywhere".
func (p *Principal) ScopeText() string {
	if p.Role == RoleAdmin {
		return "everywhere"
	}
	names := make([]string, len(p.Scopes))
	for i, s := range p.Scopes {
		names[i] = Dotted(s)
	}
	return strings.Join(names, ", ")
}

// Dotted writes a flat region code dotted, as people write it (6402 → 64.02).
func Dotted(c region.Code) string {
	s := string(c)
	var parts []string
	for _, n := range []int{2, 2, 2, 4} {
		if len(s) < n {
			break
		}
		parts = append(parts, s[:n])
		s = s[n:]
	}
	return strings.Join(parts, ".")
}

type principalKey struct{}

// WithPrincipal returns ctx acting for p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal ctx acts for, nil when anonymous.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// Require returns nil when ctx acts for a principal whose role includes
// need; else an ErrUnauthenticated (anonymous) or ErrForbidden error saying
// what is missing.
func Require(ctx context.Context, need Role) error {
	p := FromContext(ctx)
	if p == nil {
		return fault.Unauthenticated("sign in or send an API key (Authorization: Bearer …): this needs the %s role", need)
	}
	if !p.Role.Includes(need) {
		return fault.Forbidden("your role (%s) does not allow this: it needs the %s role", p.Role, need)
	}
	return nil
}

// AdminActor returns how ctx's principal is named in the audit history
// when it is an admin's, else the error Require gives: for the account
// and key management of the API.
func AdminActor(ctx context.Context) (string, error) {
	if err := Require(ctx, RoleAdmin); err != nil {
		return "", err
	}
	return FromContext(ctx).Actor(), nil
}
