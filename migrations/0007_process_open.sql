-- Identities still open (alive at the last tick), by boot: refilling the rules' trend history at start
-- reads them without scanning every identity the boot has ever had.
CREATE INDEX process_open ON process (boot_id) WHERE ended_ms IS NULL;
