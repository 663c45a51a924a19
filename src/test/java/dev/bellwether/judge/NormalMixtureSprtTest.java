package dev.bellwether.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withinPercentage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NormalMixtureSprtTest {

    private static final double ALPHA = 0.05;

    // ------------------------------------------------------------------ concrete numbers

    /*
     * Expected values computed independently in Python (float64) from the mSPRT formula
     *   p = (bad + 0.5) / (valid + 1), s² = p(1-p)/valid summed over both cohorts,
     *   d = canary - control - margin,
     *   Λ = sqrt(s² / (s² + tau²)) · exp(tau² d² / (2 s² (s² + tau²))),
     * regression = d > 0 and Λ >= 1/alpha (alpha 0.05: 20).
     */
    @ParameterizedTest(name = "{0}/{1} vs {2}/{3}, margin {4}, tau {5}: Λ {6}, regression {7}")
    @CsvSource({
            // canaryBad, canaryValid, controlBad, controlValid, margin, tau, Λ, regression
            "50,  1000, 10, 1000,  0.005, 0.005, 19.61080302,  false", // 5 % vs 1 %: just short of 20
            "60,  1000, 10, 1000,  0.005, 0.005, 50.94547492,  true",
            "100, 2000, 20, 2000,  0.005, 0.005, 13462.00944,  true",
            "20,  1000, 10, 1000,  0.005, 0.005, 0.8917261763, false", // excess 0.005 over the margin, little data
            "40,  2000, 20, 2000,  0.005, 0.005, 1.031300822,  false",
            "80,  4000, 40, 4000,  0.005, 0.005, 1.749846307,  false",
            "160, 8000, 80, 8000,  0.005, 0.005, 6.7994421,    false",
            "30,  2000, 20, 2000,  0.0,   0.01,  0.8081924176, false",
            // canary better than control: a large Λ, but on the wrong side
            "10,  1000, 50, 1000,  0.005, 0.005, 153.8828852,  false",
            // no bad events anywhere: the smoothing keeps s² > 0 and Λ finite
            "0,   1000, 0,  1000,  0.0,   0.001, 0.7068417211, false",
            "0,   500,  0,  500,   0.001, 0.001, 0.9169185833, false",
            "0,   10,   0,  10,    0.0,   0.01,  0.9942874211, false",
            // one bad event among 10 000 against none is not evidence
            "1,   10000, 0, 10000, 0.0,   0.001, 0.1789106366, false",
            "5,   100,  0,  100,   0.0,   0.01,  1.286613962,  false",
    })
    void likelihoodRatioMatchesAnIndependentComputation(long canaryBad, long canaryValid, long controlBad,
            long controlValid, double margin, double tau, double expectedRatio, boolean regression) {
        NormalMixtureSprt.Result result = NormalMixtureSprt.test(canaryBad, canaryValid, controlBad, controlValid, margin, tau,
                ALPHA);

        assertThat(result.likelihoodRatio()).isCloseTo(expectedRatio, withinPercentage(1e-6));
        assertThat(result.regression()).isEqualTo(regression);
        assertThat(result.canaryRatio()).isEqualTo((double) canaryBad / canaryValid);
        assertThat(result.controlRatio()).isEqualTo((double) controlBad / controlValid);
        assertThat(result.margin()).isEqualTo(margin);
    }

    @ParameterizedTest(name = "{0}/{1} against {2}, tau {3}: Λ {4}, regression {5}")
    @CsvSource({
            // canaryBad, canaryValid, bound, tau, Λ, regression
            "30, 1000, 0.01,  0.01,  88.87238001,  true",  // 3 % against a 1 % budget
            "25, 1000, 0.01,  0.01,  16.82453331,  false", // 2.5 %: not yet
            "20, 1000, 0.01,  0.01,  3.259002292,  false",
            "12, 1000, 0.01,  0.01,  0.3827913827, false",
            "0,  1000, 0.001, 0.001, 1.125462892,  false", // below the bound
    })
    void testAgainstABoundMatchesAnIndependentComputation(long canaryBad, long canaryValid, double bound, double tau,
            double expectedRatio, boolean regression) {
        NormalMixtureSprt.Result result = NormalMixtureSprt.testAgainst(canaryBad, canaryValid, bound, tau, ALPHA);

        assertThat(result.likelihoodRatio()).isCloseTo(expectedRatio, withinPercentage(1e-6));
        assertThat(result.regression()).isEqualTo(regression);
        assertThat(result.canaryRatio()).isEqualTo((double) canaryBad / canaryValid);
        assertThat(result.controlRatio()).as("the bound is reported where control's ratio would be").isEqualTo(bound);
        assertThat(result.margin()).isZero();
    }

    // ------------------------------------------------------------------ mixtures over effect sizes

    /* Expected: 0.5 Λ(tau) + 0.5 Λ(4 tau), each as above, computed independently in Python (float64). */
    @ParameterizedTest(name = "{0}/{1} vs {2}/{3}, margin {4}, spread from tau {5}: Λ {6}")
    @CsvSource({
            "50,  1000, 10,  1000,  0.005,  0.005,  1726.530122",
            "60,  1000, 10,  1000,  0.005,  0.005,  76471.48805",
            "240, 1000, 940, 10000, 0.0235, 0.0235, 3.602562384e15",
            "20,  1000, 10,  1000,  0.005,  0.005,  0.640607108",
    })
    void theSpreadMixtureIsTheWeightedSumOfItsScales(long canaryBad, long canaryValid, long controlBad, long controlValid,
            double margin, double tau, double expectedRatio) {
        NormalMixtureSprt.Result result = NormalMixtureSprt.test(canaryBad, canaryValid, controlBad, controlValid, margin,
                NormalMixtureSprt.Mixture.spread(tau), ALPHA);

        assertThat(result.likelihoodRatio()).isCloseTo(expectedRatio, withinPercentage(1e-6));
    }

    @Test
    void aMixtureOfOneScaleIsThePlainTest() {
        NormalMixtureSprt.Result plain = NormalMixtureSprt.test(50, 1000, 10, 1000, 0.005, 0.005, ALPHA);
        NormalMixtureSprt.Result mixture = NormalMixtureSprt.test(50, 1000, 10, 1000, 0.005, NormalMixtureSprt.Mixture.of(0.005), ALPHA);

        assertThat(mixture).isEqualTo(plain);
    }

    @Test
    void aMixturesWeightsMustSumToOneOverAsManyScales() {
        assertThatThrownBy(() -> new NormalMixtureSprt.Mixture(new double[] {0.01, 0.04}, new double[] {0.5, 0.6}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sum to 1");
        assertThatThrownBy(() -> new NormalMixtureSprt.Mixture(new double[] {0.01}, new double[] {0.5, 0.5}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one weight per scale");
    }

    /**
     * Events per cohort (canary and control alike, control 20 times as many) until the first regression, at the
     * judge's margin (a quarter of control, at least 0.001) and tau (the margin, at least 0.01): the spread catches
     * large regressions on far fewer events and pays a little for those just beyond the margin.
     */
    @ParameterizedTest(name = "canary {0} vs control {1}: spread needs {2}–{3} of the events tau alone needs")
    @CsvSource({
            "0.24,  0.094, 0.5,  0.75", // a large effect on a noisy indicator
            "0.05,  0.01,  0.65, 0.9",  // 5x dead letters
            "0.02,  0.01,  1.0,  1.2",  // 2x dead letters
            "0.015, 0.01,  1.0,  1.2",  // 1.5x dead letters, just beyond the margin
    })
    void theSpreadTradesALittleSmallEffectPowerForMuchSoonerLargeOnes(double canary, double control, double atLeast,
            double atMost) {
        double margin = Math.max(0.001, 0.25 * control);
        double tau = Math.max(margin, 0.01);
        double ratio = (double) eventsUntilRegression(canary, control, margin, NormalMixtureSprt.Mixture.spread(tau))
                / eventsUntilRegression(canary, control, margin, NormalMixtureSprt.Mixture.of(tau));

        assertThat(ratio).isBetween(atLeast, atMost);
    }

    private static long eventsUntilRegression(double canary, double control, double margin, NormalMixtureSprt.Mixture mixture) {
        for (long n = 10; n < 10_000_000; n += Math.max(1, n / 100)) {
            if (NormalMixtureSprt.test(Math.round(canary * n), n, Math.round(control * 20 * n), 20 * n, margin, mixture, ALPHA)
                    .regression()) {
                return n;
            }
        }
        throw new AssertionError("no regression found");
    }

    // ------------------------------------------------------------------ properties

    @ParameterizedTest(name = "{0}/{1} vs {2}/{3} margin {4}")
    @CsvSource({
            "10,  1000,   10,  1000,   0.0",
            "100, 10000,  100, 10000,  0.0",
            "0,   1000,   0,   1000,   0.0",
            "30,  1000,   20,  1000,   0.01",  // canary 1 point worse, exactly the margin
            "500, 100000, 500, 100000, 0.0",
    })
    void withNoExcessTheLikelihoodRatioIsJustBelowOne(long canaryBad, long canaryValid, long controlBad,
            long controlValid, double margin) {
        NormalMixtureSprt.Result result = NormalMixtureSprt.test(canaryBad, canaryValid, controlBad, controlValid, margin,
                0.005, ALPHA);

        assertThat(result.likelihoodRatio()).isLessThan(1.0).isGreaterThan(0.0);
        assertThat(result.regression()).isFalse();
    }

    @Test
    void withNoExcessTheLikelihoodRatioIsTheMixturesShrinkageFactor() {
        // d = 0 leaves sqrt(s² / (s² + tau²)): close to 1 while s² dominates tau², falling as data accumulate
        double small = NormalMixtureSprt.test(1, 10, 1, 10, 0, 0.005, ALPHA).likelihoodRatio();
        double large = NormalMixtureSprt.test(100, 10000, 100, 10000, 0, 0.005, ALPHA).likelihoodRatio();

        assertThat(small).isCloseTo(1.0, withinPercentage(1)).isLessThan(1.0);
        assertThat(large).isLessThan(small);
    }

    @Test
    void theLikelihoodRatioGrowsWithEvidenceAtTheSameRatios() {
        // canary 3 % against control 1 %, margin 0.5 point: the same ratios on ever more events
        double previous = 0;
        for (int valid = 500; valid <= 64000; valid *= 2) {
            NormalMixtureSprt.Result result = NormalMixtureSprt.test(valid * 3L / 100, valid, valid / 100, valid, 0.005, 0.005,
                    ALPHA);
            assertThat(result.likelihoodRatio()).as("at %d events", valid).isGreaterThan(previous);
            previous = result.likelihoodRatio();
        }
        assertThat(NormalMixtureSprt.test(15, 500, 5, 500, 0.005, 0.005, ALPHA).regression()).isFalse();
        assertThat(NormalMixtureSprt.test(1920, 64000, 640, 64000, 0.005, 0.005, ALPHA).regression()).isTrue();
    }

    @Test
    void theLikelihoodRatioGrowsWithTheExcessAtTheSameSampleSize() {
        // from no excess (30/2000 = 1.5 % = control's 1 % plus the margin) upwards; below it Λ would rise again, the
        // mixture being two-sided until regression() checks the sign
        double previous = 0;
        for (int canaryBad = 30; canaryBad <= 90; canaryBad += 10) {
            double ratio = NormalMixtureSprt.test(canaryBad, 2000, 20, 2000, 0.005, 0.005, ALPHA).likelihoodRatio();
            assertThat(ratio).as("canary %d/2000", canaryBad).isGreaterThan(previous);
            previous = ratio;
        }
    }

    @ParameterizedTest(name = "{0}/{1} vs {2}/{3}: regression {4}")
    @CsvSource({
            // a positive excess with Λ beyond 1/alpha: regression
            "100,  2000,  20,  2000,  true",
            // a positive excess without enough evidence: none
            "20,   1000,  10,  1000,  false",
            // a huge Λ for a canary better than control: none, the test is one-sided
            "10,   10000, 200, 10000, false",
            // a canary worse than control but within the margin, however much data: none
            "1400, 100000, 1000, 100000, false",
    })
    void regressionNeedsBothAPositiveExcessAndEnoughEvidence(long canaryBad, long canaryValid, long controlBad,
            long controlValid, boolean regression) {
        NormalMixtureSprt.Result result = NormalMixtureSprt.test(canaryBad, canaryValid, controlBad, controlValid, 0.005, 0.005,
                ALPHA);

        double excess = result.canaryRatio() - result.controlRatio() - result.margin();
        assertThat(result.regression()).isEqualTo(regression);
        assertThat(result.regression()).isEqualTo(excess > 0 && result.likelihoodRatio() >= 1 / ALPHA);
    }

    @Test
    void theCanaryBetterThanControlIsNeverARegressionThoughTheEvidenceIsOverwhelming() {
        NormalMixtureSprt.Result result = NormalMixtureSprt.test(10, 10000, 200, 10000, 0.005, 0.005, ALPHA);

        assertThat(result.likelihoodRatio()).isGreaterThan(1e6);
        assertThat(result.regression()).isFalse();
    }

    @Test
    void theThresholdIsOneOverAlpha() {
        // Λ for 50/1000 vs 10/1000 (margin and tau 0.005) is 19.61: below 1/0.05 = 20, above 1/0.06 = 16.7
        assertThat(NormalMixtureSprt.test(50, 1000, 10, 1000, 0.005, 0.005, 0.05).regression()).isFalse();
        assertThat(NormalMixtureSprt.test(50, 1000, 10, 1000, 0.005, 0.005, 0.06).regression()).isTrue();
    }

    @Test
    void smoothingKeepsAllGoodSamplesFromClaimingZeroVariance() {
        // without the half event, 0/1000 would have variance 0: one bad canary event would be infinitely significant
        assertThat(NormalMixtureSprt.smoothedVariance(0, 1000)).isPositive()
                .isCloseTo((0.5 / 1001) * (1 - 0.5 / 1001) / 1000, withinPercentage(1e-9));
        assertThat(NormalMixtureSprt.smoothedVariance(1000, 1000)).isPositive();

        NormalMixtureSprt.Result oneBad = NormalMixtureSprt.test(1, 1000, 0, 1000, 0, 0.001, ALPHA);
        assertThat(oneBad.likelihoodRatio()).isFinite().isLessThan(1 / ALPHA);
        assertThat(oneBad.regression()).isFalse();

        NormalMixtureSprt.Result noneBad = NormalMixtureSprt.test(0, 1000000, 0, 1000000, 0, 0.001, ALPHA);
        assertThat(noneBad.likelihoodRatio()).isFinite().isPositive().isLessThan(1.0);
    }

    @Test
    void anOverwhelmingRegressionSaturatesInsteadOfOverflowing() {
        NormalMixtureSprt.Result result = NormalMixtureSprt.test(50000, 100000, 0, 100000, 0, 0.01, ALPHA);

        assertThat(result.likelihoodRatio()).isFinite().isGreaterThan(1e300);
        assertThat(result.regression()).isTrue();
    }

    @Test
    void testAgainstFlagsACanaryWellAboveTheBoundAndNotOneBelowIt() {
        assertThat(NormalMixtureSprt.testAgainst(60, 1000, 0.01, 0.01, ALPHA).regression()).isTrue();
        assertThat(NormalMixtureSprt.testAgainst(5, 1000, 0.01, 0.01, ALPHA).regression()).isFalse();
        // below the bound with overwhelming evidence: still not a regression
        NormalMixtureSprt.Result below = NormalMixtureSprt.testAgainst(0, 100000, 0.01, 0.01, ALPHA);
        assertThat(below.likelihoodRatio()).isGreaterThan(1 / ALPHA);
        assertThat(below.regression()).isFalse();
    }

    @Test
    void testAgainstGrowsWithEvidenceAtTheSameRatio() {
        // 2 % against a 1 % budget: 20/1000 is not enough, 80/4000 is
        assertThat(NormalMixtureSprt.testAgainst(20, 1000, 0.01, 0.01, ALPHA).regression()).isFalse();
        assertThat(NormalMixtureSprt.testAgainst(80, 4000, 0.01, 0.01, ALPHA).regression()).isTrue();
        assertThat(NormalMixtureSprt.testAgainst(80, 4000, 0.01, 0.01, ALPHA).likelihoodRatio())
                .isGreaterThan(NormalMixtureSprt.testAgainst(40, 2000, 0.01, 0.01, ALPHA).likelihoodRatio());
    }
}
