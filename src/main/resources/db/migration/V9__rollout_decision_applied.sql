-- A decision recorded while automation was off (or unknown) says what Bellwether would have done; nothing moved.
-- The console's step timeline must not take such a decision for the start of a step.
ALTER TABLE rollout_decision ADD COLUMN applied boolean NOT NULL DEFAULT true;
UPDATE rollout_decision SET applied = false WHERE answer LIKE '%: recorded, not applied';

-- The rollout page's lookups stay as cheap with thousands of decisions as with a few.
CREATE INDEX rollout_decision_step_starts ON rollout_decision (rollout_id, id)
    WHERE applied AND trigger IN ('start', 'advance');
CREATE INDEX rollout_decision_kills ON rollout_decision (rollout_id, at) WHERE to_state = 'KILLED';
