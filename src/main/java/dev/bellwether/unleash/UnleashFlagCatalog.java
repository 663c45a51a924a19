package dev.bellwether.unleash;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellwether.rollout.FlagCatalog;
import dev.bellwether.rollout.FlagControlException;
import io.vertx.core.VertxException;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * {@link FlagCatalog} on the Unleash Admin API. Each listing is one request bounded by the request timeout and is not
 * repeated: a person is waiting for the page, and can type the names when Unleash does not answer. The admin token
 * appears in no message.
 */
@ApplicationScoped
public class UnleashFlagCatalog implements FlagCatalog, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final UnleashAdminApi.Catalog catalog;
    private final String token;

    public UnleashFlagCatalog(UnleashConfig config) {
        Optional<URI> api = config.url().map(String::trim).filter(value -> !value.isEmpty()).map(UnleashEndpoint::apiUri);
        Optional<String> adminToken = config.adminToken().map(String::trim).filter(value -> !value.isEmpty());
        this.token = adminToken.orElse(null);
        this.catalog = api.isPresent() && adminToken.isPresent()
                ? UnleashEndpoint.catalog(api.get(), adminToken.get(), Math.max(1, config.requestTimeout().toMillis()))
                : null;
    }

    @Override
    public boolean configured() {
        return catalog != null;
    }

    @Override
    public List<String> projects() throws FlagControlException {
        return names(get("listing projects", () -> catalog.projects()), "projects", "id", item -> true);
    }

    @Override
    public List<String> environments(String project) throws FlagControlException {
        return names(get("listing the environments of project " + project, () -> catalog.environments(project)),
                "environments", "name", item -> item.path("enabled").asBoolean(true));
    }

    @Override
    public List<String> flags(String project) throws FlagControlException {
        return names(get("listing the flags of project " + project, () -> catalog.features(project)),
                "features", "name", item -> !item.path("archived").asBoolean(false));
    }

    @PreDestroy
    @Override
    public void close() {
        if (catalog != null) {
            catalog.close();
        }
    }

    private JsonNode get(String what, Supplier<Response> request) throws FlagControlException {
        if (catalog == null) {
            throw new FlagControlException(UnleashFlagControl.NOT_CONFIGURED, false, null);
        }
        int status;
        String body;
        try (Response response = request.get()) {
            status = response.getStatus();
            body = response.hasEntity() ? response.readEntity(String.class) : "";
        } catch (ProcessingException | VertxException unreachable) {
            throw new FlagControlException(redact("Unleash did not answer when " + what), true, null);
        }
        if (status >= 500) {
            throw new FlagControlException("Unleash answered HTTP " + status + " when " + what, true, null);
        }
        if (status == 401 || status == 403) {
            throw new FlagControlException("Unleash refused the admin token (HTTP " + status + ") when " + what, false, null);
        }
        if (status != 200) {
            throw new FlagControlException(redact("Unleash answered HTTP " + status + " when " + what), false, null);
        }
        try {
            return JSON.readTree(body);
        } catch (IOException notJson) {
            throw new FlagControlException("Unleash's answer was not JSON when " + what, true, null);
        }
    }

    private static List<String> names(JsonNode answer, String list, String key, Predicate<JsonNode> kept) {
        List<String> names = new ArrayList<>();
        for (JsonNode item : answer.path(list)) {
            if (item.hasNonNull(key) && kept.test(item)) {
                names.add(item.get(key).asText());
            }
        }
        names.sort(String::compareTo);
        return names;
    }

    private String redact(String message) {
        return token == null ? message : message.replace(token, "***");
    }
}
