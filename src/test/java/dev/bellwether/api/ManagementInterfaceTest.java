package dev.bellwether.api;

import static dev.bellwether.support.Fixtures.ADMIN;
import static dev.bellwether.support.Fixtures.management;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.http.TestHTTPResourceManager;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The public port, which browsers post beacons to and an ingress exposes, serves the API only: health, metrics (they
 * name apps, releases and flags), the OpenAPI document and Swagger UI are on the management port.
 */
@QuarkusTest
class ManagementInterfaceTest {

    @ParameterizedTest
    @ValueSource(strings = {"/q/metrics", "/q/health", "/q/health/ready", "/q/health/live", "/q/openapi", "/q/swagger-ui",
            "/q/swagger-ui/", "/q/swagger-ui/index.html"})
    void thePublicPortDoesNotServeOperationsEndpoints(String path) {
        given().get(path).then().statusCode(404);
    }

    @Test
    void theManagementPortServesHealthMetricsAndTheApiDescription() {
        assertThat(URI.create(TestHTTPResourceManager.getManagementUri()).getPort())
                .isNotEqualTo(URI.create(TestHTTPResourceManager.getUri()).getPort());
        management().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        management().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        management().get("/q/metrics").then().statusCode(200).body(containsString("bellwether_database_up 1.0"));
        management().get("/q/openapi").then().statusCode(200).body(containsString("/v1/beacons"));
        management().get("/q/swagger-ui/").then().statusCode(200).body(containsString("swagger"));
    }

    @Test
    void theManagementPortDoesNotServeTheApi() {
        given().auth().oauth2(ADMIN).get("/v1/apps").then().statusCode(200);
        management().auth().oauth2(ADMIN).get("/v1/apps").then().statusCode(404);
    }
}
