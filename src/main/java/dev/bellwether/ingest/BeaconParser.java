package dev.bellwether.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bellwether.ingest.Beacon.IndexedEvent;
import dev.bellwether.ingest.Beacon.RejectCode;
import dev.bellwether.ingest.Beacon.Rejection;
import dev.bellwether.telemetry.TelemetryEvent.ConflictResolution;
import dev.bellwether.telemetry.TelemetryEvent.MigrationOutcome;
import dev.bellwether.telemetry.TelemetryEvent.ReplayOutcome;
import dev.bellwether.telemetry.Cohort;
import dev.bellwether.telemetry.TelemetryEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Beacon contract v1. A malformed envelope throws {@link InvalidBeaconException}; a bad event is rejected
 * alone, with its reason, and its valid siblings are kept. Unknown fields are ignored so SDKs can extend.
 */
public final class BeaconParser {

    public static final int SCHEMA_VERSION = 1;
    static final int MAX_TEXT = 128;
    static final int MAX_FLAGS = 64;
    /** A cohort's label is indexed: keep it well under PostgreSQL's index entry limit (2704 bytes). */
    static final int MAX_FLAGS_LENGTH = 1024;
    /** Milliseconds in 30 years, or queued mutations: beyond is a broken client, and the sketches' range ends. */
    static final double MAX_AMOUNT = 1e12;

    private final int maxEvents;
    private final Duration futureTolerance;
    private final Duration retention;

    public BeaconParser(int maxEvents, Duration futureTolerance, Duration retention) {
        this.maxEvents = maxEvents;
        this.futureTolerance = futureTolerance;
        this.retention = retention;
    }

