package graph

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/sinergi-id/sinergi/internal/account"
)

// ResultCache keeps whole GraphQL answers for repeated requests (dashboards
// asking the same thing again and again). Every answer is derived from the
// published snapshot generations, so an entry stays right until the next
// ETL load publishes new ones: the cache is keyed by the generation, and a
// new generation (seen by Watch, or reported by Invalidate) empties it. The
// same key gives the answer's ETag, so a client revalidating an answer it
// holds gets 304 Not Modified until the data changes.
//
// Entries are kept gzip-compressed (JSON answers shrink 5–10×) and sent as
// they are to clients that accept gzip — every browser, curl --compressed,
// Python requests, Go — so a hit costs a copy of the compressed bytes, not
// of a megabyte of JSON. Other clients get them decompressed on the fly.
type ResultCache struct {
	entries    *sizedLRU[cacheKey, []byte]
	generation atomic.Uint64
	hits       atomic.Uint64
	misses     atomic.Uint64
	// pin makes the reads of a request see the data of one generation
	// (clickhouse.PinGeneration); nil pins nothing.
	pin func(ctx context.Context, generation uint64) context.Context
	// onGeneration is told each new generation (warm.Keeper.Publish).
	onGeneration []func(generation uint64)
}

// OnGeneration has f told of each new generation the cache empties itself
// for, when it does (from Watch's goroutine or the publishing load's): the
// generation requests are pinned to from then on. Call it while wiring.
func (c *ResultCache) OnGeneration(f func(generation uint64)) {
	c.onGeneration = append(c.onGeneration, f)
}

// PinReadsWith has every request read the data of the generation its answer
// is cached under, through pin (clickhouse.PinGeneration): the statements
// of one request never mix two generations, and a cached answer is that of
// its key's generation.
func (c *ResultCache) PinReadsWith(pin func(ctx context.Context, generation uint64) context.Context) {
	c.pin = pin
}

// pinned is ctx with its reads pinned to generation, when a pin is set.
func (c *ResultCache) pinned(ctx context.Context, generation uint64) context.Context {
	if c == nil || c.pin == nil {
		return ctx
	}
	return c.pin(ctx, generation)
}

// current is the generation requests start from now.
func (c *ResultCache) current() uint64 {
	if c == nil {
		return 0
	}
	return c.generation.Load()
}

// cacheKey identifies a request within a data generation.
type cacheKey [sha256.Size]byte

// NewResultCache keeps compressed answers of at most maxEntryBytes each, up
// to maxBytes in all, dropping the least recently used first.
func NewResultCache(maxBytes, maxEntryBytes int) *ResultCache {
	return &ResultCache{entries: newSizedLRU[cacheKey](maxBytes, maxEntryBytes, func(gz []byte) int { return len(gz) })}
}

// Invalidate drops every entry; the ETL calls it after publishing.
func (c *ResultCache) Invalidate(generation uint64) {
	if c.generation.Swap(generation) != generation {
		c.entries.Purge()
		for _, f := range c.onGeneration {
			f(generation)
		}
	}
}

// CacheStats is what the result cache did since start, and holds now.
type CacheStats struct {
	Hits, Misses uint64
	// Evictions are entries dropped to make room (not those a new
	// generation emptied).
	Evictions uint64
	Entries   int
	Bytes     int64 // compressed, as kept
}

// Stats reports what the cache did since start (the metrics read it at
// each scrape).
func (c *ResultCache) Stats() CacheStats {
	return CacheStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Evictions: c.entries.evictions.Load(),
		Entries: c.entries.entries.Len(), Bytes: c.entries.bytes.Load()}
}

