package dev.bellwether.openapi;

import static dev.bellwether.support.Fixtures.management;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.quarkus.test.junit.QuarkusTest;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The served OpenAPI document as a client generator reads it: valid, with the security scheme, the role and the
 * problem-JSON error answers on every operation.
 */
@QuarkusTest
class OpenApiDocumentTest {

    /** The committed copy that the generated client is built from. */
    static final Path COMMITTED = Path.of("src/main/openapi/bellwether.yaml");
    static final String REFRESH = "./mvnw -q package -Dmaven.test.skip=true && cp target/openapi/openapi.yaml " + COMMITTED;

    private static OpenAPI document;
    private static String yaml;

    @BeforeAll
    static void parse() throws IOException {
        yaml = management().get("/q/openapi").then().statusCode(200).extract().asString();
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(yaml, null, options);
        assertThat(result.getMessages()).as("errors and warnings of swagger-parser").isEmpty();
        document = result.getOpenAPI();
        assertThat(document).isNotNull();
    }

    @Test
    void declaresTheApiTokenAndTheIngestKeyAsSecuritySchemes() {
        var schemes = document.getComponents().getSecuritySchemes();
        assertThat(schemes.get("apiToken").getScheme()).isEqualTo("bearer");
        assertThat(schemes.get("ingestKey").getScheme()).isEqualTo("bearer");
        assertThat(schemes.get("ingestKeyQuery").getName()).isEqualTo("key");
        assertThat(schemes.get("ingestKeyQuery").getIn().toString()).isEqualTo("query");
    }

    @Test
    void everyOperationNamesItsSecurityAndRole() {
        List<String> operations = new ArrayList<>();
        forEachOperation((name, operation) -> {
            operations.add(name);
            if (name.startsWith("OPTIONS ")) {
                assertThat(operation.getSecurity()).as(name).isEmpty();
                return;
            }
            assertThat(operation.getSecurity()).as(name).isNotEmpty();
            assertThat(operation.getDescription()).as(name).contains("Access: ");
            String scheme = operation.getSecurity().get(0).keySet().iterator().next();
            assertThat(scheme).as(name).isEqualTo(name.equals("POST /v1/beacons") ? "ingestKey" : "apiToken");
        });
        assertThat(operations).hasSizeGreaterThanOrEqualTo(23);
        assertThat(operation("POST", "/v1/apps").getDescription()).endsWith("Access: an API token of role admin.");
        assertThat(operation("GET", "/v1/apps").getDescription()).contains("any API token");
        assertThat(operation("POST", "/v1/rollouts").getDescription())
                .endsWith("Access: an API token of role release-manager or admin.");
        assertThat(operation("POST", "/v1/rollouts/{id}/{command}").getDescription())
                .endsWith("Access: an API token of role release-manager or on-call or admin.");
        assertThat(operation("POST", "/v1/beacons").getSecurity()).hasSize(2);
    }

    @Test
    void everyErrorAnswerIsProblemJson() {
        forEachOperation((name, operation) -> {
            Map<String, ApiResponse> responses = operation.getResponses();
            assertThat(responses.keySet()).as(name).anyMatch(code -> code.startsWith("2"));
            if (!name.startsWith("OPTIONS ")) {
                assertThat(responses).as(name).containsKeys("400", "401", "403", "503");
            }
            responses.forEach((code, response) -> {
                if (code.startsWith("4") || code.startsWith("5")) {
                    var content = response.getContent();
                    assertThat(content).as(name + " " + code).containsOnlyKeys("application/problem+json");
                    assertThat(content.get("application/problem+json").getSchema().get$ref()).as(name + " " + code)
                            .isEqualTo("#/components/schemas/Problem");
                }
            });
            boolean hasPathParameter = name.contains("{");
            assertThat(responses.containsKey("404")).as(name + " 404").isEqualTo(hasPathParameter);
            assertThat(responses.containsKey("429")).as(name + " 429").isEqualTo(name.endsWith(" /v1/beacons"));
        });
    }

