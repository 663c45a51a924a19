-- Webhooks: where an app's rollout events are posted. The URL (a Slack URL's path is its token) and the HMAC signing
-- secret must be usable to send, so they are kept sealed (AES-GCM under a key from configuration, decision 0010), not
-- hashed; url_shown is what may be shown of the URL (scheme, host and a masked path).
CREATE TABLE webhook (
    id                bigserial   PRIMARY KEY,
    app_id            bigint      NOT NULL REFERENCES app (id) ON DELETE CASCADE,
    kind              text        NOT NULL CHECK (kind IN ('slack', 'json')),
    url_sealed        bytea       NOT NULL,
    url_shown         text        NOT NULL,
    secret_sealed     bytea,
    secret_prefix     text,
    -- the event types posted; empty means all of them
    events            text[]      NOT NULL,
    created_by        text        NOT NULL,
    created_at        timestamptz NOT NULL,
    last_delivered_at timestamptz,
    last_failure_at   timestamptz,
    last_failure      text
);
CREATE INDEX webhook_app ON webhook (app_id);

-- The outbox: one row per event and webhook, written in the transaction of the decision that caused it, deleted once
-- delivered or given up. Senders claim due rows with FOR UPDATE SKIP LOCKED, so no two replicas post one row at once.
CREATE TABLE webhook_delivery (
    id              bigserial   PRIMARY KEY,
    webhook_id      bigint      NOT NULL REFERENCES webhook (id) ON DELETE CASCADE,
    event           jsonb       NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL,
    next_attempt_at timestamptz NOT NULL
);
CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at);
CREATE INDEX webhook_delivery_webhook ON webhook_delivery (webhook_id);

-- Conditions notified once per episode (actuation failing, automation off, held past the bake): the row exists while
-- the episode lasts, so that replicas and later ticks do not notify it again.
CREATE TABLE notification_episode (
    key       text        PRIMARY KEY,
    opened_at timestamptz NOT NULL
);
