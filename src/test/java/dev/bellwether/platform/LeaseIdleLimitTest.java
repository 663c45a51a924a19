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
        assertThat(LeaseIdleLimit.parse("15s")).isEqualTo(Duration.ofSeconds(15));
        assertThatThrownBy(() -> LeaseIdleLimit.parse("0s")).hasMessageContaining("bellwether.lease-idle-timeout");
        assertThatThrownBy(() -> LeaseIdleLimit.parse("PT-1S")).hasMessageContaining("must be positive");
    }
}
