package dev.bellwether.openapi;

import dev.bellwether.api.Problem;
import dev.bellwether.judge.GuardAction;
import dev.bellwether.security.Allowed;
import dev.bellwether.security.Public;
import dev.bellwether.security.Role;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.DotName;
import org.jboss.jandex.IndexView;
import org.jboss.jandex.MethodInfo;

/**
 * Applies to every /v1 operation what the code decides rather than what an annotation on it would repeat: the security
 * scheme and the role from {@link Allowed} and {@link Public} (what {@code AccessFilter} enforces), and the error
 * answers every such operation can give, each as problem JSON. Answers particular to an operation (a 409, a 422) are
 * declared on its method and get the problem schema here. Each operation is named and tagged after its resource
 * method, which is what a generated client calls it.
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class ApiDocumentFilter implements OASFilter {

    static final String API_TOKEN = "apiToken";
    static final String INGEST_KEY = "ingestKey";
    static final String INGEST_KEY_QUERY = "ingestKeyQuery";
    static final String PROBLEM_SCHEMA = "#/components/schemas/Problem";

    private static final DotName PATH = DotName.createSimple("jakarta.ws.rs.Path");
    private static final DotName CONSUMES = DotName.createSimple("jakarta.ws.rs.Consumes");
    private static final DotName ALLOWED = DotName.createSimple(Allowed.class.getName());
    private static final DotName PUBLIC = DotName.createSimple(Public.class.getName());
    private static final Map<DotName, PathItem.HttpMethod> HTTP_METHODS = Map.of(
            DotName.createSimple("jakarta.ws.rs.GET"), PathItem.HttpMethod.GET,
            DotName.createSimple("jakarta.ws.rs.POST"), PathItem.HttpMethod.POST,
            DotName.createSimple("jakarta.ws.rs.PUT"), PathItem.HttpMethod.PUT,
            DotName.createSimple("jakarta.ws.rs.PATCH"), PathItem.HttpMethod.PATCH,
            DotName.createSimple("jakarta.ws.rs.DELETE"), PathItem.HttpMethod.DELETE,
            DotName.createSimple("jakarta.ws.rs.OPTIONS"), PathItem.HttpMethod.OPTIONS,
            DotName.createSimple("jakarta.ws.rs.HEAD"), PathItem.HttpMethod.HEAD);

    /** What a caller reads for each answer the filter adds; a description declared on the method wins. */
    private static final Map<String, String> COMMON_ANSWERS = new LinkedHashMap<>();

    static {
        COMMON_ANSWERS.put("400", "Invalid input: 'field' names the offending body field, path or query parameter");
        COMMON_ANSWERS.put("401", "No bearer token, or an unknown or revoked one");
        COMMON_ANSWERS.put("403", "The token's role may not do this");
        COMMON_ANSWERS.put("404", "No such resource");
        COMMON_ANSWERS.put("413", "The body is over 1 MiB");
        COMMON_ANSWERS.put("415", "The body is not application/json");
        COMMON_ANSWERS.put("503", "The database is unavailable now; try again after Retry-After seconds");
    }

    private final IndexView index;

    public ApiDocumentFilter(IndexView index) {
        this.index = index;
    }

    /**
     * A resource method as the access filter sees it: its route and who may call it; {@code anyMediaType} when it reads
     * its body whatever the Content-Type (so it never answers 415).
     */
    record Endpoint(String path, PathItem.HttpMethod method, boolean ingest, List<Role> roles, String resource,
                    String javaMethod, boolean anyMediaType) {

        /** Unique in the document, and what a generated client names the call: createApp, commandRollout. */
        String operationId() {
            return javaMethod + resource;
        }
    }

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        guardActionsByWireName(openAPI);
        if (openAPI.getPaths() == null) {
            return;
        }
        // the document is the API's: the console's HTML pages are for browsers, not for generated clients
        for (String path : List.copyOf(openAPI.getPaths().getPathItems().keySet())) {
            if (!path.startsWith("/v1/")) {
                openAPI.getPaths().removePathItem(path);
            }
        }
        for (Endpoint endpoint : endpoints()) {
            PathItem item = openAPI.getPaths().getPathItem(endpoint.path());
            Operation operation = item == null ? null : item.getOperations().get(endpoint.method());
            if (operation == null) {
                continue;
            }
            if (operation.getOperationId() == null) {
                operation.setOperationId(endpoint.operationId());
            }
            if (operation.getTags() == null || operation.getTags().isEmpty()) {
                operation.setTags(List.of(endpoint.resource()));
            }
            if (endpoint.ingest()) {
                describeIngest(operation, endpoint.method());
            } else {
                describeTokenAccess(operation, endpoint);
            }
            problemBodies(operation.getResponses());
        }
    }

    /**
     * Guard actions travel as their wire names through a Jackson mix-in ({@code GuardActionJson}) that the scanner
     * does not see, since the judge knows nothing of JSON.
     */
    private static void guardActionsByWireName(OpenAPI openAPI) {
        if (openAPI.getComponents() == null || openAPI.getComponents().getSchemas() == null) {
            return;
        }
        Schema guardAction = openAPI.getComponents().getSchemas().get(GuardAction.class.getSimpleName());
        if (guardAction != null) {
            guardAction.setEnumeration(Arrays.stream(GuardAction.values()).<Object>map(GuardAction::wireName).toList());
        }
    }

    private static void describeIngest(Operation operation, PathItem.HttpMethod method) {
        if (method == PathItem.HttpMethod.OPTIONS) {
            operation.setSecurity(List.of());
            appendDescription(operation, "Access: no token; '?key=' narrows the answer to that key's app.");
            return;
        }
        operation.setSecurity(List.of(
                OASFactory.createSecurityRequirement().addScheme(INGEST_KEY),
                OASFactory.createSecurityRequirement().addScheme(INGEST_KEY_QUERY)));
        appendDescription(operation, "Access: an ingest key of the beacon's app, as a bearer token or as '?key='.");
    }

    private static void describeTokenAccess(Operation operation, Endpoint endpoint) {
        operation.setSecurity(List.of(OASFactory.createSecurityRequirement().addScheme(API_TOKEN)));
        appendDescription(operation, "Access: " + roleText(endpoint.roles()) + ".");
        APIResponses responses = operation.getResponses();
        if (responses == null) {
            responses = OASFactory.createAPIResponses();
            operation.setResponses(responses);
        }
        List<String> codes = new ArrayList<>(List.of("400", "401", "403", "503"));
        if (endpoint.path().contains("{")) {
            codes.add("404");
        }
        if (operation.getRequestBody() != null) {
            codes.add("413");
            if (!endpoint.anyMediaType()) {
                codes.add("415");
            }
        }
        for (String code : COMMON_ANSWERS.keySet()) {
            if (codes.contains(code) && !responses.hasAPIResponse(code)) {
                responses.addAPIResponse(code, OASFactory.createAPIResponse().description(COMMON_ANSWERS.get(code)));
            }
        }
    }

    /** Every error answer of the operation is problem JSON. */
    private static void problemBodies(APIResponses responses) {
        if (responses == null || responses.getAPIResponses() == null) {
            return;
        }
        for (Map.Entry<String, APIResponse> answer : responses.getAPIResponses().entrySet()) {
            if (answer.getKey().startsWith("4") || answer.getKey().startsWith("5")) {
                answer.getValue().setContent(OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE,
                        OASFactory.createMediaType().schema(OASFactory.createSchema().ref(PROBLEM_SCHEMA))));
            }
        }
    }

    static String roleText(List<Role> roles) {
        if (roles.contains(Role.VIEWER)) {
            return "any API token (every role may read)";
        }
        List<String> names = new ArrayList<>(roles.stream().filter(role -> role != Role.ADMIN).map(Role::wireName).toList());
        names.add(Role.ADMIN.wireName());
        return "an API token of role " + String.join(" or ", names);
    }

    private static void appendDescription(Operation operation, String text) {
        String description = operation.getDescription();
        operation.setDescription(description == null || description.isBlank() ? text : description + "\n\n" + text);
    }

    /** Resource methods under /v1 with the access rule the access filter applies to them. */
    List<Endpoint> endpoints() {
        List<Endpoint> endpoints = new ArrayList<>();
        for (AnnotationInstance classPath : index.getAnnotations(PATH)) {
            if (classPath.target().kind() != org.jboss.jandex.AnnotationTarget.Kind.CLASS) {
                continue;
            }
            ClassInfo type = classPath.target().asClass();
            for (MethodInfo method : type.methods()) {
                PathItem.HttpMethod verb = HTTP_METHODS.entrySet().stream()
                        .filter(entry -> method.hasDeclaredAnnotation(entry.getKey())).map(Map.Entry::getValue)
                        .findFirst().orElse(null);
                if (verb == null) {
                    continue;
                }
                AnnotationInstance methodPath = method.declaredAnnotation(PATH);
                String path = join(classPath.value().asString(), methodPath == null ? "" : methodPath.value().asString());
                if (!path.startsWith("/v1/")) {
                    continue;
                }
                boolean ingest = method.hasDeclaredAnnotation(PUBLIC) || type.hasDeclaredAnnotation(PUBLIC);
                AnnotationInstance allowed = method.hasDeclaredAnnotation(ALLOWED) ? method.declaredAnnotation(ALLOWED)
                        : type.declaredAnnotation(ALLOWED);
                if (!ingest && allowed == null) {
                    continue; // refused to every caller by the access filter, and hidden from the document
                }
                List<Role> roles = allowed == null ? List.of()
                        : Arrays.stream(allowed.value().asEnumArray()).map(Role::valueOf).toList();
                String resource = type.simpleName().replaceFirst("Resource$", "");
                AnnotationInstance consumes = method.declaredAnnotation(CONSUMES);
                boolean anyMediaType = consumes != null && consumes.value() != null
                        && Arrays.asList(consumes.value().asStringArray()).contains("*/*");
                endpoints.add(new Endpoint(path, verb, ingest, roles, resource, method.name(), anyMediaType));
            }
        }
        return endpoints;
    }

    static String join(String classPath, String methodPath) {
        return Arrays.stream((classPath + "/" + methodPath).split("/")).filter(part -> !part.isEmpty())
                .collect(Collectors.joining("/", "/", ""));
    }
}
