package dev.bellwether.support;

import static io.restassured.RestAssured.given;

import io.quarkus.test.common.http.TestHTTPResourceManager;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/** Builds apps, keys and beacons through the public API, as a client would. */
public final class Fixtures {

    public static final String ADMIN = "test-admin-token";

    private Fixtures() {
    }

    /**
     * A request to the management interface (health, metrics, OpenAPI), which listens on a port of its own; paths are
     * written in full, {@code /q/metrics}, as an operator writes them.
     */
    public static RequestSpecification management() {
        URI management = URI.create(TestHTTPResourceManager.getManagementUri());
        return given().baseUri(management.getScheme() + "://" + management.getAuthority());
    }

    public static String uniqueAppName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Creates an app with the given JSON extras (e.g. {@code "allowedOrigins": [...]}) and returns its name. */
    public static String createApp(String prefix, String extraJson) {
        String name = uniqueAppName(prefix);
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"name\": \"" + name + "\"" + (extraJson.isBlank() ? "" : ", " + extraJson) + "}")
                .post("/v1/apps").then().statusCode(201);
        return name;
    }

    public static String createApp(String prefix) {
        return createApp(prefix, "");
    }

    public static String ingestKey(String app) {
        return given().auth().oauth2(ADMIN).post("/v1/apps/" + app + "/ingest-keys")
                .then().statusCode(201).extract().path("key");
    }

    public static String token(String role) {
        return given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"role\": \"" + role + "\", \"name\": \"" + role + "-" + UUID.randomUUID() + "\"}")
                .post("/v1/tokens").then().statusCode(201).extract().path("token");
    }

    public static Response sli(String app, Instant from, Instant to, String... query) {
        var request = given().auth().oauth2(ADMIN).queryParam("from", from.toString()).queryParam("to", to.toString());
        for (int i = 0; i + 1 < query.length; i += 2) {
            request = request.queryParam(query[i], query[i + 1]);
        }
        return request.get("/v1/apps/" + app + "/sli").then().statusCode(200).extract().response();
    }

    /** A beacon as the SDK sends it; events are JSON objects without the outer braces' commas sorted out. */
    public static String beacon(String app, String client, Map<String, Object> flags, List<String> events) {
        String flagJson = flags.entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\": " + (e.getValue() instanceof String s ? "\"" + s + "\"" : e.getValue()))
                .collect(Collectors.joining(", ", "{", "}"));
        return "{\"schema\": 1, \"app\": \"" + app + "\", \"release\": \"2026.11.3\", \"client\": \"" + client
                + "\", \"flags\": " + flagJson + ", \"events\": [" + String.join(", ", events) + "]}";
    }

    public static String replay(String id, Instant at, String outcome) {
        return replay(id, at, outcome, 1);
    }

    public static String replay(String id, Instant at, String outcome, int attempts) {
        return "{\"id\": \"" + id + "\", \"type\": \"replay\", \"at\": \"" + at + "\", \"mutation\": \"note.update\", "
                + "\"outcome\": \"" + outcome + "\", \"attempts\": " + attempts + ", \"latencyMs\": 840}";
    }

    public static String sync(String id, Instant at, long latencyMs, long stalenessMs) {
        return "{\"id\": \"" + id + "\", \"type\": \"sync\", \"at\": \"" + at + "\", \"latencyMs\": " + latencyMs
                + ", \"stalenessMs\": " + stalenessMs + "}";
    }

    /** n replay events with ids {@code prefix-0..n-1}, all succeeded. */
    public static List<String> replays(String prefix, int n, Instant at) {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(replay(prefix + "-" + i, at, "succeeded"));
        }
        return events;
    }

    public static Response postBeacon(String key, String body) {
        return given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON).body(body)
                .post("/v1/beacons").then().extract().response();
    }
}
