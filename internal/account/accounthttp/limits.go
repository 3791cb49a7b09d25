package accounthttp

import (
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"
)

// SignInLimits bound failed sign-ins, per account name and per client
// address, with token buckets (golang.org/x/time/rate). Each sign-in
// takes a token from its name's bucket and from its address's when it
// starts, before the password is checked, so that parallel guesses
// cannot all pass while the first is being hashed; while either bucket is
// empty, sign-ins for that name or from that address answer 429 with
// Retry-After, without checking the password, and take nothing. A failure
// keeps its tokens; a success gives them back, so it takes nothing. The
// buckets live in two LRU caches of bounded size, so a flood of names or
// addresses costs bounded memory (it can only push out the buckets of the
// least recently tried).
type SignInLimits struct {
	// How many failures an account name and an address may have in a
	// burst, and how fast each allowance comes back (one per Every);
	// MaxTracked bounds each cache.
	AccountBurst int
	AccountEvery time.Duration
	AddressBurst int
	AddressEvery time.Duration
	MaxTracked   int

	mu        sync.Mutex
	accounts  *lru.Cache[string, *rate.Limiter]
	addresses *lru.Cache[string, *rate.Limiter]
	now       func() time.Time
}

// DefaultSignInLimits: an account gets 5 wrong passwords at once, then
// one a minute; an address 20 at once, then one every 6 seconds; 10,000
// names and 10,000 addresses are tracked.
func DefaultSignInLimits() *SignInLimits {
	return &SignInLimits{AccountBurst: 5, AccountEvery: time.Minute, AddressBurst: 20, AddressEvery: 6 * time.Second, MaxTracked: 10_000}
}

func (l *SignInLimits) init() {
	if l.accounts != nil {
		return
	}
	l.accounts, _ = lru.New[string, *rate.Limiter](l.MaxTracked)
	l.addresses, _ = lru.New[string, *rate.Limiter](l.MaxTracked)
	if l.now == nil {
		l.now = time.Now
	}
}

// signInAttempt is the tokens a sign-in took when it started.
type signInAttempt struct {
	at       time.Time
	reserved []*rate.Reservation
}

// begin takes a token from name's and from address's bucket for a
// sign-in starting now. When either bucket is empty it takes none and
// reports how long to wait (false).
func (l *SignInLimits) begin(name, address string) (signInAttempt, time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.init()
	attempt := signInAttempt{at: l.now()}
	var wait time.Duration
	for _, b := range []struct {
		cache *lru.Cache[string, *rate.Limiter]
		key   string
		burst int
		every time.Duration
	}{{l.accounts, accountKey(name), l.AccountBurst, l.AccountEvery}, {l.addresses, address, l.AddressBurst, l.AddressEvery}} {
		lim, ok := b.cache.Get(b.key)
		if !ok {
			lim = rate.NewLimiter(rate.Every(b.every), b.burst)
			b.cache.Add(b.key, lim)
		}
		r := lim.ReserveN(attempt.at, 1)
		attempt.reserved = append(attempt.reserved, r)
		switch {
		case !r.OK(): // a burst below one: never allowed
			wait = max(wait, b.every)
		default:
			wait = max(wait, r.DelayFrom(attempt.at))
		}
	}
	if wait > 0 {
		attempt.giveBack()
		return signInAttempt{}, wait, false
	}
	return attempt, 0, true
}

// succeeded gives back the tokens of a sign-in that checked a right
// password.
func (l *SignInLimits) succeeded(attempt signInAttempt) {
	l.mu.Lock()
	defer l.mu.Unlock()
	attempt.giveBack()
}

// giveBack cancels the reservations as of the time they were made (the
// rate package restores nothing for a reservation cancelled after the
// time it was due).
func (a signInAttempt) giveBack() {
	for _, r := range a.reserved {
		r.CancelAt(a.at)
	}
}

// accountKey is the name as the accounts store it (bounded in length).
func accountKey(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	if len(name) > 64 {
		name = name[:64]
	}
	return name
}

func (g *Guard) limits() *SignInLimits {
	g.limitsOnce.Do(func() {
		if g.SignInLimits == nil {
			g.SignInLimits = DefaultSignInLimits()
		}
	})
	return g.SignInLimits
}

func (g *Guard) tooMany(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	seconds := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(seconds))
	g.Log.WarnContext(r.Context(), "sign-in rate-limited", "remote", g.clientAddress(r), "retry_after_s", seconds)
	writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "too many failed sign-ins: try again in " + strconv.Itoa(seconds) + " s"})
}

// clientAddress is the request's client IP address (without the port):
// the TCP peer's, or, when the peer is one of the trusted proxies, the
// rightmost address of X-Forwarded-For that is not a trusted proxy (what
// the proxy nearest to sinergi saw; the entries left of it are whatever
// the client wrote).
func (g *Guard) clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if !g.trusted(host) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if _, err := netip.ParseAddr(hop); err != nil {
			return host // malformed: the peer is all that is known
		}
		if !g.trusted(hop) {
			return hop
		}
	}
	return host
}

func (g *Guard) trusted(addr string) bool {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	for _, p := range g.TrustedProxies {
		if p.Contains(ip.Unmap()) {
			return true
		}
	}
	return false
}
