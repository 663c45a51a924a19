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

/**
 * A token bucket per ingest key and rate, on this replica. A beacon takes one token to be let in, and once its size
 * is known ({@link BeaconCost}) the rest of its cost, which may leave the bucket owing: the key's next beacons wait
 * until the debt is refilled.
 */
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
        ConsumptionProbe probe = bucket(principal).tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? Optional.empty() : Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }

    /** Takes a beacon's tokens beyond the one {@link #acquire} took, whether or not the key has them left. */
    public void charge(IngestPrincipal principal, int beacons) {
        if (beacons > 0) {
            bucket(principal).consumeIgnoringRateLimits(beacons);
        }
    }

    private Bucket bucket(IngestPrincipal principal) {
        int perSecond = principal.beaconsPerSecond() != null ? principal.beaconsPerSecond() : defaults.beaconsPerSecond();
        int burst = Math.max(perSecond, principal.beaconsPerSecond() != null ? perSecond * 2 : defaults.burst());
        return buckets.get(principal.keyId() + "/" + perSecond + "/" + burst, k -> Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1)).build())
                .build());
    }
}
