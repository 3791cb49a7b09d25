-- Base + delta generations of the per-agreement snapshot tables
-- (coop_agreements_current, coop_parties, coop_realisations,
-- coop_realised_yearly, coop_agreements_by_region): a delta generation
-- holds only the rows of the agreements changed since its base, a full
-- generation of the same table; readers take the base's rows of every other
-- agreement. base_generation names a delta generation's base; 0 (every
-- generation published before, and every full one) means the generation is
-- whole. (ALTERs of tables replicated whole carry no ON CLUSTER in a
-- cluster: ClickHouse replicates them from the one server that runs them.)
ALTER TABLE snapshot_generations ADD COLUMN IF NOT EXISTS base_generation UInt64;

-- The agreements a delta generation changed since its base, withdrawn ones
-- too (they have no rows in the delta): the base's rows of these are not
-- read. Replicated whole in a cluster, like snapshot_generations, so that
-- every shard of a sharded table reads the same list.
CREATE TABLE IF NOT EXISTS coop_changed_agreements{{onCluster}} (
    generation   UInt64,
    agreement_id String
) ENGINE = {{engine "coop_changed_agreements" "MergeTree()"}}
PARTITION BY generation
ORDER BY agreement_id;
