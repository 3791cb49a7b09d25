-- Realisations stream into coop_realisation_rows as they are read, so the
-- copies of one (agreement, village, month) are found after the insert, by
-- query. Each row keeps the line it came from, so those copies can be named
-- in rejects; rows loaded before this migration have line 0 (their
-- duplicates were settled before they were inserted).
-- In a cluster the column is added to each shard's local table (once per
-- shard: ClickHouse replicates it to the shard's other replicas) and the
-- Distributed table over them is made again with it.
ALTER TABLE {{table "coop_realisation_rows"}}{{onCluster}} ADD COLUMN IF NOT EXISTS line UInt32;
{{redistribute "coop_realisation_rows"}}

-- The rows of a run that the snapshot leaves out: every copy of a
-- realisation whose copies disagree (refused = 1, each is a reject), and
-- all but the first of identical copies (refused = 0). Written before the
-- run is committed; usually empty.
CREATE TABLE IF NOT EXISTS coop_realisation_dropped{{onCluster}} (
    run_id       UInt64,
    agreement_id String,
    line         UInt32,
    refused      UInt8
) ENGINE = {{engine "coop_realisation_dropped" "MergeTree()"}}
ORDER BY (run_id, line);

-- The agreements of a run that may hold copies of a realisation (found by
-- one cheap pass over the run's rows): the exact search for copies, and
-- its second pass, run only when there are some.
CREATE TABLE IF NOT EXISTS coop_realisation_copied_agreements{{onCluster}} (
    run_id       UInt64,
    agreement_id String
) ENGINE = {{engine "coop_realisation_copied_agreements" "MergeTree()"}}
ORDER BY (run_id, agreement_id);
