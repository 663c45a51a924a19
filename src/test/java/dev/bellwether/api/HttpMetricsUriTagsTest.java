package dev.bellwether.api;

import static dev.bellwether.support.Fixtures.ADMIN;
import static dev.bellwether.support.Fixtures.management;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Clients choose the paths they send; the HTTP metrics must not let them choose the {@code uri} tag values, or a
 * flood of made-up paths fills Micrometer's per-meter tag limit and real endpoints stop being recorded.
 */
@QuarkusTest
class HttpMetricsUriTagsTest {

    private static final Pattern URI_TAG = Pattern.compile("http_server_requests_seconds_count\\{[^}]*uri=\"([^\"]*)\"");
    /** More than Micrometer's default limit of distinct uri values, so an unbounded tag would hit it. */
    private static final int FLOOD = 150;

    @Test
    void madeUpPathsAndWrongMethodsDoNotAddUriTagValues() {
        String marker = "zz" + UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < FLOOD; i++) {
            String random = marker + i;
            given().get("/" + random).then().statusCode(404);
            given().get("/v1/" + random).then().statusCode(404);
            given().delete("/v1/apps/" + random).then().statusCode(405);
            given().delete("/v1/rollouts/" + (900_000 + i)).then().statusCode(405);
            given().put("/v1/rollouts/" + random + "/" + random).then().statusCode(405);
            given().options("/v1/apps/" + random);
            given().auth().oauth2(ADMIN).get("/v1/rollouts/" + (900_000 + i) + "/" + random);
        }
        double before = count("GET", "/v1/rollouts/{id}", "404");
        int beaconStatus = given().contentType("application/json").body("{}").post("/v1/beacons").statusCode();
        double beaconsBefore = count("POST", "/v1/beacons", String.valueOf(beaconStatus));

        given().auth().oauth2(ADMIN).get("/v1/rollouts/" + 987_654_321).then().statusCode(404);
        given().contentType("application/json").body("{}").post("/v1/beacons").then().statusCode(beaconStatus);

        Set<String> uris = uriTagValues();
        assertThat(uris).as(uris.toString()).noneMatch(uri -> uri.contains(marker) || uri.matches(".*\\d{6,}.*"));
        assertThat(uris).allMatch(uri -> uri.startsWith("/") || Set.of("NOT_FOUND", "UNKNOWN", "REDIRECTION", "root").contains(uri));
        assertThat(count("GET", "/v1/rollouts/{id}", "404")).as("a real endpoint is still recorded").isEqualTo(before + 1);
        // the alerts and dashboards select uri="/v1/beacons"
        assertThat(count("POST", "/v1/beacons", String.valueOf(beaconStatus))).isEqualTo(beaconsBefore + 1);
    }

    private static Set<String> uriTagValues() {
        Matcher matcher = URI_TAG.matcher(management().get("/q/metrics").then().statusCode(200).extract().asString());
        Set<String> uris = new TreeSet<>();
        while (matcher.find()) {
            uris.add(matcher.group(1));
        }
        return uris;
    }

    private static double count(String method, String uri, String status) {
        Pattern series = Pattern.compile("http_server_requests_seconds_count\\{(?=[^}]*method=\"" + method + "\")(?=[^}]*status=\""
                + status + "\")[^}]*uri=\"" + Pattern.quote(uri) + "\"[^}]*} (\\S+)");
        Matcher matcher = series.matcher(management().get("/q/metrics").then().statusCode(200).extract().asString());
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
    }
}
