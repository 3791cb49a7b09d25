package graph

import (
	"github.com/sinergi-id/sinergi/graph/model"
	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/ingest"
	"github.com/sinergi-id/sinergi/internal/keyset"
)

// Connections: each page becomes edges (cursor and node), the same nodes
// without cursors, and pageInfo.

func pageRequest(first *int, after *string) keyset.Request {
	return keyset.Request{First: first, After: deref(after, "")}
}

func pageInfoOf[T any](p keyset.Page[T]) *model.PageInfo {
	info := &model.PageInfo{HasNextPage: p.HasNext, HasPreviousPage: p.HasPrevious}
	if n := len(p.Cursors); n > 0 {
		info.StartCursor, info.EndCursor = &p.Cursors[0], &p.Cursors[n-1]
	}
	return info
}

// connection converts a page's items and pairs each node with its cursor.
func connection[T, N, E any](p keyset.Page[T], node func(T) *N, edge func(cursor string, node *N) *E) ([]*E, []*N) {
	nodes := make([]*N, len(p.Items))
	edges := make([]*E, len(p.Items))
	for i, item := range p.Items {
		nodes[i] = node(item)
		edges[i] = edge(p.Cursors[i], nodes[i])
	}
	return edges, nodes
}

func agreementConnection(p keyset.Page[cooperation.AgreementSummary]) *model.AgreementConnection {
	edges, nodes := connection(p, agreementToModel, func(c string, n *model.Agreement) *model.AgreementEdge {
		return &model.AgreementEdge{Cursor: c, Node: n}
	})
	return &model.AgreementConnection{TotalCount: p.TotalCount, Edges: edges, Nodes: nodes, PageInfo: pageInfoOf(p)}
}

func partnerConnection(p keyset.Page[cooperation.PartnerSummary], f cooperation.Filter) *model.PartnerConnection {
	edges, nodes := connection(p, func(x cooperation.PartnerSummary) *model.Partner { return partnerToModel(x, f) },
		func(c string, n *model.Partner) *model.PartnerEdge { return &model.PartnerEdge{Cursor: c, Node: n} })
	return &model.PartnerConnection{TotalCount: p.TotalCount, Edges: edges, Nodes: nodes, PageInfo: pageInfoOf(p)}
}

func targetConnection(p cooperation.TargetPage) *model.VillageTargetConnection {
	edges, nodes := connection(p.Page, func(v cooperation.VillageTarget) *model.VillageTarget { return villageTargetToModel(v, p.IDMYear) },
		func(c string, n *model.VillageTarget) *model.VillageTargetEdge {
			return &model.VillageTargetEdge{Cursor: c, Node: n}
		})
	return &model.VillageTargetConnection{TotalCount: p.TotalCount, Edges: edges, Nodes: nodes, PageInfo: pageInfoOf(p.Page),
		IdmYear: p.IDMYear, ActiveDuring: &model.DatePeriod{From: model.Date{Time: p.From}, To: model.Date{Time: p.To}}}
}

func rejectConnection(p keyset.Page[ingest.Reject]) *model.EtlRejectConnection {
	edges, nodes := connection(p, rejectToModel, func(c string, n *model.EtlReject) *model.EtlRejectEdge {
		return &model.EtlRejectEdge{Cursor: c, Node: n}
	})
	return &model.EtlRejectConnection{TotalCount: p.TotalCount, Edges: edges, Nodes: nodes, PageInfo: pageInfoOf(p)}
}
