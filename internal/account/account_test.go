package account

import (
	"context"
	"errors"
	"testing"

	"github.com/sinergi-id/sinergi/internal/fault"
	"github.com/sinergi-id/sinergi/internal/region"
)

func TestRolesAndScopes(t *testing.T) {
	kukar := &Principal{Kind: "key", ID: "k", Role: RoleEditor, Scopes: []region.Code{"6402"}}
	for code, want := range map[region.Code]bool{"6402": true, "6402022010": true, "6403": false, "64": false, "640": false} {
		if got := kukar.Covers(code); got != want {
			t.Errorf("editor for 64.02 covers %s: %v, want %v", code, got, want)
		}
	}
	if (&Principal{Role: RoleViewer, Scopes: []region.Code{"6402"}}).Covers("6402") {
		t.Error("a viewer covers a region")
	}
	if !(&Principal{Role: RoleAdmin}).Covers("3578") {
		t.Error("an admin does not cover a region")
	}
	ctx := WithPrincipal(context.Background(), kukar)
	if err := Require(ctx, RoleEditor); err != nil {
		t.Errorf("editor requiring editor: %v", err)
	}
	if err := Require(ctx, RoleAdmin); !errors.Is(err, fault.ErrForbidden) {
		t.Errorf("editor requiring admin: %v, want forbidden", err)
	}
	if err := Require(context.Background(), RoleViewer); !errors.Is(err, fault.ErrUnauthenticated) {
		t.Errorf("anonymous requiring viewer: %v, want unauthenticated", err)
	}
	if _, err := ParseRole("root"); err == nil {
		t.Error("ParseRole accepted root")
	}
	if got := Dotted("6402022010"); got != "64.02.02.2010" {
		t.Errorf("Dotted: %s", got)
	}
}
