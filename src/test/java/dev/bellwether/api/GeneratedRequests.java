package dev.bellwether.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

/**
 * Requests for the fuzz test: beacons of every event type and admin bodies, each structurally valid but edgy or damaged
 * on purpose, and hostile path and query values. One {@link Random} with a fixed seed drives them all, so a run is
 * repeated request for request.
 */
final class GeneratedRequests {

    /** One request to send; {@code shown} is what a failure prints (the JSON before any gzip, and how it was damaged). */
    record Request(String method, String pathAndQuery, Map<String, String> headers, byte[] body, String shown) {
    }

    /** What the generated requests address: the beacon app and its key, and an app admin bodies may change. */
    record Targets(String beaconApp, String beaconKey, String otherAppKey, String adminApp, String adminToken, Instant now) {
    }

    private static final int EVENT_ID_POOL = 3000;
    private static final int CLIENT_POOL = 20;
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final byte[][] MALFORMED_UTF8 = {
        {(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xFF}, {(byte) 0xE2, (byte) 0x82},
        {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}};
    private static final String[] HOSTILE_TEXTS = {
        "\"\"", "\" \"", "\"\\u0000\"", "\"a\\u0000b\"", "\"\\ud800\"", "\"\\udc00x\"", "\"\\ud83d\\ude00\"", "\"\\u202eevil\\u202c\"",
        "\"\u05e9\u05dc\u05d5\u05dd\"", "\"\ud83d\ude80\ud83d\udd25\"", "\"\\u007f\"", "\"\u0085\"", "\"\u2028\"", "\"\ufeff\"",
        "\"NaN\"", "\"Infinity\"", "\"-0\"", "\"null\"", "\"true\"", "\"false\"", "\"a,b=c\"", "\"\\n\"", "\"\\t\"", "\"%00\"",
        "\"../../etc/passwd\"", "\"\\\\\"", "\"\\\"\"", "\"' OR 1=1 --\"", "\"\u0001\"", "\"unterminated", "\"\\x41\"",
        "\"\\u12\"", quote("x".repeat(128)), quote("x".repeat(129)), quote("\u00e9".repeat(128)), quote("\ud83d\ude00".repeat(100)),
        quote("y".repeat(10_000))};
    private static final String[] HOSTILE_NUMBERS = {
        "-1", "0", "-0", "-0.0", "1.5", "0.1", "1e308", "1e400", "-1e400", "1E2", "4.9e-324", "2147483648", "-2147483649",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1" + "0".repeat(400), "NaN", "Infinity",
        "-Infinity", "0x10", "01", "+1", ".5", "1.", "1e", "--1"};
    private static final String[] WRONG_TYPES = {"null", "true", "false", "[]", "{}", "[1,2]", "{\"a\":1}", "\"12\"", "[null]", "{\"\":\"\"}"};
    private static final String[] HOSTILE_SEGMENTS = {
        "%00", "%0A", "%0D%0A", "%1F", "%7F", "%2F", "%2e%2e", "..", ".", "%FF", "%C0%80", "%ED%A0%80", "%E2%80%AE",
        "%F0%9F%98%80", "%25", "%20", "a%00b", "%3B", ";x=1", "%3F", "~", "'", "%22"};
    private static final String[] HOSTILE_QUERY_VALUES = {
        "%00", "%0A", "%1F", "%7F", "%FF", "%C0%80", "%ED%A0%80", "%E2%80%AE", "%25", "", "%26x%3D1"};
    /** Rollout ids that cannot name a rollout another test made, so that no command reaches a real one. */
    private static final String[] ABSENT_IDS = {
        "0", "-1", "9000000000", "99999999999999999999", "abc", "1.5", "1e3", "%00", "%20", "0x1", "%2F", "..", "+1"};

    private final Targets targets;
    private final Random random;

    GeneratedRequests(Targets targets, long seed) {
        this.targets = targets;
        this.random = new Random(seed);
    }

    // ---- choosing -----------------------------------------------------------------------------------------------

    private boolean chance(int percent) {
        return random.nextInt(100) < percent;
    }

    private int between(int min, int max) {
        return min + random.nextInt(max - min + 1);
    }

    private long between(long min, long max) {
        return min + (long) (random.nextDouble() * (max - min));
    }

    @SafeVarargs
    private <T> T oneOf(T... values) {
        return values[random.nextInt(values.length)];
    }

    /** The index of a choice, each as likely as its weight. */
    private int weighted(int... weights) {
        int roll = random.nextInt(Arrays.stream(weights).sum());
        for (int i = 0; i < weights.length; i++) {
            roll -= weights[i];
            if (roll < 0) {
                return i;
            }
        }
        throw new IllegalStateException("weights " + Arrays.toString(weights));
    }

    private String anyText(int maxLength, char highest) {
        char[] chars = new char[random.nextInt(maxLength + 1)];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = (char) random.nextInt(highest + 1);
        }
        return new String(chars);
    }

