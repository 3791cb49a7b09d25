-- IDM rows exactly as loaded, tagged with their run. The latest committed
-- run wins per (index, year, village).
CREATE TABLE IF NOT EXISTS idm_rows{{onCluster}} (
    run_id       UInt64,
    index_name   String,
    year         UInt16,
    village_code String,
    iks          Float64,
    ike          Float64,
    ikl          Float64,
    idm          Float64,
    status       Enum8('SANGAT_TERTINGGAL' = 1, 'TERTINGGAL' = 2, 'BERKEMBANG' = 3, 'MAJU' = 4, 'MANDIRI' = 5),
    source       String
) ENGINE = {{engine "idm_rows" "MergeTree()"}}
PARTITION BY year
ORDER BY (index_name, year, village_code, run_id);

-- Current score per desa and year (snapshot).
CREATE TABLE IF NOT EXISTS idm_current{{onCluster}} (
    generation   UInt64,
    index_name   String,
    year         UInt16,
    village_code String,
    iks          Float64,
    ike          Float64,
    ikl          Float64,
    idm          Float64,
    status       Enum8('SANGAT_TERTINGGAL' = 1, 'TERTINGGAL' = 2, 'BERKEMBANG' = 3, 'MAJU' = 4, 'MANDIRI' = 5)
) ENGINE = {{engine "idm_current" "MergeTree()"}}
PARTITION BY generation
ORDER BY (index_name, year, village_code);

-- Per region (every level) and year: desa per status and score sums
-- (snapshot). Regions without scored desa have a row with zeros.
CREATE TABLE IF NOT EXISTS idm_region_stats{{onCluster}} (
    generation        UInt64,
    index_name        String,
    year              UInt16,
    level             Enum8('provinsi' = 1, 'kabupaten_kota' = 2, 'kecamatan' = 3, 'desa_kelurahan' = 4),
    region_code       String,
    parent_code       String,
    total             UInt32,
    mandiri           UInt32,
    maju              UInt32,
    berkembang        UInt32,
    tertinggal        UInt32,
    sangat_tertinggal UInt32,
    sum_idm           Float64,
    sum_iks           Float64,
    sum_ike           Float64,
    sum_ikl           Float64
) ENGINE = {{engine "idm_region_stats" "MergeTree()"}}
PARTITION BY generation
ORDER BY (index_name, year, level, parent_code, region_code);
