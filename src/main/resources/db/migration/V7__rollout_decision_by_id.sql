-- The console reads a rollout's decisions newest first a page at a time (keyset on id), and asks for the newest id
-- of a rollout on every live poll: both walk this index instead of sorting every decision of the rollout.
CREATE INDEX rollout_decision_rollout_id ON rollout_decision (rollout_id, id);
