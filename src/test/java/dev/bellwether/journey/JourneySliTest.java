package dev.bellwether.journey;

import static dev.bellwether.support.Fixtures.ADMIN;
import static dev.bellwether.support.Fixtures.beacon;
import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.ingestKey;
import static dev.bellwether.support.Fixtures.postBeacon;
import static dev.bellwether.support.Fixtures.sli;
import static dev.bellwether.support.Fixtures.sync;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Beacons in over HTTP, rollups in PostgreSQL, SLIs out per journey. */
@QuarkusTest
class JourneySliTest {

    private static String replay(String id, Instant at, String mutation, String outcome, int attempts, int latencyMs) {
        return "{\"id\": \"" + id + "\", \"type\": \"replay\", \"at\": \"" + at + "\", \"mutation\": \"" + mutation
                + "\", \"outcome\": \"" + outcome + "\", \"attempts\": " + attempts + ", \"latencyMs\": " + latencyMs + "}";
    }

    private static void declare(String app, String name, String body) {
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(body)
                .put("/v1/apps/" + app + "/journeys/" + name).then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
    }

    private static void send(String key, String app, String client, Map<String, Object> flags, List<String> events) {
        postBeacon(key, beacon(app, client, flags, events)).then().statusCode(202).body("accepted", equalTo(events.size()));
    }

    @Test
    void replaysAreCountedUnderTheJourneyTheirMutationMapsTo() {
        String app = createApp("journey-sli");
        String key = ingestKey(app);
        declare(app, "checkout", "{\"mutations\": [\"order.submit\", \"payment.*\"], \"criticality\": \"critical\"}");
        declare(app, "orders", "{\"mutations\": [\"order.*\"], \"criticality\": \"normal\"}");
        Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(5, ChronoUnit.MINUTES);
        send(key, app, "c-1", Map.of("new-checkout", true), List.of(
                replay("e-1", at, "order.submit", "dead_lettered", 1, 3000),
                replay("e-2", at, "payment.card", "succeeded", 1, 200),
                replay("e-3", at, "order.cancel", "succeeded", 1, 100),
                replay("e-4", at, "note.update", "succeeded", 1, 50),
                replay("e-5", at, "note.update", "succeeded", 1, 60),
                sync("e-6", at, 1200, 30000)));
        send(key, app, "c-2", Map.of("new-checkout", false), List.of(replay("e-1", at, "order.submit", "succeeded", 1, 400)));
        Instant from = at.minus(1, ChronoUnit.HOURS);
        Instant to = at.plus(1, ChronoUnit.HOURS);

        JsonPath all = sli(app, from, to).jsonPath();
        // the totals are what they were before journeys: every replay and the sync
        assertThat(all.getLong("total.replays.succeeded")).isEqualTo(5);
        assertThat(all.getLong("total.replays.deadLettered")).isEqualTo(1);
        assertThat(all.getLong("total.syncs.count")).isEqualTo(1);
        assertThat(all.getList("journeys.journey")).containsExactly("checkout", "orders", "other");
        assertThat(all.getString("journeys.find { it.journey == 'checkout' }.criticality")).isEqualTo("critical");
        assertThat(all.getLong("journeys.find { it.journey == 'checkout' }.replays.deadLettered")).isEqualTo(1);
        assertThat(all.getLong("journeys.find { it.journey == 'checkout' }.replays.succeeded")).isEqualTo(2);
        assertThat(all.getLong("journeys.find { it.journey == 'orders' }.replays.succeeded")).isEqualTo(1);
        assertThat(all.getLong("journeys.find { it.journey == 'other' }.replays.succeeded")).isEqualTo(2);
        assertThat(all.getString("journeys.find { it.journey == 'other' }.criticality")).isNull();

        JsonPath checkout = sli(app, from, to, "journey", "checkout", "flag", "new-checkout").jsonPath();
        assertThat(checkout.getString("journey")).isEqualTo("checkout");
        assertThat(checkout.getLong("total.events")).isEqualTo(3);
        assertThat(checkout.getDouble("total.replays.deadLetterRatio")).isCloseTo(1.0 / 3, within(1e-6));
        assertThat(checkout.getDouble("total.replays.repeatFailureRatio")).isCloseTo(1.0 / 3, within(1e-6));
        assertThat(checkout.getDouble("total.replays.latencyMs.p50")).isBetween(396.0, 404.0); // of 200, 400 and 3000 ms
        assertThat(checkout.getString("total.syncs")).isNull();
        assertThat(checkout.getLong("cohorts.find { it.arm == 'canary' }.sli.replays.deadLettered")).isEqualTo(1);
        assertThat(checkout.getLong("cohorts.find { it.arm == 'control' }.sli.replays.deadLettered")).isZero();
        assertThat(checkout.getList("journeys.journey")).containsExactly("checkout");

        JsonPath other = sli(app, from, to, "journey", "other").jsonPath();
        assertThat(other.getLong("total.replays.succeeded")).isEqualTo(2);
        assertThat(other.getLong("total.events")).isEqualTo(2);
        assertThat(other.getString("total.syncs")).isNull();

        given().auth().oauth2(ADMIN).queryParam("journey", "checkuot").get("/v1/apps/" + app + "/sli").then().statusCode(400)
                .body("field", equalTo("journey")).body("detail", containsString("checkout, orders, other"));
    }

    @Test
    void aChangeAppliesToLaterEventsAndLeavesEarlierCountsWhereTheyWere() {
        String app = createApp("journey-change");
        String key = ingestKey(app);
        Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(5, ChronoUnit.MINUTES);
        send(key, app, "c-1", Map.of(), List.of(replay("e-1", at, "note.update", "dead_lettered", 1, 10)));

        declare(app, "notes", "{\"mutations\": [\"note.*\"], \"criticality\": \"important\"}");
        send(key, app, "c-1", Map.of(), List.of(replay("e-2", at, "note.update", "dead_lettered", 1, 10),
                replay("e-3", at, "note.update", "succeeded", 1, 10)));

        given().auth().oauth2(ADMIN).delete("/v1/apps/" + app + "/journeys/notes").then().statusCode(204);
        send(key, app, "c-1", Map.of(), List.of(replay("e-4", at, "note.update", "succeeded", 1, 10)));

        JsonPath report = sli(app, at.minus(1, ChronoUnit.HOURS), at.plus(1, ChronoUnit.HOURS)).jsonPath();
        // before the journey and after its removal: other; while declared: notes, kept under its name once removed
        assertThat(report.getLong("journeys.find { it.journey == 'other' }.replays.deadLettered")).isEqualTo(1);
        assertThat(report.getLong("journeys.find { it.journey == 'other' }.replays.succeeded")).isEqualTo(1);
        assertThat(report.getLong("journeys.find { it.journey == 'notes' }.replays.deadLettered")).isEqualTo(1);
        assertThat(report.getLong("journeys.find { it.journey == 'notes' }.replays.succeeded")).isEqualTo(1);
        assertThat(report.getBoolean("journeys.find { it.journey == 'notes' }.removed")).isTrue();
        assertThat(sli(app, at.minus(1, ChronoUnit.HOURS), at.plus(1, ChronoUnit.HOURS), "journey", "notes").jsonPath()
                .getLong("total.replays.terminal")).isEqualTo(2);
    }
}
