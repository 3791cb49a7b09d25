package cooperation

import (
	"context"
	"errors"
	"testing"

	"github.com/sinergi-id/sinergi/internal/fault"
)

// TestPartnerFilterWithoutLettersIsRefused: a partner filter that folds to
// nothing ("-", "&", "%") used to be dropped, answering for every partner.
func TestPartnerFilterWithoutLettersIsRefused(t *testing.T) {
	s := NewService(nil, nil, nil)
	for _, p := range []string{"-", "&", "%", " ", "%_%", "--"} {
		if _, err := s.CheckFilter(context.Background(), Filter{Partner: p}, ""); !errors.Is(err, fault.ErrInvalidInput) {
			t.Errorf("partner %q: %v, want invalid input", p, err)
		}
	}
	for p, want := range map[string]string{"": "", "PT. Multi  Harapan-Utama": "pt multi harapan utama", "A&B": "a b"} {
		f, err := s.CheckFilter(context.Background(), Filter{Partner: p}, "")
		if err != nil || f.Partner != want {
			t.Errorf("partner %q: %q, %v; want %q", p, f.Partner, err, want)
		}
	}
}
