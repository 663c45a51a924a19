package dev.bellwether.console;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rollout page's figures: at most three decimals, half up, without trailing zeros or an exponent. */
class RolloutPageNumberTest {

    @ParameterizedTest
    @CsvSource({
            "30.0, 30",
            "100, 100",
            "10000000, 10000000",
            "2.5, 2.5",
            "0.30000000000000004, 0.3",
            "1234.56789, 1234.568",
            "0.0005, 0.001",
            "0.00001, 0",
            "-0.0004, 0",
            "-12.3456, -12.346",
            "NaN, NaN",
    })
    void roundsToThreeDecimals(double value, String shown) {
        assertThat(RolloutPageBuilder.number(value)).isEqualTo(shown);
    }

    @org.junit.jupiter.api.Test
    void noFigureIsADash() {
        assertThat(RolloutPageBuilder.number(null)).isEqualTo("—");
    }
}
