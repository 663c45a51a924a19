-- Early evidence of mutations that will be dead-lettered: a mutation that fails its second attempt counts once, as
-- soon as that attempt is reported, rather than when its last retry gives up. First attempts are the mutations
-- replayed. Both come from the replay events' optional "attempts"; older rows have none, which reads as no data.
ALTER TABLE rollup_minute ADD COLUMN replay_first_attempts bigint NOT NULL DEFAULT 0,
                          ADD COLUMN replay_repeat_failures bigint NOT NULL DEFAULT 0;
ALTER TABLE rollup_hour ADD COLUMN replay_first_attempts bigint NOT NULL DEFAULT 0,
                        ADD COLUMN replay_repeat_failures bigint NOT NULL DEFAULT 0;
