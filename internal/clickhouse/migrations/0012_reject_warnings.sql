-- Rows a run loaded but flagged (a DESA party whose name is not its code's
-- village) are kept beside its refused rows, told apart by warning = 1.
ALTER TABLE etl_rejects ADD COLUMN IF NOT EXISTS warning UInt8 DEFAULT 0;
