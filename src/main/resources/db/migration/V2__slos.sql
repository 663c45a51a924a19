-- Service-level objectives per app, from the catalog file or the admin API, with their last evaluation.
CREATE TABLE slo (
    id             bigserial PRIMARY KEY,
    app_id         bigint           NOT NULL REFERENCES app (id) ON DELETE CASCADE,
    name           text             NOT NULL,
    sli            text             NOT NULL,
    objective      double precision NOT NULL CHECK (objective > 0 AND objective < 1),
    period_seconds bigint           NOT NULL CHECK (period_seconds > 0),
    threshold      double precision,
    min_events     bigint,
    source         text             NOT NULL CHECK (source IN ('catalog', 'api')),
    updated_at     timestamptz      NOT NULL DEFAULT now(),
    state          text,
    state_since    timestamptz,
    reason         text,
    evaluated_at   timestamptz,
    verdict        jsonb,
    UNIQUE (app_id, name)
);

-- Every change of state, with the numbers that caused it.
CREATE TABLE slo_transition (
    id         bigserial PRIMARY KEY,
    slo_id     bigint      NOT NULL REFERENCES slo (id) ON DELETE CASCADE,
    at         timestamptz NOT NULL,
    from_state text,
    to_state   text        NOT NULL,
    reason     text        NOT NULL,
    evidence   jsonb       NOT NULL
);
CREATE INDEX slo_transition_slo_at ON slo_transition (slo_id, at DESC);

-- One row per evaluation tick: its primary key lets exactly one replica evaluate a tick.
CREATE TABLE evaluation_tick (
    tick        bigint PRIMARY KEY,
    instance    text        NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    slos        integer,
    duration_ms double precision
);

-- Rollup rows carry when they were written (their transaction's start), so the evaluator reads only buckets that
-- changed since its last tick. Compaction rewrites rows, which marks their buckets as changed again.
ALTER TABLE rollup_minute ADD COLUMN written_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE rollup_hour ADD COLUMN written_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX rollup_minute_written_at ON rollup_minute (written_at);
CREATE INDEX rollup_hour_written_at ON rollup_hour (written_at);
