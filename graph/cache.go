package graph

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"
)

// ResultCache keeps whole GraphQL responses for repeated queries (dashboards
// asking the same thing again and again). Every answer is derived from the
// published snapshot generations, so an entry stays right until the next
// ETL load publishes new ones: the cache is keyed by the generation, and a
// new generation (seen by Watch, or reported by Invalidate) empties it.
//
// Entries are kept gzip-compressed (JSON answers shrink 5–10×) and sent as
// they are to clients that accept gzip — every browser, curl --compressed,
// Python requests, Go — so a hit costs a copy of the compressed bytes, not
// of a megabyte of JSON. Other clients get them decompressed on the fly.
type ResultCache struct {
	entries    *lru.Cache[[sha256.Size]byte, []byte]
	generation atomic.Uint64
	maxEntry   int
	maxBytes   int64
	bytes      atomic.Int64 // compressed bytes held
	hits       atomic.Uint64
	misses     atomic.Uint64
	inflight   singleflight.Group
}

// NewResultCache keeps compressed answers of at most maxEntryBytes each, up
// to maxBytes in all, dropping the least recently used first.
func NewResultCache(maxBytes, maxEntryBytes int) *ResultCache {
	rc := &ResultCache{maxEntry: maxEntryBytes, maxBytes: int64(maxBytes)}
	// The entry count only bounds the LRU's bookkeeping; bytes bound memory.
	c, err := lru.NewWithEvict(max(1, maxBytes/256), func(_ [sha256.Size]byte, gz []byte) {
		rc.bytes.Add(-int64(len(gz)))
	})
	if err != nil {
		panic(err) // only for a size <= 0, a programming error
	}
	rc.entries = c
	return rc
}

// Invalidate drops every entry; the ETL calls it after publishing.
func (c *ResultCache) Invalidate(generation uint64) {
	if c.generation.Swap(generation) != generation {
		c.entries.Purge()
	}
}

// Stats reports hits and misses since start.
func (c *ResultCache) Stats() (hits, misses uint64) { return c.hits.Load(), c.misses.Load() }

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

// Middleware serves repeated requests from the cache and stores successful
// answers (status 200, no "errors" in the body). A request with
// "Cache-Control: no-cache" is always answered afresh.
func (c *ResultCache) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Cache-Control") == "no-cache" {
			next.ServeHTTP(w, r)
			return
		}
		key, body, ok := c.key(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		if r.Body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		if gz, hit := c.entries.Get(key); hit {
			c.hits.Add(1)
			w.Header().Set("X-Sinergi-Cache", "hit")
			writeCompressed(w, r, gz)
			return
		}
		c.misses.Add(1)
		// Concurrent misses of one request wait for the first: a dashboard
		// opening in many browsers at once costs the database one query.
		v, _, shared := c.inflight.Do(string(key[:]), func() (any, error) {
			rec := newCapture()
			next.ServeHTTP(rec, r)
			if rec.status == http.StatusOK && !bytes.Contains(rec.body.Bytes(), []byte(`"errors":`)) {
				c.store(key, rec.body.Bytes())
			}
			return rec, nil
		})
		rec := v.(*capture)
		for k, vs := range rec.header {
			w.Header()[k] = vs
		}
		state := "miss"
		if shared {
			state = "shared"
		}
		w.Header().Set("X-Sinergi-Cache", state)
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes())
	})
}

// store compresses an answer and keeps it if it fits.
func (c *ResultCache) store(key [sha256.Size]byte, answer []byte) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed) // a valid level: no error
	_, _ = zw.Write(answer)                            // into memory: no error
	_ = zw.Close()
	if buf.Len() > c.maxEntry {
		return
	}
	// Two misses of one request, one after the other, both store it:
	// replacing an entry does not report the old one as evicted, so remove
	// it first to keep the byte count right.
	c.entries.Remove(key)
	c.bytes.Add(int64(buf.Len()))
	c.entries.Add(key, buf.Bytes())
	for c.bytes.Load() > c.maxBytes {
		if _, _, ok := c.entries.RemoveOldest(); !ok {
			return
		}
	}
}

// writeCompressed sends a cached answer: as it is to clients that accept
// gzip, decompressed to the others.
func writeCompressed(w http.ResponseWriter, r *http.Request, gz []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Add("Vary", "Accept-Encoding")
	if acceptsGzip(r) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(len(gz)))
		_, _ = w.Write(gz)
		return
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil { // we wrote it: cannot happen short of memory corruption
		http.Error(w, `{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`, http.StatusInternalServerError)
		return
	}
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

// key hashes the method, the query string and the body, with the
// generation, so entries from before a load can never match.
func (c *ResultCache) key(r *http.Request) ([sha256.Size]byte, []byte, bool) {
	var body []byte
	if r.Method == http.MethodPost {
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, maxCachedRequest+1))
		if err != nil || len(body) > maxCachedRequest {
			// Too large to cache: hand the handler what was read and the rest.
			r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
			return [sha256.Size]byte{}, nil, false
		}
	} else if r.Method != http.MethodGet {
		return [sha256.Size]byte{}, nil, false
	}
	h := sha256.New()
	var gen [8]byte
	g := c.generation.Load()
	for i := range gen {
		gen[i] = byte(g >> (8 * i))
	}
	h.Write(gen[:])
	h.Write([]byte(r.Method))
	h.Write([]byte(r.URL.RawQuery))
	h.Write([]byte{0})
	h.Write(body)
	var key [sha256.Size]byte
	copy(key[:], h.Sum(nil))
	return key, body, true
}

// capture keeps a whole response to hand to every waiting request.
type capture struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newCapture() *capture { return &capture{header: http.Header{}, status: http.StatusOK} }

func (c *capture) Header() http.Header         { return c.header }
func (c *capture) WriteHeader(code int)        { c.status = code }
func (c *capture) Write(p []byte) (int, error) { return c.body.Write(p) }
