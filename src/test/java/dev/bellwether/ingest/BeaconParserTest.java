package dev.bellwether.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bellwether.ingest.Beacon.IndexedEvent;
import dev.bellwether.ingest.Beacon.RejectCode;
import dev.bellwether.ingest.Beacon.Rejection;
import dev.bellwether.telemetry.Cohort;
import dev.bellwether.telemetry.TelemetryEvent;
import dev.bellwether.telemetry.TelemetryEvent.ConflictResolution;
import dev.bellwether.telemetry.TelemetryEvent.MigrationOutcome;
import dev.bellwether.telemetry.TelemetryEvent.ReplayOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BeaconParserTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final int MAX_EVENTS = 5;
    private static final Duration FUTURE_TOLERANCE = Duration.ofMinutes(5);
    private static final Duration RETENTION = Duration.ofDays(14);

    private static final String VALID_EVENT = """
            {"id": "ok", "type": "sync", "at": "2026-11-25T11:59:00Z", "latencyMs": 10}""";
    private static final String LONG_TEXT = "x".repeat(129);
    private static final String MAX_LENGTH_TEXT = "x".repeat(128);

    private final BeaconParser parser = new BeaconParser(MAX_EVENTS, FUTURE_TOLERANCE, RETENTION);

    // ---------------------------------------------------------------- valid beacons

    @Test
    void aValidBeaconOfAllFiveEventTypesParsesIntoTheMatchingRecords() {
        Beacon beacon = parse("""
                {
                  "schema": 1,
                  "app": "notes",
                  "release": "2026.11.3",
                  "client": "c-42",
                  "flags": {"newSync": true, "editor": "blue"},
                  "events": [
                    {"id": "e1", "type": "outbox", "at": "2026-11-25T11:00:00Z", "depth": 3, "oldestAgeMs": 1500.5},
                    {"id": "e2", "type": "replay", "at": "2026-11-25T11:01:00Z", "mutation": "note.save",
                     "outcome": "dead_lettered", "attempts": 4, "latencyMs": 250},
                    {"id": "e3", "type": "sync", "at": "2026-11-25T11:02:00Z", "latencyMs": 120.25, "stalenessMs": 60000},
                    {"id": "e4", "type": "conflict", "at": "2026-11-25T11:03:00Z", "entity": "note", "resolution": "auto_merged"},
                    {"id": "e5", "type": "migration", "at": "2026-11-25T11:04:00Z", "fromVersion": 3, "toVersion": 4,
                     "outcome": "rolled_back", "durationMs": 800}
                  ]
                }""");

        assertThat(beacon.app()).isEqualTo("notes");
        assertThat(beacon.release()).isEqualTo("2026.11.3");
        assertThat(beacon.client()).isEqualTo("c-42");
        assertThat(beacon.cohort().flags()).containsExactly(Map.entry("editor", "blue"), Map.entry("newSync", true));
        assertThat(beacon.rejected()).isEmpty();
        assertThat(beacon.events()).containsExactly(
                new IndexedEvent(0, new TelemetryEvent.Outbox("e1", Instant.parse("2026-11-25T11:00:00Z"), 3, 1500.5)),
                new IndexedEvent(1, new TelemetryEvent.Replay("e2", Instant.parse("2026-11-25T11:01:00Z"), "note.save",
                        ReplayOutcome.DEAD_LETTERED, 4, 250.0)),
                new IndexedEvent(2, new TelemetryEvent.Sync("e3", Instant.parse("2026-11-25T11:02:00Z"), 120.25, 60000.0)),
                new IndexedEvent(3, new TelemetryEvent.Conflict("e4", Instant.parse("2026-11-25T11:03:00Z"), "note",
                        ConflictResolution.AUTO_MERGED)),
                new IndexedEvent(4, new TelemetryEvent.Migration("e5", Instant.parse("2026-11-25T11:04:00Z"), 3, 4,
                        MigrationOutcome.ROLLED_BACK, 800.0)));
    }

    @Test
    void optionalEventFieldsThatAreAbsentOrNullBecomeNull() {
        Beacon beacon = parse(envelopeWith("""
                {"id": "o", "type": "outbox", "at": "2026-11-25T11:00:00Z", "depth": 0, "oldestAgeMs": null},
                {"id": "r", "type": "replay", "at": "2026-11-25T11:00:00Z", "outcome": "succeeded"},
                {"id": "s", "type": "sync", "at": "2026-11-25T11:00:00Z", "latencyMs": 0},
                {"id": "c", "type": "conflict", "at": "2026-11-25T11:00:00Z", "resolution": "unresolved"},
                {"id": "m", "type": "migration", "at": "2026-11-25T11:00:00Z", "fromVersion": 0, "toVersion": 1, "outcome": "succeeded"}"""));

        Instant at = Instant.parse("2026-11-25T11:00:00Z");
        assertThat(beacon.rejected()).isEmpty();
        assertThat(beacon.events()).extracting(IndexedEvent::event).containsExactly(
                new TelemetryEvent.Outbox("o", at, 0, null),
                new TelemetryEvent.Replay("r", at, null, ReplayOutcome.SUCCEEDED, null, null),
                new TelemetryEvent.Sync("s", at, 0.0, null),
                new TelemetryEvent.Conflict("c", at, null, ConflictResolution.UNRESOLVED),
                new TelemetryEvent.Migration("m", at, 0, 1, MigrationOutcome.SUCCEEDED, null));
    }

    @Test
    void anEmptyEventsArrayIsAValidBeaconWithNoEvents() {
        Beacon beacon = parse(envelopeWith(""));

        assertThat(beacon.app()).isEqualTo("notes");
        assertThat(beacon.events()).isEmpty();
        assertThat(beacon.rejected()).isEmpty();
    }

    @Test
    void exactlyMaxEventsIsAccepted() {
        Beacon beacon = parse(envelopeWith(String.join(",", Collections.nCopies(MAX_EVENTS, VALID_EVENT))));

        assertThat(beacon.events()).extracting(IndexedEvent::index).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void unknownExtraFieldsOnTheEnvelopeAndOnEventsAreIgnored() {
        Beacon beacon = parse("""
                {"schema": 1, "app": "notes", "release": "r1", "client": "c1", "sdkVersion": "9.9", "extra": {"nested": [1, 2]},
                 "events": [{"id": "e1", "type": "sync", "at": "2026-11-25T11:00:00Z", "latencyMs": 5,
                             "futureField": "whatever", "another": 42}]}""");

        assertThat(beacon.rejected()).isEmpty();
        assertThat(beacon.events()).containsExactly(
                new IndexedEvent(0, new TelemetryEvent.Sync("e1", Instant.parse("2026-11-25T11:00:00Z"), 5.0, null)));
    }

    static Stream<Arguments> timestampsWithOffsets() {
        return Stream.of(
                Arguments.of("2026-11-25T11:00:00+01:00", Instant.parse("2026-11-25T10:00:00Z")),
                Arguments.of("2026-11-25T06:30:00-05:00", Instant.parse("2026-11-25T11:30:00Z")),
                Arguments.of("2026-11-25T11:00:00.123Z", Instant.parse("2026-11-25T11:00:00.123Z")),
                Arguments.of("2026-11-25T11:00:00+00:00", Instant.parse("2026-11-25T11:00:00Z")));
    }

    @ParameterizedTest(name = "at {0} parses to {1}")
    @MethodSource("timestampsWithOffsets")
    void timestampsWithAnOffsetParseToTheSameInstant(String at, Instant expected) {
        Beacon beacon = parse(envelopeWith("""
                {"id": "e", "type": "sync", "at": "%s", "latencyMs": 1}""".formatted(at)));

        assertThat(beacon.rejected()).isEmpty();
        assertThat(beacon.events()).singleElement().extracting(e -> e.event().at()).isEqualTo(expected);
    }

    @Test
    void absentOrNullFlagsGiveTheEmptyCohort() {
        Beacon absent = parse(envelopeWith(""));
        Beacon explicitNull = parse("""
                {"schema": 1, "app": "notes", "release": "r1", "client": "c1", "flags": null, "events": []}""");

        assertThat(absent.cohort()).isEqualTo(Cohort.NONE);
        assertThat(explicitNull.cohort()).isEqualTo(Cohort.NONE);
    }

    @Test
    void envelopeTextsOfExactly128CharactersAreAccepted() {
        Beacon beacon = parse("""
                {"schema": 1, "app": "%1$s", "release": "%1$s", "client": "%1$s", "flags": {"%1$s": "%1$s"}, "events": []}"""
                .formatted(MAX_LENGTH_TEXT));

        assertThat(beacon.app()).hasSize(128);
        assertThat(beacon.cohort().flags()).containsEntry(MAX_LENGTH_TEXT, MAX_LENGTH_TEXT);
    }

    @Test
    void sixtyFourFlagsAreAccepted() {
        Beacon beacon = parse(withFlags(64));

        assertThat(beacon.cohort().flags()).hasSize(64);
    }

    // ---------------------------------------------------------------- envelope errors

    static Stream<Arguments> invalidEnvelopes() {
        String validEvents = "\"events\": []";
        return Stream.of(
                Arguments.of("a JSON array instead of an object", "[]", null),
                Arguments.of("a JSON string instead of an object", "\"beacon\"", null),
                Arguments.of("a JSON null instead of an object", "null", null),
                Arguments.of("schema missing", """
                        {"app": "a", "release": "r", "client": "c", %s}""".formatted(validEvents), "schema"),
                Arguments.of("schema null", """
                        {"schema": null, "app": "a", "release": "r", "client": "c", %s}""".formatted(validEvents), "schema"),
                Arguments.of("schema of another version", """
                        {"schema": 2, "app": "a", "release": "r", "client": "c", %s}""".formatted(validEvents), "schema"),
                Arguments.of("schema zero", """
                        {"schema": 0, "app": "a", "release": "r", "client": "c", %s}""".formatted(validEvents), "schema"),
                Arguments.of("schema as a string", """
                        {"schema": "1", "app": "a", "release": "r", "client": "c", %s}""".formatted(validEvents), "schema"),
                Arguments.of("schema as a fraction", """
                        {"schema": 1.5, "app": "a", "release": "r", "client": "c", %s}""".formatted(validEvents), "schema"),
                Arguments.of("schema as a float", """
                        {"schema": 1.0, "app": "a", "release": "r", "client": "c", %s}""".formatted(validEvents), "schema"),
                Arguments.of("schema as a boolean", """
                        {"schema": true, "app": "a", "release": "r", "client": "c", %s}""".formatted(validEvents), "schema"),

                Arguments.of("app missing", envelope(null, "\"r\"", "\"c\"", validEvents), "app"),
                Arguments.of("app null", envelope("null", "\"r\"", "\"c\"", validEvents), "app"),
                Arguments.of("app a number", envelope("7", "\"r\"", "\"c\"", validEvents), "app"),
                Arguments.of("app an object", envelope("{}", "\"r\"", "\"c\"", validEvents), "app"),
                Arguments.of("app empty", envelope("\"\"", "\"r\"", "\"c\"", validEvents), "app"),
                Arguments.of("app longer than 128", envelope("\"" + LONG_TEXT + "\"", "\"r\"", "\"c\"", validEvents), "app"),
                Arguments.of("app with a NUL character", envelope("\"no\\u0000tes\"", "\"r\"", "\"c\"", validEvents), "app"),

                Arguments.of("release missing", envelope("\"a\"", null, "\"c\"", validEvents), "release"),
                Arguments.of("release a number", envelope("\"a\"", "3", "\"c\"", validEvents), "release"),
                Arguments.of("release empty", envelope("\"a\"", "\"\"", "\"c\"", validEvents), "release"),
                Arguments.of("release longer than 128", envelope("\"a\"", "\"" + LONG_TEXT + "\"", "\"c\"", validEvents), "release"),
                Arguments.of("release with a NUL character", envelope("\"a\"", "\"r\\u0000\"", "\"c\"", validEvents), "release"),

                Arguments.of("client missing", envelope("\"a\"", "\"r\"", null, validEvents), "client"),
                Arguments.of("client an array", envelope("\"a\"", "\"r\"", "[\"c\"]", validEvents), "client"),
                Arguments.of("client empty", envelope("\"a\"", "\"r\"", "\"\"", validEvents), "client"),
                Arguments.of("client longer than 128", envelope("\"a\"", "\"r\"", "\"" + LONG_TEXT + "\"", validEvents), "client"),
                Arguments.of("client with a NUL character", envelope("\"a\"", "\"r\"", "\"\\u0000\"", validEvents), "client"),

                Arguments.of("flags an array", withEnvelopeField("\"flags\": [\"a\"]", validEvents), "flags"),
                Arguments.of("flags a string", withEnvelopeField("\"flags\": \"a=true\"", validEvents), "flags"),
                Arguments.of("flag value a number", withEnvelopeField("\"flags\": {\"ratio\": 3}", validEvents), "flags.ratio"),
                Arguments.of("flag value null", withEnvelopeField("\"flags\": {\"off\": null}", validEvents), "flags.off"),
                Arguments.of("flag value an object", withEnvelopeField("\"flags\": {\"obj\": {}}", validEvents), "flags.obj"),
                Arguments.of("flag value an empty variant", withEnvelopeField("\"flags\": {\"v\": \"\"}", validEvents), "flags.v"),
                Arguments.of("flag variant with a comma", withEnvelopeField("\"flags\": {\"v\": \"a,b\"}", validEvents), "flags.v"),
                Arguments.of("flag variant longer than 128",
                        withEnvelopeField("\"flags\": {\"v\": \"" + LONG_TEXT + "\"}", validEvents), "flags.v"),
                Arguments.of("flag name with '='", withEnvelopeField("\"flags\": {\"a=b\": true}", validEvents), "flags.a=b"),
                Arguments.of("flag name with ','", withEnvelopeField("\"flags\": {\"a,b\": true}", validEvents), "flags.a,b"),
                Arguments.of("flag name empty", withEnvelopeField("\"flags\": {\"\": true}", validEvents), "flags."),
                Arguments.of("65 flags, more than the limit", withFlags(65), "flags"),

                Arguments.of("events missing", withEnvelopeField("\"extra\": 1", null), "events"),
                Arguments.of("events null", withEnvelopeField("\"extra\": 1", "\"events\": null"), "events"),
                Arguments.of("events an object", withEnvelopeField("\"extra\": 1", "\"events\": {}"), "events"),
                Arguments.of("events a string", withEnvelopeField("\"extra\": 1", "\"events\": \"[]\""), "events"),
                Arguments.of("more than maxEvents events", envelopeWith(
                        String.join(",", Collections.nCopies(MAX_EVENTS + 1, VALID_EVENT))), "events"));
    }

    @ParameterizedTest(name = "{0} is rejected on field {2}")
    @MethodSource("invalidEnvelopes")
    void aMalformedEnvelopeThrowsInvalidBeaconExceptionNamingTheField(String description, String json, String field) {
        JsonNode root = readTree(json);

        assertThatThrownBy(() -> parser.parse(root, NOW))
                .isInstanceOf(InvalidBeaconException.class)
                .hasMessageNotContaining("\u0000")
                .satisfies(e -> assertThat(((InvalidBeaconException) e).field()).isEqualTo(field))
                .satisfies(e -> assertThat(e.getMessage()).isNotBlank());
    }

    @Test
    void aMissingRootThrowsWithNoField() {
        assertThatThrownBy(() -> parser.parse(null, NOW))
                .isInstanceOf(InvalidBeaconException.class)
                .satisfies(e -> assertThat(((InvalidBeaconException) e).field()).isNull());
    }

    @Test
    void tooManyEventsMessageStatesTheLimitAndTheActualCount() {
        JsonNode root = readTree(envelopeWith(String.join(",", Collections.nCopies(MAX_EVENTS + 1, VALID_EVENT))));

        assertThatThrownBy(() -> parser.parse(root, NOW))
                .isInstanceOf(InvalidBeaconException.class)
                .hasMessageContaining("at most 5")
                .hasMessageContaining("got 6");
    }

    @Test
    void anUnknownSchemaMessageStatesTheSupportedSchema() {
        JsonNode root = readTree("""
                {"schema": 2, "app": "a", "release": "r", "client": "c", "events": []}""");

        assertThatThrownBy(() -> parser.parse(root, NOW))
                .isInstanceOf(InvalidBeaconException.class)
                .hasMessageContaining("schema 1");
    }

    @ParameterizedTest(name = "schema {0} is not schema 1")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"4294967297", "18446744073709551617", "-4294967295", "1.0"})
    void aSchemaNumberThatOnlyTruncatesToOneIsRefused(String schema) {
        JsonNode root = readTree("""
                {"schema": %s, "app": "a", "release": "r", "client": "c", "events": []}""".formatted(schema));

        assertThatThrownBy(() -> parser.parse(root, NOW))
                .isInstanceOf(InvalidBeaconException.class)
                .satisfies(e -> assertThat(((InvalidBeaconException) e).field()).isEqualTo("schema"));
    }

    @Test
    void flagValuesTrueAndFalseAsTextAreTheBooleansSoCohortsCannotCollide() {
        Beacon asText = parser.parse(readTree("""
                {"schema": 1, "app": "a", "release": "r", "client": "c", "flags": {"dark": "false", "new": "true"}, "events": []}"""), NOW);
        Beacon asBoolean = parser.parse(readTree("""
                {"schema": 1, "app": "a", "release": "r", "client": "c", "flags": {"dark": false, "new": true}, "events": []}"""), NOW);

        assertThat(asText.cohort()).isEqualTo(asBoolean.cohort());
        assertThat(asText.cohort().isOn("dark")).isFalse();
        assertThat(asText.cohort().isOn("new")).isTrue();
    }

    @Test
    void anAmountBeyondWhatASketchCanHoldIsRejectedNotStored() {
        Beacon beacon = parser.parse(readTree("""
                {"schema": 1, "app": "a", "release": "r", "client": "c", "events": [
                  {"id": "e1", "type": "sync", "at": "2026-11-25T11:59:00Z", "latencyMs": 1.79e308},
                  {"id": "e2", "type": "sync", "at": "2026-11-25T11:59:00Z", "latencyMs": 1e12}]}"""), NOW);

        assertThat(beacon.rejected()).singleElement().satisfies(r -> {
            assertThat(r.index()).isZero();
            assertThat(r.code()).isEqualTo(RejectCode.INVALID_FIELD);
            assertThat(r.reason()).contains("latencyMs");
        });
        assertThat(beacon.events()).hasSize(1);
    }

    @Test
    void halfASurrogatePairIsRefusedBecauseTheDatabaseWouldStoreAnotherIdentity() {
        assertThatThrownBy(() -> parser.parse(readTree("""
                {"schema": 1, "app": "a", "release": "r", "client": "c\\ud800", "events": []}"""), NOW))
                .isInstanceOf(InvalidBeaconException.class)
                .satisfies(e -> assertThat(((InvalidBeaconException) e).field()).isEqualTo("client"));

        Beacon beacon = parser.parse(readTree("""
                {"schema": 1, "app": "a", "release": "r", "client": "c\\ud83d\\ude00", "events": [
                  {"id": "e\\udc00", "type": "sync", "at": "2026-11-25T11:59:00Z", "latencyMs": 5}]}"""), NOW);
        assertThat(beacon.client()).isEqualTo("c\ud83d\ude00");
        assertThat(beacon.rejected()).singleElement().satisfies(r -> assertThat(r.reason()).contains("surrogate"));
    }

    @Test
    void flagsWhoseLabelWouldOverflowTheIndexAreA400() {
        StringBuilder flags = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            flags.append(i == 0 ? "" : ", ").append("\"flag-").append(i).append("-").append("x".repeat(60)).append("\": true");
        }
        assertThatThrownBy(() -> parser.parse(readTree("{\"schema\": 1, \"app\": \"a\", \"release\": \"r\", "
                + "\"client\": \"c\", \"flags\": {" + flags + "}, \"events\": []}"), NOW))
                .isInstanceOf(InvalidBeaconException.class)
                .satisfies(e -> assertThat(((InvalidBeaconException) e).field()).isEqualTo("flags"))
                .hasMessageContaining("1024");
    }

    // ---------------------------------------------------------------- per-event rejections

    static Stream<Arguments> invalidEvents() {
        return Stream.of(
                Arguments.of("a number instead of an object", "42", RejectCode.NOT_AN_OBJECT),
                Arguments.of("a string instead of an object", "\"sync\"", RejectCode.NOT_AN_OBJECT),
                Arguments.of("null instead of an object", "null", RejectCode.NOT_AN_OBJECT),
                Arguments.of("an array instead of an object", "[]", RejectCode.NOT_AN_OBJECT),

                Arguments.of("missing id", """
                        {"type": "sync", "at": "2026-11-25T11:00:00Z", "latencyMs": 1}""", RejectCode.MISSING_FIELD),
                Arguments.of("null id", """
                        {"id": null, "type": "sync", "at": "2026-11-25T11:00:00Z", "latencyMs": 1}""", RejectCode.MISSING_FIELD),
                Arguments.of("missing type", """
                        {"id": "e", "at": "2026-11-25T11:00:00Z", "latencyMs": 1}""", RejectCode.MISSING_FIELD),
                Arguments.of("missing at", """
                        {"id": "e", "type": "sync", "latencyMs": 1}""", RejectCode.MISSING_FIELD),
                Arguments.of("missing required sync latencyMs", """
                        {"id": "e", "type": "sync", "at": "2026-11-25T11:00:00Z"}""", RejectCode.MISSING_FIELD),
                Arguments.of("missing required outbox depth", """
                        {"id": "e", "type": "outbox", "at": "2026-11-25T11:00:00Z"}""", RejectCode.MISSING_FIELD),
                Arguments.of("missing required replay outcome", """
                        {"id": "e", "type": "replay", "at": "2026-11-25T11:00:00Z"}""", RejectCode.MISSING_FIELD),
                Arguments.of("missing required conflict resolution", """
                        {"id": "e", "type": "conflict", "at": "2026-11-25T11:00:00Z"}""", RejectCode.MISSING_FIELD),
                Arguments.of("missing required migration toVersion", """
                        {"id": "e", "type": "migration", "at": "2026-11-25T11:00:00Z", "fromVersion": 1, "outcome": "failed"}""",
                        RejectCode.MISSING_FIELD),

                Arguments.of("unknown type", """
                        {"id": "e", "type": "crash", "at": "2026-11-25T11:00:00Z"}""", RejectCode.UNKNOWN_TYPE),
                Arguments.of("type in upper case", """
                        {"id": "e", "type": "SYNC", "at": "2026-11-25T11:00:00Z", "latencyMs": 1}""", RejectCode.UNKNOWN_TYPE),

                Arguments.of("id a number", """
                        {"id": 7, "type": "sync", "at": "2026-11-25T11:00:00Z", "latencyMs": 1}""", RejectCode.INVALID_FIELD),
                Arguments.of("id empty", """
                        {"id": "", "type": "sync", "at": "2026-11-25T11:00:00Z", "latencyMs": 1}""", RejectCode.INVALID_FIELD),
                Arguments.of("id longer than 128", """
                        {"id": "%s", "type": "sync", "at": "2026-11-25T11:00:00Z", "latencyMs": 1}""".formatted(LONG_TEXT),
                        RejectCode.INVALID_FIELD),
                Arguments.of("mutation with a NUL character", """
                        {"id": "e", "type": "replay", "at": "2026-11-25T11:00:00Z", "mutation": "a\\u0000", "outcome": "succeeded"}""",
                        RejectCode.INVALID_FIELD),
                Arguments.of("unknown replay outcome", """
                        {"id": "e", "type": "replay", "at": "2026-11-25T11:00:00Z", "outcome": "exploded"}""", RejectCode.INVALID_FIELD),
                Arguments.of("replay outcome in upper case", """
                        {"id": "e", "type": "replay", "at": "2026-11-25T11:00:00Z", "outcome": "SUCCEEDED"}""", RejectCode.INVALID_FIELD),
                Arguments.of("unknown conflict resolution", """
                        {"id": "e", "type": "conflict", "at": "2026-11-25T11:00:00Z", "resolution": "coin_flip"}""",
                        RejectCode.INVALID_FIELD),
                Arguments.of("unknown migration outcome", """
                        {"id": "e", "type": "migration", "at": "2026-11-25T11:00:00Z", "fromVersion": 1, "toVersion": 2,
                         "outcome": "rolledback"}""", RejectCode.INVALID_FIELD),
                Arguments.of("enum value as a number", """
                        {"id": "e", "type": "replay", "at": "2026-11-25T11:00:00Z", "outcome": 0}""", RejectCode.INVALID_FIELD),

                Arguments.of("negative sync latency", """
                        {"id": "e", "type": "sync", "at": "2026-11-25T11:00:00Z", "latencyMs": -1}""", RejectCode.INVALID_FIELD),
                Arguments.of("negative replay latency", """
                        {"id": "e", "type": "replay", "at": "2026-11-25T11:00:00Z", "outcome": "succeeded", "latencyMs": -0.5}""",
                        RejectCode.INVALID_FIELD),
                Arguments.of("negative staleness", """
                        {"id": "e", "type": "sync", "at": "2026-11-25T11:00:00Z", "latencyMs": 1, "stalenessMs": -3}""",
                        RejectCode.INVALID_FIELD),
                Arguments.of("latency as a string", """
                        {"id": "e", "type": "sync", "at": "2026-11-25T11:00:00Z", "latencyMs": "12"}""", RejectCode.INVALID_FIELD),
                Arguments.of("latency as the string NaN", """
                        {"id": "e", "type": "sync", "at": "2026-11-25T11:00:00Z", "latencyMs": "NaN"}""", RejectCode.INVALID_FIELD),
                Arguments.of("latency as the string Infinity", """
                        {"id": "e", "type": "sync", "at": "2026-11-25T11:00:00Z", "latencyMs": "Infinity"}""", RejectCode.INVALID_FIELD),
                Arguments.of("latency overflowing a double to infinity", """
                        {"id": "e", "type": "sync", "at": "2026-11-25T11:00:00Z", "latencyMs": 1e400}""", RejectCode.INVALID_FIELD),
                Arguments.of("latency a boolean", """
                        {"id": "e", "type": "sync", "at": "2026-11-25T11:00:00Z", "latencyMs": true}""", RejectCode.INVALID_FIELD),
                Arguments.of("oldestAgeMs as a string", """
                        {"id": "e", "type": "outbox", "at": "2026-11-25T11:00:00Z", "depth": 1, "oldestAgeMs": "5"}""",
                        RejectCode.INVALID_FIELD),
                Arguments.of("durationMs negative", """
                        {"id": "e", "type": "migration", "at": "2026-11-25T11:00:00Z", "fromVersion": 1, "toVersion": 2,
                         "outcome": "succeeded", "durationMs": -10}""", RejectCode.INVALID_FIELD),

                Arguments.of("non-integer depth", """
                        {"id": "e", "type": "outbox", "at": "2026-11-25T11:00:00Z", "depth": 1.5}""", RejectCode.INVALID_FIELD),
                Arguments.of("depth as a float with zero fraction", """
                        {"id": "e", "type": "outbox", "at": "2026-11-25T11:00:00Z", "depth": 2.0}""", RejectCode.INVALID_FIELD),
                Arguments.of("depth as a string", """
                        {"id": "e", "type": "outbox", "at": "2026-11-25T11:00:00Z", "depth": "3"}""", RejectCode.INVALID_FIELD),
                Arguments.of("negative depth", """
                        {"id": "e", "type": "outbox", "at": "2026-11-25T11:00:00Z", "depth": -1}""", RejectCode.INVALID_FIELD),
                Arguments.of("depth beyond an int", """
                        {"id": "e", "type": "outbox", "at": "2026-11-25T11:00:00Z", "depth": 3000000000}""", RejectCode.INVALID_FIELD),
                Arguments.of("zero replay attempts", """
                        {"id": "e", "type": "replay", "at": "2026-11-25T11:00:00Z", "outcome": "retried", "attempts": 0}""",
                        RejectCode.INVALID_FIELD),
                Arguments.of("negative migration fromVersion", """
                        {"id": "e", "type": "migration", "at": "2026-11-25T11:00:00Z", "fromVersion": -1, "toVersion": 2,
                         "outcome": "succeeded"}""", RejectCode.INVALID_FIELD),
                Arguments.of("fractional migration toVersion", """
                        {"id": "e", "type": "migration", "at": "2026-11-25T11:00:00Z", "fromVersion": 1, "toVersion": 2.5,
                         "outcome": "succeeded"}""", RejectCode.INVALID_FIELD),

                Arguments.of("at not a timestamp", """
                        {"id": "e", "type": "sync", "at": "yesterday", "latencyMs": 1}""", RejectCode.INVALID_FIELD),
                Arguments.of("at a date only", """
                        {"id": "e", "type": "sync", "at": "2026-11-25", "latencyMs": 1}""", RejectCode.INVALID_FIELD),
                Arguments.of("at without an offset", """
                        {"id": "e", "type": "sync", "at": "2026-11-25T11:00:00", "latencyMs": 1}""", RejectCode.INVALID_FIELD),
                Arguments.of("at as epoch millis", """
                        {"id": "e", "type": "sync", "at": 1795604400000, "latencyMs": 1}""", RejectCode.INVALID_FIELD),

                Arguments.of("at one second beyond the future tolerance", """
                        {"id": "e", "type": "sync", "at": "2026-11-25T12:05:01Z", "latencyMs": 1}""", RejectCode.FUTURE_TIMESTAMP),
                Arguments.of("at a day in the future", """
                        {"id": "e", "type": "sync", "at": "2026-11-26T12:00:00Z", "latencyMs": 1}""", RejectCode.FUTURE_TIMESTAMP),
                Arguments.of("at in the future by offset", """
                        {"id": "e", "type": "sync", "at": "2026-11-25T14:00:00+01:00", "latencyMs": 1}""", RejectCode.FUTURE_TIMESTAMP),
                Arguments.of("at one second older than the retention", """
                        {"id": "e", "type": "sync", "at": "2026-11-11T11:59:59Z", "latencyMs": 1}""", RejectCode.EXPIRED_TIMESTAMP),
                Arguments.of("at a year ago", """
                        {"id": "e", "type": "sync", "at": "2025-11-25T12:00:00Z", "latencyMs": 1}""", RejectCode.EXPIRED_TIMESTAMP));
    }

    @ParameterizedTest(name = "event with {0} is rejected as {2}")
    @MethodSource("invalidEvents")
    void aBadEventIsRejectedAloneWithItsCodeAndIndexWhileValidSiblingsAreKept(String description, String badEvent,
            RejectCode code) {
        Beacon beacon = parse(envelopeWith(VALID_EVENT + ",\n" + badEvent + ",\n" + VALID_EVENT));

        assertThat(beacon.events()).extracting(IndexedEvent::index).containsExactly(0, 2);
        assertThat(beacon.rejected()).singleElement().satisfies(rejection -> {
            assertThat(rejection.index()).isEqualTo(1);
            assertThat(rejection.code()).isEqualTo(code);
            assertThat(rejection.reason()).isNotBlank();
        });
    }

    @ParameterizedTest(name = "a {0} latency is rejected")
    @MethodSource("nonFiniteNumbers")
    void nonFiniteNumbersAreRejectedAsInvalid(String description, double latency) {
        ObjectNode root = (ObjectNode) readTree(envelopeWith(""));
        ObjectNode event = ((ArrayNode) root.get("events")).addObject();
        event.put("id", "e").put("type", "sync").put("at", "2026-11-25T11:00:00Z").put("latencyMs", latency);

        Beacon beacon = parser.parse(root, NOW);

        assertThat(beacon.events()).isEmpty();
        assertThat(beacon.rejected()).containsExactly(new Rejection(0, RejectCode.INVALID_FIELD, beacon.rejected().get(0).reason()));
        assertThat(beacon.rejected().get(0).reason()).contains("latencyMs");
    }

    static Stream<Arguments> nonFiniteNumbers() {
        return Stream.of(
                Arguments.of("NaN", Double.NaN),
                Arguments.of("+Infinity", Double.POSITIVE_INFINITY),
                Arguments.of("-Infinity", Double.NEGATIVE_INFINITY));
    }

    @Test
    void timestampsExactlyAtTheFutureToleranceAndRetentionBoundariesAreAccepted() {
        Beacon beacon = parse(envelopeWith("""
                {"id": "future-edge", "type": "sync", "at": "2026-11-25T12:05:00Z", "latencyMs": 1},
                {"id": "retention-edge", "type": "sync", "at": "2026-11-11T12:00:00Z", "latencyMs": 1}"""));

        assertThat(beacon.rejected()).isEmpty();
        assertThat(beacon.events()).extracting(e -> e.event().id()).containsExactly("future-edge", "retention-edge");
    }

    @Test
    void rejectionReasonsNameTheOffendingField() {
        Beacon beacon = parse(envelopeWith("""
                {"id": "a", "type": "sync", "at": "2026-11-25T11:00:00Z", "latencyMs": -1},
                {"id": "b", "type": "outbox", "at": "2026-11-25T11:00:00Z", "depth": 1.5},
                {"id": "c", "type": "replay", "at": "2026-11-25T11:00:00Z", "outcome": "nope"},
                {"type": "sync", "at": "2026-11-25T11:00:00Z", "latencyMs": 1},
                {"id": "e", "type": "sync", "at": "soon", "latencyMs": 1}"""));

        assertThat(beacon.events()).isEmpty();
        assertThat(beacon.rejected()).extracting(Rejection::index).containsExactly(0, 1, 2, 3, 4);
        assertThat(beacon.rejected()).extracting(Rejection::reason).satisfiesExactly(
                r -> assertThat(r).contains("latencyMs"),
                r -> assertThat(r).contains("depth"),
                r -> assertThat(r).contains("outcome").contains("succeeded, retried, dead_lettered, conflicted"),
                r -> assertThat(r).contains("id"),
                r -> assertThat(r).contains("at").contains("soon"));
    }

    @Test
    void severalBadEventsAreEachRejectedWithTheirOwnIndexAndCode() {
        Beacon beacon = parse(envelopeWith("""
                42,
                {"id": "ok1", "type": "sync", "at": "2026-11-25T11:00:00Z", "latencyMs": 1},
                {"id": "x", "type": "teleport", "at": "2026-11-25T11:00:00Z"},
                {"id": "late", "type": "sync", "at": "2026-12-25T11:00:00Z", "latencyMs": 1},
                {"id": "ok2", "type": "conflict", "at": "2026-11-25T11:00:00Z", "resolution": "server_wins"}"""));

        assertThat(beacon.events()).extracting(IndexedEvent::index, e -> e.event().id())
                .containsExactly(Tuple.tuple(1, "ok1"), Tuple.tuple(4, "ok2"));
        assertThat(beacon.rejected()).extracting(Rejection::index, Rejection::code).containsExactly(
                Tuple.tuple(0, RejectCode.NOT_AN_OBJECT),
                Tuple.tuple(2, RejectCode.UNKNOWN_TYPE),
                Tuple.tuple(3, RejectCode.FUTURE_TIMESTAMP));
    }

    // ---------------------------------------------------------------- helpers

    private Beacon parse(String json) {
        return parser.parse(readTree(json), NOW);
    }

    private static JsonNode readTree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("test JSON does not parse: " + json, e);
        }
    }

    /** A valid envelope around the given comma-separated events. */
    private static String envelopeWith(String events) {
        return """
                {"schema": 1, "app": "notes", "release": "r1", "client": "c1", "events": [%s]}""".formatted(events);
    }

    /** An envelope with the given raw JSON values for app, release and client; null leaves the field out. */
    private static String envelope(String app, String release, String client, String events) {
        StringBuilder json = new StringBuilder("{\"schema\": 1");
        if (app != null) {
            json.append(", \"app\": ").append(app);
        }
        if (release != null) {
            json.append(", \"release\": ").append(release);
        }
        if (client != null) {
            json.append(", \"client\": ").append(client);
        }
        if (events != null) {
            json.append(", ").append(events);
        }
        return json.append('}').toString();
    }

    /** A valid envelope with one extra raw member; events is a raw member or null to leave events out. */
    private static String withEnvelopeField(String member, String events) {
        return envelope("\"notes\"", "\"r1\"", "\"c1\"", events == null ? member : member + ", " + events);
    }

    private static String withFlags(int count) {
        StringBuilder flags = new StringBuilder();
        for (int i = 0; i < count; i++) {
            flags.append(i == 0 ? "" : ", ").append("\"flag").append(i).append("\": true");
        }
        return withEnvelopeField("\"flags\": {" + flags + "}", "\"events\": []");
    }
}
