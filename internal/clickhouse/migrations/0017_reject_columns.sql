-- The column a reject's reason is about, as the file's header writes it;
-- null when the reason concerns the whole row, and for rejects stored
-- before columns were recorded.
ALTER TABLE etl_rejects ADD COLUMN IF NOT EXISTS column_name Nullable(String);