// Watch polls the latest published generation every interval until ctx
// ends, invalidating the cache when it changes (loads by another process).
func (c *ResultCache) Watch(ctx context.Context, interval time.Duration, latest func(context.Context) (uint64, error), log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if gen, err := latest(ctx); err == nil {
			c.Invalidate(gen)
		} else if ctx.Err() == nil {
			log.Warn("result cache: reading the snapshot generation failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// maxCachedRequest bounds the request bodies the cache considers.
const maxCachedRequest = 64 << 10

// key hashes the data generation, the negotiated media type, the method,
// the query string, the body and who asks (the principal's actor name, ""
// when anonymous): entries from before a load never match, a client asking
// for another media type never gets this one's bytes, and nobody gets an
// answer, or a share of a running request, that was someone else's.
func (c *ResultCache) key(generation uint64, method, media, rawQuery, who string, body []byte) (cacheKey, bool) {
	if len(body) > maxCachedRequest || len(rawQuery) > maxCachedRequest {
		return cacheKey{}, false
	}
	h := sha256.New()
	var gen [8]byte
	binary.LittleEndian.PutUint64(gen[:], generation)
	h.Write(gen[:])
	for _, part := range []string{method, media, rawQuery, who} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	h.Write(body)
	var key cacheKey
	h.Sum(key[:0])
	return key, true
}

// get returns the compressed answer to a request, if it is held.
func (c *ResultCache) get(key cacheKey) ([]byte, bool) {
	gz, ok := c.entries.Get(key)
	if ok {
		c.hits.Add(1)
	} else {
		c.misses.Add(1)
	}
	return gz, ok
}

// store compresses an answer and keeps it if it fits; it returns the
// compressed bytes either way.
func (c *ResultCache) store(key cacheKey, answer []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed) // a valid level: no error
	_, _ = zw.Write(answer)                            // into memory: no error
	_ = zw.Close()
	c.entries.Add(key, buf.Bytes())
	return buf.Bytes()
}

// etag is the entity tag of the answer to a request: weak, because the
// same answer goes out gzip-, zstd- or un-compressed.
func (k cacheKey) etag() string { return `W/"` + hex.EncodeToString(k[:16]) + `"` }

// etagMatches reads If-None-Match (RFC 9110 §13.1.2, weak comparison).
func etagMatches(ifNoneMatch, etag string) bool {
	if ifNoneMatch == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, tag := range strings.Split(ifNoneMatch, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || strings.TrimPrefix(tag, "W/") == want {
			return true
		}
	}
	return false
}

// gzippedSize is the uncompressed size of a gzip stream (its trailer
// holds it, modulo 4 GiB: far above any answer).
func gzippedSize(gz []byte) int {
	if len(gz) < 4 {
		return 0
	}
	return int(binary.LittleEndian.Uint32(gz[len(gz)-4:]))
}

// writeGzipped sends a compressed answer: as it is to clients that accept
// gzip (when it is large enough to be worth it), decompressed to the
// others — the compressing handler around the endpoint then does what they
// accept.
func writeGzipped(w http.ResponseWriter, r *http.Request, status int, gz []byte) {
	if acceptsGzip(r) && gzippedSize(gz) >= compressAbove {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(len(gz)))
		w.WriteHeader(status)
		_, _ = w.Write(gz)
		return
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil { // we wrote it: cannot happen short of memory corruption
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(internalBody))
		return
	}
	w.WriteHeader(status)
	_, _ = io.Copy(w, zr)
}

// acceptsGzip reads Accept-Encoding (RFC 9110 §12.5.3): gzip listed, and
// not with q=0.
func acceptsGzip(r *http.Request) bool {
	for _, field := range r.Header.Values("Accept-Encoding") {
		for _, coding := range strings.Split(field, ",") {
			name, params, _ := strings.Cut(coding, ";")
			if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
				continue
			}
			weight, hasWeight := strings.CutPrefix(strings.TrimSpace(params), "q=")
			if !hasWeight {
				return true
			}
			q, err := strconv.ParseFloat(weight, 64)
			return err == nil && q > 0
		}
	}
	return false
}

