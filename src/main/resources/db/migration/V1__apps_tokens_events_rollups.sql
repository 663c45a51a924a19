-- Apps and who may talk to Bellwether.
CREATE TABLE app (
    id                 bigserial PRIMARY KEY,
    name               text        NOT NULL UNIQUE,
    allowed_origins    text[]      NOT NULL DEFAULT '{}',
    beacons_per_second integer,
    created_at         timestamptz NOT NULL DEFAULT now()
);

-- Ingest keys are stored as SHA-256 of the key; the key itself is shown once, at creation.
CREATE TABLE ingest_key (
    id         bigserial PRIMARY KEY,
    app_id     bigint      NOT NULL REFERENCES app (id) ON DELETE CASCADE,
    key_hash   bytea       NOT NULL UNIQUE,
    key_prefix text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

CREATE TABLE api_token (
    id           bigserial PRIMARY KEY,
    name         text        NOT NULL,
    role         text        NOT NULL CHECK (role IN ('viewer', 'release-manager', 'on-call', 'admin')),
    token_hash   bytea       NOT NULL UNIQUE,
    token_prefix text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz
);

-- Dimensions of the telemetry: a release an app shipped, and a cohort = the exact flag states a client ran with.
CREATE TABLE release (
    id         bigserial PRIMARY KEY,
    app_id     bigint      NOT NULL REFERENCES app (id) ON DELETE CASCADE,
    name       text        NOT NULL,
    first_seen timestamptz NOT NULL DEFAULT now(),
    UNIQUE (app_id, name)
);

CREATE TABLE cohort (
    id         bigserial PRIMARY KEY,
    app_id     bigint      NOT NULL REFERENCES app (id) ON DELETE CASCADE,
    label      text        NOT NULL,
    flags      jsonb       NOT NULL,
    first_seen timestamptz NOT NULL DEFAULT now(),
    UNIQUE (app_id, label)
);

-- Raw events. The primary key is the exactly-once identity: (app, client, event id), compared bytewise
-- (COLLATE "C"): identity needs no language rules, and bytewise comparison keeps the hot index cheap.
-- Retention deletes by event time, and events older than the retention are refused at ingest,
-- so every event that could still be accepted has its identity here.
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
    PRIMARY KEY (app_id, client, event_id)
);
CREATE INDEX event_at_brin ON event USING brin (at);

-- Rollups by event time. Writers append one delta row per (app, release, cohort, bucket) per commit,
-- so concurrent commits never wait on a hot row; the compactor merges the deltas in the background.
-- Readers sum whatever rows exist, so a read is correct before, during and after compaction.
CREATE TABLE rollup_minute (
    app_id                 bigint      NOT NULL,
    release_id             bigint      NOT NULL,
    cohort_id              bigint      NOT NULL,
    bucket                 timestamptz NOT NULL,
    replay_succeeded       bigint      NOT NULL DEFAULT 0,
    replay_retried         bigint      NOT NULL DEFAULT 0,
    replay_dead_lettered   bigint      NOT NULL DEFAULT 0,
    replay_conflicted      bigint      NOT NULL DEFAULT 0,
    conflict_auto_merged   bigint      NOT NULL DEFAULT 0,
    conflict_user_resolved bigint      NOT NULL DEFAULT 0,
    conflict_server_wins   bigint      NOT NULL DEFAULT 0,
    conflict_client_wins   bigint      NOT NULL DEFAULT 0,
    conflict_unresolved    bigint      NOT NULL DEFAULT 0,
    sync_latency           bytea,
    staleness              bytea,
    outbox_depth           bytea,
    outbox_oldest_age_max  bigint,
    migrations             jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX rollup_minute_app_bucket ON rollup_minute (app_id, bucket);

CREATE TABLE rollup_hour (LIKE rollup_minute INCLUDING DEFAULTS);
CREATE INDEX rollup_hour_app_bucket ON rollup_hour (app_id, bucket);

-- Delta rows are not compacted; the compactor finds them through this small partial index.
ALTER TABLE rollup_minute ADD COLUMN compacted boolean NOT NULL DEFAULT false;
ALTER TABLE rollup_hour ADD COLUMN compacted boolean NOT NULL DEFAULT false;
CREATE INDEX rollup_minute_pending ON rollup_minute (app_id, release_id, cohort_id, bucket) WHERE NOT compacted;
CREATE INDEX rollup_hour_pending ON rollup_hour (app_id, release_id, cohort_id, bucket) WHERE NOT compacted;
