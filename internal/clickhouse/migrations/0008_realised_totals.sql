-- coop_realised_cube gains whether the agreement was in force during the
-- year (compareRegions counts only those), under a new name so that
-- sinergi migrate sees it unpublished and rebuilds it (see 0007).
DROP TABLE IF EXISTS coop_realised_cube{{onCluster}};

-- Realised value and beneficiaries by the realising village's region
-- (level 0: everywhere; 2, 4: its provinsi and kabupaten/kota), the
-- agreement's issue ('*': each realisation once; 'NONE': agreements without
-- one), year, and whether the agreement was in force at some time in that
-- year. Sums: rows add up across years and in_force.
CREATE TABLE IF NOT EXISTS coop_realised_totals{{onCluster}} (
    generation    UInt64,
    level         UInt8,
    region_code   String,
    issue         String,
    year          UInt16,
    in_force      UInt8,
    value         Decimal(38, 2),
    beneficiaries UInt64
) ENGINE = {{engine "coop_realised_totals" "MergeTree()"}}
PARTITION BY generation
ORDER BY (level, region_code, issue, year, in_force);
