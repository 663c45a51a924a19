package dev.bellwether.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LeaseIdleLimitTest {

    @Test
    void theLimitIsGivenInMilliseconds() {
        assertThat(LeaseIdleLimit.setting(Duration.ofSeconds(15))).isEqualTo("15000");
        assertThat(LeaseIdleLimit.setting(Duration.ofMillis(60_600))).isEqualTo("60600");
    }

    @Test
    void aZeroLimitStaysALimitInsteadOfTurningTheTimeoutOff() {
        assertThat(LeaseIdleLimit.setting(Duration.ZERO)).isEqualTo("1");
        assertThat(LeaseIdleLimit.setting(Duration.ofNanos(1))).isEqualTo("1");
    }

    @Test
    void theSettingMustBePositive() {
        assertThat(LeaseIdleLimit.positive(Duration.ofSeconds(15))).isEqualTo(Duration.ofSeconds(15));
        assertThatThrownBy(() -> LeaseIdleLimit.positive(Duration.ZERO)).hasMessageContaining("bellwether.lease-idle-timeout");
        assertThatThrownBy(() -> LeaseIdleLimit.positive(Duration.ofSeconds(-1))).hasMessageContaining("must be positive");
    }
}
