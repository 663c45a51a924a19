-- Rollouts of feature flags, steered step by step while the canary cohort stays healthy.
CREATE TABLE rollout (
    id                    bigserial PRIMARY KEY,
    app_id                bigint      NOT NULL REFERENCES app (id) ON DELETE CASCADE,
    project               text        NOT NULL,
    environment           text        NOT NULL,
    flag                  text        NOT NULL,
    steps                 integer[]   NOT NULL,
    bake_seconds          bigint      NOT NULL CHECK (bake_seconds >= 0),
    min_sample_per_cohort bigint      NOT NULL CHECK (min_sample_per_cohort >= 0),
    guards                jsonb       NOT NULL,
    dry_run               boolean     NOT NULL,
    state                 text        NOT NULL,
    step                  integer     NOT NULL,
    step_started_at       timestamptz,
    -- the last move's actuation, not yet confirmed by the flag service (retried each tick until it is)
    pending_actuation     jsonb,
    verdict               jsonb,
    created_by            text        NOT NULL,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL
);
-- One unfinished rollout per flag and environment: two would fight over the percentage.
CREATE UNIQUE INDEX rollout_one_active_per_flag ON rollout (project, environment, flag)
    WHERE state NOT IN ('PROMOTED', 'ROLLED_BACK', 'KILLED');

-- The audit trail: every transition, by a person or by Bellwether, with its evidence and the flag service's answer.
CREATE TABLE rollout_decision (
    id          bigserial PRIMARY KEY,
    rollout_id  bigint      NOT NULL REFERENCES rollout (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    actor       text        NOT NULL,
    trigger     text        NOT NULL,
    reason      text        NOT NULL,
    from_state  text        NOT NULL,
    from_step   integer     NOT NULL,
    to_state    text        NOT NULL,
    to_step     integer     NOT NULL,
    actuation   jsonb       NOT NULL,
    evidence    jsonb,
    answer      text,
    dry_run     boolean     NOT NULL
);
CREATE INDEX rollout_decision_rollout_at ON rollout_decision (rollout_id, at);

-- Kill-switch convergence reads which clients reported recently: events arrive roughly in received_at order.
CREATE INDEX event_received_brin ON event USING brin (received_at);
