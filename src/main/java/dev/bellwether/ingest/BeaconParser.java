package dev.bellwether.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellwether.ingest.Beacon.IndexedEvent;
import dev.bellwether.ingest.Beacon.RejectCode;
import dev.bellwether.ingest.Beacon.Rejection;
import dev.bellwether.telemetry.Cohort;
import dev.bellwether.telemetry.TelemetryEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Beacon contract v1. A malformed envelope throws {@link InvalidBeaconException}; a bad event is rejected
 * alone ({@link EventParser}), with its reason, and its valid siblings are kept. Unknown fields are ignored so SDKs
 * can extend.
 */
public final class BeaconParser {

    public static final int SCHEMA_VERSION = 1;
    static final int MAX_FLAGS = 64;
    /** A cohort's label is indexed: keep it well under PostgreSQL's index entry limit (2704 bytes). */
    static final int MAX_FLAGS_LENGTH = 1024;

    /**
     * Strict as the API's JSON (a key given twice or anything after the beacon is an error), but field names are
     * neither canonicalized nor interned: the shared symbol table makes every new name costly, and a beacon may carry
     * as many distinct unknown names as its inflated size allows. Decision 0008.
     */
    private static final ObjectMapper READER = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final int maxEvents;
    private final Duration futureTolerance;
    private final Duration retention;

    public BeaconParser(int maxEvents, Duration futureTolerance, Duration retention) {
        this.maxEvents = maxEvents;
        this.futureTolerance = futureTolerance;
        this.retention = retention;
    }

    /** The beacon's JSON as a tree; syntax errors, duplicate keys and trailing content throw. */
    public static JsonNode read(byte[] json) throws IOException {
        return READER.readTree(json);
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
            throw new InvalidBeaconException("events", "events must be an array, got " + EventParser.kind(events));
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
                TelemetryEvent event = EventParser.parse(events.get(i));
                if (event.at().isAfter(latest)) {
                    rejected.add(new Rejection(i, RejectCode.FUTURE_TIMESTAMP,
                            "at " + event.at() + " is more than " + futureTolerance.toMinutes() + " minutes in the future"));
                } else if (event.at().isBefore(earliest)) {
                    rejected.add(new Rejection(i, RejectCode.EXPIRED_TIMESTAMP,
                            "at " + event.at() + " is older than the retention of " + retention.toDays() + " days"));
                } else {
                    valid.add(new IndexedEvent(i, event));
                }
            } catch (EventParser.Rejected e) {
                rejected.add(new Rejection(i, e.code(), e.getMessage()));
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
            throw new InvalidBeaconException(field, field + " must be a string, got " + EventParser.kind(node));
        }
        String problem = EventParser.textProblem(node.asText());
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
            throw new InvalidBeaconException("flags", "flags must be an object of flag name to boolean or variant name, got " + EventParser.kind(node));
        }
        if (node.size() > MAX_FLAGS) {
            throw new InvalidBeaconException("flags", "at most " + MAX_FLAGS + " flags, got " + node.size());
        }
        Map<String, Object> flags = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> flag = it.next();
            String field = "flags." + flag.getKey();
            String nameProblem = EventParser.textProblem(flag.getKey());
            if (nameProblem != null || flag.getKey().contains(",") || flag.getKey().contains("=")) {
                throw new InvalidBeaconException(field, "a flag name must be 1-" + EventParser.MAX_TEXT + " characters without ',', '=' or NUL");
            }
            JsonNode value = flag.getValue();
            if (value.isBoolean()) {
                flags.put(flag.getKey(), value.booleanValue());
            } else if (value.isTextual() && (value.asText().equals("true") || value.asText().equals("false"))) {
                // "false" as a variant name would read as on, yet label the same as the boolean: take it as the boolean.
                flags.put(flag.getKey(), Boolean.parseBoolean(value.asText()));
            } else if (value.isTextual() && EventParser.textProblem(value.asText()) == null && !value.asText().contains(",")) {
                flags.put(flag.getKey(), value.asText());
            } else {
                throw new InvalidBeaconException(field, field + " must be a boolean or a variant name (1-" + EventParser.MAX_TEXT
                        + " characters, no ','), got " + EventParser.kind(value));
            }
        }
        Cohort cohort = Cohort.of(flags);
        if (cohort.label().getBytes(StandardCharsets.UTF_8).length > MAX_FLAGS_LENGTH) {
            throw new InvalidBeaconException("flags", "flags must take at most " + MAX_FLAGS_LENGTH
                    + " bytes written as name=value pairs; report only the flags that matter for rollouts");
        }
        return cohort;
    }

}
