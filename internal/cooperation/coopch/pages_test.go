package coopch_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/cooperation/coopch"
	"github.com/sinergi-id/sinergi/internal/idm"
	"github.com/sinergi-id/sinergi/internal/keyset"
)

// pageAll reads a list of n items in about 7 pages, each after the last
// key of the one before, and checks the counts each page reports.
func pageAll[T any](t *testing.T, n int, read func(keyset.Seek) ([]T, keyset.Found, error)) []T {
	t.Helper()
	size := max(1, n/7)
	var all []T
	seek := keyset.Seek{Limit: size}
	for page := 0; ; page++ {
		items, found, err := read(seek)
		if err != nil {
			t.Fatal(err)
		}
		if len(found.Keys) != len(items) || found.HasPrevious != (page > 0) || len(items) > size {
			t.Fatalf("page %d: %d items, %d keys, previous %v", page, len(items), len(found.Keys), found.HasPrevious)
		}
		all = append(all, items...)
		if !found.HasNext {
			if found.TotalCount != len(all) {
				t.Errorf("totalCount %d, pages hold %d", found.TotalCount, len(all))
			}
			return all
		}
		if len(items) != size || page > 10_000 {
			t.Fatalf("page %d: %d items and more to come", page, len(items))
		}
		seek.After = found.Keys[len(found.Keys)-1]
	}
}

// TestKeysetPages pages through every paged list, in every order, and
// wants the pages to hold the list read in one go: the keyset conditions
// (dates as day numbers, decimals, float bits, aggregates in the partners'
// outer query) agree with ORDER BY.
func TestKeysetPages(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		db, _ := kaltimRegister(t, e)
		store := coopch.NewStore(db)
		ctx := context.Background()
		today := time.Now().UTC().Truncate(24 * time.Hour)
		whole := keyset.Seek{Limit: 100_000}
		for _, f := range []cooperation.Filter{{}, {Region: "6402"}} {
			for _, order := range []cooperation.AgreementOrder{cooperation.OrderSignedDesc, cooperation.OrderSignedAsc,
				cooperation.OrderValueDesc, cooperation.OrderEndsAsc, cooperation.OrderIDAsc} {
				want, _, err := store.Agreements(ctx, f, order, whole)
				if err != nil {
					t.Fatal(err)
				}
				got := pageAll(t, len(want), func(s keyset.Seek) ([]cooperation.AgreementSummary, keyset.Found, error) {
					return store.Agreements(ctx, f, order, s)
				})
				if len(want) < 30 || !slices.Equal(agreementIDs(got), agreementIDs(want)) {
					t.Errorf("agreements %+v %s: the pages differ from the whole list (%d items)", f, order, len(want))
				}
			}
			for _, order := range []cooperation.PartnerOrder{cooperation.PartnerByAgreements, cooperation.PartnerByValue,
				cooperation.PartnerByVillages, cooperation.PartnerByName} {
				want, _, err := store.Partners(ctx, f, today, order, whole)
				if err != nil {
					t.Fatal(err)
				}
				got := pageAll(t, len(want), func(s keyset.Seek) ([]cooperation.PartnerSummary, keyset.Found, error) {
					return store.Partners(ctx, f, today, order, s)
				})
				if len(want) < 8 || !reflect.DeepEqual(got, want) {
					t.Errorf("partners %+v %s: the pages differ from the whole list (%d items)", f, order, len(want))
				}
			}
			until := today.AddDate(10, 0, 0)
			want, _, err := store.Expiring(ctx, f, today, until, whole)
			if err != nil {
				t.Fatal(err)
			}
			got := pageAll(t, len(want), func(s keyset.Seek) ([]cooperation.AgreementSummary, keyset.Found, error) {
				return store.Expiring(ctx, f, today, until, s)
			})
			if !slices.Equal(agreementIDs(got), agreementIDs(want)) {
				t.Errorf("expiring %+v: the pages differ from the whole list", f)
			}
		}
		statuses := []idm.Status{idm.StatusMaju, idm.StatusBerkembang, idm.StatusTertinggal}
		want, _, err := store.VillagesWithoutPartner(ctx, "64", statuses, 2024, today, today, whole)
		if err != nil {
			t.Fatal(err)
		}
		got := pageAll(t, len(want), func(s keyset.Seek) ([]cooperation.VillageTarget, keyset.Found, error) {
			return store.VillagesWithoutPartner(ctx, "64", statuses, 2024, today, today, s)
		})
		if len(want) < 200 || !reflect.DeepEqual(got, want) {
			t.Errorf("villages without partner: the pages differ from the whole list (%d items)", len(want))
		}
	})
}

func agreementIDs(as []cooperation.AgreementSummary) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}
