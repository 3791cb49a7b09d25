package main

import (
	"log/slog"

	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/cooperation/coopch"
	"github.com/sinergi-id/sinergi/internal/idm/idmch"
	"github.com/sinergi-id/sinergi/internal/ingest/ingestch"
	"github.com/sinergi-id/sinergi/internal/region/regionch"
)

// newRunner wires the ETL to the ClickHouse stores on db: the only place
// the program chooses the stores the ETL loads into.
func newRunner(db *clickhouse.DB, log *slog.Logger) *etl.Runner {
	regions, scores, runs, coop := regionch.NewStore(db), idmch.NewStore(db), ingestch.NewStore(db), coopch.NewStore(db)
	return etl.NewRunner(runs, regions, scores, coop, etl.NewRefresher(db, regions, scores, coop), ingestch.LoadLock{DB: db, Log: log}, log)
}
