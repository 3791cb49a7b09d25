-- Region register rows exactly as loaded, tagged with their run. Only rows of
-- committed runs (loaded or succeeded) are ever read; the latest run wins.
CREATE TABLE IF NOT EXISTS region_rows{{onCluster}} (
    run_id      UInt64,
    code        String,
    level       Enum8('provinsi' = 1, 'kabupaten_kota' = 2, 'kecamatan' = 3, 'desa_kelurahan' = 4),
    kind        String,
    parent_code String,
    name        String,
    source      String
) ENGINE = {{engine "region_rows" "MergeTree()"}}
ORDER BY (code, run_id);

-- Current regions with their ancestors and village counts (snapshot).
CREATE TABLE IF NOT EXISTS regions_current{{onCluster}} (
    generation      UInt64,
    code            String,
    level           Enum8('provinsi' = 1, 'kabupaten_kota' = 2, 'kecamatan' = 3, 'desa_kelurahan' = 4),
    kind            String,
    parent_code     String,
    name            String,
    desa_count      UInt32,
    kelurahan_count UInt32
) ENGINE = {{engine "regions_current" "MergeTree()"}}
PARTITION BY generation
ORDER BY (level, parent_code, code);
