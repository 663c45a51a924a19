package dev.bellwether.security;

import dev.bellwether.api.Problem;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** Bearer-token access control for every /v1 endpoint, driven by {@link Allowed} and {@link Public}. */
public class AccessFilter {

    public static final String CALLER_PROPERTY = "bellwether.caller";

    @Inject
    TokenAuthenticator authenticator;

    @ServerRequestFilter
    public Optional<Response> authorize(ContainerRequestContext request, ResourceInfo resource) {
        Method method = resource.getResourceMethod();
        if (method == null || !request.getUriInfo().getPath().startsWith("/v1/")) {
            return Optional.empty();
        }
        Class<?> type = resource.getResourceClass();
        if (method.isAnnotationPresent(Public.class) || type.isAnnotationPresent(Public.class)) {
            return Optional.empty();
        }
        Allowed allowed = method.isAnnotationPresent(Allowed.class) ? method.getAnnotation(Allowed.class)
                : type.getAnnotation(Allowed.class);
        if (allowed == null) {
            return Optional.of(refuse(Response.Status.FORBIDDEN, "this endpoint declares no access rule").build());
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() <= 7) {
            return Optional.of(refuse(Response.Status.UNAUTHORIZED, "an 'Authorization: Bearer <token>' header is required")
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build());
        }
        Optional<Caller> caller = authenticator.authenticate(header.substring(7).trim());
        if (caller.isEmpty()) {
            return Optional.of(refuse(Response.Status.UNAUTHORIZED, "the bearer token is unknown or revoked")
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"").build());
        }
        if (!caller.get().mayActAs(allowed.value())) {
            return Optional.of(refuse(Response.Status.FORBIDDEN,
                    "role " + caller.get().role().wireName() + " may not do this").build());
        }
        request.setProperty(CALLER_PROPERTY, caller.get());
        return Optional.empty();
    }

    private static Response.ResponseBuilder refuse(Response.Status status, String detail) {
        return Response.fromResponse(Problem.of(status, detail, null).toResponse());
    }
}
