package dev.bellwether.openapi;

import static dev.bellwether.support.Fixtures.ADMIN;
import static dev.bellwether.support.Fixtures.uniqueAppName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bellwether.client.ApiClient;
import dev.bellwether.client.ApiException;
import dev.bellwether.client.api.AppResourceApi;
import dev.bellwether.client.api.BeaconResourceApi;
import dev.bellwether.client.api.SloResourceApi;
import dev.bellwether.client.model.Accepted;
import dev.bellwether.client.model.AppView;
import dev.bellwether.client.model.Beacon;
import dev.bellwether.client.model.BeaconEvent;
import dev.bellwether.client.model.CreateApp;
import dev.bellwether.client.model.CreateKey;
import dev.bellwether.client.model.CreatedKey;
import dev.bellwether.client.model.KeyView;
import dev.bellwether.client.model.Sli;
import dev.bellwether.client.model.SloDocument;
import dev.bellwether.client.model.SloView;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A Java client generated at build time from the committed OpenAPI document (src/main/openapi/bellwether.yaml) drives
 * the service as an integrator would: where the document lies about a path, a body or an answer, the build or this
 * test fails.
 */
@QuarkusTest
class GeneratedClientTest {

    @Test
    void createsAnAppAKeyAndAnSloAndPostsABeacon() throws Exception {
        ApiClient admin = client(ADMIN);
        AppResourceApi apps = new AppResourceApi(admin);
        AppView app = apps.createApp(new CreateApp().name(uniqueAppName("client")));
        assertThat(app.getBeaconsPerSecond()).isNull();
        CreatedKey key = apps.createKeyApp(app.getName(), new CreateKey().name("field-notes web"));
        assertThat(key.getName()).isEqualTo("field-notes web");
        assertThat(apps.createKeyApp(app.getName(), null).getName()).isNull();
        assertThat(apps.listKeysApp(app.getName())).extracting(KeyView::getName).containsExactly("field-notes web", null);

        SloView slo = new SloResourceApi(admin).putSlo(app.getName(), "replays",
                new SloDocument().sli(Sli.REPLAY_SUCCESS_RATIO).objective(0.995).period("30d").minEvents(100L));
        assertThat(slo.getSli()).isEqualTo(Sli.REPLAY_SUCCESS_RATIO);

        Accepted accepted = new BeaconResourceApi(client(key.getKey())).postBeacon(new Beacon().schema(Beacon.SchemaEnum.NUMBER_1)
                .app(app.getName()).release("2026.11.3").client("c-generated")
                .events(List.of(new BeaconEvent().id("e-1").type(BeaconEvent.TypeEnum.REPLAY)
                        .at(OffsetDateTime.now(ZoneOffset.UTC)).mutation("note.update")
                        .outcome(BeaconEvent.OutcomeEnum.SUCCEEDED).attempts(1).latencyMs(BigDecimal.valueOf(840)))), null);
        assertThat(accepted.getAccepted()).isEqualTo(1);
        assertThat(accepted.getRejected()).isEmpty();

        ApiException taken = catchThrowableOfType(ApiException.class, () -> apps.createApp(new CreateApp().name(app.getName())));
        assertThat(taken.getCode()).isEqualTo(409);
        assertThat(taken.getResponseBody()).contains("\"field\":\"name\"");
        ApiException anonymous = catchThrowableOfType(ApiException.class, () -> new AppResourceApi(client(null)).listApp());
        assertThat(anonymous.getCode()).isEqualTo(401);
    }

    /** The bearer token on every request: the generator's native library leaves authentication to an interceptor. */
    private static ApiClient client(String token) {
        ApiClient client = new ApiClient();
        client.updateBaseUri("http://localhost:" + RestAssured.port);
        if (token != null) {
            client.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + token));
        }
        return client;
    }
}
