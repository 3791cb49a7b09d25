package graph

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/sinergi-id/sinergi/internal/fault"
)

// Limits bound every request.
type Limits struct {
	// The document, checked before it is validated or run. Fields, aliases
	// and fragment spreads are counted with fragments expanded (a fragment
	// spread twice counts twice), in time linear in the document.
	MaxTokens          int // lexical tokens (names, punctuation, values)
	MaxFields          int // field selections, in all operations of the document
	MaxAliases         int // aliased fields
	MaxFragmentSpreads int // fragment spreads followed
	MaxRootFields      int // top-level fields of one operation
	MaxDepth           int // nesting of selections; introspection (__schema, __type) is not counted
	MaxComplexity      int // cost: lists weigh their children by their size, root fields by the statements they run

	MaxBatch      int           // operations in one request (a JSON array); 1 turns batching off
	MaxBodyBytes  int64         // request body size
	Timeout       time.Duration // whole request; ClickHouse has its own per-query limit
	MaxInFlight   int           // operations executing at once (answers from the result cache do not count)
	MaxQueued     int           // operations waiting for a slot; more are turned away with 503
	Introspection bool          // answer __schema and __type (playgrounds, code generators)
}

// DefaultLimits are generous for planners' queries (and for the standard
// introspection query of GraphiQL, Apollo and graphql-codegen) and stop
// runaway ones. Requests mostly wait on ClickHouse, so a few per core keep
// it busy.
var DefaultLimits = Limits{
	MaxTokens: 5000, MaxFields: 1000, MaxAliases: 50, MaxFragmentSpreads: 200, MaxRootFields: 20,
	MaxDepth: 10, MaxComplexity: 2000,
	MaxBatch: 10, MaxBodyBytes: 1 << 20, Timeout: 30 * time.Second,
	MaxInFlight: 4 * runtime.GOMAXPROCS(0), MaxQueued: 1024,
	Introspection: true,
}

// Codes of the limit errors (see errors.go for the others).
const (
	CodeDocumentLimit    = "DOCUMENT_LIMIT_EXCEEDED"
	CodeDepthLimit       = "DEPTH_LIMIT_EXCEEDED"
	CodeComplexityLimit  = "COMPLEXITY_LIMIT_EXCEEDED"
	CodeNoIntrospection  = "INTROSPECTION_DISABLED"
	deadlineCheckEvery   = 1024    // selections walked between looks at the request deadline
	saturated            = 1 << 30 // counts stop here: far above every limit, far below overflow
	introspectionPrefix  = "__"
	introspectionTypName = "__typename"
)

// documentCheck bounds the document before gqlgen validates or runs it: it
// parses with the token limit, then walks the selections once, following
// each fragment once and reusing its counts wherever it is spread, so a
// nested fragment bomb (each fragment spreading the next twice) costs as
// many steps as it has selections, not 2^levels. It runs as an operation
// parameter mutator, after persisted queries resolved the query text.
type documentCheck struct {
	lim   Limits
	known graphql.Cache[*ast.QueryDocument] // documents gqlgen already validated: checked before
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = documentCheck{}

func (documentCheck) ExtensionName() string                   { return "DocumentLimits" }
func (documentCheck) Validate(graphql.ExecutableSchema) error { return nil }

func (d documentCheck) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if params.Query == "" {
		return nil // gqlgen answers "no operation provided"
	}
	if _, ok := d.known.Get(ctx, params.Query); ok {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, d.lim.MaxTokens)
	if err != nil {
		gqlErr, ok := err.(*gqlerror.Error)
		if !ok {
			gqlErr = gqlerror.Errorf("the query could not be parsed")
		}
		if strings.HasPrefix(gqlErr.Message, "exceeded token limit") {
			return documentLimitError("tokens", d.lim.MaxTokens, d.lim.MaxTokens+1,
				fmt.Sprintf("the query has more than %d tokens (names, punctuation, values)", d.lim.MaxTokens))
		}
		errcode.Set(gqlErr, errcode.ParseFailed)
		return gqlErr
	}
	_, gqlErr := checkDocument(ctx, doc, d.lim)
	return gqlErr
}

// selectionCounts are what a selection set adds up to, fragments expanded.
type selectionCounts struct {
	fields, aliases, spreads int
	top                      int  // fields directly in the set (through fragments at its level)
	depth                    int  // levels below the set, introspection not counted
	introspects              bool // selects __schema or __type somewhere
}

func (c *selectionCounts) add(o selectionCounts) {
	c.fields = min(c.fields+o.fields, saturated)
	c.aliases = min(c.aliases+o.aliases, saturated)
	c.spreads = min(c.spreads+o.spreads, saturated)
	c.top = min(c.top+o.top, saturated)
	c.depth = max(c.depth, o.depth)
	c.introspects = c.introspects || o.introspects
}

// documentWalk counts a document's selections, each fragment once.
type documentWalk struct {
	ctx       context.Context
	doc       *ast.QueryDocument
	fragments map[string]*fragmentCounts
	steps     int // selections visited: the work done, linear in the document
}

type fragmentCounts struct {
	counts selectionCounts
	done   bool // false while it is being counted: a cycle, which validation refuses
}

var errDeadline = fmt.Errorf("the request deadline passed while checking the query")

