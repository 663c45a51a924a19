package dev.bellwether.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.DoubleStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DistributionTest {

    private static final double[] QUANTILES = {0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0};
    /** A hair above the 1 % relative accuracy so that floating-point rounding at a bin edge does not fail a test. */
    private static final double ACCURACY_PERCENT = 1.0 + 1e-6;

    /** Lognormal latencies in ms around a median of 200 ms, with a long tail. */
    private static double[] latencies(long seed, int n) {
        Random random = new Random(seed);
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = Math.exp(Math.log(200) + 1.2 * random.nextGaussian());
        }
        return values;
    }

    private static Distribution of(double... values) {
        Distribution distribution = new Distribution();
        for (double value : values) {
            distribution.add(value);
        }
        return distribution;
    }

    /** The sample value of rank floor(q * (n - 1)), the rank a DDSketch resolves a quantile to. */
    private static double exactQuantile(double[] sorted, double q) {
        return sorted[(int) Math.floor(q * (sorted.length - 1))];
    }

    private static void assertQuantilesWithinAccuracy(Distribution distribution, double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        for (double q : QUANTILES) {
            assertThat(distribution.quantile(q))
                    .as("quantile %s", q)
                    .isCloseTo(exactQuantile(sorted, q), withinPercentage(ACCURACY_PERCENT));
        }
    }

    @Test
    void quantilesAreWithinOnePercentOfTheExactQuantilesOfALognormalSample() {
        double[] values = latencies(42, 20_000);

        Distribution distribution = of(values);

        assertThat(distribution.count()).isEqualTo(20_000);
        assertQuantilesWithinAccuracy(distribution, values);
    }

    @Test
    void quantilesStayWithinOnePercentAcrossManyOrdersOfMagnitude() {
        Random random = new Random(7);
        double[] values = DoubleStream.generate(() -> Math.pow(10, -2 + 9 * random.nextDouble())).limit(5_000).toArray();

        assertQuantilesWithinAccuracy(of(values), values);
    }

    @Test
    void maxIsWithinOnePercentOfTheLargestValue() {
        double[] values = latencies(3, 1_000);

        assertThat(of(values).max()).isCloseTo(Arrays.stream(values).max().orElseThrow(), withinPercentage(ACCURACY_PERCENT));
    }

    @Test
    void encodeThenDecodePreservesCountQuantilesAndMax() {
        Distribution original = of(latencies(11, 5_000));
        original.add(0);

        Distribution decoded = Distribution.decode(original.encode());

        assertThat(decoded.count()).isEqualTo(original.count()).isEqualTo(5_001);
        for (double q : QUANTILES) {
            assertThat(decoded.quantile(q)).as("quantile %s", q).isEqualTo(original.quantile(q));
        }
        assertThat(decoded.max()).isEqualTo(original.max());
        assertThat(decoded.countAtMost(0)).isEqualTo(1);
        assertThat(decoded.countAtMost(300)).isEqualTo(original.countAtMost(300));
    }

    @Test
    void anEmptyDistributionSurvivesEncodeAndDecode() {
        Distribution decoded = Distribution.decode(new Distribution().encode());

        assertThat(decoded.isEmpty()).isTrue();
        assertThat(decoded.count()).isZero();
        assertThat(decoded.quantile(0.5)).isNull();
    }

    @Test
    void mergingTwoSketchesEqualsTheSketchOfTheUnion() {
        double[] first = latencies(1, 3_000);
        double[] second = DoubleStream.of(latencies(2, 2_000)).map(v -> v * 10).toArray();
        double[] union = DoubleStream.concat(DoubleStream.of(first), DoubleStream.of(second)).toArray();

        Distribution merged = of(first);
        merged.merge(of(second));
        Distribution ofUnion = of(union);

        assertThat(merged.count()).isEqualTo(ofUnion.count()).isEqualTo(5_000);
        for (double q : QUANTILES) {
            assertThat(merged.quantile(q)).as("quantile %s", q).isEqualTo(ofUnion.quantile(q));
        }
        assertThat(merged.max()).isEqualTo(ofUnion.max());
        assertQuantilesWithinAccuracy(merged, union);
    }

    @Test
    void mergingIntoAnEmptyDistributionCopiesTheOther() {
        Distribution source = of(latencies(5, 500));
        Distribution target = new Distribution();

        target.merge(source);

        assertThat(target.count()).isEqualTo(500);
        assertThat(target.quantile(0.5)).isEqualTo(source.quantile(0.5));
    }

    @Test
    void mergingAnEmptyDistributionChangesNothing() {
        Distribution target = of(latencies(6, 500));
        Double medianBefore = target.quantile(0.5);

        target.merge(new Distribution());

        assertThat(target.count()).isEqualTo(500);
        assertThat(target.quantile(0.5)).isEqualTo(medianBefore);
    }

    @ParameterizedTest(name = "countAtMost({0}) matches the exact count to 1 %")
    @ValueSource(doubles = {1, 10, 50, 100, 200, 250, 500, 1_000, 2_000, 10_000, 1e6})
    void countAtMostMatchesTheExactCountUpToValuesWithinOnePercentOfTheBound(double bound) {
        double[] values = latencies(99, 20_000);
        Distribution distribution = of(values);

        // A value within 1 % of the bound may be counted on either side; all others must be on the right side.
        long surelyBelow = Arrays.stream(values).filter(v -> v * 1.0101 <= bound).count();
        long possiblyBelow = Arrays.stream(values).filter(v -> v * 0.9899 <= bound).count();

        assertThat(distribution.countAtMost(bound)).isBetween(surelyBelow, possiblyBelow);
    }

    @Test
    void countAtMostIsExactForBoundsFarFromAnyValue() {
        Distribution distribution = of(10, 20, 20, 30, 100, 1_000);

        assertThat(distribution.countAtMost(5)).isZero();
        assertThat(distribution.countAtMost(15)).isEqualTo(1);
        assertThat(distribution.countAtMost(25)).isEqualTo(3);
        assertThat(distribution.countAtMost(500)).isEqualTo(5);
        assertThat(distribution.countAtMost(5_000)).isEqualTo(6);
    }

    @Test
    void noValueIsAtMostANegativeBound() {
        Distribution distribution = of(0, 0, 5, 10);

        assertThat(distribution.countAtMost(-1)).isZero();
    }

    @Test
    void anEmptyDistributionHasNoQuantilesAndZeroCounts() {
        Distribution empty = new Distribution();

        assertThat(empty.isEmpty()).isTrue();
        assertThat(empty.count()).isZero();
        assertThat(empty.quantile(0.5)).isNull();
        assertThat(empty.quantile(0.99)).isNull();
        assertThat(empty.max()).isNull();
        assertThat(empty.countAtMost(1_000)).isZero();
    }

    @Test
    void zerosAreCountedAndSitAtTheBottomOfTheDistribution() {
        Distribution distribution = of(0, 0, 0, 100, 200);

        assertThat(distribution.isEmpty()).isFalse();
        assertThat(distribution.count()).isEqualTo(5);
        assertThat(distribution.countAtMost(0)).isEqualTo(3);
        assertThat(distribution.countAtMost(50)).isEqualTo(3);
        assertThat(distribution.countAtMost(1_000)).isEqualTo(5);
        assertThat(distribution.quantile(0.0)).isEqualTo(0.0);
        assertThat(distribution.quantile(0.5)).isEqualTo(0.0);
        assertThat(distribution.quantile(1.0)).isCloseTo(200, withinPercentage(ACCURACY_PERCENT));
    }

    @Test
    void aDistributionOfOnlyZerosHasZeroQuantilesAndMax() {
        Distribution distribution = of(0, 0);

        assertThat(distribution.count()).isEqualTo(2);
        assertThat(distribution.quantile(0.95)).isEqualTo(0.0);
        assertThat(distribution.max()).isEqualTo(0.0);
    }

    @Test
    void aSingleValueIsEveryQuantile() {
        Distribution distribution = of(123.4);

        for (double q : QUANTILES) {
            assertThat(distribution.quantile(q)).as("quantile %s", q).isCloseTo(123.4, withinPercentage(ACCURACY_PERCENT));
        }
    }
}
