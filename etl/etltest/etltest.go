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
	regions, scores, runs, coop := regionch.NewStore(db), idmch.NewStore(db), ingestch.NewStore(db), coopch.NewStore(db)
	datasets := []etl.Dataset{
		regionfile.New(regions),
		idmfile.New(scores, regions),
		register.New(coop, regions, runs, log),
		register.NewSimulation(coop, regions, runs, log),
	}
	return etl.NewRunner(runs, datasets, NewRefresher(db), ingestch.LoadLock{DB: db, Log: log}, log)
}

// NewRefresher is the Refresher of the ClickHouse stores on db.
func NewRefresher(db *clickhouse.DB) *etl.Refresher {
	return etl.NewRefresher(db, regionfile.Snapshot(regionch.NewStore(db)), idmfile.Snapshot(idmch.NewStore(db)),
		register.Snapshot(coopch.NewStore(db)))
}
