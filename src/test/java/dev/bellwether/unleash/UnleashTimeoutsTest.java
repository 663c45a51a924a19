package dev.bellwether.unleash;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnleashTimeoutsTest {

    @Test
    void theBackoffDoublesAfterEachFailedAttempt() {
        Duration backoff = Duration.ofMillis(200);
        assertThat(UnleashTimeouts.backoffAfter(1, backoff)).isEqualTo(Duration.ofMillis(200));
        assertThat(UnleashTimeouts.backoffAfter(2, backoff)).isEqualTo(Duration.ofMillis(400));
        assertThat(UnleashTimeouts.backoffAfter(3, backoff)).isEqualTo(Duration.ofMillis(800));
    }

    @Test
    void theBackoffStopsGrowingInsteadOfOverflowing() {
        assertThat(UnleashTimeouts.backoffAfter(100, Duration.ofMillis(1))).isEqualTo(UnleashTimeouts.backoffAfter(17, Duration.ofMillis(1)))
                .isPositive();
    }

    @Test
    void theLongestOperationIsEveryRequestOfEveryAttemptTimingOutWithTheBackoffsBetween() {
        // 3 attempts of 4 requests at 5 s, and waits of 200 ms and 400 ms between them
        assertThat(UnleashTimeouts.longestOperation(Duration.ofSeconds(5), 3, Duration.ofMillis(200)))
                .isEqualTo(Duration.ofMillis(3 * 4 * 5000 + 200 + 400));
    }

    @Test
    void oneAttemptHasNoBackoff() {
        assertThat(UnleashTimeouts.longestOperation(Duration.ofSeconds(1), 1, Duration.ofSeconds(30)))
                .isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void fewerThanOneAttemptCountsAsOne() {
        assertThat(UnleashTimeouts.longestOperation(Duration.ofSeconds(1), 0, Duration.ZERO)).isEqualTo(Duration.ofSeconds(4));
    }
}
