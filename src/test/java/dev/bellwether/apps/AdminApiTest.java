package dev.bellwether.apps;

import static dev.bellwether.support.Fixtures.ADMIN;
import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.token;
import static dev.bellwether.support.Fixtures.uniqueAppName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@QuarkusTest
class AdminApiTest {

    @Test
    void adminApiNeedsABearerToken() {
        given().contentType(ContentType.JSON).body("{\"name\": \"x\"}").post("/v1/apps")
                .then().statusCode(401).contentType("application/problem+json").header("WWW-Authenticate", startsWith("Bearer"));
        given().auth().oauth2("bwt_wrong").get("/v1/apps").then().statusCode(401);
    }

    @Test
    void concurrentCreatesOfOneAppGiveOneCreatedAndConflictsNeverAServerError() throws Exception {
        for (int round = 0; round < 5; round++) {
            String name = uniqueAppName("race");
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            java.util.List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body("{\"name\": \"" + name + "\"}")
                            .post("/v1/apps").then().extract().statusCode();
                }));
            }
            go.countDown();
            java.util.List<Integer> statuses = new java.util.ArrayList<>();
            for (var answer : answers) {
                statuses.add(answer.get());
            }
            pool.shutdown();

            assertThat(statuses).as("round %d: %s", round, statuses).containsOnly(201, 409);
            assertThat(statuses.stream().filter(status -> status == 201)).hasSize(1);
        }
    }

    @Test
    void aViewerReadsButCannotChangeAnything() {
        String viewer = token("viewer");
        String app = createApp("viewed");
        given().auth().oauth2(viewer).get("/v1/apps/" + app).then().statusCode(200).body("name", equalTo(app));
        given().auth().oauth2(viewer).queryParam("window", "1h").get("/v1/apps/" + app + "/sli").then().statusCode(200);
        given().auth().oauth2(viewer).contentType(ContentType.JSON).body("{\"name\": \"" + uniqueAppName("nope") + "\"}")
                .post("/v1/apps").then().statusCode(403).body("detail", containsString("viewer"));
        given().auth().oauth2(viewer).post("/v1/apps/" + app + "/ingest-keys").then().statusCode(403);
        given().auth().oauth2(viewer).contentType(ContentType.JSON).body("{\"role\": \"admin\", \"name\": \"escalate\"}")
                .post("/v1/tokens").then().statusCode(403);
    }

    @Test
    void aCreatedAdminTokenWorksUntilRevoked() {
        var created = given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"role\": \"admin\", \"name\": \"second-admin\"}").post("/v1/tokens")
                .then().statusCode(201).body("role", equalTo("admin")).extract();
        String secret = created.path("token");
        assertThat(secret).startsWith("bwt_").hasSizeGreaterThan(40);
        createAppWith(secret);
        given().auth().oauth2(ADMIN).get("/v1/tokens").then().statusCode(200)
                .body("prefix", hasItem(secret.substring(0, 10)))
                .body(not(containsString(secret)));
        given().auth().oauth2(ADMIN).delete("/v1/tokens/" + created.<Integer>path("id")).then().statusCode(204);
        given().auth().oauth2(secret).get("/v1/apps").then().statusCode(401);
    }

    @Test
    void ingestKeysAreShownOnceAndListedOnlyByPrefix() {
        String app = createApp("keys");
        String key = given().auth().oauth2(ADMIN).post("/v1/apps/" + app + "/ingest-keys")
                .then().statusCode(201).extract().path("key");
        assertThat(key).startsWith("bwi_");
        String listing = given().auth().oauth2(ADMIN).get("/v1/apps/" + app + "/ingest-keys")
                .then().statusCode(200).extract().asString();
        assertThat(listing).doesNotContain(key).contains(key.substring(0, 10));
    }

    @Test
    void anIngestKeyMayBeNamedAndIsListedWithItsNameAndABodylessPostStillMakesAnUnnamedKey() {
        String app = createApp("named-keys");
        String path = "/v1/apps/" + app + "/ingest-keys";
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body("{\"name\": \"field-notes web, <production>\"}")
                .post(path).then().statusCode(201)
                .body("name", equalTo("field-notes web, <production>")).body("key", startsWith("bwi_"));
        // 63 characters, each two UTF-16 units: the limit counts characters, as PostgreSQL does
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body("{\"name\": \"" + "😀".repeat(63) + "\"}")
                .post(path).then().statusCode(201).body("name", equalTo("😀".repeat(63)));
        given().auth().oauth2(ADMIN).post(path).then().statusCode(201).body("name", nullValue()).body("key", startsWith("bwi_"));
        given().auth().oauth2(ADMIN).contentType(ContentType.TEXT).post(path).then().statusCode(201).body("name", nullValue());
        given().auth().oauth2(ADMIN).contentType(ContentType.URLENC).post(path).then().statusCode(201).body("name", nullValue());
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body("{}").post(path).then().statusCode(201)
                .body("name", nullValue());
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body("null").post(path).then().statusCode(201)
                .body("name", nullValue());
        given().auth().oauth2(ADMIN).get(path).then().statusCode(200).body("name", contains(
                "field-notes web, <production>", "😀".repeat(63), null, null, null, null, null));
    }

    @ParameterizedTest(name = "an ingest key with the body {0} is a 400 naming {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"name\": \"\"}|name",
        "{\"name\": \"   \"}|name",
        "{\"name\": \"a\\u0007b\"}|name",
        "{\"name\": \"a\\u0000b\"}|name",
        "{\"name\": 5}|name",
        "{\"name\": [\"x\"]}|name",
        "{\"name\": \"LONG\"}|name",
        "{\"name\": \"a\", \"name\": \"b\"}|name",
        "not json|"})
    void badIngestKeyBodiesAreA400AndCreateNothing(String body, String field) {
        String app = createApp("bad-key-names");
        var response = given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(body.replace("LONG", "k".repeat(64)))
                .post("/v1/apps/" + app + "/ingest-keys").then().statusCode(400).contentType("application/problem+json")
                .extract();
        assertThat(response.<String>path("field")).isEqualTo(field);
        assertThat(response.<String>path("detail")).isNotBlank();
        given().auth().oauth2(ADMIN).get("/v1/apps/" + app + "/ingest-keys").then().body("size()", equalTo(0));
    }

    @Test
    void aViewerCannotCreateAKeyWhateverTheBody() {
        String viewer = token("viewer");
        String app = createApp("viewer-keys");
        String path = "/v1/apps/" + app + "/ingest-keys";
        given().auth().oauth2(viewer).post(path).then().statusCode(403).contentType("application/problem+json");
        given().auth().oauth2(viewer).contentType(ContentType.TEXT).body("hello").post(path).then().statusCode(403);
        given().auth().oauth2(viewer).contentType(ContentType.JSON).body("{\"name\": \"mine\"}").post(path)
                .then().statusCode(403);
        given().auth().oauth2(viewer).contentType(ContentType.JSON).body("{\"name\": 5}").post(path).then().statusCode(403);
        given().auth().oauth2(ADMIN).get(path).then().body("size()", equalTo(0));
    }

    @ParameterizedTest(name = "{0} is a 400 naming {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"name\": \"Upper Case\"}|name",
        "{}|name",
        "{\"name\": \"ok-name-x\", \"allowedOrigins\": [\"notes.example/path\"]}|allowedOrigins[0]",
        "{\"name\": \"ok-name-y\", \"beaconsPerSecond\": 0}|beaconsPerSecond",
        "{\"name\": 5}|name",
        "not json|"})
    void invalidAppsAreA400NamingTheField(String body, String field) {
        var response = given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(body).post("/v1/apps")
                .then().statusCode(400).contentType("application/problem+json").extract();
        assertThat(response.<String>path("field")).isEqualTo(field);
        assertThat(response.<String>path("detail")).isNotBlank();
    }

    @Test
    void unknownRoleIsA400() {
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body("{\"role\": \"superuser\", \"name\": \"x\"}")
                .post("/v1/tokens").then().statusCode(400).body("detail", containsString("release-manager"));
    }

    @Test
    void appNamesAreUniqueAndOriginsCanBeChanged() {
        String app = createApp("unique");
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body("{\"name\": \"" + app + "\"}").post("/v1/apps")
                .then().statusCode(409);
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"allowedOrigins\": [\"https://a.example\", \"http://localhost:3000\"]}")
                .patch("/v1/apps/" + app).then().statusCode(200)
                .body("allowedOrigins", org.hamcrest.Matchers.contains("https://a.example", "http://localhost:3000"));
        given().auth().oauth2(ADMIN).get("/v1/apps/no-such-app").then().statusCode(404);
    }

    @Test
    void sliWindowsAreValidated() {
        String app = createApp("windows");
        given().auth().oauth2(ADMIN).queryParam("window", "fortnight").get("/v1/apps/" + app + "/sli")
                .then().statusCode(400).body("field", equalTo("window"));
        given().auth().oauth2(ADMIN).queryParam("window", "2000d").get("/v1/apps/" + app + "/sli")
                .then().statusCode(400).body("detail", containsString("400 days"));
        given().auth().oauth2(ADMIN).queryParam("from", "yesterday").get("/v1/apps/" + app + "/sli")
                .then().statusCode(400).body("field", equalTo("from"));
        given().auth().oauth2(ADMIN).queryParam("window", "30d").get("/v1/apps/" + app + "/sli").then().statusCode(200);
    }

    @Test
    void withoutUnleashRolloutsAnswerThatItIsNotConfigured() {
        String app = createApp("no-unleash");
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"app\": \"" + app + "\", \"flag\": \"f\", \"guards\": [{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}]}")
                .post("/v1/rollouts").then().statusCode(503).contentType("application/problem+json")
                .body("detail", containsString("Unleash is not configured"));
    }

    private static void createAppWith(String adminToken) {
        given().auth().oauth2(adminToken).contentType(ContentType.JSON).body("{\"name\": \"" + uniqueAppName("by-token") + "\"}")
                .post("/v1/apps").then().statusCode(201);
    }
}
