// Package etltest wires the ETL to the ClickHouse stores for the tests of
// other packages, as cmd/sinergi does for the program.
package etltest

import (
	"log/slog"

	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/etl/idmfile"
	"github.com/sinergi-id/sinergi/etl/regionfile"
	"github.com/sinergi-id/sinergi/etl/register"
	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/cooperation/coopch"
	"github.com/sinergi-id/sinergi/internal/idm/idmch"
	"github.com/sinergi-id/sinergi/internal/ingest/ingestch"
	"github.com/sinergi-id/sinergi/internal/region/regionch"
)

// NewRunner is a Runner of every dataset over the ClickHouse stores on db.
func NewRunner(db *clickhouse.DB, log *slog.Logger) *etl.Runner {
	return NewRunnerWith(db, log, coopch.NewStore(db))
}

// NewRunnerWith is NewRunner with the cooperation store coop (on db), say
// one whose delta generations are bounded low (coopch.Store.BoundDeltas).
func NewRunnerWith(db *clickhouse.DB, log *slog.Logger, coop *coopch.Store) *etl.Runner {
	regions, scores, runs := regionch.NewStore(db), idmch.NewStore(db), ingestch.NewStore(db)
	datasets := []etl.Dataset{
		regionfile.New(regions),
		idmfile.New(scores, regions),
		register.New(coop, regions, runs, log),
		register.NewSimulation(coop, regions, runs, log),
	}
	return etl.NewRunner(runs, datasets, refresher(db, coop), ingestch.LoadLock{DB: db, Log: log}, log)
}

// NewRefresher is the Refresher of the ClickHouse stores on db.
func NewRefresher(db *clickhouse.DB) *etl.Refresher { return refresher(db, coopch.NewStore(db)) }

func refresher(db *clickhouse.DB, coop *coopch.Store) *etl.Refresher {
	return etl.NewRefresher(db, regionfile.Snapshot(regionch.NewStore(db)), idmfile.Snapshot(idmch.NewStore(db)),
		register.Snapshot(coop))
}
