package dev.bellwether.api;

import static dev.bellwether.api.GeneratedRequests.concat;
import static dev.bellwether.api.GeneratedRequests.utf8;
import static dev.bellwether.support.Fixtures.ADMIN;
import static dev.bellwether.support.Fixtures.beacon;
import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.ingestKey;
import static dev.bellwether.support.Fixtures.replays;
import static dev.bellwether.support.Fixtures.sli;
import static dev.bellwether.support.Fixtures.uniqueAppName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** JSON that a lenient parser would guess at is refused with a 400 naming the field, and nothing is stored. */
@QuarkusTest
class StrictJsonTest {

    private static void assertBadRequest(ExtractableResponse<Response> response, String field) {
        assertThat(response.statusCode()).as(response.body().asString()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.<String>path("field")).isEqualTo(field);
        assertThat(response.<String>path("detail")).isNotBlank();
    }

    private static ExtractableResponse<Response> postBeacon(String key, byte[] body, boolean gzip) {
        var request = given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON).body(body);
        if (gzip) {
            request = request.header("Content-Encoding", "gzip");
        }
        return request.post("/v1/beacons").then().extract();
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(bytes);
        }
        return out.toByteArray();
    }

    private static int storedEvents(String app, Instant now) {
        return sli(app, now.minus(5, ChronoUnit.MINUTES), now.plus(1, ChronoUnit.MINUTES)).path("total.events");
    }

    @ParameterizedTest(name = "a beacon followed by {0} is refused")
    @CsvSource({"trailing garbage, ' xyz'", "a second object, '{\"schema\": 1}'", "a second beacon, SELF"})
    void aBeaconWithAnythingAfterItIsRefusedAndNothingIsStored(String what, String trailer) {
        String app = createApp("trailing");
        String key = ingestKey(app);
        Instant now = Instant.now();
        String beacon = beacon(app, "c-1", Map.of(), replays("t", 2, now));

        assertBadRequest(postBeacon(key, utf8(beacon + (trailer.equals("SELF") ? beacon : trailer)), false), null);
        assertThat(storedEvents(app, now)).isZero();
    }

    @Test
    void aBeaconWithADuplicateKeyIsRefusedNamingIt() {
        String app = createApp("dup");
        String key = ingestKey(app);
        String beacon = beacon(app, "c-1", Map.of(), replays("d", 1, Instant.now()))
                .replace("\"client\": \"c-1\"", "\"client\": \"c-1\", \"client\": \"c-2\"");

        assertBadRequest(postBeacon(key, utf8(beacon), false), "client");
    }

    @Test
    void aBeaconWithOverlongUtf8IsRefused() {
        String app = createApp("overlong");
        String key = ingestKey(app);
        String[] parts = beacon(app, "c-1", Map.of(), replays("o", 1, Instant.now())).split("2026\\.11\\.3", 2);
        // 0xC0 0xAE: '.' encoded in two bytes, which UTF-8 forbids
        byte[] body = concat(utf8(parts[0] + "2026"), new byte[] {(byte) 0xC0, (byte) 0xAE}, utf8("11.3" + parts[1]));

        assertBadRequest(postBeacon(key, body, false), null);
    }

    @Test
    void gzipWithTrailingGarbageIsRefusedAndNothingIsStored() throws IOException {
        String app = createApp("gztrail");
        String key = ingestKey(app);
        Instant now = Instant.now();
        byte[] body = concat(gzip(utf8(beacon(app, "c-1", Map.of(), replays("g", 2, now)))), utf8("garbage"));

        assertBadRequest(postBeacon(key, body, true), null);
        assertThat(storedEvents(app, now)).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "trailing garbage|{\"name\": \"%s\"} xyz|",
            "two objects|{\"name\": \"%s\"}{\"name\": \"%s-b\"}|",
            "a duplicate key|{\"name\": \"%s\", \"name\": \"%s-b\"}|name",
            "a fractional rate|{\"name\": \"%s\", \"beaconsPerSecond\": 1.5}|beaconsPerSecond"})
    void aLenientAdminBodyIsRefused(String what, String template, String field) {
        String name = uniqueAppName("lenient");
        var response = given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(template.replace("%s", name))
                .post("/v1/apps").then().extract();

        assertBadRequest(response, field);
        given().auth().oauth2(ADMIN).get("/v1/apps/" + name).then().statusCode(404);
    }

    @Test
    void anAdminBodyWithOverlongUtf8IsRefused() {
        byte[] body = concat(utf8("{\"role\": \"viewer\", \"name\": \"x"), new byte[] {(byte) 0xC0, (byte) 0xAF}, utf8("y\"}"));

        var response = given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(body).post("/v1/tokens").then().extract();

        assertBadRequest(response, null);
    }
}