func (w *documentWalk) set(set ast.SelectionSet) (selectionCounts, error) {
	var c selectionCounts
	for _, sel := range set {
		w.steps++
		if w.steps%deadlineCheckEvery == 0 && w.ctx.Err() != nil {
			return c, errDeadline
		}
		switch s := sel.(type) {
		case *ast.Field:
			c.fields = min(c.fields+1, saturated)
			c.top = min(c.top+1, saturated)
			if s.Alias != "" && s.Alias != s.Name {
				c.aliases = min(c.aliases+1, saturated)
			}
			child, err := w.set(s.SelectionSet)
			if err != nil {
				return c, err
			}
			child.top = 0
			if strings.HasPrefix(s.Name, introspectionPrefix) && s.Name != introspectionTypName {
				// The standard introspection query nests ~15 levels through
				// ofType; its shape is fixed and gqlparser bounds its lists.
				child.depth = 0
				child.introspects = true
			}
			depth := 1
			if len(s.SelectionSet) > 0 && child.depth > 0 {
				depth = 1 + child.depth
			}
			child.depth = depth
			c.add(child)
		case *ast.InlineFragment:
			child, err := w.set(s.SelectionSet)
			if err != nil {
				return c, err
			}
			c.add(child)
		case *ast.FragmentSpread:
			c.spreads = min(c.spreads+1, saturated)
			child, err := w.fragment(s.Name)
			if err != nil {
				return c, err
			}
			c.add(child)
		}
	}
	return c, nil
}

func (w *documentWalk) fragment(name string) (selectionCounts, error) {
	if f, ok := w.fragments[name]; ok {
		return f.counts, nil // counted already, or a cycle (counted as nothing)
	}
	def := w.doc.Fragments.ForName(name)
	if def == nil {
		return selectionCounts{}, nil // validation reports the unknown fragment
	}
	f := &fragmentCounts{}
	w.fragments[name] = f
	counts, err := w.set(def.SelectionSet)
	if err != nil {
		return counts, err
	}
	f.counts, f.done = counts, true
	return counts, nil
}

// documentTotals are the counts checked against the limits: fields,
// aliases and spreads summed over the operations (validation walks them
// all), root fields and depth of the largest.
type documentTotals struct {
	selectionCounts
	rootFields int
	steps      int
}

// checkDocument counts the document and refuses it when a count is over
// its limit.
func checkDocument(ctx context.Context, doc *ast.QueryDocument, lim Limits) (documentTotals, *gqlerror.Error) {
	w := &documentWalk{ctx: ctx, doc: doc, fragments: map[string]*fragmentCounts{}}
	var t documentTotals
	for _, op := range doc.Operations {
		c, err := w.set(op.SelectionSet)
		if err != nil {
			t.steps = w.steps
			return t, deadlineError()
		}
		t.rootFields = max(t.rootFields, c.top)
		c.top = 0
		t.add(c)
	}
	t.steps = w.steps
	switch {
	case t.fields > lim.MaxFields:
		return t, documentLimitError("fields", lim.MaxFields, t.fields, fmt.Sprintf(
			"the query selects %s fields (a fragment counts each time it is spread), more than the limit of %d", count(t.fields), lim.MaxFields))
	case t.aliases > lim.MaxAliases:
		return t, documentLimitError("aliases", lim.MaxAliases, t.aliases, fmt.Sprintf(
			"the query has %s aliased fields, more than the limit of %d", count(t.aliases), lim.MaxAliases))
	case t.spreads > lim.MaxFragmentSpreads:
		return t, documentLimitError("fragmentSpreads", lim.MaxFragmentSpreads, t.spreads, fmt.Sprintf(
			"the query spreads fragments %s times (counted where nested fragments repeat), more than the limit of %d", count(t.spreads), lim.MaxFragmentSpreads))
	case t.rootFields > lim.MaxRootFields:
		return t, documentLimitError("rootFields", lim.MaxRootFields, t.rootFields, fmt.Sprintf(
			"an operation asks for %d top-level fields, more than the limit of %d; split it into several requests", t.rootFields, lim.MaxRootFields))
	case t.depth > lim.MaxDepth:
		err := gqlerror.Errorf("operation nests %d levels deep, more than the limit of %d", t.depth, lim.MaxDepth)
		err.Extensions = map[string]any{"code": CodeDepthLimit}
		return t, err
	case t.introspects && !lim.Introspection:
		err := gqlerror.Errorf("introspection (__schema, __type) is turned off on this server")
		err.Extensions = map[string]any{"code": CodeNoIntrospection}
		return t, err
	}
	return t, nil
}

// count writes a saturated count as "more than a billion".
func count(n int) string {
	if n >= saturated {
		return "more than a billion"
	}
	return fmt.Sprint(n)
}

func documentLimitError(limit string, maxAllowed, found int, msg string) *gqlerror.Error {
	err := gqlerror.Errorf("%s", msg)
	err.Extensions = map[string]any{"code": CodeDocumentLimit, "limit": limit, "max": maxAllowed, "found": min(found, saturated)}
	return err
}

func deadlineError() *gqlerror.Error {
	err := gqlerror.Errorf("%s", errDeadline.Error())
	err.Extensions = map[string]any{"code": fault.CodeUnavailable}
	return err
}
