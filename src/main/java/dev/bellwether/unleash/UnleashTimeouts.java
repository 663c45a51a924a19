package dev.bellwether.unleash;

import java.time.Duration;

/**
 * How long the adapter's calls to Unleash can take, from its timeout and retry settings: the waits between attempts,
 * and the longest one flag operation can last, which bounds how long a rollout's row lock sits idle in PostgreSQL.
 */
final class UnleashTimeouts {

    /** The most requests one attempt of a write sends: read, strategy write, environment write, read back. */
    static final int REQUESTS_PER_ATTEMPT = 4;
    /** Beyond this many doublings the backoff stops growing, so the wait cannot overflow. */
    private static final int MAX_DOUBLINGS = 16;

    private UnleashTimeouts() {
    }

    /** The wait after the failed attempt number {@code attempt} (1-based): the backoff, doubled for each earlier failure. */
    static Duration backoffAfter(int attempt, Duration backoff) {
        return Duration.ofMillis(backoff.toMillis() << Math.min(Math.max(attempt, 1) - 1, MAX_DOUBLINGS));
    }

    /**
     * The longest one operation (a read, a percentage change, a kill) can take: every request of every attempt runs to
     * the request timeout, with the backoffs between the attempts.
     */
    static Duration longestOperation(Duration requestTimeout, int attempts, Duration backoff) {
        int tries = Math.max(1, attempts);
        Duration longest = requestTimeout.multipliedBy((long) tries * REQUESTS_PER_ATTEMPT);
        for (int attempt = 1; attempt < tries; attempt++) {
            longest = longest.plus(backoffAfter(attempt, backoff));
        }
        return longest;
    }
}
