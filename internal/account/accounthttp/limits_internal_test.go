package accounthttp

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

// TestSignInLimitsWaitAndForget: a bucket emptied by failures says how
// long to wait, refills with time, and the caches never hold more than
// MaxTracked names or addresses however many fail.
func TestSignInLimitsWaitAndForget(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := &SignInLimits{AccountBurst: 3, AccountEvery: time.Minute, AddressBurst: 100, AddressEvery: time.Second, MaxTracked: 50,
		now: func() time.Time { return now }}
	for range 3 {
		if _, limited := l.blocked("kukar", "10.0.0.1"); limited {
			t.Fatal("limited before the burst was used")
		}
		l.failed("Kukar ", "10.0.0.1")
	}
	wait, limited := l.blocked("KUKAR", "10.0.0.2")
	if !limited || wait != time.Minute {
		t.Errorf("after 3 failures: wait %v, limited %v; want a minute", wait, limited)
	}
	now = now.Add(30 * time.Second)
	if wait, _ := l.blocked("kukar", "10.0.0.2"); wait != 30*time.Second {
		t.Errorf("30 s later: wait %v, want 30s", wait)
	}
	now = now.Add(30 * time.Second)
	if _, limited := l.blocked("kukar", "10.0.0.2"); limited {
		t.Error("still limited after the allowance came back")
	}
	for i := range 1000 {
		l.failed(fmt.Sprintf("name%d", i), fmt.Sprintf("10.1.%d.%d", i/256, i%256))
	}
	if l.accounts.Len() > 50 || l.addresses.Len() > 50 {
		t.Errorf("tracking %d names and %d addresses, want at most 50 each", l.accounts.Len(), l.addresses.Len())
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
