package accountch_test

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/internal/account"
	"github.com/sinergi-id/sinergi/internal/account/accountch"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
	"github.com/sinergi-id/sinergi/internal/region"
)

func TestMain(m *testing.M) { os.Exit(clickhousetest.Main(m)) }

// TestAccountsAndSessionsOnBothEngines: on ClickHouse 18.16 and chDB, the
// newest version of an account and of a session is what is read back,
// at once, and a listing has one row per account.
func TestAccountsAndSessionsOnBothEngines(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		ctx := context.Background()
		s := accountch.NewStore(e.NewDB(t))
		now := time.Now().UTC().Truncate(time.Second)
		u := account.User{Name: "dpmd.kukar", DisplayName: "DPMD Kukar", Role: account.RoleEditor, Scopes: []region.Code{"6402"},
			PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", CreatedBy: "cli:test", CreatedAt: now, UpdatedAt: now}
		if err := s.SaveUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveUser(ctx, account.User{Name: "admin", DisplayName: "Admin", Role: account.RoleAdmin, CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
		u.Disabled, u.Epoch = true, 1
		if err := s.SaveUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		got, found, err := s.User(ctx, "dpmd.kukar")
		if err != nil || !found || !got.Disabled || got.Epoch != 1 || got.Role != account.RoleEditor || !slices.Equal(got.Scopes, u.Scopes) ||
			got.PasswordHash != u.PasswordHash || !got.CreatedAt.Equal(now) {
			t.Errorf("User = %+v, %v, %v; want the disabled version", got, found, err)
		}
		if _, found, err := s.User(ctx, "nobody"); found || err != nil {
			t.Errorf("an unknown user: found %v, %v", found, err)
		}
		users, err := s.Users(ctx)
		if err != nil || len(users) != 2 || users[0].Name != "admin" || users[1].Name != "dpmd.kukar" || !users[1].Disabled {
			t.Errorf("Users = %+v, %v; want admin, then the disabled dpmd.kukar", users, err)
		}

		sess := account.Session{ID: "5e55", Kind: "oidc", UserName: "budi", DisplayName: "Budi", Role: account.RoleEditor,
			Scopes: []region.Code{"6402", "6403"}, CSRFToken: "csrf", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := s.SaveSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		read, found, err := s.Session(ctx, "5e55")
		if err != nil || !found || !read.EndedAt.IsZero() || read.Kind != "oidc" || read.CSRFToken != "csrf" || !slices.Equal(read.Scopes, sess.Scopes) ||
			!read.ExpiresAt.Equal(sess.ExpiresAt) {
			t.Errorf("Session = %+v, %v, %v", read, found, err)
		}
		sess.EndedAt = now.Add(time.Minute)
		if err := s.SaveSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		if read, _, _ := s.Session(ctx, "5e55"); !read.EndedAt.Equal(sess.EndedAt) {
			t.Errorf("the ended session reads %+v", read)
		}
		if _, found, err := s.Session(ctx, "0ther"); found || err != nil {
			t.Errorf("an unknown session: found %v, %v", found, err)
		}

		// Pruning deletes every version of the sessions expired before the
		// time given, and nothing else (a mutation: it lands in the
		// background).
		old := account.Session{ID: "01d", Kind: "user", UserName: "admin", Role: account.RoleAdmin, CSRFToken: "x",
			CreatedAt: now.Add(-72 * time.Hour), ExpiresAt: now.Add(-60 * time.Hour)}
		for range 2 {
			if err := s.SaveSession(ctx, old); err != nil {
				t.Fatal(err)
			}
			old.EndedAt = now.Add(-70 * time.Hour)
		}
		if err := s.PruneSessions(ctx, now.Add(-24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			_, oldFound, err1 := s.Session(ctx, "01d")
			_, liveFound, err2 := s.Session(ctx, "5e55")
			if err1 != nil || err2 != nil || !liveFound {
				t.Fatalf("after pruning: the live session found %v (%v, %v)", liveFound, err1, err2)
			}
			if !oldFound {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the expired session is still there 30 s after pruning")
			}
			time.Sleep(200 * time.Millisecond)
		}
	})
}