    private String letters(int minLength, int maxLength, String alphabet) {
        StringBuilder out = new StringBuilder();
        for (int i = between(minLength, maxLength); i > 0; i--) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    // ---- values -------------------------------------------------------------------------------------------------

    /** A JSON string literal of any text: control characters and lone surrogates as escapes, the rest as UTF-8. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c) ? i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))
                    : Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(text.charAt(i - 1));
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || (Character.isSurrogate(c) && !paired)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /** Texts a lenient or careless parser gets wrong, as JSON literals (some deliberately not valid JSON). */
    private String hostileText() {
        return switch (weighted(6, 3, 2)) {
            case 0 -> oneOf(HOSTILE_TEXTS);
            case 1 -> quote(anyText(40, Character.MAX_VALUE));
            default -> quote(anyText(20, '\u00ff'));
        };
    }

    private String hostileNumber() {
        return switch (weighted(6, 2, 2)) {
            case 0 -> oneOf(HOSTILE_NUMBERS);
            case 1 -> String.valueOf(random.nextLong());
            default -> String.valueOf(oneOf(random.nextDouble(), random.nextGaussian() * 1e15, Double.MAX_VALUE, Double.MIN_VALUE));
        };
    }

    private String deepNesting() {
        int depth = chance(80) ? between(2, 50) : between(900, 5000);
        return switch (random.nextInt(3)) {
            case 0 -> "[".repeat(depth) + "]".repeat(depth);
            case 1 -> "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
            default -> "[".repeat(depth);
        };
    }

    private String hostileValue() {
        return switch (weighted(4, 3, 3, 1)) {
            case 0 -> hostileText();
            case 1 -> hostileNumber();
            case 2 -> oneOf(WRONG_TYPES);
            default -> deepNesting();
        };
    }

    /** Mostly the valid value, otherwise a hostile one. */
    private String mostly(Supplier<String> valid) {
        return chance(90) ? valid.get() : hostileValue();
    }

    private String quotedOneOf(String... values) {
        return quote(oneOf(values));
    }

    private String number(long min, long max) {
        return String.valueOf(between(min, max));
    }

    private String timestamp() {
        Instant now = targets.now();
        return switch (weighted(20, 3, 2)) {
            case 0 -> quote(now.minusSeconds(between(0, 3600)).toString());
            case 1 -> quote(oneOf(now.plusSeconds(600).toString(), now.minusSeconds(40L * 86400).toString(),
                    "1970-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z",
                    "2026-13-45T99:99:99Z", "2026-11-25T10:00:00", "2026-11-25", "2026-11-25T23:59:60Z",
                    now.toString().replace("Z", "+14:00"), now.toString().replace("Z", "-18:00"),
                    now.toString().replace("Z", "+25:00"), "now", "", "T"));
            default -> hostileValue();
        };
    }

    // ---- JSON objects with mutations ----------------------------------------------------------------------------

    /** Fields of an object as raw JSON values, in order; a list so that a key can be given twice. */
    private static String object(List<Map.Entry<String, String>> fields) {
        StringBuilder out = new StringBuilder("{");
        for (Map.Entry<String, String> field : fields) {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append(quote(field.getKey())).append(':').append(field.getValue());
        }
        return out.append('}').toString();
    }

    /** Replaces, drops, doubles or adds a field, or (the most likely) leaves the object alone. */
    private String mutated(Map<String, String> fields, int untouchedWeight) {
        List<Map.Entry<String, String>> entries = new ArrayList<>(fields.entrySet());
        if (entries.isEmpty()) {
            return object(entries);
        }
        int at = random.nextInt(entries.size());
        String key = entries.get(at).getKey();
        switch (weighted(untouchedWeight, 3, 2, 1, 1)) {
            case 1 -> entries.set(at, Map.entry(key, hostileValue()));
            case 2 -> entries.remove(at);
            case 3 -> entries.add(Map.entry(key, hostileValue()));
            case 4 -> entries.add(Map.entry(anyText(12, Character.MAX_VALUE), hostileValue()));
            default -> {
            }
        }
        return object(entries);
    }

    private static Map<String, String> fields(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private String array(int maxSize, Supplier<String> element) {
        List<String> elements = new ArrayList<>();
        for (int i = random.nextInt(maxSize + 1); i > 0; i--) {
            elements.add(element.get());
        }
        return "[" + String.join(",", elements) + "]";
    }

    // ---- beacons ------------------------------------------------------------------------------------------------

    private String event() {
        String type = oneOf("outbox", "replay", "sync", "conflict", "migration");
        String id = chance(95) ? quote("e-" + random.nextInt(EVENT_ID_POOL)) : hostileValue();
        String typeValue = switch (weighted(30, 1, 1)) {
            case 0 -> quote(type);
            case 1 -> quotedOneOf("unknown", "", "REPLAY", "replay ", "outbox\u0000");
            default -> hostileValue();
        };
        Supplier<String> millis = () -> chance(90) ? number(0, 600_000) : hostileNumber();
        Map<String, String> fields = switch (type) {
            case "outbox" -> fields("id", id, "type", typeValue, "at", timestamp(), "depth", mostly(() -> number(0, 10_000)),
                    "oldestAgeMs", millis.get());
            case "replay" -> fields("id", id, "type", typeValue, "at", timestamp(),
                    "mutation", mostly(() -> quotedOneOf("note.update", "note.create", "task.delete")),
                    "outcome", mostly(() -> quotedOneOf("succeeded", "retried", "dead_lettered", "conflicted")),
                    "attempts", mostly(() -> number(1, 10)), "latencyMs", millis.get());
            case "sync" -> fields("id", id, "type", typeValue, "at", timestamp(), "latencyMs", millis.get(), "stalenessMs", millis.get());
            case "conflict" -> fields("id", id, "type", typeValue, "at", timestamp(),
                    "entity", mostly(() -> quotedOneOf("note", "task")),
                    "resolution", mostly(() -> quotedOneOf("auto_merged", "user_resolved", "server_wins", "client_wins", "unresolved")));
            default -> fields("id", id, "type", typeValue, "at", timestamp(),
                    "fromVersion", mostly(() -> number(0, 50)), "toVersion", mostly(() -> number(0, 50)),
                    "outcome", mostly(() -> quotedOneOf("succeeded", "failed", "rolled_back")), "durationMs", millis.get());
        };
        return mutated(fields, 40);
    }

    private String flags() {
        return switch (weighted(40, 1, 1)) {
            case 0 -> {
                List<Map.Entry<String, String>> flags = new ArrayList<>();
                List<String> names = new ArrayList<>(List.of("new-sync-engine", "editor", "dark-mode", "offline-first"));
                Collections.shuffle(names, random);
                for (int i = random.nextInt(names.size() + 1); i > 0; i--) {
                    // a name given twice is a duplicate key, which the envelope's own mutations already try
                    String name = chance(97) ? names.get(i - 1) : oneOf("", "a,b", "a=b", "x".repeat(129), "\u0000", "\u202e");
                    String value = chance(97) ? oneOf("true", "false", "\"variant-b\"", "\"true\"") : hostileValue();
                    flags.add(Map.entry(name, value));
                }
                yield object(flags);
            }
            case 1 -> {
                List<Map.Entry<String, String>> flags = new ArrayList<>();
                for (int i = between(60, 70); i > 0; i--) {
                    flags.add(Map.entry("flag-" + i + "-" + "z".repeat(20), "\"variant-" + i + "\""));
                }
                yield object(flags);
            }
            default -> oneOf(WRONG_TYPES);
        };
    }

    private String beaconJson() {
        String events = switch (weighted(30, 1, 1)) {
            case 0 -> array(12, this::event);
            case 1 -> "[" + String.join(",", Collections.nCopies(1001, "{}")) + "]";
            default -> hostileValue();
        };
        String app = switch (weighted(80, 1, 1)) {
            case 0 -> quote(targets.beaconApp());
            case 1 -> quote(targets.adminApp());
            default -> hostileValue();
        };
        // the envelope's fields are hostile less often than an event's: a beacon refused whole tests less of the service
        return mutated(fields(
                "schema", chance(98) ? "1" : hostileValue(),
                "app", app,
                "release", chance(97) ? quote("2026.11." + between(1, 6)) : hostileValue(),
                "client", chance(97) ? quote("c-" + random.nextInt(CLIENT_POOL)) : hostileValue(),
                "flags", flags(),
                "events", events), 70);
    }

    /** Damage done to a beacon's bytes after it is written, and what a failure message says about it. */
    private byte[] damaged(String json, StringBuilder shown) {
        // no body over the hard limit (quarkus.http.limits.max-body-size): the service answers it 413 before reading it
        // and closes the connection, and java.net.http, still writing, then reports no answer (HttpEdgesTest covers it)
        int kind = weighted(240, 3, 3, 1, 2, 1, 1, 1, 1);
        shown.append(new String[] {"", "cut short", "trailing bytes", "sent twice", "malformed UTF-8", "a byte order mark",
            "replaced", "replaced by nesting", "padded past the beacon limit"}[kind]);
        return switch (kind) {
            case 1 -> utf8(json.substring(0, (int) (json.length() * random.nextDouble())));
            case 2 -> utf8(json + oneOf(" xyz", "{}", "]", ",", "\u0000", "\n\n", "null", "{\"schema\":1}"));
            case 3 -> utf8(json + json);
            case 4 -> insert(utf8(json), oneOf(MALFORMED_UTF8), random.nextDouble());
            case 5 -> concat(BOM, utf8(json));
            case 6 -> utf8(oneOf("", "[]", "1", "\"beacon\"", "null", "true", " ", "{", "{\"schema\":1,}", "<xml/>"));
            case 7 -> utf8(deepNesting());
            case 8 -> utf8("{\"pad\":" + quote("p".repeat(between(65_000, 70_000))) + "," + json.substring(1));
            default -> utf8(json);
        };
    }

    Request nextBeacon() {
        String json = beaconJson();
        StringBuilder shown = new StringBuilder();
        byte[] raw = damaged(json.startsWith("{") ? json : "{}", shown);
        Map<String, String> headers = new LinkedHashMap<>();
        String query = "";
        switch (weighted(90, 8, 1, 1, 1, 1, 1, 1, 1)) {
            case 0 -> headers.put("Authorization", "Bearer " + targets.beaconKey());
            case 1 -> query = "?key=" + URLEncoder.encode(targets.beaconKey(), StandardCharsets.UTF_8);
            case 2 -> headers.put("Authorization", "Bearer bw_ingest_not-a-key-" + raw.length);
            case 3 -> headers.put("Authorization", "Bearer ");
            case 4 -> headers.put("Authorization", "Basic dXNlcjpwYXNz");
            case 5 -> headers.put("Authorization", "Bearer " + targets.otherAppKey());
            case 6 -> headers.put("Authorization", "bearer " + targets.beaconKey());
            case 7 -> {
                headers.put("Authorization", "Bearer " + targets.beaconKey());
                headers.put("Origin", oneOf("https://evil.example", "null", "https://\u00e9vil.example"));
            }
            default -> {
            }
        }
        switch (weighted(50, 45, 5)) {
            case 0 -> headers.put("Content-Type", "application/json");
            case 1 -> headers.put("Content-Type", "text/plain;charset=UTF-8");
            default -> {
                String type = oneOf("", "text/plain", "application/json; charset=utf-16", "text/plain; charset=ISO-8859-1",
                        "application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "*/*",
                        "garbage", "application/problem+json", "text/html", "application/json; charset=\"", "/");
                if (!type.isEmpty()) {
                    headers.put("Content-Type", type);
                }
            }
        }
        String encoding;
        byte[] body;
        switch (weighted(100, 20, 3, 3, 2, 1, 2)) {
            case 0 -> {
                encoding = "none";
                body = raw;
            }
            case 1 -> {
                encoding = "gzip";
                body = gzip(raw);
            }
            case 2 -> {
                byte[] zipped = gzip(raw);
                encoding = "gzip cut short";
                body = Arrays.copyOf(zipped, random.nextBoolean() ? zipped.length * 2 / 3 : zipped.length - 3);
            }
            case 3 -> {
                encoding = "gzip with trailing bytes";
                body = concat(gzip(raw), utf8(oneOf("garbage", "\u0000", "\u001f\u008b")));
            }
            case 4 -> {
                encoding = "gzip, two members";
                body = concat(gzip(raw), gzip(new byte[0]));
            }
            case 5 -> {
                encoding = "gzip inflating past the limit";
                body = gzip(new byte[1_200_000]);
            }
            default -> {
                String unsupported = oneOf("br", "deflate", "gzip, gzip", "x-gzip", "compress", "GZIP ", "*");
                encoding = "unsupported " + unsupported;
                body = raw;
                headers.put("Content-Encoding", unsupported);
            }
        }
        if (encoding.startsWith("gzip")) {
            headers.put("Content-Encoding", "gzip");
        }
        String method = weighted(200, 1) == 0 ? "POST" : oneOf("GET", "PUT", "DELETE", "PATCH");
        return new Request(method, "/v1/beacons" + query, headers, body,
                "encoding " + encoding + (shown.isEmpty() ? "" : ", " + shown) + ", body " + show(raw));
    }

    // ---- admin bodies and hostile paths -------------------------------------------------------------------------

    Request nextAdmin() {
        return switch (weighted(3, 3, 4, 4, 2, 2, 1, 6)) {
            case 0 -> admin("POST", "/v1/apps", damaged(mutated(fields("name", mostly(() -> quote(appName())),
                    "allowedOrigins", origins(), "beaconsPerSecond", mostly(() -> number(1, 1_000_000))), 10)));
            case 1 -> admin("PATCH", "/v1/apps/" + targets.adminApp(), damaged(mutated(fields("allowedOrigins", origins(),
                    "beaconsPerSecond", mostly(() -> number(1, 1_000_000))), 10)));
            case 2 -> putSlo();
            case 3 -> createRollout();
            case 4 -> admin("POST", "/v1/rollouts/" + absentId() + "/"
                    + pathSegment(() -> oneOf("start", "pause", "resume", "kill", "rollback", "promote", "x")),
                    damaged(mutated(fields("reason", mostly(() -> chance(80) ? quotedOneOf("canary looks bad", "fuzz")
                            : quote("r".repeat(1001)))), 10)));
            case 5 -> admin("POST", "/v1/tokens", damaged(mutated(fields(
                    "role", mostly(() -> quotedOneOf("viewer", "release-manager", "on-call", "admin", "ADMIN", "root")),
                    "name", mostly(() -> quote("fz-" + letters(1, 30, "abcXYZ")))), 10)));
            case 6 -> admin("POST", "/v1/apps/" + pathSegment(targets::adminApp) + "/ingest-keys", null);
            default -> admin("GET", hostileGet(), null);
        };
    }

    private Request admin(String method, String path, String json) {
        Map<String, String> headers = new LinkedHashMap<>();
        switch (weighted(95, 2, 2, 1)) {
            case 0 -> headers.put("Authorization", "Bearer " + targets.adminToken());
            case 1 -> headers.put("Authorization", "Bearer not-a-token");
            case 2 -> {
            }
            default -> headers.put("Authorization", "Bearer " + targets.beaconKey());
        }
        if (json != null) {
            headers.put("Content-Type", chance(95) ? "application/json" : oneOf("text/plain", "application/xml", "garbage"));
        }
        byte[] body = json == null ? new byte[0] : utf8(json);
        return new Request(method, path, headers, body, json == null ? "" : "body " + show(body));
    }

    /** An admin request's body, sometimes damaged as a whole rather than field by field. */
    private String damaged(String json) {
        return switch (weighted(16, 1, 1, 1, 1)) {
            case 1 -> json.substring(0, random.nextInt(json.length()));
            case 2 -> json + oneOf(" xyz", "{}", ",", "\u0000");
            case 3 -> oneOf("", "[]", "null", "1", "\"x\"", "{", "<xml/>");
            case 4 -> deepNesting();
            default -> json;
        };
    }

    private String appName() {
        return "fz-" + letters(1, 20, "abcdefghijklmnopqrstuvwxyz0123456789");
    }

    private String origins() {
        return switch (weighted(10, 1, 1)) {
            case 0 -> array(4, () -> chance(85) ? quotedOneOf("https://a.example", "http://localhost:3000", "https://b.example:8443")
                    : hostileValue());
            case 1 -> "[" + String.join(",", Collections.nCopies(51, "\"https://c.example\"")) + "]";
            default -> oneOf(WRONG_TYPES);
        };
    }

    private Request putSlo() {
        String body = damaged(mutated(fields(
                "sli", mostly(() -> quotedOneOf("replay_success_ratio", "dead_letter_ratio", "replay_repeat_failure_ratio",
                        "sync_latency", "sync_staleness", "conflict_unresolved_ratio", "migration_success_ratio", "outbox_depth", "nope")),
                "objective", mostly(() -> oneOf("0.995", "0.95", "0.5", "0", "1", "1.0000001", "0.9999999")),
                "period", mostly(() -> quotedOneOf("30d", "7d", "1h", "0d", "-1d", "1000000d", "P30D")),
                "thresholdMs", mostly(() -> oneOf("5000", "0", "0.5", "1e12")),
                "minEvents", mostly(() -> number(0, 1_000_000))), 10));
        return admin("PUT", "/v1/apps/" + targets.adminApp() + "/slos/" + pathSegment(() -> oneOf("availability", "sync-latency", "x")),
                body);
    }

    private Request createRollout() {
        // the apps named are absent: a valid body for an app that exists would go on to Unleash, absent in this test
        Supplier<String> name = () -> quote(chance(95) ? letters(1, 12, "abz09._~-") : oneOf(".", "..", "~", "a".repeat(101)));
        String guards = switch (weighted(10, 1, 1)) {
            case 0 -> array(3, () -> mutated(fields(
                    "sli", mostly(() -> quotedOneOf("dead_letter_ratio", "replay_success_ratio", "sync_latency", "nope")),
                    "action", mostly(() -> quotedOneOf("kill", "rollback", "freeze", "KILL", "explode"))), 10));
            case 1 -> "[" + String.join(",", Collections.nCopies(11, "{\"sli\":\"dead_letter_ratio\",\"action\":\"kill\"}")) + "]";
            default -> oneOf(WRONG_TYPES);
        };
        String steps = switch (weighted(6, 3, 1)) {
            case 0 -> array(22, () -> number(-5, 120));
            case 1 -> oneOf("[5,50,100]", "[1]", "[100]", "[]", "[50,5]", "[null]", "[1.5]", "[\"5\"]");
            default -> hostileValue();
        };
        return admin("POST", "/v1/rollouts", damaged(mutated(fields(
                "app", mostly(() -> quote("absent-" + appName())), "flag", mostly(name), "project", mostly(name),
                "environment", mostly(name), "steps", steps,
                "bake", mostly(() -> quotedOneOf("10m", "0s", "1h", "-5m", "10", "PT10M", "999999999999d", "")),
                "minSamplePerCohort", mostly(() -> number(0, 10_000)), "guards", guards,
                "dryRun", mostly(() -> oneOf("true", "false"))), 8)));
    }

    private String absentId() {
        return chance(70) ? oneOf(ABSENT_IDS) : String.valueOf(between(1_000_000_000L, Long.MAX_VALUE));
    }

    /** A path segment: mostly the usual one, otherwise percent-encoded junk, very long, or any text encoded. */
    private String pathSegment(Supplier<String> usual) {
        return switch (weighted(6, 3, 1, 2)) {
            case 0 -> usual.get();
            case 1 -> oneOf(HOSTILE_SEGMENTS);
            case 2 -> "s".repeat(between(200, 6000));
            default -> encode(anyText(30, Character.MAX_VALUE) + "x");
        };
    }

    private String queryValue(Supplier<String> usual) {
        return switch (weighted(6, 3, 1, 2)) {
            case 0 -> encode(usual.get());
            case 1 -> oneOf(HOSTILE_QUERY_VALUES);
            case 2 -> "q".repeat(between(200, 6000));
            default -> encode(anyText(30, Character.MAX_VALUE));
        };
    }

    private String hostileGet() {
        Instant now = targets.now();
        Supplier<String> time = () -> oneOf(now.minusSeconds(3600).toString(), now.toString(), now.plusSeconds(60).toString(),
                "1970-01-01T00:00:00Z", "+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z", "2026-13-01T00:00:00Z",
                "2026-11-25", "1700000000", "now", now.toString().replace("Z", "+25:00"));
        return switch (weighted(6, 1, 1, 1, 1, 1, 1, 1)) {
            case 0 -> {
                List<String> params = new ArrayList<>();
                if (chance(60)) params.add("window=" + queryValue(() -> oneOf("5m", "1h", "1d", "30d", "0m", "-1h", "99999999999d",
                        "1.5h", "P1D", "NaN", "1x")));
                if (chance(60)) params.add("from=" + queryValue(time));
                if (chance(60)) params.add("to=" + queryValue(time));
                if (chance(30)) params.add("release=" + queryValue(() -> oneOf("2026.11.1", "x")));
                if (chance(30)) params.add("flag=" + queryValue(() -> oneOf("new-sync-engine", "new-sync-engine=true", "a=b=c", "=", ",")));
                if (chance(10)) params.add(queryValue(() -> "window") + "=" + queryValue(() -> "1h"));
                yield "/v1/apps/" + pathSegment(targets::beaconApp) + "/sli" + (params.isEmpty() ? "" : "?" + String.join("&", params));
            }
            case 1 -> "/v1/apps/" + pathSegment(targets::adminApp);
            case 2 -> "/v1/apps/" + pathSegment(targets::adminApp) + "/ingest-keys";
            case 3 -> "/v1/apps/" + targets.adminApp() + "/slos/" + pathSegment(() -> "availability");
            case 4 -> "/v1/rollouts?app=" + queryValue(targets::beaconApp);
            case 5 -> "/v1/rollouts/" + absentId();
            case 6 -> "/v1/rollouts/" + absentId() + "/decisions";
            default -> "/v1/rollouts/" + absentId() + "/convergence?activeMinutes="
                    + queryValue(() -> oneOf("1", "0", "-1", "abc", "1.5", "99999999999", "60"));
        };
    }

    // ---- bytes --------------------------------------------------------------------------------------------------

    /** Percent-encodes every byte of the UTF-8 form outside the unreserved set (lone surrogates become '?'). */
    static String encode(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(String.format("%02X", c));
            }
        }
        return out.toString();
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] insert(byte[] bytes, byte[] inserted, double at) {
        int position = (int) (bytes.length * at);
        return concat(Arrays.copyOfRange(bytes, 0, position), inserted, Arrays.copyOfRange(bytes, position, bytes.length));
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A body for a failure message: as text, cut to a readable length, with control characters and bad bytes escaped. */
    static String show(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        String cut = text.length() > 2000 ? text.substring(0, 2000) + "... (" + body.length + " bytes)" : text;
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            out.append(c < 0x20 || c == '\ufffd' ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }
}
