package dev.bellwether.unleash;

import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Where Unleash is, and the REST clients that talk to it with the admin token and a bound on every request. */
final class UnleashEndpoint {

    private UnleashEndpoint() {
    }

    /** The Admin API at {@code api}, the token on every request and masked in the client's logs. */
    static UnleashAdminApi admin(URI api, String token, long timeoutMillis) {
        return QuarkusRestClientBuilder.newBuilder().baseUri(api).connectTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .readTimeout(timeoutMillis, TimeUnit.MILLISECONDS).disableDefaultMapper(true)
                .loggingMaskedHeaders(Set.of(HttpHeaders.AUTHORIZATION)).register(new AdminToken(token))
                .build(UnleashAdminApi.class);
    }

    /** The Admin API's listings at {@code api}, with the token as for {@link #admin}. */
    static UnleashAdminApi.Catalog catalog(URI api, String token, long timeoutMillis) {
        return QuarkusRestClientBuilder.newBuilder().baseUri(api).connectTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .readTimeout(timeoutMillis, TimeUnit.MILLISECONDS).disableDefaultMapper(true)
                .loggingMaskedHeaders(Set.of(HttpHeaders.AUTHORIZATION)).register(new AdminToken(token))
                .build(UnleashAdminApi.Catalog.class);
    }

    /** Unleash's {@code /health} at the server root next to {@code api}; it needs no token. */
    static UnleashAdminApi.Health health(URI api, long timeoutMillis) {
        return QuarkusRestClientBuilder.newBuilder().baseUri(serverRoot(api))
                .connectTimeout(timeoutMillis, TimeUnit.MILLISECONDS).readTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .disableDefaultMapper(true).build(UnleashAdminApi.Health.class);
    }

    /** The configured URL as the API base, or null when it is not an absolute http(s) URL. */
    static URI apiUri(String url) {
        try {
            String trimmed = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
            URI uri = URI.create(trimmed);
            boolean http = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
            return http && uri.getHost() != null ? uri : null;
        } catch (IllegalArgumentException malformed) {
            return null;
        }
    }

    /** The server root next to the API base: {@code http://host:4242/api} → {@code http://host:4242}. */
    static URI serverRoot(URI api) {
        String text = api.toString();
        return URI.create(text.endsWith("/api") ? text.substring(0, text.length() - "/api".length()) : text);
    }

    /** Adds {@code Authorization: <admin token>} (no "Bearer"; Unleash API tokens are sent bare). */
    private static final class AdminToken implements ClientRequestFilter {

        private final String token;

        AdminToken(String token) {
            this.token = token;
        }

        @Override
        public void filter(ClientRequestContext request) {
            request.getHeaders().putSingle(HttpHeaders.AUTHORIZATION, token);
        }

        @Override
        public String toString() {
            return "AdminToken[***]";
        }
    }
}
