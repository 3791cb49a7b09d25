package graph

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/complexity"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/sinergi-id/sinergi/internal/fault"
)

// fragmentTree writes a random document: an operation and fragments on
// Query, each selecting a few fields and spreading later fragments
// (repeatedly, so expansion multiplies), plus inline fragments and regions
// with children to give the cost lists to weigh.
func fragmentTree(r *rand.Rand, fragments int) string {
	// Every fragment is spread by an earlier one (validation refuses unused
	// fragments), some by several, some several times.
	spreads := make([][]int, fragments)
	for i := 1; i < fragments; i++ {
		parent := r.IntN(i)
		spreads[parent] = append(spreads[parent], i)
	}
	for i := range fragments {
		for range r.IntN(3) {
			if next := i + 1 + r.IntN(fragments); next < fragments {
				spreads[i] = append(spreads[i], next)
			}
		}
	}
	selections := func() []string {
		var s []string
		for range 1 + r.IntN(3) {
			switch r.IntN(4) {
			case 0:
				s = append(s, "idmYears")
			case 1:
				s = append(s, fmt.Sprintf("y%d: idmYears", r.IntN(1000)))
			case 2:
				s = append(s, `regions(level: PROVINSI) { code ... on Region { name children { code } } }`)
			default:
				s = append(s, "__typename")
			}
		}
		return s
	}
	var b strings.Builder
	fmt.Fprintf(&b, "query { %s ...F0 }\n", strings.Join(selections(), " "))
	for i := range fragments {
		s := selections()
		for _, j := range spreads[i] {
			s = append(s, fmt.Sprintf("...F%d", j))
		}
		fmt.Fprintf(&b, "fragment F%d on Query { %s }\n", i, strings.Join(s, " "))
	}
	return b.String()
}

// selectionsIn is the size of a document: its selections, each written once.
func selectionsIn(doc *ast.QueryDocument) int {
	var n func(ast.SelectionSet) int
	n = func(set ast.SelectionSet) int {
		total := len(set)
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				total += n(s.SelectionSet)
			case *ast.InlineFragment:
				total += n(s.SelectionSet)
			}
		}
		return total
	}
	total := 0
	for _, op := range doc.Operations {
		total += n(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		total += n(f.SelectionSet)
	}
	return total
}

// expanded counts by expanding every fragment where it is spread: the
// exponential reference the linear walk must agree with.
func expanded(doc *ast.QueryDocument, set ast.SelectionSet) (fields, aliases int) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			fields++
			if s.Alias != s.Name {
				aliases++
			}
			f, a := expanded(doc, s.SelectionSet)
			fields, aliases = fields+f, aliases+a
		case *ast.InlineFragment:
			f, a := expanded(doc, s.SelectionSet)
			fields, aliases = fields+f, aliases+a
		case *ast.FragmentSpread:
			f, a := expanded(doc, doc.Fragments.ForName(s.Name).SelectionSet)
			fields, aliases = fields+f, aliases+a
		}
	}
	return fields, aliases
}

func testSchema(t *testing.T) *executableSchema {
	t.Helper()
	cfg := Config{Resolvers: &Resolver{}}
	complexityConfig(&cfg)
	return NewExecutableSchema(cfg).(*executableSchema)
}

// The document checks and the cost walk do work linear in the document on
// generated fragment trees (counted in selections visited, not time), and
// count what expanding every fragment would count; the cost equals
// gqlgen's own exponential calculation plus the statement cost per root
// field.
func TestDocumentWalksAreLinearInTheDocument(t *testing.T) {
	es := testSchema(t)
	r := rand.New(rand.NewPCG(1, 2))
	unbounded := Limits{MaxFields: saturated, MaxAliases: saturated, MaxFragmentSpreads: saturated, MaxRootFields: saturated, MaxDepth: saturated, Introspection: true}
	for i := range 300 {
		src := fragmentTree(r, 1+r.IntN(25))
		doc, err := parser.ParseQuery(&ast.Source{Input: src})
		if err != nil {
			t.Fatalf("%v\n%s", err, src)
		}
		size := selectionsIn(doc)
		totals, gqlErr := checkDocument(context.Background(), doc, unbounded)
		if gqlErr != nil {
			t.Fatalf("document %d refused: %v", i, gqlErr)
		}
		if totals.steps > size {
			t.Fatalf("document %d: %d steps for %d selections\n%s", i, totals.steps, size, src)
		}

		if errs := validator.Validate(es.Schema(), doc); len(errs) > 0 {
			t.Fatalf("document %d invalid: %v\n%s", i, errs, src)
		}
		op := doc.Operations[0]
		w := &costWalk{ctx: context.Background(), es: es, schema: es.Schema(), fragments: map[string]int{}}
		cost, err := w.set(op.SelectionSet, true)
		if err != nil {
			t.Fatal(err)
		}
		if w.steps > size {
			t.Fatalf("document %d: cost walk took %d steps for %d selections", i, w.steps, size)
		}

		// The references expand every spread: only for documents small
		// enough once expanded.
		if totals.fields > 20000 {
			continue
		}
		fields, aliases := expanded(doc, op.SelectionSet)
		if totals.fields != fields || totals.aliases != aliases {
			t.Fatalf("document %d: counted %d fields, %d aliases; expansion gives %d, %d\n%s", i, totals.fields, totals.aliases, fields, aliases, src)
		}
		roots := 0
		for _, f := range rootFieldsOf(doc, op.SelectionSet) {
			if f.Name != "__typename" {
				roots++
			}
		}
		if want := complexity.Calculate(context.Background(), es, op, nil) + roots*rootFieldCost; cost != want {
			t.Fatalf("document %d: cost %d, gqlgen's calculation + root fields gives %d\n%s", i, cost, want, src)
		}
	}
}

