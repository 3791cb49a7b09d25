package graph

import (
	"crypto/sha256"
	"strings"
	"testing"
)

// Storing an answer again (two misses one after the other) replaces it
// without counting its bytes twice; purging returns the count to zero.
func TestResultCacheCountsReplacedEntriesOnce(t *testing.T) {
	c := NewResultCache(1<<20, 1<<20)
	key := sha256.Sum256([]byte("q"))
	answer := []byte(`{"data":{"x":"` + strings.Repeat("abc", 1000) + `"}}`)
	c.store(key, answer)
	once := c.bytes.Load()
	if once <= 0 {
		t.Fatalf("nothing counted: %d", once)
	}
	c.store(key, answer)
	if got := c.bytes.Load(); got != once {
		t.Fatalf("stored twice: %d bytes counted, want %d", got, once)
	}
	c.Invalidate(1)
	if got := c.bytes.Load(); got != 0 {
		t.Fatalf("after a purge: %d bytes counted", got)
	}
}
