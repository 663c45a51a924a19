package dev.bellwether.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.EstimationProbe;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Optional;

/**
 * A token bucket per source address, on this replica, for database lookups that found nothing (an unknown ingest key,
 * an origin no app allows): the key is public, so anyone may try keys and origins, but not at the database's expense.
 */
@ApplicationScoped
public class UnknownKeyThrottle {

    private final IngestConfig.UnknownKeysPerSource limit;
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
            .maximumSize(100_000).expireAfterAccess(Duration.ofMinutes(10)).build();

    public UnknownKeyThrottle(IngestConfig config) {
        this.limit = config.unknownKeysPerSource();
    }

    /** How long the source must wait before it may cause another lookup; empty when it may now. */
    public Optional<Duration> waitFor(String source) {
        EstimationProbe probe = bucket(source).estimateAbilityToConsume(1);
        return probe.canBeConsumed() ? Optional.empty() : Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }

    /** Charges the source for a lookup that found nothing; concurrent ones may overdraw it, then it waits longer. */
    public void charge(String source) {
        bucket(source).consumeIgnoringRateLimits(1);
    }

    private Bucket bucket(String source) {
        return buckets.get(source, s -> Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(limit.burst())
                        .refillGreedy(limit.perSecond(), Duration.ofSeconds(1)).build())
                .build());
    }
}
