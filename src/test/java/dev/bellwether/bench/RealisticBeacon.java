package dev.bellwether.bench;

import java.time.Instant;

/** The beacon the load benchmarks send: every event type, unique ids, times within the last minute. */
final class RealisticBeacon {

    static final int EVENTS = 20;

    private RealisticBeacon() {
    }

    /**
     * One beacon of {@value #EVENTS} events with ids {@code e-firstId} onwards; one replay in eight is dead-lettered,
     * in canary and control alike.
     */
    static String json(String app, String client, String flag, boolean flagOn, long firstId, Instant now) {
        StringBuilder events = new StringBuilder();
        for (int i = 0; i < EVENTS; i++) {
            String at = now.minusMillis(i * 997L).toString();
            String id = "e-" + (firstId + i);
            String event = switch (i % 5) {
                case 0 -> "{\"id\":\"" + id + "\",\"type\":\"outbox\",\"at\":\"" + at + "\",\"depth\":" + (i % 13) + ",\"oldestAgeMs\":45000}";
                case 1, 2 -> "{\"id\":\"" + id + "\",\"type\":\"replay\",\"at\":\"" + at + "\",\"mutation\":\"note.update\",\"outcome\":\""
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
