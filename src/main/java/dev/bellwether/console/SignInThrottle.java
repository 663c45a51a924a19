package dev.bellwether.console;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Optional;

/**
 * Bounds failed console sign-ins, per client address and over all addresses, so that the sign-in form cannot be used
 * to try tokens at an unbounded rate. Every attempt takes its allowance before the token is looked at, and a
 * successful one gives it back: a refused attempt learns nothing about the token it carried.
 */
@ApplicationScoped
public class SignInThrottle {

    private static final Duration REFILL_PERIOD = Duration.ofMinutes(1);

    private final int perAddress;
    private final Bucket everyone;
    private final Cache<String, Bucket> byAddress = Caffeine.newBuilder()
            .maximumSize(100_000).expireAfterAccess(REFILL_PERIOD.multipliedBy(2)).build();

    public SignInThrottle(ConsoleConfig config) {
        this.perAddress = positive(config.signIn().failuresPerAddressPerMinute(), "failures-per-address-per-minute");
        this.everyone = bucket(positive(config.signIn().failuresPerMinute(), "failures-per-minute"));
    }

    /** An attempt from {@code address} may go ahead, or how long it must wait. */
    public Optional<Duration> take(String address) {
        Bucket own = byAddress.get(address, a -> bucket(perAddress));
        var ownProbe = own.tryConsumeAndReturnRemaining(1);
        if (!ownProbe.isConsumed()) {
            return Optional.of(Duration.ofNanos(ownProbe.getNanosToWaitForRefill()));
        }
        var allProbe = everyone.tryConsumeAndReturnRemaining(1);
        if (!allProbe.isConsumed()) {
            own.addTokens(1);
            return Optional.of(Duration.ofNanos(allProbe.getNanosToWaitForRefill()));
        }
        return Optional.empty();
    }

    /** The attempt from {@code address} signed in: it does not count against anyone. */
    public void succeeded(String address) {
        Bucket own = byAddress.getIfPresent(address);
        if (own != null) {
            own.addTokens(1);
        }
        everyone.addTokens(1);
    }

    private static Bucket bucket(int perMinute) {
        return Bucket.builder().addLimit(Bandwidth.builder().capacity(perMinute)
                .refillGreedy(perMinute, REFILL_PERIOD).build()).build();
    }

    private static int positive(int value, String key) {
        if (value < 1) {
            throw new IllegalArgumentException("bellwether.console.sign-in." + key + " must be at least 1, got " + value);
        }
        return value;
    }
}
