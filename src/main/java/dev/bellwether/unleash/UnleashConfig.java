package dev.bellwether.unleash;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * Where Unleash is and how Bellwether talks to it. Without {@link #url()} and {@link #adminToken()} the service still
 * starts, and every flag operation fails with "Unleash is not configured".
 */
@ConfigMapping(prefix = "bellwether.unleash")
public interface UnleashConfig {

    /**
     * The API base of the Unleash server, e.g. {@code http://127.0.0.1:4242/api} ({@code BELLWETHER_UNLEASH_URL}).
     * The health check is {@code /health} next to it (the URL with its trailing {@code /api} removed).
     */
    Optional<String> url();

    /**
     * An Unleash admin token (or a personal access token allowed to change flags), sent as the {@code Authorization}
     * header without "Bearer" ({@code BELLWETHER_UNLEASH_ADMIN_TOKEN}). Never logged.
     */
    Optional<String> adminToken();

    /**
     * A client (backend) token, for reading flags the way SDKs do ({@code BELLWETHER_UNLEASH_CLIENT_TOKEN}). The
     * admin adapter does not use it. Never logged.
     */
    Optional<String> clientToken();

    /** Connect and read timeout of each request to Unleash ({@code BELLWETHER_UNLEASH_REQUEST_TIMEOUT}). */
    @WithDefault("5s")
    Duration requestTimeout();

    /**
     * How many times one operation is tried in all when Unleash cannot be reached, times out or answers 5xx; a 4xx is
     * never retried ({@code BELLWETHER_UNLEASH_RETRY_ATTEMPTS}).
     */
    @WithDefault("3")
    int retryAttempts();

    /** Wait before the second attempt; it doubles before each further one ({@code BELLWETHER_UNLEASH_RETRY_BACKOFF}). */
    @WithDefault("200ms")
    Duration retryBackoff();
}
