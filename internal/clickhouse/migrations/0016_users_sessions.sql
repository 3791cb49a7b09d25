-- Local accounts, as versions of one row per account (created, password
-- changed, disabled, enabled). Only the argon2id hash of a password is
-- kept (PHC string). epoch grows when the password changes or the account
-- is disabled: sessions begun under an older epoch no longer hold.
CREATE TABLE IF NOT EXISTS users{{onCluster}} (
    name          String,
    version       UInt64,
    display_name  String,
    role          Enum8('viewer' = 1, 'editor' = 2, 'admin' = 3),
    scopes        Array(String),
    password_hash String,
    disabled      UInt8,
    epoch         UInt32,
    created_by    String,
    created_at    DateTime,
    updated_at    DateTime
) ENGINE = {{engine "users" "ReplacingMergeTree(version)"}}
ORDER BY name;

-- Signed-in browsers' sessions, as versions of one row per session (begun,
-- then ended). session_id is the SHA-256 of the cookie's token, never the
-- token. Kept in the database, not in the cookie, so that signing out,
-- disabling an account or changing its password ends its sessions at once
-- on every API server.
CREATE TABLE IF NOT EXISTS user_sessions{{onCluster}} (
    session_id   String,
    version      UInt64,
    kind         String,
    user_name    String,
    display_name String,
    role         Enum8('viewer' = 1, 'editor' = 2, 'admin' = 3),
    scopes       Array(String),
    epoch        UInt32,
    csrf_token   String,
    created_at   DateTime,
    expires_at   DateTime,
    ended_at     DateTime
) ENGINE = {{engine "user_sessions" "ReplacingMergeTree(version)"}}
ORDER BY session_id;
