package dev.bellwether.api;

import static dev.bellwether.support.Fixtures.ADMIN;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Refusals made before JAX-RS reads a body or converts a parameter are problem JSON too. */
@QuarkusTest
class HttpEdgesTest {

    private static void assertBadRequest(ExtractableResponse<Response> response, String field) {
        assertThat(response.statusCode()).as(response.body().asString()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.<String>path("field")).isEqualTo(field);
        assertThat(response.<String>path("detail")).isNotBlank();
    }

    @Test
    void aBodyOverTheHardLimitIsA413ProblemJson() {
        String body = "{\"name\": \"" + "x".repeat(1_100_000) + "\"}";

        var response = given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(body).post("/v1/apps").then().extract();

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.<Integer>path("status")).isEqualTo(413);
    }

    @ParameterizedTest(name = "activeMinutes={0} is a 400")
    @CsvSource({"abc", "1.5", "99999999999", "0"})
    void aBadActiveMinutesIsA400NamingIt(String value) {
        assertBadRequest(given().auth().oauth2(ADMIN).queryParam("activeMinutes", value)
                .get("/v1/rollouts/1/convergence").then().extract(), "activeMinutes");
    }

    @ParameterizedTest(name = "{0} {1} with the body null is a 400 naming no internal name")
    @CsvSource({"POST, /v1/apps", "POST, /v1/tokens", "POST, /v1/rollouts", "POST, /v1/rollouts/1/pause"})
    void aMissingBodyIsA400AboutTheBody(String method, String path) {
        var response = given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body("null").request(method, path)
                .then().extract();

        assertBadRequest(response, null);
        assertThat(response.<String>path("detail")).startsWith("the request body");
    }
}
