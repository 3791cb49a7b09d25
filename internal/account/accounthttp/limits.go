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
// address, with token buckets (golang.org/x/time/rate): each failure
// takes a token; while a bucket is empty, sign-ins for that name or from
// that address answer 429 with Retry-After, without checking the password.
// A success takes nothing. The buckets live in two LRU caches of bounded
// size, so a flood of names or addresses costs bounded memory (it can
// only push out the buckets of the least recently failing).
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

// blocked reports whether a sign-in for name from address must wait, and
// how long.
func (l *SignInLimits) blocked(name, address string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.init()
	now := l.now()
	var wait time.Duration
	for _, b := range []struct {
		cache *lru.Cache[string, *rate.Limiter]
		key   string
	}{{l.accounts, accountKey(name)}, {l.addresses, address}} {
		lim, ok := b.cache.Peek(b.key)
		if !ok {
			continue
		}
		if tokens := lim.TokensAt(now); tokens < 1 {
			wait = max(wait, time.Duration((1-tokens)/float64(lim.Limit())*float64(time.Second)))
		}
	}
	return wait, wait > 0
}

// failed takes a token from name's and address's buckets.
func (l *SignInLimits) failed(name, address string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.init()
	now := l.now()
	take := func(cache *lru.Cache[string, *rate.Limiter], key string, burst int, every time.Duration) {
		lim, ok := cache.Get(key)
		if !ok {
			lim = rate.NewLimiter(rate.Every(every), burst)
			cache.Add(key, lim)
		}
		lim.AllowN(now, 1)
	}
	take(l.accounts, accountKey(name), l.AccountBurst, l.AccountEvery)
	take(l.addresses, address, l.AddressBurst, l.AddressEvery)
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
