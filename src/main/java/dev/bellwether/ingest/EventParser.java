package dev.bellwether.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bellwether.ingest.Beacon.RejectCode;
import dev.bellwether.telemetry.TelemetryEvent;
import dev.bellwether.telemetry.TelemetryEvent.ConflictResolution;
import dev.bellwether.telemetry.TelemetryEvent.MigrationOutcome;
import dev.bellwether.telemetry.TelemetryEvent.ReplayOutcome;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One event of a beacon, and the checks of a text field that the envelope shares. A bad event throws {@link Rejected}. */
final class EventParser {

    static final int MAX_TEXT = 128;
    /** Milliseconds in 30 years, or queued mutations: beyond is a broken client, and the sketches' range ends. */
    static final double MAX_AMOUNT = 1e12;

    private EventParser() {
    }

    static TelemetryEvent parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new Rejected(RejectCode.NOT_AN_OBJECT, "an event must be a JSON object, got " + kind(node));
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
            default -> throw new Rejected(RejectCode.UNKNOWN_TYPE,
                    "unknown event type '" + type + "' (outbox, replay, sync, conflict, migration)");
        };
    }

    private static Instant instant(JsonNode node) {
        String text = requiredText(node, "at");
        try {
            return IsoInstant.parse(text);
        } catch (DateTimeParseException e) {
            throw new Rejected(RejectCode.INVALID_FIELD, "at must be an ISO-8601 timestamp with offset, got '" + text + "'");
        }
    }

    /** An optional field's value, required: absent (or null) is a missing field. */
    private static <T> T required(T value, String field) {
        if (value == null) {
            throw new Rejected(RejectCode.MISSING_FIELD, field + " is required");
        }
        return value;
    }

    private static String requiredText(JsonNode node, String field) {
        return required(optionalText(node, field), field);
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new Rejected(RejectCode.INVALID_FIELD, field + " must be a string, got " + kind(value));
        }
        String problem = textProblem(value.asText());
        if (problem != null) {
            throw new Rejected(RejectCode.INVALID_FIELD, field + " " + problem);
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
        throw new Rejected(RejectCode.INVALID_FIELD, field + " must be one of " + String.join(", ", allowed) + ", got '" + text + "'");
    }

    private static long requiredCount(JsonNode node, String field, int min) {
        return required(optionalCount(node, field, min), field);
    }

    private static Integer optionalCount(JsonNode node, String field, int min) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min) {
            throw new Rejected(RejectCode.INVALID_FIELD, field + " must be an integer >= " + min + ", got " + value);
        }
        return value.intValue();
    }

    private static double requiredAmount(JsonNode node, String field) {
        return required(optionalAmount(node, field), field);
    }

    private static Double optionalAmount(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber() || !Double.isFinite(value.doubleValue()) || value.doubleValue() < 0
                || value.doubleValue() > MAX_AMOUNT) {
            throw new Rejected(RejectCode.INVALID_FIELD, field + " must be a number from 0 to " + (long) MAX_AMOUNT
                    + ", got " + value);
        }
        return value.doubleValue();
    }

    /** PostgreSQL text cannot hold NUL, and identifiers are bounded so that one beacon cannot bloat an index. */
    static String textProblem(String text) {
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
            if (c < 0x20 || c == 0x7f) {
                // no id, name or release needs one, and they would garble logs, labels and the API's answers
                return "must not contain control characters";
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++; // a whole pair: one character beyond the basic plane
            } else if (Character.isSurrogate(c)) {
                // the database driver would store it as '?', so the stored identity would not be the one sent
                return "must be valid Unicode (it holds half of a surrogate pair, e.g. a string cut inside an emoji)";
            }
        }
        return null;
    }

    static String kind(JsonNode node) {
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

    /** An event rejected alone; without a stack trace, as rejections are routine. */
    static final class Rejected extends RuntimeException {
        private final RejectCode code;

        Rejected(RejectCode code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        RejectCode code() {
            return code;
        }
    }
}
