package dev.bellwether.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bellwether.apps.IngestPrincipal;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Optional;

/** A token bucket per ingest key and rate, on this replica. */
@ApplicationScoped
public class RateLimiter {

    private final IngestConfig.RateLimit defaults;
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
            .maximumSize(100_000).expireAfterAccess(Duration.ofMinutes(10)).build();

    public RateLimiter(IngestConfig config) {
        this.defaults = config.rateLimit();
    }

    /** Takes one beacon's token; when none is left, says how long until there is one. */
    public Optional<Duration> acquire(IngestPrincipal principal) {
        int perSecond = principal.beaconsPerSecond() != null ? principal.beaconsPerSecond() : defaults.beaconsPerSecond();
        int burst = Math.max(perSecond, principal.beaconsPerSecond() != null ? perSecond * 2 : defaults.burst());
        Bucket bucket = buckets.get(principal.keyId() + "/" + perSecond + "/" + burst, k -> Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1)).build())
                .build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? Optional.empty() : Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }
}
