-- Agreements withdrawn (withdrawn = 1) and restored (withdrawn = 0), each
-- change a row: the newest row of an agreement (argMax by version) says
-- whether it counts. A withdrawn agreement is left out of every snapshot
-- from the next publish on; the rows stay, with who, when and why.
CREATE TABLE IF NOT EXISTS coop_agreement_withdrawals{{onCluster}} (
    agreement_id String,
    version      UInt64,
    withdrawn    UInt8,
    actor        String,
    at           DateTime,
    reason       String
) ENGINE = {{engine "coop_agreement_withdrawals" "MergeTree()"}}
ORDER BY (agreement_id, version);
