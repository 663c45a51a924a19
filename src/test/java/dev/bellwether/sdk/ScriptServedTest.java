package dev.bellwether.sdk;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

/** The JavaScript SDK's script-tag build, built from sdk/js by the Maven build, is served to any page. */
@QuarkusTest
class ScriptServedTest {

    @Test
    void theScriptIsServedWithoutATokenAsJavaScriptDefiningBellwether() {
        // As a script tag of another origin fetches it: no credentials, an Origin header, no CORS needed.
        ExtractableResponse<Response> response = given().header("Origin", "https://field-notes.example")
                .get("/sdk/bellwether.js").then().extract();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.contentType()).matches("(text|application)/javascript.*");
        assertThat(response.body().asString()).contains("globalThis.Bellwether=").contains("init").contains("/v1/beacons");
        // The URL names no version: cached briefly, never as immutable.
        assertThat(response.header("Cache-Control")).isEqualTo("public, max-age=3600");
    }

    @Test
    void theWorkboxAdapterIsServedBesideItForServiceWorkers() {
        ExtractableResponse<Response> response = given().get("/sdk/bellwether-workbox.js").then().extract();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body().asString()).contains("workboxSync").contains("Bellwether");
        assertThat(response.header("Cache-Control")).isEqualTo("public, max-age=3600");
    }

    @Test
    void aMissingScriptIsA404NotARefusal() {
        assertThat(given().get("/sdk/nothing-here.js").then().extract().statusCode()).isEqualTo(404);
    }
}
