package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/sinergi-id/sinergi/graph/model"
)

// Complexity weights: a list field costs its children times the expected
// size, so nesting lists in lists runs into the limit quickly; every
// top-level field costs a statement on top of its children, so repeating
// one under aliases adds up.
const (
	wideList      = 50
	narrowList    = 10
	rootFieldCost = 50
	defaultPage   = 50
)

// pageWeight is what a paged list multiplies its children by: the page
// size asked for, counted in tens. A page size the resolver will not use
// as given (nil, zero or negative) is weighed as the default page, so it
// can never buy a page cheaper than what is returned.
func pageWeight(first *int) int {
	n := defaultPage
	if first != nil && *first > 0 {
		n = min(*first, 1<<20) // the resolver refuses large pages; keep the product far from overflow
	}
	return max(1, (n+9)/10)
}

// complexityConfig sets the cost of each list field; fields not named here
// cost 1 plus their children.
func complexityConfig(cfg *Config) {
	wide := func(child int) int { return child * wideList }
	cfg.Complexity.Query.Regions = func(child int, _ model.RegionLevel, _ *string) int { return wide(child) }
	cfg.Complexity.Query.IdmDistribution = func(child int, _ *int, years []int, _ model.RegionLevel, _ *string, _ *string) int {
		return wide(child) * max(1, len(years)) // one list per year asked for
	}
	cfg.Complexity.Query.EtlRuns = func(child int, _ *int, _ *string) int { return child * narrowList }
	cfg.Complexity.Query.EtlRejects = func(child int, _ string, first *int, _ *string) int { return child * pageWeight(first) }
	cfg.Complexity.Region.Children = func(child int) int { return wide(child) }
	cfg.Complexity.Village.IdmHistory = func(child int, _ *string) int { return child * narrowList }
	cfg.Complexity.Query.Agreements = func(child int, _ *model.AgreementFilter, first *int, _ *string, _ *model.AgreementOrder) int {
		return child * pageWeight(first)
	}
	cfg.Complexity.Query.Partners = func(child int, _ *model.AgreementFilter, _ *model.PartnerOrder, first *int, _ *string) int {
		return child * pageWeight(first)
	}
	cfg.Complexity.Query.ExpiringAgreements = func(child int, _ int, _ *model.AgreementFilter, first *int, _ *string) int {
		return child * pageWeight(first)
	}
	cfg.Complexity.Query.VillagesWithoutPartner = func(child int, _ *string, _ []model.IdmStatus, _ *int, _ *model.DateRange, _ *int, first *int, _ *string) int {
		return child * pageWeight(first)
	}
	cfg.Complexity.Query.CooperationStats = func(child int, _ []model.StatsDimension, _ []model.StatsMeasure, _ *model.AgreementFilter, _ *model.TimeGrain, _ *bool) int {
		return wide(child)
	}
	cfg.Complexity.Query.CrossRegionLinks = func(child int, _ model.RegionLevel, _ int, _ *model.AgreementFilter) int { return wide(child) }
	cfg.Complexity.Query.InterVillageBodies = func(child int, _ *model.BodyFilter) int { return wide(child) }
	cfg.Complexity.Agreement.Parties = func(child int) int { return child * narrowList }
	cfg.Complexity.Agreement.Villages = func(child int) int { return child * narrowList }
	cfg.Complexity.Agreement.Realisations = func(child int) int { return wide(child) }
	cfg.Complexity.InterVillageBody.Members = func(child int) int { return child * narrowList }
}

// complexityLimit computes the cost of the operation with the generated
// complexity functions, as gqlgen's own calculation does, but following
// each fragment once and reusing its cost wherever it is spread: gqlgen's
// walk doubles its work with every level of fragments spreading fragments.
// It runs after validation, on the document the limits already bounded.
type complexityLimit struct {
	es  graphql.ExecutableSchema
	max int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = &complexityLimit{}

func (*complexityLimit) ExtensionName() string { return "ComplexityLimit" }
func (c *complexityLimit) Validate(es graphql.ExecutableSchema) error {
	c.es = es
	return nil
}

func (c *complexityLimit) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	w := &costWalk{ctx: ctx, es: c.es, schema: c.es.Schema(), vars: opCtx.Variables, fragments: map[string]int{}}
	cost, err := w.set(opCtx.Operation.SelectionSet, true)
	if err != nil {
		return deadlineError()
	}
	if cost > c.max {
		err := gqlerror.Errorf("operation has complexity %s, which exceeds the limit of %d", count(cost), c.max)
		err.Extensions = map[string]any{"code": CodeComplexityLimit}
		return err
	}
	return nil
}

// costWalk adds up field costs, each fragment once.
type costWalk struct {
	ctx       context.Context
	es        graphql.ExecutableSchema
	schema    *ast.Schema
	vars      map[string]any
	fragments map[string]int
	steps     int
}

func (w *costWalk) set(set ast.SelectionSet, root bool) (int, error) {
	total := 0
	for _, sel := range set {
		w.steps++
		if w.steps%deadlineCheckEvery == 0 && w.ctx.Err() != nil {
			return total, errDeadline
		}
		var cost int
		var err error
		switch s := sel.(type) {
		case *ast.Field:
			cost, err = w.field(s, root)
		case *ast.InlineFragment:
			cost, err = w.set(s.SelectionSet, root)
		case *ast.FragmentSpread:
			var ok bool
			if cost, ok = w.fragments[s.Name]; !ok && s.Definition != nil {
				w.fragments[s.Name] = 0 // a cycle costs nothing; validation refused them anyway
				cost, err = w.set(s.Definition.SelectionSet, root)
				w.fragments[s.Name] = cost
			}
		}
		if err != nil {
			return total, err
		}
		total = min(total+max(cost, 0), saturated)
	}
	return total, nil
}

func (w *costWalk) field(f *ast.Field, root bool) (int, error) {
	if f.Definition == nil || f.ObjectDefinition == nil {
		return 0, nil
	}
	if f.Name != introspectionTypName && len(f.Name) > 1 && f.Name[:2] == introspectionPrefix {
		return 0, nil // __schema, __type: bounded by the document limits, free like in gqlgen
	}
	typ := w.schema.Types[f.Definition.Type.Name()]
	child := 0
	if typ != nil && (typ.Kind == ast.Object || typ.Kind == ast.Interface || typ.Kind == ast.Union) {
		var err error
		if child, err = w.set(f.SelectionSet, false); err != nil {
			return 0, err
		}
	}
	args := f.ArgumentMap(w.vars)
	cost := 0
	if f.ObjectDefinition.Kind == ast.Interface {
		// Interfaces have no costs of their own: take the dearest implementation.
		for _, impl := range w.schema.GetPossibleTypes(f.ObjectDefinition) {
			cost = max(cost, w.fieldCost(impl.Name, f.Name, child, args))
		}
	} else {
		cost = w.fieldCost(f.ObjectDefinition.Name, f.Name, child, args)
	}
	if root && f.Name != introspectionTypName {
		cost = min(cost+rootFieldCost, saturated)
	}
	return cost, nil
}

func (w *costWalk) fieldCost(typeName, field string, child int, args map[string]any) int {
	if c, ok := w.es.Complexity(w.ctx, typeName, field, child, args); ok && c >= 1 {
		return min(c, saturated)
	}
	return min(1+child, saturated)
}
