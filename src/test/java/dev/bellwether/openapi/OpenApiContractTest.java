package dev.bellwether.openapi;

import static dev.bellwether.support.Fixtures.ADMIN;
import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.ingestKey;
import static dev.bellwether.support.Fixtures.management;
import static dev.bellwether.support.Fixtures.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.bellwether.support.UnleashServer;
import dev.bellwether.support.UnleashTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real answers of the service against the schemas its OpenAPI document declares for them, success and error alike;
 * and the document's request examples, sent as they are (with the test's own app, flag and times), are accepted.
 */
@QuarkusTest
@QuarkusTestResource(value = UnleashTestResource.class, restrictToAnnotatedClass = true)
class OpenApiContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private static JsonNode document;

    private final UnleashServer unleash = UnleashTestResource.unleash();

    @BeforeAll
    static void readDocument() throws Exception {
        document = JSON.readTree(management().queryParam("format", "json").get("/q/openapi")
                .then().statusCode(200).extract().asString());
    }

    @Test
    void beaconExamplesOfEveryEventTypeAreAcceptedAsDocumented() throws Exception {
        String app = createApp("contract");
        String key = ingestKey(app);
        JsonNode examples = requestBody("post", "/v1/beacons").path("examples");
        assertThat(examples.size()).isEqualTo(5);
        for (var example : (Iterable<java.util.Map.Entry<String, JsonNode>>) examples::fields) {
            ObjectNode beacon = (ObjectNode) example(example.getValue()).deepCopy();
            beacon.put("app", app);
            for (JsonNode event : beacon.withArray("events")) {
                ((ObjectNode) event).put("at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            }
            Response answer = given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                    .body(JSON.writeValueAsString(beacon)).post("/v1/beacons");
            conforms(answer, "post", "/v1/beacons", 202);
            assertThat(answer.jsonPath().getInt("accepted")).as(example.getKey()).isEqualTo(1);
            assertThat(answer.jsonPath().getList("rejected")).as(example.getKey()).isEmpty();
        }
        conforms(given().auth().oauth2(ADMIN).get("/v1/apps/" + app + "/sli"), "get", "/v1/apps/{app}/sli", 200);
        conforms(given().auth().oauth2(ADMIN).queryParam("flag", "new-sync-engine").get("/v1/apps/" + app + "/sli"),
                "get", "/v1/apps/{app}/sli", 200);
        conforms(given().auth().oauth2(ADMIN).queryParam("window", "1s").get("/v1/apps/" + app + "/sli"),
                "get", "/v1/apps/{app}/sli", 400);
    }

    @Test
    void beaconRefusalsAreDocumentedProblems() {
        String app = createApp("contract");
        String key = ingestKey(app);
        Response missingRelease = given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                .body("{\"schema\": 1, \"app\": \"" + app + "\", \"client\": \"c-1\", \"events\": []}").post("/v1/beacons");
        conforms(missingRelease, "post", "/v1/beacons", 400);
        assertThat(missingRelease.jsonPath().getString("field")).isEqualTo("release");

        conforms(given().contentType(ContentType.JSON).body("{}").post("/v1/beacons"), "post", "/v1/beacons", 401);
        conforms(given().queryParam("key", "bw_unknown").contentType(ContentType.TEXT).body("{}").post("/v1/beacons"),
                "post", "/v1/beacons", 401);
        conforms(given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                .body("{\"pad\": \"" + "x".repeat(70_000) + "\"}").post("/v1/beacons"), "post", "/v1/beacons", 413);
        conforms(given().header("Authorization", "Bearer " + key).contentType("application/xml").body("<beacon/>")
                .post("/v1/beacons"), "post", "/v1/beacons", 415);
    }

    @Test
    void appsKeysAndTokensAnswerAsDocumented() {
        String name = "contract-" + UUID.randomUUID().toString().substring(0, 8);
        String body = "{\"name\": \"" + name + "\"}";
        conforms(given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(body).post("/v1/apps"), "post", "/v1/apps", 201);
        Response again = given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(body).post("/v1/apps");
        conforms(again, "post", "/v1/apps", 409);
        assertThat(again.jsonPath().getString("field")).isEqualTo("name");
        conforms(given().contentType(ContentType.JSON).body(body).post("/v1/apps"), "post", "/v1/apps", 401);
        conforms(given().auth().oauth2(token("viewer")).contentType(ContentType.JSON).body(body).post("/v1/apps"),
                "post", "/v1/apps", 403);
        conforms(given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body("{\"name\": \"Not An App Name\"}")
                .post("/v1/apps"), "post", "/v1/apps", 400);
        conforms(given().auth().oauth2(ADMIN).get("/v1/apps"), "get", "/v1/apps", 200);
        conforms(given().auth().oauth2(ADMIN).get("/v1/apps/" + name), "get", "/v1/apps/{app}", 200);
        conforms(given().auth().oauth2(ADMIN).get("/v1/apps/no-such-app"), "get", "/v1/apps/{app}", 404);
        conforms(given().auth().oauth2(ADMIN).post("/v1/apps/" + name + "/ingest-keys"), "post", "/v1/apps/{app}/ingest-keys", 201);
        conforms(given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body("{\"name\": \"contract build\"}")
                .post("/v1/apps/" + name + "/ingest-keys"), "post", "/v1/apps/{app}/ingest-keys", 201);
        conforms(given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body("{\"name\": \" \"}")
                .post("/v1/apps/" + name + "/ingest-keys"), "post", "/v1/apps/{app}/ingest-keys", 400);
        conforms(given().auth().oauth2(ADMIN).get("/v1/apps/" + name + "/ingest-keys"), "get", "/v1/apps/{app}/ingest-keys", 200);
        conforms(given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"role\": \"viewer\", \"name\": \"contract-" + UUID.randomUUID() + "\"}").post("/v1/tokens"),
                "post", "/v1/tokens", 201);
        conforms(given().auth().oauth2(ADMIN).get("/v1/tokens"), "get", "/v1/tokens", 200);
    }

    @Test
    void changesDeletionsAndTheRateLimitAnswerAsDocumented() {
        String app = createApp("contract");
        conforms(given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body("{\"beaconsPerSecond\": 1}")
                .patch("/v1/apps/" + app), "patch", "/v1/apps/{app}", 200);
        Response badOrigin = given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"allowedOrigins\": [\"not an origin\"]}").patch("/v1/apps/" + app);
        conforms(badOrigin, "patch", "/v1/apps/{app}", 400);
        assertThat(badOrigin.jsonPath().getString("field")).startsWith("allowedOrigins");
        conforms(given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body("{}").patch("/v1/apps/no-such-app"),
                "patch", "/v1/apps/{app}", 404);

        // one beacon a second: a quick run of them meets the limit, answered as documented
        String key = ingestKey(app);
        Response limited = null;
        for (int i = 0; i < 20 && limited == null; i++) {
            Response answer = given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                    .body("{\"schema\": 1, \"app\": \"" + app + "\", \"release\": \"1.0.0\", \"client\": \"c-1\", \"events\": []}")
                    .post("/v1/beacons");
            if (answer.statusCode() == 429) {
                limited = answer;
            }
        }
        assertThat(limited).as("a 429 within 20 beacons at one a second").isNotNull();
        conforms(limited, "post", "/v1/beacons", 429);
        assertThat(limited.header("Retry-After")).isNotBlank();

        long keyId = given().auth().oauth2(ADMIN).get("/v1/apps/" + app + "/ingest-keys").jsonPath().getLong("[0].id");
        conforms(given().auth().oauth2(ADMIN).delete("/v1/apps/" + app + "/ingest-keys/" + keyId), "delete",
                "/v1/apps/{app}/ingest-keys/{id}", 204);
        conforms(given().auth().oauth2(ADMIN).delete("/v1/apps/" + app + "/ingest-keys/0"), "delete",
                "/v1/apps/{app}/ingest-keys/{id}", 404);
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"sli\": \"replay_success_ratio\", \"objective\": 0.99}").put("/v1/apps/" + app + "/slos/gone")
                .then().statusCode(201);
        conforms(given().auth().oauth2(ADMIN).delete("/v1/apps/" + app + "/slos/gone"), "delete",
                "/v1/apps/{app}/slos/{name}", 204);
        conforms(given().auth().oauth2(ADMIN).delete("/v1/apps/" + app + "/slos/gone"), "delete",
                "/v1/apps/{app}/slos/{name}", 404);
        long tokenId = given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"role\": \"viewer\", \"name\": \"contract-" + UUID.randomUUID() + "\"}").post("/v1/tokens")
                .jsonPath().getLong("id");
        conforms(given().auth().oauth2(ADMIN).delete("/v1/tokens/" + tokenId), "delete", "/v1/tokens/{id}", 204);
        conforms(given().auth().oauth2(ADMIN).delete("/v1/tokens/0"), "delete", "/v1/tokens/{id}", 404);
    }

    @Test
    void theWebhookExampleIsAcceptedAndWebhooksAnswerAsDocumented() throws Exception {
        String app = createApp("contract");
        JsonNode example = requestBody("post", "/v1/apps/{app}/webhooks").path("examples").path("slack");
        String path = "/v1/apps/" + app + "/webhooks";
        conforms(given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body(JSON.writeValueAsString(example(example))).post(path), "post", "/v1/apps/{app}/webhooks", 201);
        Response invalid = given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"kind\": \"json\", \"url\": \"ftp://example.com/x\"}").post(path);
        conforms(invalid, "post", "/v1/apps/{app}/webhooks", 400);
        assertThat(invalid.jsonPath().getString("field")).isEqualTo("url");
        Response listed = given().auth().oauth2(ADMIN).get(path);
        conforms(listed, "get", "/v1/apps/{app}/webhooks", 200);
        conforms(given().auth().oauth2(ADMIN).delete(path + "/" + listed.jsonPath().getLong("[0].id")), "delete",
                "/v1/apps/{app}/webhooks/{id}", 204);
    }

    @Test
    void sloExamplesAreAcceptedAndAnInvalidSloNamesItsField() throws Exception {
        String app = createApp("contract");
        JsonNode examples = requestBody("put", "/v1/apps/{app}/slos/{name}").path("examples");
        for (String example : List.of("ratio", "threshold")) {
            Response created = given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                    .body(JSON.writeValueAsString(example(examples.path(example)))).put("/v1/apps/" + app + "/slos/" + example);
            conforms(created, "put", "/v1/apps/{app}/slos/{name}", 201);
        }
        Response invalid = given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"sli\": \"replay_success_ratio\", \"objective\": 1.5}")
                .put("/v1/apps/" + app + "/slos/invalid");
        conforms(invalid, "put", "/v1/apps/{app}/slos/{name}", 400);
        assertThat(invalid.jsonPath().getString("field")).isEqualTo("objective");
        conforms(given().auth().oauth2(ADMIN).get("/v1/apps/" + app + "/slos"), "get", "/v1/apps/{app}/slos", 200);
        conforms(given().auth().oauth2(ADMIN).get("/v1/apps/" + app + "/slos/ratio"), "get", "/v1/apps/{app}/slos/{name}", 200);
    }

    @Test
    void theRolloutExampleIsAcceptedAndRolloutsAnswerAsDocumented() throws Exception {
        String app = createApp("contract");
        String flag = "contract-" + UUID.randomUUID().toString().substring(0, 8);
        unleash.createFlag(flag);
        ObjectNode rollout = (ObjectNode) example(requestBody("post", "/v1/rollouts").path("examples").path("rollout")).deepCopy();
        rollout.put("app", app).put("flag", flag);
        Response created = given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(JSON.writeValueAsString(rollout))
                .post("/v1/rollouts");
        conforms(created, "post", "/v1/rollouts", 201);
        long id = created.jsonPath().getLong("id");
        Response twice = given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(JSON.writeValueAsString(rollout))
                .post("/v1/rollouts");
        conforms(twice, "post", "/v1/rollouts", 409);
        rollout.put("flag", "contract-not-in-unleash");
        conforms(given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(JSON.writeValueAsString(rollout))
                .post("/v1/rollouts"), "post", "/v1/rollouts", 422);

        conforms(given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body("{\"reason\": \"contract test\"}")
                .post("/v1/rollouts/" + id + "/start"), "post", "/v1/rollouts/{id}/{command}", 200);
        conforms(given().auth().oauth2(token("on-call")).contentType(ContentType.JSON).body("{\"reason\": \"contract test\"}")
                .post("/v1/rollouts/" + id + "/promote"), "post", "/v1/rollouts/{id}/{command}", 403);
        conforms(given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body("{}")
                .post("/v1/rollouts/" + id + "/pause"), "post", "/v1/rollouts/{id}/{command}", 400);
        conforms(given().auth().oauth2(ADMIN).get("/v1/rollouts/" + id), "get", "/v1/rollouts/{id}", 200);
        conforms(given().auth().oauth2(ADMIN).queryParam("app", app).get("/v1/rollouts"), "get", "/v1/rollouts", 200);
        conforms(given().auth().oauth2(ADMIN).get("/v1/rollouts/" + id + "/decisions"), "get", "/v1/rollouts/{id}/decisions", 200);
        conforms(given().auth().oauth2(ADMIN).get("/v1/rollouts/" + id + "/convergence"), "get",
                "/v1/rollouts/{id}/convergence", 200);
        conforms(given().auth().oauth2(ADMIN).get("/v1/rollouts/0"), "get", "/v1/rollouts/{id}", 404);
    }

    private static JsonNode requestBody(String method, String path) {
        JsonNode content = document.path("paths").path(path).path(method).path("requestBody").path("content")
                .path("application/json");
        assertThat(content.isMissingNode()).as(method + " " + path + " documents a JSON request body").isFalse();
        return content;
    }

    /** The example's value, inline or from components/examples. */
    private static JsonNode example(JsonNode example) {
        if (example.has("$ref")) {
            String name = example.get("$ref").asText().substring("#/components/examples/".length());
            example = document.path("components").path("examples").path(name);
        }
        assertThat(example.has("value")).as("example " + example).isTrue();
        return example.get("value");
    }

    /** The answer has the status expected, the document lists it for the operation, and its body fits the schema. */
    private static void conforms(Response response, String method, String path, int status) {
        String operation = method.toUpperCase() + " " + path + " " + status;
        String body = response.asString();
        String shown = body.length() > 2000 ? body.substring(0, 2000) + "..." : body;
        assertThat(response.statusCode()).as(operation + ": " + shown).isEqualTo(status);
        JsonNode answer = document.path("paths").path(path).path(method).path("responses").path(String.valueOf(status));
        assertThat(answer.isMissingNode()).as(operation + " is documented").isFalse();
        String mediaType = response.contentType() == null ? "" : response.contentType().split(";")[0].trim();
        JsonNode content = answer.path("content");
        if (content.isMissingNode() || content.isEmpty()) {
            assertThat(response.asString()).as(operation + " has no documented body").isEmpty();
            return;
        }
        JsonNode media = content.path(mediaType);
        assertThat(media.isMissingNode()).as(operation + " documents " + mediaType + ", not only " + content.fieldNames().next())
                .isFalse();
        ObjectNode schema = ((ObjectNode) media.path("schema")).deepCopy();
        // the operation's schema as the root, with the document's components beside it for its $refs to resolve
        schema.set("components", document.path("components"));
        List<Error> errors = SCHEMAS.getSchema(schema.toString(), InputFormat.JSON).validate(body, InputFormat.JSON);
        assertThat(errors.stream().map(Error::toString).distinct().limit(20).toList()).as(operation + " " + shown).isEmpty();
    }
}
