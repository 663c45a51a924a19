package dev.bellwether.api;

import static dev.bellwether.support.Fixtures.ADMIN;
import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.sli;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Input PostgreSQL cannot hold is a 400 naming the field, not a 500 from the query. */
@QuarkusTest
class ControlCharactersAndTimesTest {

    private static void assertBadRequest(ExtractableResponse<Response> response, String field) {
        assertThat(response.statusCode()).as(response.body().asString()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.<String>path("field")).isEqualTo(field);
        assertThat(response.<String>path("detail")).isNotBlank();
    }

    @ParameterizedTest(name = "{0}={1} is a 400")
    @CsvSource({"to, +300000-01-01T00:00:00Z", "from, -290000-01-01T00:00:00Z", "to, +10000-01-01T00:00:00Z"})
    void sliTimesOutsideTheCalendarAreA400NamingTheParameter(String parameter, String value) {
        String app = createApp("far");
        var request = given().auth().oauth2(ADMIN).queryParam(parameter, value);
        if (parameter.equals("from")) {
            request = request.queryParam("to", Instant.now().toString());
        }

        assertBadRequest(request.get("/v1/apps/" + app + "/sli").then().extract(), parameter);
    }

    @Test
    void controlCharactersInPathAndQueryValuesAreA400NamingThem() {
        String app = createApp("nul");

        assertBadRequest(given().auth().oauth2(ADMIN).urlEncodingEnabled(false).get("/v1/apps/a%00b").then().extract(), "app");
        assertBadRequest(given().auth().oauth2(ADMIN).urlEncodingEnabled(false)
                .get("/v1/apps/" + app + "/sli?release=r%00").then().extract(), "release");
        assertBadRequest(given().auth().oauth2(ADMIN).urlEncodingEnabled(false)
                .get("/v1/apps/" + app + "/sli?flag=f%01").then().extract(), "flag");
        assertBadRequest(given().auth().oauth2(ADMIN).urlEncodingEnabled(false)
                .get("/v1/apps/" + app + "/slos/s%00").then().extract(), "name");
        assertBadRequest(given().auth().oauth2(ADMIN).urlEncodingEnabled(false)
                .get("/v1/rollouts?app=a%00").then().extract(), "app");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "a token name|/v1/tokens|{\"role\": \"viewer\", \"name\": \"x\\u0000y\"}|name",
            "an allowed origin|/v1/apps|{\"name\": \"nul-origin\", \"allowedOrigins\": [\"https://a\\u0000b\"]}|allowedOrigins[0]"})
    void nulInABodyTextIsA400NamingTheField(String what, String path, String body, String field) {
        var response = given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(body).post(path).then().extract();

        assertBadRequest(response, field);
    }
}
