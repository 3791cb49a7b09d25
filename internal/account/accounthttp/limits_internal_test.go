package accounthttp

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSignInLimitsWaitAndForget: a bucket emptied by failed sign-ins
// says how long to wait, refills with time, and the caches never hold
// more than MaxTracked names or addresses however many try.
func TestSignInLimitsWaitAndForget(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := &SignInLimits{AccountBurst: 3, AccountEvery: time.Minute, AddressBurst: 100, AddressEvery: time.Second, MaxTracked: 50,
		now: func() time.Time { return now }}
	for i := range 3 {
		if _, _, allowed := l.begin("Kukar ", "10.0.0.1"); !allowed {
			t.Fatalf("attempt %d refused before the burst was used", i+1)
		}
	}
	_, wait, allowed := l.begin("KUKAR", "10.0.0.2")
	if allowed || wait != time.Minute {
		t.Errorf("after 3 failures: wait %v, allowed %v; want a minute", wait, allowed)
	}
	now = now.Add(30 * time.Second)
	if _, wait, _ := l.begin("kukar", "10.0.0.2"); wait != 30*time.Second {
		t.Errorf("30 s later (refused attempts take nothing): wait %v, want 30s", wait)
	}
	now = now.Add(30 * time.Second)
	if _, _, allowed := l.begin("kukar", "10.0.0.2"); !allowed {
		t.Error("still refused after the allowance came back")
	}
	for i := range 1000 {
		l.begin(fmt.Sprintf("name%d", i), fmt.Sprintf("10.1.%d.%d", i/256, i%256))
	}
	if l.accounts.Len() > 50 || l.addresses.Len() > 50 {
		t.Errorf("tracking %d names and %d addresses, want at most 50 each", l.accounts.Len(), l.addresses.Len())
	}
}

// TestSignInLimitsTakeAtStart: parallel attempts for one name get at most
// the burst between them, however many start before any ends; a success
// gives its tokens back, to the name's and to the address's bucket.
func TestSignInLimitsTakeAtStart(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := &SignInLimits{AccountBurst: 5, AccountEvery: time.Minute, AddressBurst: 7, AddressEvery: time.Minute, MaxTracked: 50,
		now: func() time.Time { return now }}
	var allowedCount atomic.Int32
	var wg sync.WaitGroup
	for range 30 {
		wg.Go(func() {
			if _, _, allowed := l.begin("dpmd.paser", "10.0.0.1"); allowed {
				allowedCount.Add(1)
			}
		})
	}
	wg.Wait()
	if n := allowedCount.Load(); n != 5 {
		t.Errorf("30 parallel attempts: %d allowed, want the burst, 5", n)
	}
	// Two attempts for another name from the address leave it none; a
	// success gives one back.
	for range 2 {
		if _, _, allowed := l.begin("dpmd.berau", "10.0.0.1"); !allowed {
			t.Fatal("the address refused before its burst of 7 was used")
		}
	}
	if _, _, allowed := l.begin("dpmd.kukar", "10.0.0.1"); allowed {
		t.Fatal("the address allowed an eighth attempt")
	}
	now = now.Add(time.Minute) // one token back in each bucket
	for i := range 3 {
		attempt, _, allowed := l.begin("dpmd.berau", "10.0.0.1")
		if !allowed {
			t.Fatalf("success %d: refused; a success's tokens are not given back", i+1)
		}
		l.succeeded(attempt)
	}
	if _, _, allowed := l.begin("dpmd.berau", "10.0.0.1"); !allowed {
		t.Fatal("the one token that came back is not there")
	}
	if _, wait, allowed := l.begin("dpmd.berau", "10.0.0.1"); allowed || wait != time.Minute {
		t.Errorf("after a failure took the address's last token: allowed %v, wait %v; want a minute", allowed, wait)
	}
}

// TestClientAddress: X-Forwarded-For counts only from a trusted proxy, and
// then its rightmost untrusted address (the client cannot choose it).
func TestClientAddress(t *testing.T) {
	g := &Guard{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	for _, c := range []struct{ peer, xff, want string }{
		{"203.0.113.7:5000", "198.51.100.1", "203.0.113.7"},
		{"10.0.0.2:5000", "", "10.0.0.2"},
		{"10.0.0.2:5000", "198.51.100.1", "198.51.100.1"},
		{"10.0.0.2:5000", "1.2.3.4, 198.51.100.1, 10.0.0.9", "198.51.100.1"},
		{"10.0.0.2:5000", "not-an-ip", "10.0.0.2"},
		{"[::ffff:10.0.0.2]:5000", "198.51.100.1", "198.51.100.1"},
	} {
		r := httptest.NewRequest(http.MethodPost, "/auth/signin", nil)
		r.RemoteAddr = c.peer
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := g.clientAddress(r); got != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q: %s, want %s", c.peer, c.xff, got, c.want)
		}
	}
}
