package dev.bellwether.console;

import static dev.bellwether.support.Fixtures.ADMIN;
import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

/** An app's webhooks in the console: admins list, create (secret shown once) and delete; others only look. */
@QuarkusTest
class ConsoleWebhooksTest {

    @Test
    void anAdminCreatesAWebhookSeesItsSecretOnceAndDeletesItWithConfirmation() {
        String app = createApp("console-hooks");
        ConsoleClient.Session admin = ConsoleClient.signIn(ADMIN);
        String empty = page(admin, app).then().statusCode(200).extract().asString();
        assertThat(empty).contains("No webhooks yet.").contains("<label for=\"webhook-url\">URL</label>")
                .contains("Create webhook");

        Response created = post(admin, "/console/apps/" + app + "/webhooks", "kind", "json",
                "url", "https://hooks.example/services/T1/B1/console-secret-path", "events", "rollout.killed");
        assertThat(created.statusCode()).isEqualTo(201);
        String secret = created.asString().replaceAll("(?s).*value=\"(bws_[^\"]+)\".*", "$1");
        assertThat(secret).startsWith("bws_").hasSizeGreaterThan(20);
        assertThat(created.asString()).contains("not shown again").contains("https://hooks.example/services/…");

        String listed = page(admin, app).asString();
        assertThat(listed).contains("https://hooks.example/services/…").contains("rollout.killed")
                .doesNotContain(secret).doesNotContain("console-secret-path");
        long id = given().auth().oauth2(ADMIN).get("/v1/apps/" + app + "/webhooks").then().extract().jsonPath()
                .getLong("[0].id");

        Response bad = post(admin, "/console/apps/" + app + "/webhooks", "kind", "slack", "url", "ftp://x.example/a");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.asString()).contains("url must start with https:// or http://");

        String deletePath = "/console/apps/" + app + "/webhooks/" + id + "/delete";
        assertThat(post(admin, deletePath).statusCode()).isEqualTo(400);
        assertThat(post(admin, deletePath, "confirm", "yes").statusCode()).isEqualTo(200);
        assertThat(page(admin, app).asString()).contains("No webhooks yet.");
    }

    @Test
    void aNonAdminSeesNoControlsAndIsRefusedOnPostsAndAForgedPostIsRefused() {
        String app = createApp("console-hooks");
        given().auth().oauth2(ADMIN).contentType("application/json")
                .body("{\"kind\": \"slack\", \"url\": \"https://hooks.example/services/T/B/hidden-token\"}")
                .post("/v1/apps/" + app + "/webhooks").then().statusCode(201);
        long id = given().auth().oauth2(ADMIN).get("/v1/apps/" + app + "/webhooks").then().extract().jsonPath()
                .getLong("[0].id");
        ConsoleClient.Session manager = ConsoleClient.signIn(token("release-manager"));

        String seen = page(manager, app).then().statusCode(200).extract().asString();
        assertThat(seen).contains("https://hooks.example/services/…").doesNotContain("hidden-token")
                .doesNotContain("Create webhook").doesNotContain("/delete");
        assertThat(post(manager, "/console/apps/" + app + "/webhooks", "kind", "json", "url", "https://x.example/a")
                .statusCode()).isEqualTo(403);
        assertThat(post(manager, "/console/apps/" + app + "/webhooks/" + id + "/delete", "confirm", "yes").statusCode())
                .isEqualTo(403);

        ConsoleClient.Session admin = ConsoleClient.signIn(ADMIN);
        Response forged = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, admin.cookie())
                .contentType("application/x-www-form-urlencoded").formParam("confirm", "yes")
                .post("/console/apps/" + app + "/webhooks/" + id + "/delete");
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(given().auth().oauth2(ADMIN).get("/v1/apps/" + app + "/webhooks").then().extract().jsonPath()
                .getList("id")).hasSize(1);
        assertThat(page(admin, "no-such-app").statusCode()).isEqualTo(404);
    }

    private static Response page(ConsoleClient.Session session, String app) {
        return given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, session.cookie())
                .get("/console/apps/" + app + "/webhooks");
    }

    private static Response post(ConsoleClient.Session session, String path, String... fields) {
        var request = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, session.cookie())
                .contentType("application/x-www-form-urlencoded").formParam("csrf", session.csrf());
        for (int i = 0; i < fields.length; i += 2) {
            request = request.formParam(fields[i], fields[i + 1]);
        }
        return request.post(path);
    }
}
