-- Critical journeys: the user actions an app declares, each a set of mutation-name patterns. A replay event's
-- mutation maps to one journey at ingest; a removed journey keeps its row (removed_at), so that its rollups keep
-- their name and declaring it again continues the same series.
CREATE TABLE journey (
    id          bigserial PRIMARY KEY,
    app_id      bigint      NOT NULL REFERENCES app (id) ON DELETE CASCADE,
    name        text        NOT NULL,
    mutations   text[]      NOT NULL,
    criticality text        NOT NULL CHECK (criticality IN ('critical', 'important', 'normal')),
    source      text        NOT NULL CHECK (source IN ('catalog', 'api')),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    removed_at  timestamptz,
    UNIQUE (app_id, name)
);

-- Rollups by journey: replays of a declared journey go to rows of that journey; every other event, and replays that
-- match no journey (journey "other"), to journey 0, so an app without journeys writes the rows it wrote before.
-- Replay latency is a sketch of its own, per journey as the other replay columns are.
ALTER TABLE rollup_minute ADD COLUMN journey_id bigint NOT NULL DEFAULT 0,
                          ADD COLUMN replay_latency bytea;
ALTER TABLE rollup_hour ADD COLUMN journey_id bigint NOT NULL DEFAULT 0,
                        ADD COLUMN replay_latency bytea;
-- The compactor folds deltas per series and bucket, the journey now part of the series.
DROP INDEX rollup_minute_pending;
DROP INDEX rollup_hour_pending;
CREATE INDEX rollup_minute_pending ON rollup_minute (app_id, release_id, cohort_id, journey_id, bucket) WHERE NOT compacted;
CREATE INDEX rollup_hour_pending ON rollup_hour (app_id, release_id, cohort_id, journey_id, bucket) WHERE NOT compacted;