func rootFieldsOf(doc *ast.QueryDocument, set ast.SelectionSet) []*ast.Field {
	var out []*ast.Field
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			out = append(out, s)
		case *ast.InlineFragment:
			out = append(out, rootFieldsOf(doc, s.SelectionSet)...)
		case *ast.FragmentSpread:
			out = append(out, rootFieldsOf(doc, doc.Fragments.ForName(s.Name).SelectionSet)...)
		}
	}
	return out
}

// fragmentBomb is query{...F0} with Fi spreading F(i+1) twice: 1.3 KB that
// expands to 2^levels fields.
func fragmentBomb(levels int) string {
	var b strings.Builder
	b.WriteString("query { ...F0 }\n")
	for i := range levels {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on Query { idmYears }\n", levels)
	return b.String()
}

// A nested fragment bomb is refused by the document checks, which follow
// each fragment once: the refusal takes as many steps as the bomb has
// selections.
func TestFragmentBombIsRefusedInLinearWork(t *testing.T) {
	for _, levels := range []int{30, 40, 60} {
		doc, err := parser.ParseQuery(&ast.Source{Input: fragmentBomb(levels)})
		if err != nil {
			t.Fatal(err)
		}
		totals, gqlErr := checkDocument(context.Background(), doc, DefaultLimits)
		if gqlErr == nil || gqlErr.Extensions["code"] != CodeDocumentLimit {
			t.Fatalf("%d levels: %v", levels, gqlErr)
		}
		if size := selectionsIn(doc); totals.steps > size {
			t.Fatalf("%d levels: %d steps for %d selections", levels, totals.steps, size)
		}
	}
}

// A walk stops at the request's deadline.
func TestDocumentWalksStopAtTheDeadline(t *testing.T) {
	doc, err := parser.ParseQuery(&ast.Source{Input: "{" + strings.Repeat(" idmYears", 5000) + " }"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	totals, gqlErr := checkDocument(ctx, doc, DefaultLimits)
	if gqlErr == nil || gqlErr.Extensions["code"] != fault.CodeUnavailable || totals.steps > deadlineCheckEvery {
		t.Fatalf("after the deadline: %v after %d steps", gqlErr, totals.steps)
	}
}

// Each limit refuses what is over it and names itself.
func TestDocumentLimits(t *testing.T) {
	repeat := func(n int, s string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = strings.ReplaceAll(s, "%d", fmt.Sprint(i))
		}
		return strings.Join(parts, " ")
	}
	for _, tc := range []struct {
		name, query, code, limit string
	}{
		{"fields", "{ regions(level: PROVINSI) { " + repeat(1001, "code") + " } }", CodeDocumentLimit, "fields"},
		{"aliases", "{ regions(level: PROVINSI) { " + repeat(51, "c%d: code") + " } }", CodeDocumentLimit, "aliases"},
		{"spreads", "{ ...A } fragment A on Query { " + repeat(201, "...B") + " } fragment B on Query { idmYears }", CodeDocumentLimit, "fragmentSpreads"},
		{"root fields", "{ " + repeat(21, "y%d: idmYears") + " }", CodeDocumentLimit, "rootFields"},
		{"depth", "{ regions(level: PROVINSI) { children { children { children { children { children { children { children { children { children { code } } } } } } } } } } }", CodeDepthLimit, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := parser.ParseQuery(&ast.Source{Input: tc.query})
			if err != nil {
				t.Fatal(err)
			}
			_, gqlErr := checkDocument(context.Background(), doc, DefaultLimits)
			if gqlErr == nil || gqlErr.Extensions["code"] != tc.code || tc.limit != "" && gqlErr.Extensions["limit"] != tc.limit {
				t.Fatalf("got %v %v", gqlErr, gqlErr.Extensions)
			}
		})
	}
	t.Run("introspection turned off", func(t *testing.T) {
		doc, _ := parser.ParseQuery(&ast.Source{Input: "{ __typename ...on Query { __type(name: \"Region\") { name } } }"})
		off := DefaultLimits
		off.Introspection = false
		if _, gqlErr := checkDocument(context.Background(), doc, off); gqlErr == nil || gqlErr.Extensions["code"] != CodeNoIntrospection {
			t.Fatalf("got %v", gqlErr)
		}
		if _, gqlErr := checkDocument(context.Background(), doc, DefaultLimits); gqlErr != nil {
			t.Fatalf("with introspection on: %v", gqlErr)
		}
	})
}

// A page size the resolver replaces by the default page costs at least the
// default page: first: 0 is no way around the complexity limit.
func TestPageWeightNeverUndercountsThePage(t *testing.T) {
	zero, negative, one, hundred := 0, -5, 1, 100
	for _, first := range []*int{nil, &zero, &negative} {
		if pageWeight(first) != pageWeight(nil) {
			t.Fatalf("first %v weighs %d, the default page %d", first, pageWeight(first), pageWeight(nil))
		}
	}
	if pageWeight(&one) != 1 || pageWeight(&hundred) != 10 {
		t.Fatalf("weights %d %d", pageWeight(&one), pageWeight(&hundred))
	}
}
