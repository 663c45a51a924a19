-- Nothing reads an event's JSON body: rollups are built from the parsed event in the writing transaction, and the one
-- query on raw events (a flag's convergence) reads client, arrival and cohort. The body was about 40 % of each row's
-- bytes and of its WAL (decision 0016). Dropping a column rewrites nothing: existing rows keep their bytes until their
-- day's partition is dropped by retention.
ALTER TABLE event DROP COLUMN body;
