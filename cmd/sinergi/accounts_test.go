package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	accountsQuery  = `{ accounts { name displayName role scopes disabled createdBy } }`
	apiKeysQuery   = `{ apiKeys { id name role scopes status createdBy expiresAt revokedAt } }`
	createAccount  = `mutation($in: CreateAccountInput!) { createAccount(input: $in) { name displayName role scopes disabled createdBy } }`
	disableAccount = `mutation($name: String!, $disabled: Boolean!) { setAccountDisabled(name: $name, disabled: $disabled) { name disabled } }`
	setPassword    = `mutation($name: String!, $password: String!) { setAccountPassword(name: $name, password: $password) { name } }`
	createAPIKey   = `mutation($in: CreateApiKeyInput!) { createApiKey(input: $in) { token key { id name role scopes status expiresAt } } }`
	revokeAPIKey   = `mutation($id: ID!) { revokeApiKey(id: $id) { id status revokedAt } }`
)

type accountAnswer struct {
	Name, DisplayName, Role, CreatedBy string
	Scopes                             []string
	Disabled                           bool
}

type keyAnswer struct {
	ID, Name, Role, Status string
	Scopes                 []string
	ExpiresAt, RevokedAt   *time.Time
}

// TestAdminManagesAccountsAndKeys: only admins manage accounts and keys
// through GraphQL (401 without credentials, 403 for a viewer's key and an
// editor's session, whether reading or changing); an admin's key and an
// admin's session (with its CSRF token) create, list, disable, re-password
// accounts and create, list and revoke keys; what they make works (the
// account signs in, the key reads) and stops working when undone; the
// token is shown once; every change is in the audit history, by the admin.
func TestAdminManagesAccountsAndKeys(t *testing.T) {
	a := testApp(t, false)
	srv := httptest.NewServer(a.httpHandler(newResultCache()))
	defer srv.Close()
	adminID, admin := createKey(t, a, "--name", "Admin Bappeda", "--role", "admin")
	_, viewer := createKey(t, a, "--name", "notebook", "--role", "viewer")
	const editorPassword = "editor-password-kukar"
	createUser(t, a, editorPassword, "--name", "dpmd.kukar", "--role", "editor", "--scope", "64.02")

	newKukar := map[string]any{"in": map[string]any{"name": "dpmd.paser", "displayName": "DPMD Paser", "role": "EDITOR",
		"scopes": []string{"6401"}, "password": "paser-password-2026"}}
	for name, token := range map[string]string{"anonymous": "", "viewer key": viewer} {
		want := http.StatusForbidden
		if token == "" {
			want = http.StatusUnauthorized
		}
		for _, op := range []struct {
			query string
			vars  map[string]any
		}{{accountsQuery, nil}, {apiKeysQuery, nil}, {createAccount, newKukar},
			{disableAccount, map[string]any{"name": "dpmd.kukar", "disabled": true}},
			{setPassword, map[string]any{"name": "dpmd.kukar", "password": "taken-over-password"}},
			{createAPIKey, map[string]any{"in": map[string]any{"name": "mine", "role": "ADMIN"}}},
			{revokeAPIKey, map[string]any{"id": adminID}}} {
			if ans := gql(t, srv, token, op.query, op.vars); ans.status != want {
				t.Errorf("%s: %s: %d %s, want %d", name, strings.Fields(op.query)[0]+" "+strings.Fields(op.query)[1], ans.status, ans.body, want)
			}
		}
	}
	editor := newBrowser(t, srv)
	st := editor.session()
	if ans := editor.signIn(st.CSRFToken, "dpmd.kukar", editorPassword); ans.status != http.StatusOK {
		t.Fatalf("editor sign-in: %d %s", ans.status, ans.body)
	}
	csrf := editor.session().CSRFToken
	body, _ := json.Marshal(map[string]any{"query": createAccount, "variables": newKukar})
	if ans := editor.do(http.MethodPost, "/graphql", csrf, "application/json", string(body)); ans.status != http.StatusForbidden || !strings.Contains(ans.body, "needs the admin role") {
		t.Errorf("an editor's session creating an account: %d %s, want 403", ans.status, ans.body)
	}

	// An admin's key.
	created := decode[struct{ CreateAccount accountAnswer }](t, gql(t, srv, admin, createAccount, newKukar)).CreateAccount
	if created.Name != "dpmd.paser" || created.Role != "EDITOR" || !slices.Equal(created.Scopes, []string{"64.01"}) || created.Disabled ||
		!strings.HasPrefix(created.CreatedBy, "key:"+adminID) {
		t.Errorf("createAccount: %+v", created)
	}
	for _, bad := range []map[string]any{
		{"name": "pendek", "role": "VIEWER", "password": "short"},
		{"name": "tanpa.scope", "role": "EDITOR", "password": "long-enough-password"},
		{"name": "dpmd.paser", "role": "VIEWER", "password": "long-enough-password"},
		{"name": "Bad Name!", "role": "VIEWER", "password": "long-enough-password"},
	} {
		if ans := gql(t, srv, admin, createAccount, map[string]any{"in": bad}); ans.status != http.StatusOK || ans.code() != "BAD_USER_INPUT" {
			t.Errorf("createAccount %v: %d %s, want BAD_USER_INPUT", bad, ans.status, ans.body)
		}
	}
	list := decode[struct{ Accounts []accountAnswer }](t, gql(t, srv, admin, accountsQuery, nil)).Accounts
	if len(list) != 2 || list[0].Name != "dpmd.kukar" || list[1].Name != "dpmd.paser" || list[1].DisplayName != "DPMD Paser" {
		t.Errorf("accounts: %+v", list)
	}
	paser := newBrowser(t, srv)
	if ans := paser.signIn(paser.session().CSRFToken, "dpmd.paser", "paser-password-2026"); ans.status != http.StatusOK {
		t.Errorf("the new account signing in: %d %s", ans.status, ans.body)
	}
	paserCSRF := paser.session().CSRFToken
	if d := decode[struct{ SetAccountDisabled accountAnswer }](t, gql(t, srv, admin, disableAccount, map[string]any{"name": "dpmd.paser", "disabled": true})); !d.SetAccountDisabled.Disabled {
		t.Errorf("setAccountDisabled: %+v", d)
	}
	if ans := paser.graphql(paserCSRF); ans.status != http.StatusUnauthorized {
		t.Errorf("the disabled account's session: %d, want 401", ans.status)
	}
	decode[struct{ SetAccountDisabled accountAnswer }](t, gql(t, srv, admin, disableAccount, map[string]any{"name": "dpmd.paser", "disabled": false}))
	decode[struct{ SetAccountPassword accountAnswer }](t, gql(t, srv, admin, setPassword, map[string]any{"name": "dpmd.paser", "password": "a-new-paser-password"}))
	if ans := paser.signIn(paser.session().CSRFToken, "dpmd.paser", "a-new-paser-password"); ans.status != http.StatusOK {
		t.Errorf("sign-in with the password the admin set: %d %s", ans.status, ans.body)
	}
	if ans := gql(t, srv, admin, setPassword, map[string]any{"name": "nobody", "password": "a-new-paser-password"}); ans.code() != "NOT_FOUND" {
		t.Errorf("setAccountPassword of an unknown account: %s, want NOT_FOUND", ans.body)
	}

	// Keys, by an admin's session this time (with its CSRF token).
	createUser(t, a, "admin-password-bappeda", "--name", "admin.bappeda", "--display-name", "Admin Bappeda", "--role", "admin")
	adm := newBrowser(t, srv)
	if ans := adm.signIn(adm.session().CSRFToken, "admin.bappeda", "admin-password-bappeda"); ans.status != http.StatusOK {
		t.Fatalf("admin sign-in: %d %s", ans.status, ans.body)
	}
	admCSRF := adm.session().CSRFToken
	admGQL := func(query string, vars map[string]any) httpAnswer {
		body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		return adm.do(http.MethodPost, "/graphql", admCSRF, "application/json", string(body))
	}
	expires := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	made := decode[struct {
		CreateApiKey struct {
			Token string
			Key   keyAnswer
		}
	}](t, admGQL(createAPIKey, map[string]any{"in": map[string]any{"name": "DPMD Berau", "role": "EDITOR", "scopes": []string{"64.03"}, "expiresAt": expires}})).CreateApiKey
	if !strings.HasPrefix(made.Token, "sinergi_"+made.Key.ID+"_") || made.Key.Status != "ACTIVE" || made.Key.Role != "EDITOR" ||
		!slices.Equal(made.Key.Scopes, []string{"64.03"}) || made.Key.ExpiresAt == nil || !made.Key.ExpiresAt.Equal(expires) {
		t.Errorf("createApiKey: %+v", made)
	}
	if ans := query(t, srv, made.Token); ans.status != http.StatusOK {
		t.Errorf("the new key reading: %d %s", ans.status, ans.body)
	}
	keys := decode[struct{ APIKeys []keyAnswer }](t, admGQL(apiKeysQuery, nil)).APIKeys
	i := slices.IndexFunc(keys, func(k keyAnswer) bool { return k.ID == made.Key.ID })
	if len(keys) != 3 || i < 0 || keys[i].Status != "ACTIVE" || keys[i].Name != "DPMD Berau" {
		t.Errorf("apiKeys: %+v, want three, the new one active", keys)
	}
	listed := gql(t, srv, admin, apiKeysQuery, nil)
	if !strings.Contains(listed.body, made.Key.ID) || strings.Contains(listed.body, made.Token[len("sinergi_"+made.Key.ID+"_"):]) {
		t.Errorf("apiKeys lists the key without its secret? %s", listed.body)
	}
	revoked := decode[struct{ RevokeApiKey keyAnswer }](t, admGQL(revokeAPIKey, map[string]any{"id": made.Key.ID})).RevokeApiKey
	if revoked.Status != "REVOKED" || revoked.RevokedAt == nil {
		t.Errorf("revokeApiKey: %+v", revoked)
	}
	if ans := query(t, srv, made.Token); ans.status != http.StatusUnauthorized {
		t.Errorf("the revoked key: %d, want 401", ans.status)
	}
	if ans := admGQL(revokeAPIKey, map[string]any{"id": "000000000000"}); ans.code() != "NOT_FOUND" {
		t.Errorf("revoking an unknown key: %s, want NOT_FOUND", ans.body)
	}
	if ans := adm.do(http.MethodPost, "/graphql", "", "application/json", `{"query":"mutation { revokeApiKey(id: \"`+adminID+`\") { id } }"}`); ans.status != http.StatusForbidden {
		t.Errorf("an admin's session without its CSRF token: %d, want 403", ans.status)
	}

	events, err := a.accounts.Store().Events(context.Background(), 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		if strings.HasPrefix(e.Action, "user.") && e.Actor != "cli:test" || strings.HasPrefix(e.Action, "key.") && e.Actor != "cli:test" {
			got = append(got, e.Action+" "+e.Subject+" by "+strings.Fields(e.Actor)[0])
		}
	}
	slices.Reverse(got)
	want := []string{
		"user.create dpmd.paser by key:" + adminID,
		"user.disable dpmd.paser by key:" + adminID,
		"user.enable dpmd.paser by key:" + adminID,
		"user.password dpmd.paser by key:" + adminID,
		"key.create " + made.Key.ID + " by user:admin.bappeda",
		"key.revoke " + made.Key.ID + " by user:admin.bappeda",
	}
	if !slices.Equal(got, want) {
		t.Errorf("audit history of the API's changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
