package dev.bellwether.slo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The workbook alert conditions, and the {@link GoodValid} counts they are judged on. */
class AlertConditionTest {

    // ---------------------------------------------------------------- AlertCondition.WORKBOOK

    @ParameterizedTest(name = "[{index}] condition {0}: {1} over {2}/{3}, {4} of the budget")
    @CsvSource({
            "0, PAGE,   H1, M5,  0.02",
            "1, PAGE,   H6, M30, 0.05",
            "2, TICKET, D1, H2,  0.10",
            "3, TICKET, D3, H6,  0.10"})
    void workbookHasTheFourConditionsOfTheSreWorkbook(int index, SloState severity, BurnWindow longWindow,
            BurnWindow shortWindow, double budgetFraction) {
        AlertCondition condition = AlertCondition.WORKBOOK.get(index);

        assertThat(condition.severity()).isEqualTo(severity);
        assertThat(condition.longWindow()).isEqualTo(longWindow);
        assertThat(condition.shortWindow()).isEqualTo(shortWindow);
        assertThat(condition.budgetFraction()).isCloseTo(budgetFraction, within(1e-12));
    }

    @Test
    void workbookHasExactlyFourConditions() {
        assertThat(AlertCondition.WORKBOOK).hasSize(4);
    }

    @ParameterizedTest(name = "[{index}] condition {0} over {1} days: factor {2}")
    @CsvSource({
            "0, 30, 14.4",
            "1, 30, 6.0",
            "2, 30, 3.0",
            "3, 30, 1.0",
            "0, 7,  3.36",
            "1, 7,  1.4",
            "2, 7,  0.7",
            "3, 7,  0.2333333333333333",
            "0, 90, 43.2",
            "1, 90, 18.0",
            "2, 90, 9.0",
            "3, 90, 3.0",
            "0, 1,  0.48",
            "3, 1,  0.0333333333333333"})
    void factorSpendsTheBudgetFractionWithinTheLongWindowAndScalesWithThePeriod(int index, int periodDays,
            double factor) {
        assertThat(AlertCondition.WORKBOOK.get(index).factor(Duration.ofDays(periodDays))).isCloseTo(factor,
                within(1e-9));
    }

    @ParameterizedTest(name = "[{index}] {0}: {1} long")
    @CsvSource({
            "M5,  5m,  300",
            "M30, 30m, 1800",
            "H1,  1h,  3600",
            "H2,  2h,  7200",
            "H6,  6h,  21600",
            "D1,  1d,  86400",
            "D3,  3d,  259200"})
    void burnWindowsHaveTheirLabelAndLength(BurnWindow window, String label, long seconds) {
        assertThat(window.label()).isEqualTo(label);
        assertThat(window.length()).isEqualTo(Duration.ofSeconds(seconds));
    }

    @Test
    void longestWindowIsThreeDays() {
        assertThat(BurnWindow.longest()).isEqualTo(BurnWindow.D3);
    }

    // ---------------------------------------------------------------- GoodValid

    @ParameterizedTest(name = "[{index}] {0}/{1} is refused")
    @CsvSource({
            "2,  1",
            "1,  0",
            "-1, 0",
            "-1, 5",
            "0,  -1",
            "-3, -1",
            "5,  -5"})
    void goodValidRefusesGoodAboveValidAndNegatives(long good, long valid) {
        assertThatThrownBy(() -> new GoodValid(good, valid))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(good + "/" + valid);
    }

    @ParameterizedTest(name = "[{index}] {0}/{1} is accepted, {2} bad")
    @CsvSource({
            "0, 0, 0",
            "0, 5, 5",
            "5, 5, 0",
            "3, 8, 5"})
    void goodValidAcceptsZeroToValidGood(long good, long valid, long bad) {
        GoodValid count = new GoodValid(good, valid);

        assertThat(count.good()).isEqualTo(good);
        assertThat(count.valid()).isEqualTo(valid);
        assertThat(count.bad()).isEqualTo(bad);
    }

    @ParameterizedTest(name = "[{index}] {0}/{1} + {2}/{3} = {4}/{5}")
    @CsvSource({
            "0, 0, 0,  0,  0,  0",
            "3, 4, 0,  0,  3,  4",
            "0, 0, 7,  9,  7,  9",
            "3, 4, 7,  9,  10, 13",
            "0, 4, 10, 10, 10, 14"})
    void plusAddsGoodAndValid(long good1, long valid1, long good2, long valid2, long good, long valid) {
        assertThat(new GoodValid(good1, valid1).plus(new GoodValid(good2, valid2))).isEqualTo(new GoodValid(good, valid));
    }

    @ParameterizedTest(name = "[{index}] {0}/{1}: error ratio {2}")
    @CsvSource(nullValues = "null", value = {
            "0,   0,    null",
            "10,  10,   0.0",
            "0,   10,   1.0",
            "3,   4,    0.25",
            "990, 1000, 0.01"})
    void errorRatioIsBadOverValidAndNullWithoutValidEvents(long good, long valid, Double errorRatio) {
        Double actual = new GoodValid(good, valid).errorRatio();

        if (errorRatio == null) {
            assertThat(actual).isNull();
        } else {
            assertThat(actual).isCloseTo(errorRatio, within(1e-12));
        }
    }

    @Test
    void noneIsZeroOfZero() {
        assertThat(GoodValid.NONE).isEqualTo(new GoodValid(0, 0));
    }
}
