-- An optional label an admin gives an ingest key (which build or site uses it), so that keys are told apart by more
-- than their prefix and date. The API refuses blank names and control characters before they get here.
ALTER TABLE ingest_key ADD COLUMN name text CHECK (name IS NULL OR char_length(name) BETWEEN 1 AND 63);
