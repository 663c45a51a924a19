package dev.bellwether.api;

import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Cross-origin calls to the token API ({@code /v1}, beacons aside: they answer CORS per app) from the origins listed
 * in {@code bellwether.api.cross-origins}, by default Swagger UI's own on the management port, so that its "Try it
 * out" reaches the public port. The API authenticates by a bearer header only, never a cookie, so a listed origin
 * gains nothing a page could not do with the token itself; no credentials are ever allowed.
 */
public class ApiCrossOrigin {

    static final String ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE";
    static final String ALLOWED_HEADERS = "Authorization, Content-Type";
    static final String EXPOSED_HEADERS = "Location, Retry-After, WWW-Authenticate";

    private final List<String> origins;

    public ApiCrossOrigin(@ConfigProperty(name = "bellwether.api.cross-origins") Optional<List<String>> origins) {
        this.origins = origins.orElse(List.of()).stream().map(String::strip).filter(origin -> !origin.isEmpty()).toList();
    }

    /** A listed origin's preflight is answered here, before routing and the token check (a preflight carries no token). */
    @ServerRequestFilter(preMatching = true)
    public Optional<Response> preflight(ContainerRequestContext request) {
        if (!HttpMethod.OPTIONS.equals(request.getMethod()) || !covered(request)
                || request.getHeaderString("Access-Control-Request-Method") == null) {
            return Optional.empty();
        }
        return Optional.of(Response.noContent()
                .header("Access-Control-Allow-Origin", request.getHeaderString("Origin"))
                .header("Access-Control-Allow-Methods", ALLOWED_METHODS)
                .header("Access-Control-Allow-Headers", ALLOWED_HEADERS)
                .header("Access-Control-Max-Age", "600")
                .header("Vary", "Origin").build());
    }

    @ServerResponseFilter
    public void allowOrigin(ContainerRequestContext request, ContainerResponseContext response) {
        if (covered(request)) {
            response.getHeaders().putSingle("Access-Control-Allow-Origin", request.getHeaderString("Origin"));
            response.getHeaders().putSingle("Access-Control-Expose-Headers", EXPOSED_HEADERS);
            response.getHeaders().add("Vary", "Origin");
        }
    }

    private boolean covered(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        String origin = request.getHeaderString("Origin");
        return path.startsWith("/v1/") && !path.startsWith("/v1/beacons") && origin != null && origins.contains(origin);
    }
}
