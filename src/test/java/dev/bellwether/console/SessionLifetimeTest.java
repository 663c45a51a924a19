package dev.bellwether.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SessionLifetimeTest {

    private static final SessionLifetime LIFETIME = new SessionLifetime(Duration.ofMinutes(30), Duration.ofHours(12));
    private static final Instant SIGNED_IN = Instant.parse("2026-11-30T08:00:00Z");

    @ParameterizedTest(name = "last seen {0} min after sign-in, now {1} min after: expired {2}")
    @CsvSource({
            "0, 0, false",
            "0, 29, false",
            "0, 30, true",          // idle exactly the limit
            "600, 629, false",      // busy: idle spells reset
            "700, 719, false",
            "700, 720, true",       // absolute limit however busy
            "719, 721, true",
    })
    void aSessionEndsAfterAnIdleSpellOrAtItsAbsoluteLimit(long lastSeenMinutes, long nowMinutes, boolean expired) {
        assertThat(LIFETIME.expired(SIGNED_IN, SIGNED_IN.plus(Duration.ofMinutes(lastSeenMinutes)),
                SIGNED_IN.plus(Duration.ofMinutes(nowMinutes)))).isEqualTo(expired);
    }

    @ParameterizedTest(name = "idle timeout {0}, last seen {1} s before: recorded {2}")
    @CsvSource({
            "PT30M, 0,   false",
            "PT30M, 59,  false",
            "PT30M, 60,  true",     // a minute at most
            "PT30M, 600, true",
            "PT10M, 19,  false",    // a short idle timeout: a thirtieth of it
            "PT10M, 20,  true",
    })
    void useIsRecordedAtMostOnceAMinuteOrAThirtiethOfTheIdleTimeout(Duration idle, long secondsSince, boolean recorded) {
        Instant now = SIGNED_IN.plus(Duration.ofHours(1));
        assertThat(new SessionLifetime(idle, Duration.ofHours(12)).useWorthRecording(now.minusSeconds(secondsSince), now))
                .isEqualTo(recorded);
    }

    @ParameterizedTest
    @CsvSource({"PT0S, PT1H", "PT1H, PT0S", "-PT1M, PT1H"})
    void timeoutsMustBePositive(Duration idle, Duration absolute) {
        assertThatThrownBy(() -> new SessionLifetime(idle, absolute)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive");
    }

    @ParameterizedTest
    @CsvSource({"PT12H, 43200", "PT30M, 1800"})
    void theCookieLivesNoLongerThanTheSessionCan(Duration absolute, long seconds) {
        assertThat(new SessionLifetime(Duration.ofMinutes(1), absolute).cookieMaxAgeSeconds()).isEqualTo(seconds);
    }
}
