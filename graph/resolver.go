// Package graph is sinergi's GraphQL transport: the generated executor,
// thin resolvers that convert arguments, call one service method and convert
// the answer, per-request data loaders, and the one place errors are mapped.
package graph

import (
	"context"

	"github.com/sinergi-id/sinergi/internal/account"
	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/idm"
	"github.com/sinergi-id/sinergi/internal/ingest"
	"github.com/sinergi-id/sinergi/internal/region"
	"github.com/sinergi-id/sinergi/internal/submission"
)

// Resolver carries the services the resolvers call; cmd wires it.
type Resolver struct {
	Regions     *region.Service
	IDM         *idm.Service
	Ingest      *ingest.Service
	Cooperation *cooperation.Service
	// Submissions checks and submits registers; nil serves no submission
	// (the mutations then fail).
	Submissions *submission.Service
	// Accounts answers the audit history (admins).
	Accounts *account.Service
	// Published returns the newest published snapshot generation. When set,
	// an operation during which a load published runs again (see
	// runOperation); nil leaves that check out.
	Published func(context.Context) (uint64, error)
}
