-- Raw events partitioned by the UTC day of their own time (`at`), so that retention drops whole days instead of
-- deleting rows (decision 0014). A unique index on a partitioned table must hold the partition key, so the
-- exactly-once identity becomes (app, client, event id, at): a resend carries its event unchanged, `at` included,
-- and lands in the same partition. Ingest refuses events older than the retention, and a partition is dropped only
-- once all of it is older than that (with slack), so every event that can still be accepted finds its identity.
-- The service creates the daily partitions (EventPartitions): ahead of time, and back to the oldest acceptable day.
ALTER TABLE event RENAME TO event_legacy;
ALTER INDEX event_pkey RENAME TO event_legacy_pkey;
ALTER INDEX event_received_brin RENAME TO event_legacy_received_brin;
DROP INDEX event_at_brin;

CREATE TABLE event (
    app_id      bigint      NOT NULL,
    client      text COLLATE "C" NOT NULL,
    event_id    text COLLATE "C" NOT NULL,
    at          timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    release_id  bigint      NOT NULL,
    cohort_id   bigint      NOT NULL,
    type        text        NOT NULL,
    body        jsonb       NOT NULL,
    PRIMARY KEY (app_id, client, event_id, at)
) PARTITION BY RANGE (at);
CREATE INDEX event_received_brin ON event USING brin (received_at);

-- Events stored before this migration stay where they are: the old table becomes one partition for everything up
-- to the end of the current day (no rows are rewritten; its new unique index is built once), and retention drops it
-- whole once that day is past the retention. Until then it keeps its older rows too, at most one retention longer.
DO $$
DECLARE
    legacy_end timestamptz;
BEGIN
    IF EXISTS (SELECT 1 FROM event_legacy) THEN
        SELECT date_trunc('day', greatest(max(at), now()), 'UTC') + interval '1 day' INTO legacy_end FROM event_legacy;
        -- the partitioned key replaces the old one (a table has one primary key); ATTACH builds it on these rows
        ALTER TABLE event_legacy DROP CONSTRAINT event_legacy_pkey;
        EXECUTE format('ALTER TABLE event ATTACH PARTITION event_legacy FOR VALUES FROM (MINVALUE) TO (%L)', legacy_end);
    ELSE
        DROP TABLE event_legacy;
    END IF;
END $$;
