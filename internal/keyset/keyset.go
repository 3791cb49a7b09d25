// Package keyset pages through lists by position rather than by offset. A
// cursor holds the sort key of the last item a client saw, so the next page
// starts right after that item even when a load has added or removed items
// since: items now before the cursor are not shown again, items now after
// it are, and none is skipped or repeated because others moved. (An offset
// would shift by as many items as the load moved.)
//
// A cursor is tied to its list, order and filter (its Scope): used with
// another, it is refused, because its key means nothing in that order.
package keyset

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/sinergi-id/sinergi/internal/fault"
)

// Request is the page a client asks for.
type Request struct {
	First *int   // items wanted; nil for the list's default
	After string // the cursor of the last item seen; "" from the start
}

// Seek is a request checked and decoded, as stores take it: the Limit items
// that follow, in the list's order, the item whose sort key is After (from
// the start when After is nil).
type Seek struct {
	After []string
	Limit int
}

// Found is what a store reports beside the items of a page.
type Found struct {
	Keys        [][]string // each item's sort key, as its cursor will hold it
	TotalCount  int        // items in the whole list
	HasNext     bool       // items follow the page
	HasPrevious bool       // items precede the page: at or before After
}

// Page is one page of a list, with a cursor per item.
type Page[T any] struct {
	Items       []T
	Cursors     []string
	TotalCount  int
	HasNext     bool
	HasPrevious bool
}

// Scope names a list with its order and filter; cursors carry it.
type Scope string

// NewScope digests the parts that make a list what it is: its name, its
// order and its filter written canonically.
func NewScope(parts ...string) Scope {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return Scope(hex.EncodeToString(sum[:8]))
}

// cursor is what a cursor encodes: a version, the scope and the sort key.
type cursor struct {
	Version int      `json:"v"`
	Scope   Scope    `json:"s"`
	Key     []string `json:"k"`
}

const version = 1

// Cursor encodes the position of an item with sort key key.
func (s Scope) Cursor(key []string) string {
	raw, _ := json.Marshal(cursor{Version: version, Scope: s, Key: key}) // strings only: cannot fail
	return base64.RawURLEncoding.EncodeToString(raw)
}

// Seek checks a request against the list's page sizes and decodes its
// cursor, refusing one of another list, order or filter.
func (s Scope) Seek(r Request, defaultSize, maxSize int) (Seek, error) {
	limit := defaultSize
	if r.First != nil {
		if *r.First < 1 || *r.First > maxSize {
			return Seek{}, fault.Invalid("first must be between 1 and %d", maxSize)
		}
		limit = *r.First
	}
	if r.After == "" {
		return Seek{Limit: limit}, nil
	}
	var c cursor
	raw, err := base64.RawURLEncoding.DecodeString(r.After)
	if err != nil || json.Unmarshal(raw, &c) != nil || c.Version != version || len(c.Key) == 0 {
		return Seek{}, fault.Invalid("after is not a cursor from this API")
	}
	if c.Scope != s {
		return Seek{}, fault.Invalid("after is a cursor of a list with another order or filter " +
			"(or a default that changed, such as the latest IDM year); ask for the first page again")
	}
	return Seek{After: c.Key, Limit: limit}, nil
}

// NewPage pairs items with their cursors.
func NewPage[T any](s Scope, items []T, f Found) Page[T] {
	p := Page[T]{Items: items, Cursors: make([]string, len(items)), TotalCount: f.TotalCount,
		HasNext: f.HasNext, HasPrevious: f.HasPrevious}
	for i := range items {
		p.Cursors[i] = s.Cursor(f.Keys[i])
	}
	return p
}