// sizedLRU is a least-recently-used map bounded by the bytes of its values
// as well as by their number.
type sizedLRU[K comparable, V any] struct {
	entries *lru.Cache[K, V]
	size    func(V) int
	bytes   atomic.Int64
	// evictions counts entries dropped for room.
	evictions atomic.Uint64
	maxBytes  int64
	maxEntry  int
}

func newSizedLRU[K comparable, V any](maxBytes, maxEntry int, size func(V) int) *sizedLRU[K, V] {
	c := &sizedLRU[K, V]{size: size, maxBytes: int64(maxBytes), maxEntry: maxEntry}
	// The entry count only bounds the LRU's bookkeeping; bytes bound memory.
	entries, err := lru.NewWithEvict(max(1, maxBytes/256), func(_ K, v V) { c.bytes.Add(-int64(size(v))) })
	if err != nil {
		panic(err) // only for a size <= 0, a programming error
	}
	c.entries = entries
	return c
}

func (c *sizedLRU[K, V]) Get(k K) (V, bool) { return c.entries.Get(k) }
func (c *sizedLRU[K, V]) Purge()            { c.entries.Purge() }

// Add keeps v unless it is larger than an entry may be, then drops the
// least recently used entries until the values fit the budget.
func (c *sizedLRU[K, V]) Add(k K, v V) {
	n := c.size(v)
	if n > c.maxEntry {
		return
	}
	// Replacing an entry does not report the old one as evicted: remove it
	// first to keep the byte count right.
	c.entries.Remove(k)
	c.bytes.Add(int64(n))
	if c.entries.Add(k, v) {
		c.evictions.Add(1)
	}
	for c.bytes.Load() > c.maxBytes {
		if _, _, ok := c.entries.RemoveOldest(); !ok {
			return
		}
		c.evictions.Add(1)
	}
}

// flights runs one execution for every concurrent request with the same
// key (a dashboard opening in many browsers at once costs the database one
// query), detached from any one client: a client that hangs up leaves the
// others their answer, and the execution is cancelled only when the last
// of its clients has gone.
type flights struct {
	mu      sync.Mutex
	running map[cacheKey]*flight
}

type flight struct {
	done    chan struct{}
	answer  answer
	clients int
	cancel  context.CancelFunc
}

// do returns fn's answer: started now, or shared with a flight of the
// same key (shared true). With a nil key the flight is this request's
// alone. ok is false when ctx ended first.
func (f *flights) do(ctx context.Context, key *cacheKey, timeout time.Duration, fn func(context.Context) answer) (ans answer, shared, ok bool) {
	f.mu.Lock()
	var fl *flight
	if key != nil {
		fl = f.running[*key]
	}
	shared = fl != nil
	if fl == nil {
		runCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		fl = &flight{done: make(chan struct{}), cancel: cancel}
		if key != nil {
			if f.running == nil {
				f.running = map[cacheKey]*flight{}
			}
			f.running[*key] = fl
		}
		go func() {
			defer cancel()
			fl.answer = fn(runCtx)
			f.mu.Lock()
			f.forget(key, fl)
			f.mu.Unlock()
			close(fl.done)
		}()
	}
	fl.clients++
	f.mu.Unlock()

	select {
	case <-fl.done:
		return fl.answer, shared, true
	case <-ctx.Done():
		f.mu.Lock()
		defer f.mu.Unlock()
		if fl.clients--; fl.clients == 0 {
			fl.cancel()
			f.forget(key, fl) // a request arriving now starts afresh
		}
		return answer{}, shared, false
	}
}

func (f *flights) forget(key *cacheKey, fl *flight) {
	if key != nil && f.running[*key] == fl {
		delete(f.running, *key)
	}
}

// cacheIdentity is who a request acts for, as far as the cache tells
// requests apart.
func cacheIdentity(ctx context.Context) string {
	if p := account.FromContext(ctx); p != nil {
		return p.Actor()
	}
	return ""
}
