package dev.bellwether.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    static Stream<Arguments> validDurations() {
        return Stream.of(
                Arguments.of("90s", Duration.ofSeconds(90)),
                Arguments.of("5m", Duration.ofMinutes(5)),
                Arguments.of("1h", Duration.ofHours(1)),
                Arguments.of("30d", Duration.ofDays(30)),
                Arguments.of("250ms", Duration.ofMillis(250)),
                Arguments.of("0s", Duration.ZERO),
                Arguments.of("999999999ms", Duration.ofMillis(999_999_999)),
                Arguments.of(" 5m ", Duration.ofMinutes(5)),
                Arguments.of("PT1H", Duration.ofHours(1)),
                Arguments.of("PT90S", Duration.ofSeconds(90)),
                Arguments.of("PT1H30M", Duration.ofMinutes(90)),
                Arguments.of("P1D", Duration.ofDays(1)),
                Arguments.of("P1DT12H", Duration.ofHours(36)),
                Arguments.of("pt1h", Duration.ofHours(1)));
    }

    @ParameterizedTest(name = "\"{0}\" is {1}")
    @MethodSource("validDurations")
    void parsesShortFormsAndIso8601(String text, Duration expected) {
        assertThat(Durations.parse(text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "\"{0}\" asks for a duration")
    @NullAndEmptySource
    @ValueSource(strings = {"   ", "\t"})
    void aMissingDurationIsRejectedWithExamples(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("required")
                .hasMessageContaining("5m")
                .hasMessageContaining("PT1H");
    }

    @ParameterizedTest(name = "\"{0}\" is not a duration")
    @ValueSource(strings = {"5 m", "1w", "-5m", "abc", "5", "m", "5M", "1.5h", "5min", "1h30m", "10000000000ms", "P", "PT"})
    void aMalformedDurationIsRejectedNamingTheInputAndShowingExamples(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'")
                .hasMessageContaining("is not a duration")
                .hasMessageContaining("5m")
                .hasMessageContaining("PT1H");
    }

    @Test
    void theShortFormIsCaseSensitiveSoMinutesCannotBeMistakenForMonths() {
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThatThrownBy(() -> Durations.parse("5M")).isInstanceOf(IllegalArgumentException.class);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0} is written {1} and read back")
    @org.junit.jupiter.params.provider.CsvSource({"P30D, 30d", "PT6H, 6h", "P1DT12H, 36h", "PT90S, PT1M30S", "PT0S, PT0S"})
    void formatWritesTheShortFormWhenExactAndParseReadsItBack(java.time.Duration duration, String written) {
        org.assertj.core.api.Assertions.assertThat(Durations.format(duration)).isEqualTo(written);
        org.assertj.core.api.Assertions.assertThat(Durations.parse(written)).isEqualTo(duration);
    }
}
