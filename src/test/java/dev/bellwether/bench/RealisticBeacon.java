package dev.bellwether.bench;

import java.time.Instant;
import java.util.function.LongFunction;

/** The beacon the load benchmarks send: every event type, unique ids, times within the last minute. */
final class RealisticBeacon {

    static final int EVENTS = 20;
    /** Replay events in each beacon: events 1, 2, 6, 7, 11, 12, 16 and 17. */
    static final int REPLAYS = 8;

    private RealisticBeacon() {
    }

    /**
     * One beacon of {@value #EVENTS} events with ids {@code e-firstId} onwards; one replay in eight is dead-lettered,
     * in canary and control alike.
     */
    static String json(String app, String client, String flag, boolean flagOn, long firstId, Instant now) {
        return json(app, client, flag, flagOn, firstId, now, replay -> "note.update");
    }

    /**
     * The same beacon, its replays' mutations named by {@code mutationOfReplay}: replay {@code r} (0 to
     * {@value #REPLAYS} - 1) of the beacon whose ids start at {@code firstId} is replay
     * {@code firstId / EVENTS * REPLAYS + r} of the run, so that a choice by that number spreads over beacons.
     */
    static String json(String app, String client, String flag, boolean flagOn, long firstId, Instant now,
            LongFunction<String> mutationOfReplay) {
        StringBuilder events = new StringBuilder();
        long replay = firstId / EVENTS * REPLAYS;
        for (int i = 0; i < EVENTS; i++) {
            String at = now.minusMillis(i * 997L).toString();
            String id = "e-" + (firstId + i);
            String event = switch (i % 5) {
                case 0 -> "{\"id\":\"" + id + "\",\"type\":\"outbox\",\"at\":\"" + at + "\",\"depth\":" + (i % 13) + ",\"oldestAgeMs\":45000}";
                case 1, 2 -> "{\"id\":\"" + id + "\",\"type\":\"replay\",\"at\":\"" + at + "\",\"mutation\":\""
                        + mutationOfReplay.apply(replay++) + "\",\"outcome\":\""
                        + (i == 11 ? "dead_lettered" : "succeeded") + "\",\"attempts\":1,\"latencyMs\":" + (200 + i * 37) + "}";
                case 3 -> "{\"id\":\"" + id + "\",\"type\":\"sync\",\"at\":\"" + at + "\",\"latencyMs\":" + (400 + i * 91) + ",\"stalenessMs\":30000}";
                default -> i == 4
                        ? "{\"id\":\"" + id + "\",\"type\":\"conflict\",\"at\":\"" + at + "\",\"entity\":\"note\",\"resolution\":\"auto_merged\"}"
                        : "{\"id\":\"" + id + "\",\"type\":\"migration\",\"at\":\"" + at + "\",\"fromVersion\":3,\"toVersion\":4,\"outcome\":\"succeeded\",\"durationMs\":120}";
            };
            events.append(i == 0 ? "" : ",").append(event);
        }
        return "{\"schema\":1,\"app\":\"" + app + "\",\"release\":\"2026.11.3\",\"client\":\"" + client
                + "\",\"flags\":{\"" + flag + "\":" + flagOn + "},\"events\":[" + events + "]}";
    }
}
