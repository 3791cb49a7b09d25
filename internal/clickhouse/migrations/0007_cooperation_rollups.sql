-- Rollups of the cooperation snapshot, rebuilt with it at every refresh, so
-- that planner questions read thousands of rows rather than every agreement
-- (docs/clickhouse.md, "Rollups"). A server upgraded to this migration has
-- none of them published yet: sinergi rebuilds the register snapshots when
-- it starts (etl.Refresher.RebuildStale).

-- The agreements snapshot, as coop_agreements was, with index granules of
-- 1,024 rows: pages look agreements up by a list of ids, scattered over the
-- table, and each id reads one granule.
CREATE TABLE IF NOT EXISTS coop_agreements_current{{onCluster}} (
    generation       UInt64,
    agreement_id     String,
    run_id           UInt64,
    document_numbers Array(String),
    title            String,
    document_type    String,
    signed_on        Nullable(Date),
    signed_place     String,
    starts_on        Nullable(Date),
    ends_on          Nullable(Date),
    status           String,
    declared_issues  Array(String),
    derived_issues   Array(String),
    issues           Array(String),
    fields           Array(String),
    committed_value  Nullable(Decimal(18, 2)),
    funding_source   String,
    source_reference String,
    region_codes     Array(String),
    village_keys     Array(String),
    party_types      Array(String),
    partner_keys     Array(String),
    partner_sectors  Array(String)
) ENGINE = {{engine "coop_agreements_current" "MergeTree()"}}
PARTITION BY generation
ORDER BY agreement_id
SETTINGS index_granularity = 1024;

-- Replaced by coop_agreements_current: nothing reads it any more.
DROP TABLE IF EXISTS coop_agreements{{onCluster}};

-- Every agreement once under each region it lies in, at every level (the
-- province, kabupaten/kota, kecamatan and desa codes of its regions), with
-- the columns filters and region questions use, and its village keys within
-- that region. Ordered by region: "agreements touching region R" reads R's
-- rows only.
CREATE TABLE IF NOT EXISTS coop_agreements_by_region{{onCluster}} (
    generation      UInt64,
    region_code     String,
    agreement_id    String,
    status          String,
    signed_on       Nullable(Date),
    starts_on       Nullable(Date),
    ends_on         Nullable(Date),
    issues          Array(String),
    fields          Array(String),
    committed_value Nullable(Decimal(18, 2)),
    village_keys    Array(String),
    party_types     Array(String),
    partner_keys    Array(String),
    partner_sectors Array(String)
) ENGINE = {{engine "coop_agreements_by_region" "MergeTree()"}}
PARTITION BY generation
ORDER BY (region_code, agreement_id);

-- cooperationStats without filters, precomputed: agreements grouped by
-- region (level 0: everywhere; 2 and 4: the province and kabupaten/kota of
-- each of their regions, '' for agreements with none at that level), by
-- issue ('*': all agreements once; 'NONE': agreements without one) and by
-- signing year ('*': all; '': signing date unknown). Distinct counts are
-- exact per row; they cannot be added up across rows.
CREATE TABLE IF NOT EXISTS coop_agreement_cube{{onCluster}} (
    generation UInt64,
    level      UInt8,
    region_code String,
    issue      String,
    period     String,
    agreements UInt64,
    desa       UInt64,
    persiapan  UInt64,
    partners   UInt64,
    committed  Decimal(38, 2)
) ENGINE = {{engine "coop_agreement_cube" "MergeTree()"}}
PARTITION BY generation
ORDER BY (level, region_code, issue, period);

-- Realised value and beneficiaries by the realising village's region (as
-- above), the agreement's issue ('*': each realisation once) and year. Sums:
-- rows add up across years.
CREATE TABLE IF NOT EXISTS coop_realised_cube{{onCluster}} (
    generation    UInt64,
    level         UInt8,
    region_code   String,
    issue         String,
    year          UInt16,
    value         Decimal(38, 2),
    beneficiaries UInt64
) ENGINE = {{engine "coop_realised_cube" "MergeTree()"}}
PARTITION BY generation
ORDER BY (level, region_code, issue, year);

-- Agreements in force on a day, by issue, as running sums: +1 on the day an
-- ACTIVE agreement starts, -1 on the day after it ends. The agreements in
-- force on day d are the sum of the changes up to d.
CREATE TABLE IF NOT EXISTS coop_active_changes{{onCluster}} (
    generation UInt64,
    issue      String,
    day        Date,
    change     Int64
) ENGINE = {{engine "coop_active_changes" "MergeTree()"}}
PARTITION BY generation
ORDER BY (issue, day);
