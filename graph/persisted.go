package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// Automatic persisted queries (Apollo's protocol, gqlgen's
// extension.AutomaticPersistedQuery): a client sends the SHA-256 of its
// query; an unknown hash is answered PERSISTED_QUERY_NOT_FOUND, and the
// client sends the query with its hash once, which is then kept here.
const (
	persistedQueryBytes    = 8 << 20  // the store, in query text
	persistedQueryMaxBytes = 64 << 10 // a longer query is run but not kept
)

// persistedQueries holds query texts by hash, least recently used dropped
// first, within a byte budget.
type persistedQueries struct{ texts *sizedLRU[string, string] }

var _ graphql.Cache[string] = persistedQueries{}

func newPersistedQueries() persistedQueries {
	return persistedQueries{newSizedLRU[string](persistedQueryBytes, persistedQueryMaxBytes, func(q string) int { return len(q) })}
}

func (p persistedQueries) Get(_ context.Context, hash string) (string, bool) {
	return p.texts.Get(hash)
}

func (p persistedQueries) Add(_ context.Context, hash, query string) { p.texts.Add(hash, query) }