    @Test
    void createdAndAcceptedAnswersHaveSchemas() {
        assertThat(operation("POST", "/v1/beacons").getResponses().get("202").getContent().get("application/json")
                .getSchema().get$ref()).endsWith("/Accepted");
        assertThat(operation("POST", "/v1/apps").getResponses().get("201").getContent().get("application/json")
                .getSchema().get$ref()).endsWith("/AppView");
        assertThat(operation("POST", "/v1/rollouts").getResponses().get("201").getContent().get("application/json")
                .getSchema().get$ref()).endsWith("/RolloutView");
        assertThat(operation("PUT", "/v1/apps/{app}/slos/{name}").getResponses()).containsKeys("200", "201");
    }

    @Test
    void requestBodiesCarryExamples() {
        assertThat(operation("POST", "/v1/beacons").getRequestBody().getContent().get("application/json").getExamples())
                .containsOnlyKeys("outbox", "replay", "sync", "conflict", "migration");
        assertThat(operation("POST", "/v1/rollouts").getRequestBody().getContent().get("application/json").getExamples())
                .containsKey("rollout");
        assertThat(operation("PUT", "/v1/apps/{app}/slos/{name}").getRequestBody().getContent().get("application/json")
                .getExamples()).containsOnlyKeys("ratio", "threshold");
    }

    /** Swagger UI on the management port sends "Try it out" to the public port, which the document names. */
    @Test
    void theServedDocumentNamesThePublicPortAsItsServer() {
        assertThat(document.getServers()).hasSize(1);
        assertThat(document.getServers().get(0).getUrl()).isEqualTo("http://localhost:8080");
    }

    /** Compared as JSON trees: the build writes the keys of a schema in another order than the service serves them. */
    @Test
    void theCommittedCopyIsWhatTheServiceServes() throws IOException {
        ObjectMapper reader = new ObjectMapper(new YAMLFactory());
        JsonNode served = reader.readTree(yaml);
        JsonNode committed = Files.exists(COMMITTED) ? reader.readTree(COMMITTED.toFile()) : reader.createObjectNode();
        // the server is this deployment's public address (BELLWETHER_PUBLIC_URL), not part of the contract
        ((com.fasterxml.jackson.databind.node.ObjectNode) served).remove("servers");
        ((com.fasterxml.jackson.databind.node.ObjectNode) committed).remove("servers");
        List<String> differences = new ArrayList<>();
        differences(committed, served, "", differences);
        assertThat(differences).as(COMMITTED + " is not the document the service serves (committed -> served, by JSON "
                + "pointer); the generated test client is built from it. Refresh it with\n  " + REFRESH
                + "\nand review the change with git diff.").isEmpty();
    }

    private static void differences(JsonNode committed, JsonNode served, String pointer, List<String> found) {
        if (found.size() >= 20 || committed.equals(served)) {
            return;
        }
        if (committed.isObject() && served.isObject()) {
            Set<String> names = new TreeSet<>();
            committed.fieldNames().forEachRemaining(names::add);
            served.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                differences(committed.path(name), served.path(name), pointer + "/" + name.replace("~", "~0").replace("/", "~1"),
                        found);
            }
        } else {
            found.add(pointer + ": " + abbreviated(committed) + " -> " + abbreviated(served));
        }
    }

    private static String abbreviated(JsonNode node) {
        String text = node.isMissingNode() ? "(absent)" : node.toString();
        return text.length() > 120 ? text.substring(0, 120) + "..." : text;
    }

    static Operation operation(String method, String path) {
        PathItem item = document.getPaths().get(path);
        assertThat(item).as(path).isNotNull();
        Operation operation = item.readOperationsMap().get(PathItem.HttpMethod.valueOf(method));
        assertThat(operation).as(method + " " + path).isNotNull();
        return operation;
    }

    private static void forEachOperation(java.util.function.BiConsumer<String, Operation> check) {
        document.getPaths().forEach((path, item) -> item.readOperationsMap()
                .forEach((method, operation) -> check.accept(method + " " + path, operation)));
    }
}
