package submissionch_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
	"github.com/sinergi-id/sinergi/internal/submission"
	"github.com/sinergi-id/sinergi/internal/submission/submissionch"
)

func TestMain(m *testing.M) { os.Exit(clickhousetest.Main(m)) }

// TestWithdrawnOnBothEngines: on ClickHouse 18.16 and chDB, the agreements
// withdrawn now are those whose newest row withdraws them — a restored one
// is not, one withdrawn again is — newest withdrawal first, with that
// row's actor, time and reason, at most limit of them.
func TestWithdrawnOnBothEngines(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		ctx := context.Background()
		s := submissionch.NewStore(e.NewDB(t))
		at := time.Date(2026, 12, 6, 4, 0, 0, 0, time.UTC)
		for _, w := range []submission.Withdrawal{
			{AgreementID: "A", Withdrawn: true, Actor: "user:kukar (DPMD Kukar)", At: at, Reason: "salah"},
			{AgreementID: "B", Withdrawn: true, Actor: "user:kukar (DPMD Kukar)", At: at.Add(time.Minute), Reason: "dua kali"},
			{AgreementID: "A", Withdrawn: false, Actor: "user:admin (Admin)", At: at.Add(2 * time.Minute), Reason: "benar"},
			{AgreementID: "C", Withdrawn: true, Actor: "user:berau (DPMD Berau)", At: at.Add(3 * time.Minute), Reason: "batal"},
			{AgreementID: "C", Withdrawn: false, Actor: "user:admin (Admin)", At: at.Add(4 * time.Minute), Reason: "keliru"},
			{AgreementID: "C", Withdrawn: true, Actor: "user:admin (Admin)", At: at.Add(5 * time.Minute), Reason: "batal lagi"},
		} {
			if err := s.SaveWithdrawal(ctx, w); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Withdrawn(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		want := []submission.Withdrawal{
			{AgreementID: "C", Withdrawn: true, Actor: "user:admin (Admin)", At: at.Add(5 * time.Minute), Reason: "batal lagi"},
			{AgreementID: "B", Withdrawn: true, Actor: "user:kukar (DPMD Kukar)", At: at.Add(time.Minute), Reason: "dua kali"},
		}
		if len(got) != len(want) {
			t.Fatalf("Withdrawn = %+v, want %+v", got, want)
		}
		for i := range want {
			if got[i].AgreementID != want[i].AgreementID || !got[i].Withdrawn || got[i].Actor != want[i].Actor ||
				!got[i].At.Equal(want[i].At) || got[i].Reason != want[i].Reason {
				t.Errorf("Withdrawn[%d] = %+v, want %+v", i, got[i], want[i])
			}
		}
		if one, err := s.Withdrawn(ctx, 1); err != nil || len(one) != 1 || one[0].AgreementID != "C" {
			t.Errorf("Withdrawn(1) = %+v, %v; want C alone", one, err)
		}
	})
}
