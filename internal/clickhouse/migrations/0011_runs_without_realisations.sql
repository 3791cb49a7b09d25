-- Register runs sent without a realisations sheet. Such a run replaces its
-- agreements and their parties but leaves their realisations as they were:
-- the realisations snapshot reads them from the newest run that had the sheet.
CREATE TABLE IF NOT EXISTS coop_runs_without_realisations{{onCluster}} (
    run_id UInt64
) ENGINE = {{engine "coop_runs_without_realisations" "MergeTree()"}}
ORDER BY run_id;