    public Beacon parse(JsonNode root, Instant now) {
        if (root == null || !root.isObject()) {
            throw new InvalidBeaconException(null, "the beacon must be a JSON object");
        }
        JsonNode schema = root.get("schema");
        if (schema == null || schema.isNull()) {
            throw new InvalidBeaconException("schema", "schema is required (" + SCHEMA_VERSION + ")");
        }
        if (!schema.isIntegralNumber() || !schema.canConvertToInt() || schema.intValue() != SCHEMA_VERSION) {
            throw new InvalidBeaconException("schema", "unknown schema " + schema + "; this server speaks schema " + SCHEMA_VERSION);
        }
        String app = envelopeText(root, "app");
        String release = envelopeText(root, "release");
        String client = envelopeText(root, "client");
        Cohort cohort = flags(root.get("flags"));

        JsonNode events = root.get("events");
        if (events == null || events.isNull()) {
            throw new InvalidBeaconException("events", "events is required (an array, possibly empty)");
        }
        if (!events.isArray()) {
            throw new InvalidBeaconException("events", "events must be an array, got " + kind(events));
        }
        if (events.size() > maxEvents) {
            throw new InvalidBeaconException("events", "at most " + maxEvents + " events per beacon, got " + events.size());
        }
        Instant latest = now.plus(futureTolerance);
        Instant earliest = now.minus(retention);
        List<IndexedEvent> valid = new ArrayList<>(events.size());
        List<Rejection> rejected = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            try {
                TelemetryEvent event = event(events.get(i));
                if (event.at().isAfter(latest)) {
                    rejected.add(new Rejection(i, RejectCode.FUTURE_TIMESTAMP,
                            "at " + event.at() + " is more than " + futureTolerance.toMinutes() + " minutes in the future"));
                } else if (event.at().isBefore(earliest)) {
                    rejected.add(new Rejection(i, RejectCode.EXPIRED_TIMESTAMP,
                            "at " + event.at() + " is older than the retention of " + retention.toDays() + " days"));
                } else {
                    valid.add(new IndexedEvent(i, event));
                }
            } catch (EventRejected e) {
                rejected.add(new Rejection(i, e.code, e.getMessage()));
            }
        }
        return new Beacon(app, release, client, cohort, valid, rejected);
    }

    private static String envelopeText(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            throw new InvalidBeaconException(field, field + " is required");
        }
        if (!node.isTextual()) {
            throw new InvalidBeaconException(field, field + " must be a string, got " + kind(node));
        }
        String problem = textProblem(node.asText());
        if (problem != null) {
            throw new InvalidBeaconException(field, field + " " + problem);
        }
        return node.asText();
    }

    private static Cohort flags(JsonNode node) {
        if (node == null || node.isNull()) {
            return Cohort.NONE;
        }
        if (!node.isObject()) {
            throw new InvalidBeaconException("flags", "flags must be an object of flag name to boolean or variant name, got " + kind(node));
        }
        if (node.size() > MAX_FLAGS) {
            throw new InvalidBeaconException("flags", "at most " + MAX_FLAGS + " flags, got " + node.size());
        }
        Map<String, Object> flags = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> flag = it.next();
            String field = "flags." + flag.getKey();
            String nameProblem = textProblem(flag.getKey());
            if (nameProblem != null || flag.getKey().contains(",") || flag.getKey().contains("=")) {
                throw new InvalidBeaconException(field, "a flag name must be 1-" + MAX_TEXT + " characters without ',', '=' or NUL");
            }
            JsonNode value = flag.getValue();
            if (value.isBoolean()) {
                flags.put(flag.getKey(), value.booleanValue());
            } else if (value.isTextual() && (value.asText().equals("true") || value.asText().equals("false"))) {
                // "false" as a variant name would read as on, yet label the same as the boolean: take it as the boolean.
                flags.put(flag.getKey(), Boolean.parseBoolean(value.asText()));
            } else if (value.isTextual() && textProblem(value.asText()) == null && !value.asText().contains(",")) {
                flags.put(flag.getKey(), value.asText());
            } else {
                throw new InvalidBeaconException(field, field + " must be a boolean or a variant name (1-" + MAX_TEXT
                        + " characters, no ','), got " + kind(value));
            }
        }
        Cohort cohort = Cohort.of(flags);
        if (cohort.label().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_FLAGS_LENGTH) {
            throw new InvalidBeaconException("flags", "flags must take at most " + MAX_FLAGS_LENGTH
                    + " bytes written as name=value pairs; report only the flags that matter for rollouts");
        }
        return cohort;
    }

    private static TelemetryEvent event(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new EventRejected(RejectCode.NOT_AN_OBJECT, "an event must be a JSON object, got " + kind(node));
        }
        String id = requiredText(node, "id");
        String type = requiredText(node, "type");
        Instant at = instant(node);
        return switch (type) {
            case "outbox" -> new TelemetryEvent.Outbox(id, at, requiredCount(node, "depth", 0), optionalAmount(node, "oldestAgeMs"));
            case "replay" -> new TelemetryEvent.Replay(id, at, optionalText(node, "mutation"),
                    requiredEnum(node, "outcome", ReplayOutcome.class),
                    optionalCount(node, "attempts", 1), optionalAmount(node, "latencyMs"));
            case "sync" -> new TelemetryEvent.Sync(id, at, requiredAmount(node, "latencyMs"), optionalAmount(node, "stalenessMs"));
            case "conflict" -> new TelemetryEvent.Conflict(id, at, optionalText(node, "entity"),
                    requiredEnum(node, "resolution", ConflictResolution.class));
            case "migration" -> new TelemetryEvent.Migration(id, at, (int) requiredCount(node, "fromVersion", 0),
                    (int) requiredCount(node, "toVersion", 0), requiredEnum(node, "outcome", MigrationOutcome.class),
                    optionalAmount(node, "durationMs"));
            default -> throw new EventRejected(RejectCode.UNKNOWN_TYPE,
                    "unknown event type '" + type + "' (outbox, replay, sync, conflict, migration)");
        };
    }

    private static Instant instant(JsonNode node) {
        String text = requiredText(node, "at");
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            try {
                return java.time.OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e2) {
                throw new EventRejected(RejectCode.INVALID_FIELD, "at must be an ISO-8601 timestamp with offset, got '" + text + "'");
            }
        }
    }

    private static String requiredText(JsonNode node, String field) {
        String text = optionalText(node, field);
        if (text == null) {
            throw new EventRejected(RejectCode.MISSING_FIELD, field + " is required");
        }
        return text;
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new EventRejected(RejectCode.INVALID_FIELD, field + " must be a string, got " + kind(value));
        }
        String problem = textProblem(value.asText());
        if (problem != null) {
            throw new EventRejected(RejectCode.INVALID_FIELD, field + " " + problem);
        }
        return value.asText();
    }

    private static <E extends Enum<E>> E requiredEnum(JsonNode node, String field, Class<E> type) {
        String text = requiredText(node, field);
        for (E constant : type.getEnumConstants()) {
            if (constant.name().toLowerCase(Locale.ROOT).equals(text)) {
                return constant;
            }
        }
        List<String> allowed = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            allowed.add(constant.name().toLowerCase(Locale.ROOT));
        }
        throw new EventRejected(RejectCode.INVALID_FIELD, field + " must be one of " + String.join(", ", allowed) + ", got '" + text + "'");
    }

    private static long requiredCount(JsonNode node, String field, int min) {
        Integer count = optionalCount(node, field, min);
        if (count == null) {
            throw new EventRejected(RejectCode.MISSING_FIELD, field + " is required");
        }
        return count;
    }

    private static Integer optionalCount(JsonNode node, String field, int min) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min) {
            throw new EventRejected(RejectCode.INVALID_FIELD, field + " must be an integer >= " + min + ", got " + value);
        }
        return value.intValue();
    }

    private static double requiredAmount(JsonNode node, String field) {
        Double amount = optionalAmount(node, field);
        if (amount == null) {
            throw new EventRejected(RejectCode.MISSING_FIELD, field + " is required");
        }
        return amount;
    }

    private static Double optionalAmount(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber() || !Double.isFinite(value.doubleValue()) || value.doubleValue() < 0
                || value.doubleValue() > MAX_AMOUNT) {
            throw new EventRejected(RejectCode.INVALID_FIELD, field + " must be a number from 0 to " + (long) MAX_AMOUNT
                    + ", got " + value);
        }
        return value.doubleValue();
    }

    /** PostgreSQL text cannot hold NUL, and identifiers are bounded so that one beacon cannot bloat an index. */
    private static String textProblem(String text) {
        if (text.isEmpty()) {
            return "must not be empty";
        }
        if (text.length() > MAX_TEXT) {
            return "must be at most " + MAX_TEXT + " characters, got " + text.length();
        }
        if (text.indexOf('\0') >= 0) {
            return "must not contain NUL characters";
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++; // a whole pair: one character beyond the basic plane
            } else if (Character.isSurrogate(c)) {
                // the database driver would store it as '?', so the stored identity would not be the one sent
                return "must be valid Unicode (it holds half of a surrogate pair, e.g. a string cut inside an emoji)";
            }
        }
        return null;
    }

    private static String kind(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }

    private static final class EventRejected extends RuntimeException {
        private final RejectCode code;

        EventRejected(RejectCode code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }
}
