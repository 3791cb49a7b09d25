package graph

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// No request body makes the endpoint's reading panic: every body is either
// a well-formed request or refused with a 4xx and a message.
func FuzzRequestBodies(f *testing.F) {
	for _, seed := range []string{
		``, ` `, `{`, `[]`, `[{}]`, `"x"`, `null`, `7`, `{"query":null}`, `{"query":"{ idmYears }"}`,
		`{"query":"{ idmYears }"} trailing`, `[{"query":"{ a }"},{"query":{"x":1}}]`, `{"query":"q","variables":[1]}`,
		`{"query":"q","extensions":{"persistedQuery":{"version":1,"sha256Hash":"x"}}}`, `{"extensions":{"persistedQuery":null}}`,
		"\xff\xfe{", `{"query":"\ud800"}`, strings.Repeat("[", 20000),
	} {
		f.Add(seed)
	}
	e := &endpoint{lim: DefaultLimits}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		req, ref := e.readRequest(httptest.NewRecorder(), r, mediaJSON)
		if ref == nil {
			ref = e.decodeRequest(req)
		}
		switch {
		case ref != nil && (ref.status < 400 || ref.status > 499 || ref.message == ""):
			t.Fatalf("refusal %+v", ref)
		case ref == nil && (len(req.ops) == 0 || len(req.ops) > DefaultLimits.MaxBatch):
			t.Fatalf("accepted %d operations", len(req.ops))
		}
	})
}

// No query text makes the document checks panic or run unbounded: they
// parse within the token limit and walk each fragment once.
func FuzzDocumentChecks(f *testing.F) {
	for _, seed := range []string{
		`{ idmYears }`, `query { ...F } fragment F on Query { ...F }`, `{ a: b c: d ...on Query { __schema { types { name } } } }`,
		`fragment A on Q { ...B ...B } fragment B on Q { ...A }`, `{`, `query($x: Int = 1) @dir { f(a: [1, {b: $x}]) }`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, query string) {
		doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, DefaultLimits.MaxTokens)
		if err != nil {
			return
		}
		totals, gqlErr := checkDocument(context.Background(), doc, DefaultLimits)
		if gqlErr != nil && gqlErr.Extensions["code"] == nil {
			t.Fatalf("an error without a code: %v", gqlErr)
		}
		var _ *gqlerror.Error = gqlErr
		if totals.steps > DefaultLimits.MaxTokens {
			t.Fatalf("%d steps for a document of at most %d tokens", totals.steps, DefaultLimits.MaxTokens)
		}
	})
}
