package dev.bellwether.platform;

import static dev.bellwether.support.Fixtures.ADMIN;
import static dev.bellwether.support.Fixtures.beacon;
import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.ingestKey;
import static dev.bellwether.support.Fixtures.management;
import static dev.bellwether.support.Fixtures.postBeacon;
import static dev.bellwether.support.Fixtures.replays;
import static dev.bellwether.support.Fixtures.uniqueAppName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL refusing every write (as a standby after a failover does, or a server switched to read-only while its
 * disk is full): beacons and admin changes are answered 503 with Retry-After, not 500, nothing is half written,
 * readiness is DOWN, and once writes are allowed again the same process takes them.
 */
@QuarkusTest
class ReadOnlyDatabaseTest {

    @Inject
    DataSource dataSource;

    @Test
    void aDatabaseRefusingWritesIsAnsweredUnavailableWithNothingHalfWrittenAndRecoversWithoutRestart() throws Exception {
        String app = createApp("read-only");
        String key = ingestKey(app);
        Instant now = Instant.now();
        String known = beacon(app, "c-known", Map.of("new-sync-engine", true), replays("warm", 2, now));
        assertThat(postBeacon(key, known).statusCode()).isEqualTo(202);
        management().get("/q/health/ready").then().statusCode(200);

        // a release and flags the app has not sent before: storing the beacon must first register both
        String newDimensions = beacon(app, "c-new", Map.of("new-sync-engine", false, "dark-mode", true),
                replays("new", 3, now)).replace("2026.11.3", "2026.12.0");
        String knownDimensions = beacon(app, "c-known", Map.of("new-sync-engine", true), replays("later", 3, now));
        String refusedApp = uniqueAppName("refused");
        try {
            writesAllowed(false);

            management().get("/q/health/ready").then().statusCode(503);
            assertUnavailable(postBeacon(key, newDimensions));
            assertUnavailable(postBeacon(key, knownDimensions));
            assertUnavailable(given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                    .body("{\"name\": \"" + refusedApp + "\"}").post("/v1/apps").then().extract().response());
            assertUnavailable(given().auth().oauth2(ADMIN).post("/v1/apps/" + app + "/ingest-keys").then().extract().response());
            assertUnavailable(given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                    .body("{\"role\": \"viewer\", \"name\": \"" + refusedApp + "\"}").post("/v1/tokens").then().extract().response());
            // reads still work
            given().auth().oauth2(ADMIN).get("/v1/apps/" + app).then().statusCode(200);
        } finally {
            writesAllowed(true);
        }

        assertThat(count("SELECT count(*) FROM app WHERE name = ?", refusedApp)).as("the refused app").isZero();
        assertThat(count("SELECT count(*) FROM api_token WHERE name = ?", refusedApp)).as("the refused token").isZero();
        assertThat(count("SELECT count(*) FROM ingest_key k JOIN app a ON a.id = k.app_id WHERE a.name = ?", app))
                .as("only the key made before").isEqualTo(1);
        assertThat(count("SELECT count(*) FROM release r JOIN app a ON a.id = r.app_id WHERE a.name = ?", app))
                .as("no release registered for the refused beacon").isEqualTo(1);
        assertThat(count("SELECT count(*) FROM cohort c JOIN app a ON a.id = c.app_id WHERE a.name = ?", app))
                .as("no cohort registered for the refused beacon").isEqualTo(1);
        assertThat(count("SELECT count(*) FROM event e JOIN app a ON a.id = e.app_id WHERE a.name = ?", app))
                .as("only the events acknowledged before").isEqualTo(2);

        management().get("/q/health/ready").then().statusCode(200);
        Response resent = postBeacon(key, newDimensions);
        assertThat(resent.statusCode()).as(resent.asString()).isEqualTo(202);
        assertThat(resent.<Integer>path("accepted")).isEqualTo(3);
        assertThat(postBeacon(key, knownDimensions).<Integer>path("accepted")).isEqualTo(3);
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body("{\"name\": \"" + refusedApp + "\"}")
                .post("/v1/apps").then().statusCode(201);
        assertThat(count("SELECT count(*) FROM event e JOIN app a ON a.id = e.app_id WHERE a.name = ?", app)).isEqualTo(8);
    }

    private static void assertUnavailable(Response response) {
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(503);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.header("Retry-After")).isNotBlank();
    }

    /**
     * The server-wide default, as an operator would set it: existing sessions (the pool's, the probe's) take it at the
     * reload. This session overrides it first so that it can always switch writes back on.
     */
    private void writesAllowed(boolean allowed) throws SQLException, InterruptedException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("SET default_transaction_read_only = off");
            statement.execute(allowed ? "ALTER SYSTEM RESET default_transaction_read_only"
                    : "ALTER SYSTEM SET default_transaction_read_only = on");
            statement.execute("SELECT pg_reload_conf()");
            statement.execute("RESET default_transaction_read_only");
        }
        // the reload is signalled, not awaited: wait until a new transaction sees it
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                    ResultSet readOnly = statement.executeQuery("SELECT current_setting('transaction_read_only')")) {
                readOnly.next();
                if (readOnly.getString(1).equals(allowed ? "off" : "on")) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("PostgreSQL did not take default_transaction_read_only = " + !allowed);
    }

    private long count(String sql, String parameter) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, parameter);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
