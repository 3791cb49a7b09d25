package graph

import (
	"context"
	"strings"
	"time"

	"github.com/sinergi-id/sinergi/graph/model"
	"github.com/sinergi-id/sinergi/internal/account"
	"github.com/sinergi-id/sinergi/internal/region"
)

// Accounts and keys, managed by admins through the API: every resolver
// checks the role (account.AdminActor) and names the admin in the audit
// history.

func roleToModel(r account.Role) model.Role { return model.Role(strings.ToUpper(string(r))) }

func roleFromModel(r model.Role) account.Role { return account.Role(strings.ToLower(string(r))) }

// scopeCodes are region codes as people write them (64.02).
func scopeCodes(codes []region.Code) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = c.Dotted()
	}
	return out
}

func userToModel(u account.User) *model.Account {
	return &model.Account{Name: u.Name, DisplayName: u.DisplayName, Role: roleToModel(u.Role), Scopes: scopeCodes(u.Scopes),
		Disabled: u.Disabled, CreatedBy: u.CreatedBy, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

func keyToModel(k account.Key) *model.APIKey {
	out := &model.APIKey{ID: k.ID, Name: k.Name, Role: roleToModel(k.Role), Scopes: scopeCodes(k.Scopes),
		Status: model.APIKeyStatus(strings.ToUpper(k.Status(time.Now()))), CreatedBy: k.CreatedBy, CreatedAt: k.CreatedAt}
	if !k.ExpiresAt.IsZero() {
		out.ExpiresAt = &k.ExpiresAt
	}
	if !k.RevokedAt.IsZero() {
		out.RevokedAt = &k.RevokedAt
	}
	return out
}

func (r *Resolver) accounts(ctx context.Context) ([]*model.Account, error) {
	if _, err := account.AdminActor(ctx); err != nil {
		return nil, err
	}
	users, err := r.Accounts.Users(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*model.Account, len(users))
	for i, u := range users {
		out[i] = userToModel(u)
	}
	return out, nil
}

func (r *Resolver) createAccount(ctx context.Context, in model.CreateAccountInput) (*model.Account, error) {
	actor, err := account.AdminActor(ctx)
	if err != nil {
		return nil, err
	}
	scopes, err := account.ParseScopes(in.Scopes)
	if err != nil {
		return nil, err
	}
	u, err := r.Accounts.CreateUser(ctx, actor, account.NewUser{Name: in.Name, DisplayName: deref(in.DisplayName, ""),
		Role: roleFromModel(in.Role), Scopes: scopes, Password: in.Password})
	if err != nil {
		return nil, err
	}
	return userToModel(u), nil
}

func (r *Resolver) setAccountDisabled(ctx context.Context, name string, disabled bool) (*model.Account, error) {
	actor, err := account.AdminActor(ctx)
	if err != nil {
		return nil, err
	}
	u, err := r.Accounts.SetUserDisabled(ctx, actor, name, disabled)
	if err != nil {
		return nil, err
	}
	return userToModel(u), nil
}

func (r *Resolver) setAccountPassword(ctx context.Context, name, password string) (*model.Account, error) {
	actor, err := account.AdminActor(ctx)
	if err != nil {
		return nil, err
	}
	u, err := r.Accounts.SetUserPassword(ctx, actor, name, password)
	if err != nil {
		return nil, err
	}
	return userToModel(u), nil
}

func (r *Resolver) apiKeys(ctx context.Context) ([]*model.APIKey, error) {
	if _, err := account.AdminActor(ctx); err != nil {
		return nil, err
	}
	keys, err := r.Accounts.Keys(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*model.APIKey, len(keys))
	for i, k := range keys {
		out[i] = keyToModel(k)
	}
	return out, nil
}

func (r *Resolver) createAPIKey(ctx context.Context, in model.CreateAPIKeyInput) (*model.CreatedAPIKey, error) {
	actor, err := account.AdminActor(ctx)
	if err != nil {
		return nil, err
	}
	scopes, err := account.ParseScopes(in.Scopes)
	if err != nil {
		return nil, err
	}
	nk := account.NewKey{Name: in.Name, Role: roleFromModel(in.Role), Scopes: scopes}
	if in.ExpiresAt != nil {
		nk.ExpiresAt = *in.ExpiresAt
	}
	k, token, err := r.Accounts.CreateKey(ctx, actor, nk)
	if err != nil {
		return nil, err
	}
	return &model.CreatedAPIKey{Key: keyToModel(k), Token: token}, nil
}

func (r *Resolver) revokeAPIKey(ctx context.Context, id string) (*model.APIKey, error) {
	actor, err := account.AdminActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := r.Accounts.RevokeKey(ctx, actor, id); err != nil {
		return nil, err
	}
	k, err := r.Accounts.Key(ctx, id)
	if err != nil {
		return nil, err
	}
	return keyToModel(k), nil
}
