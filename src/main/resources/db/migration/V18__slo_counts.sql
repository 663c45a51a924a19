-- Each SLO's good/valid counts per minute and hour bucket as of its last evaluation, so that a replica starting cold
-- reads these instead of every rollup row of every series (docs/decisions/0018-cold-slo-tick.md).
CREATE TABLE slo_count (
    slo_id      bigint      NOT NULL REFERENCES slo (id) ON DELETE CASCADE,
    granularity text        NOT NULL CHECK (granularity IN ('minute', 'hour')),
    bucket      timestamptz NOT NULL,
    good        bigint      NOT NULL CHECK (good >= 0),
    valid       bigint      NOT NULL CHECK (valid >= good),
    PRIMARY KEY (slo_id, granularity, bucket)
);

-- What the stored counts count (the SLI, threshold, journey and period they were read for) and the database time at
-- the start of the evaluation that last wrote them: rollups written since then, less a margin, are read again.
ALTER TABLE slo ADD COLUMN counted_as text;
ALTER TABLE slo ADD COLUMN counted_at timestamptz;
