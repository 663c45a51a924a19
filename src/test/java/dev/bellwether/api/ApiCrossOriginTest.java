package dev.bellwether.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

/** The token API answers cross-origin calls from the listed origins only, and never with credentials. */
@QuarkusTest
class ApiCrossOriginTest {

    private static final String LISTED = "http://localhost:9000";
    private static final String ADMIN = "test-admin-token";

    @Test
    void aListedOriginsPreflightIsAnsweredWithoutAToken() {
        Response preflight = given().header("Origin", LISTED).header("Access-Control-Request-Method", "PUT")
                .header("Access-Control-Request-Headers", "authorization,content-type")
                .options("/v1/apps/any/slos/any");
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.header("Access-Control-Allow-Origin")).isEqualTo(LISTED);
        assertThat(preflight.header("Access-Control-Allow-Methods")).contains("PUT", "DELETE", "PATCH");
        assertThat(preflight.header("Access-Control-Allow-Headers")).contains("Authorization", "Content-Type");
        assertThat(preflight.header("Access-Control-Allow-Credentials")).isNull();
    }

    @Test
    void answersToAListedOriginCarryItAndExposeWhatClientsRead() {
        Response listed = given().header("Origin", LISTED).auth().oauth2(ADMIN).get("/v1/apps");
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(listed.header("Access-Control-Allow-Origin")).isEqualTo(LISTED);
        assertThat(listed.header("Access-Control-Expose-Headers")).contains("Location", "Retry-After");

        Response refused = given().header("Origin", LISTED).get("/v1/apps");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.header("Access-Control-Allow-Origin")).as("a refusal is readable too").isEqualTo(LISTED);
    }

    @Test
    void anotherOriginGetsNoCrossOriginAnswer() {
        Response preflight = given().header("Origin", "https://evil.example").header("Access-Control-Request-Method", "GET")
                .options("/v1/apps");
        assertThat(preflight.header("Access-Control-Allow-Origin")).isNull();
        Response call = given().header("Origin", "https://evil.example").auth().oauth2(ADMIN).get("/v1/apps");
        assertThat(call.header("Access-Control-Allow-Origin")).isNull();
    }

    @Test
    void beaconsKeepTheirOwnPerAppRule() {
        Response preflight = given().header("Origin", LISTED).header("Access-Control-Request-Method", "POST")
                .options("/v1/beacons");
        // no app allows this origin: the beacon endpoint's own answer, whatever the token API's list says
        assertThat(preflight.statusCode()).isEqualTo(403);
        assertThat(preflight.header("Access-Control-Allow-Origin")).isNull();
    }
}
