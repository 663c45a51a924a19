package dev.bellwether.journey;

import static dev.bellwether.support.Fixtures.ADMIN;
import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@QuarkusTest
class JourneyApiTest {

    private static ValidatableResponse put(String app, String name, String body) {
        return given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(body)
                .put("/v1/apps/" + app + "/journeys/" + name).then();
    }

    @Test
    void theExampleCatalogDeclaresAJourney() {
        given().auth().oauth2(ADMIN).get("/v1/apps/field-notes/journeys").then().statusCode(200)
                .body("find { it.name == 'edit-notes' }.mutations", equalTo(java.util.List.of("note.*")))
                .body("find { it.name == 'edit-notes' }.criticality", equalTo("critical"))
                .body("find { it.name == 'edit-notes' }.source", equalTo("catalog"));
    }

    @Test
    void journeyLifecycleThroughTheApi() {
        String app = createApp("journeys");
        put(app, "checkout", "{\"mutations\": [\"order.submit\", \"payment.*\"], \"criticality\": \"critical\"}")
                .statusCode(201).body("name", equalTo("checkout")).body("criticality", equalTo("critical"))
                .body("source", equalTo("api")).body("appliesFrom", notNullValue());
        put(app, "checkout", "{\"mutations\": [\"order.submit\"], \"criticality\": \"important\"}")
                .statusCode(200).body("mutations", equalTo(java.util.List.of("order.submit")));
        String viewer = token("viewer");
        given().auth().oauth2(viewer).get("/v1/apps/" + app + "/journeys").then().statusCode(200)
                .body("name", equalTo(java.util.List.of("checkout"))).body("[0].criticality", equalTo("important"));
        given().auth().oauth2(viewer).contentType(ContentType.JSON).body("{\"mutations\": [\"x\"], \"criticality\": \"normal\"}")
                .put("/v1/apps/" + app + "/journeys/x").then().statusCode(403);
        given().auth().oauth2(ADMIN).delete("/v1/apps/" + app + "/journeys/checkout").then().statusCode(204);
        given().auth().oauth2(ADMIN).delete("/v1/apps/" + app + "/journeys/checkout").then().statusCode(404);
        given().auth().oauth2(ADMIN).get("/v1/apps/" + app + "/journeys").then().statusCode(200).body("size()", equalTo(0));
        // declared again after removal: new again, and the freed pattern may go to another journey meanwhile
        put(app, "orders", "{\"mutations\": [\"order.submit\"], \"criticality\": \"normal\"}").statusCode(201);
        put(app, "checkout", "{\"mutations\": [\"payment.*\"], \"criticality\": \"critical\"}").statusCode(201);
        put(app, "x", "{\"mutations\": [\"x\"], \"criticality\": \"normal\"}");
        given().auth().oauth2(ADMIN).get("/v1/apps/no-such-app/journeys").then().statusCode(404);
    }

    @ParameterizedTest(name = "{0} is a 400 naming {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"criticality\": \"critical\"}|mutations|is required",
        "{\"mutations\": [], \"criticality\": \"critical\"}|mutations|is required",
        "{\"mutations\": [\"a\"]}|criticality|is required",
        "{\"mutations\": [\"a\"], \"criticality\": \"urgent\"}|criticality|critical, important, normal",
        "{\"mutations\": [\"a\", \"b*c\"], \"criticality\": \"normal\"}|mutations[1]|last character",
        "{\"mutations\": [\"a\", \"a\"], \"criticality\": \"normal\"}|mutations[1]|twice",
        "{\"mutations\": \"a\", \"criticality\": \"normal\"}|mutations|wrong type",
        "{\"mutations\": [\"a\"], \"criticality\": \"normal\", \"pattern\": 1}|pattern|not a field",
        "[1]||JSON object"})
    void invalidJourneysAreA400SayingWhy(String body, String field, String why) {
        String app = createApp("journeys-bad");
        put(app, "checkout", body).statusCode(400).contentType("application/problem+json")
                .body("field", equalTo(field)).body("detail", containsString(why));
        given().auth().oauth2(ADMIN).get("/v1/apps/" + app + "/journeys").then().body("size()", equalTo(0));
    }

    @Test
    void namesAreValidatedAndOtherIsReserved() {
        String app = createApp("journeys-names");
        String body = "{\"mutations\": [\"a\"], \"criticality\": \"normal\"}";
        put(app, "Check Out", body).statusCode(400).body("field", equalTo("name"));
        put(app, "other", body).statusCode(400).body("field", equalTo("name")).body("detail", containsString("other"));
    }

    @Test
    void aPatternBelongsToOneJourneyOnly() {
        String app = createApp("journeys-shared");
        put(app, "checkout", "{\"mutations\": [\"order.*\"], \"criticality\": \"critical\"}").statusCode(201);
        put(app, "orders", "{\"mutations\": [\"order.list\", \"order.*\"], \"criticality\": \"normal\"}")
                .statusCode(409).body("field", equalTo("mutations[1]")).body("detail", containsString("checkout"));
        // a more specific pattern of another journey is fine: it wins for the mutations it names
        put(app, "orders", "{\"mutations\": [\"order.list\"], \"criticality\": \"normal\"}").statusCode(201);
    }

    @Test
    void anAppHasAtMostFiftyJourneys() {
        String app = createApp("journeys-bound");
        for (int i = 0; i < JourneySpec.MAX_JOURNEYS_PER_APP; i++) {
            put(app, "j" + i, "{\"mutations\": [\"m" + i + "\"], \"criticality\": \"normal\"}").statusCode(201);
        }
        put(app, "one-more", "{\"mutations\": [\"more\"], \"criticality\": \"normal\"}").statusCode(409)
                .body("field", equalTo("name")).body("detail", containsString("remove one first"));
        // replacing one of them is not a new one
        put(app, "j0", "{\"mutations\": [\"m0\", \"n0\"], \"criticality\": \"critical\"}").statusCode(200);
        assertThat(given().auth().oauth2(ADMIN).get("/v1/apps/" + app + "/journeys").then().extract().jsonPath()
                .getList("name")).hasSize(JourneySpec.MAX_JOURNEYS_PER_APP);
    }
}
