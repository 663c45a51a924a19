package dev.bellwether.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withinPercentage;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BadEventShareSprtTest {

    private static final double ALPHA = 0.05;

    /*
     * Expected values computed independently in Python (float64):
     *   c = controlBad / controlValid (0.5 / (controlValid + 1) when controlBad is 0), ρ0 = 1 + margin / c,
     *   p(ρ) = nc·ρ / (nc·ρ + nk),
     *   log Λ_j = cb·ln(p(ρj)/p(ρ0)) + kb·ln((1 - p(ρj))/(1 - p(ρ0))) for ρj = ρ0·16^(j/12), j = 1..12,
     *   Λ = mean of exp(log Λ_j); regression = canary > control + margin and Λ >= 20.
     */
    @ParameterizedTest(name = "{0}/{1} vs {2}/{3}, margin {4}: Λ {5}, regression {6}")
    @CsvSource({
            // canaryBad, canaryValid, controlBad, controlValid, margin, Λ, regression
            "50,  1000, 10,  1000,  0.005,  677.2127724,     true",
            "30,  1000, 10,  1000,  0.0025, 8.492019988,     false",
            "25,  1000, 10,  1000,  0.0025, 2.098819009,     false",
            "20,  1000, 10,  1000,  0.0025, 0.6387702766,    false",
            // a 5 % canary of 900 against a 1 % control of 18,000 (a 5 % step)
            "45,  900,  180, 18000, 0.0025, 2.459638294e+10, true",
            "15,  900,  180, 18000, 0.0025, 0.2961550245,    false",
            "100, 2000, 20,  2000,  0.0025, 273464560.6,     true",
            // canary better than control: no evidence
            "10,  1000, 50,  1000,  0.0125, 0.0002571544586, false",
            // no bad events at all: nothing to judge by, Λ is exactly 1
            "0,   1000, 0,   1000,  0.001,  1,               false",
            // a clean control: the absolute margin makes ρ0 large, and a few canary bad events are not enough
            "3,   200,  0,   4000,  0.001,  10.89423715,     false",
            "1,   10000, 0,  10000, 0.001,  1.032947979,     false",
            "6,   500,  0,   500,   0.001,  5.787240831,     false",
    })
    void likelihoodRatioMatchesAnIndependentComputation(long canaryBad, long canaryValid, long controlBad,
            long controlValid, double margin, double expectedRatio, boolean regression) {
        NormalMixtureSprt.Result result = BadEventShareSprt.test(canaryBad, canaryValid, controlBad, controlValid, margin, ALPHA);

        assertThat(result.likelihoodRatio()).isCloseTo(expectedRatio, withinPercentage(1e-6));
        assertThat(result.regression()).isEqualTo(regression);
        assertThat(result.canaryRatio()).isEqualTo((double) canaryBad / canaryValid);
        assertThat(result.controlRatio()).isEqualTo((double) controlBad / controlValid);
        assertThat(result.margin()).isEqualTo(margin);
    }

    @ParameterizedTest(name = "canary {0} vs control {1}: at most {2} of the events the normal mixture needs")
    @CsvSource({
            // canary's rate, control's rate, largest share of the normal mixture's events
            "0.0625, 0.0125, 0.5",  // 5x dead letters: the time-to-kill benchmark's regression
            "0.025,  0.0125, 0.9",  // 2x: the judge benchmark's
            "0.05,   0.01,   0.5",
    })
    void rareBadEventsAreCaughtOnFewerEventsThanByTheNormalMixture(double canaryRate, double controlRate,
            double atMost) {
        // a 5 % canary: 1 canary event to 19 control ones, on expected counts, the judge's margin and effect scale
        long rateRatio = eventsToCross(canaryRate, controlRate, true);
        long normal = eventsToCross(canaryRate, controlRate, false);

        assertThat(rateRatio).isPositive().isLessThanOrEqualTo((long) (atMost * normal));
    }

    private static long eventsToCross(double canaryRate, double controlRate, boolean rateRatio) {
        JudgeSettings settings = JudgeSettings.defaults(0);
        for (long canary = 10; canary < 10_000_000; canary += Math.max(1, canary / 100)) {
            long control = 19 * canary;
            long canaryBad = Math.round(canary * canaryRate);
            long controlBad = Math.round(control * controlRate);
            double margin = Math.max(settings.minAbsoluteEffect(), settings.minRelativeEffect() * controlRate);
            NormalMixtureSprt.Result result = rateRatio
                    ? BadEventShareSprt.test(canaryBad, canary, controlBad, control, margin, ALPHA)
                    : NormalMixtureSprt.test(canaryBad, canary, controlBad, control, margin,
                            NormalMixtureSprt.Mixture.spread(Math.max(margin, settings.effectScale())), ALPHA);
            if (result.regression()) {
                return canary;
            }
        }
        throw new AssertionError("never crossed");
    }

    /**
     * The always-valid promise, checked by simulation: canaries exactly at the null's edge (a quarter worse than
     * control, the judge's relative margin, with the margin taken from control's observed ratio as the judge does),
     * judged after every batch of events for a long time, are almost never flagged.
     */
    @ParameterizedTest(name = "control {0}, canary share of events 1 in {1}: at most {2} of 1,000 flagged")
    @CsvSource({
            "0.01, 20, 50",   // a 5 % step
            "0.01, 2,  50",   // a 50 % step
            "0.05, 4,  50",   // conflicts, more common
    })
    void atTheNullsEdgeFewerThanAlphaOfCanariesAreEverFlagged(double controlRate, int oneIn, int atMost) {
        SplittableRandom random = new SplittableRandom(7);
        double canaryRate = controlRate * 1.25;
        int flagged = 0;
        for (int run = 0; run < 1000; run++) {
            long canary = 0;
            long canaryBad = 0;
            long control = 0;
            long controlBad = 0;
            for (int look = 0; look < 100; look++) {
                for (int event = 0; event < 400; event++) {
                    if (random.nextInt(oneIn) == 0) {
                        canary++;
                        canaryBad += random.nextDouble() < canaryRate ? 1 : 0;
                    } else {
                        control++;
                        controlBad += random.nextDouble() < controlRate ? 1 : 0;
                    }
                }
                double margin = Math.max(0.001, 0.25 * controlBad / control);
                if (canary >= 100 && BadEventShareSprt.test(canaryBad, canary, controlBad, control, margin, ALPHA).regression()) {
                    flagged++;
                    break;
                }
            }
        }
        // alpha is 0.05: 50 of 1,000 (the margin taken from control's observed ratio costs a little of the slack)
        assertThat(flagged).isLessThanOrEqualTo(atMost);
    }

    @Test
    void moreEvidenceAtTheSameRatesIsMoreLikelyARegression() {
        double previous = 0;
        for (int scale = 1; scale <= 16; scale *= 2) {
            double ratio = BadEventShareSprt.test(5L * scale, 200L * scale, 20L * scale, 4000L * scale, 0.00125, ALPHA)
                    .likelihoodRatio();
            assertThat(ratio).isGreaterThan(previous);
            previous = ratio;
        }
    }

    @Test
    void theCanaryBetterThanControlIsNeverARegression() {
        NormalMixtureSprt.Result result = BadEventShareSprt.test(0, 100_000, 5_000, 100_000, 0.0125, ALPHA);

        assertThat(result.regression()).isFalse();
        assertThat(result.likelihoodRatio()).isLessThan(1);
    }

    @Test
    void anOverwhelmingRegressionSaturatesInsteadOfOverflowing() {
        // half the canary's events bad against 0.5 % of control's: a log-likelihood ratio of about 2,663
        NormalMixtureSprt.Result result = BadEventShareSprt.test(5000, 10_000, 50, 10_000, 0.001, ALPHA);

        assertThat(result.likelihoodRatio()).isFinite().isEqualTo(Math.exp(700));
        assertThat(result.regression()).isTrue();
    }

    @Test
    void refusesCohortsWithoutEventsAndNegativeMargins() {
        assertThatThrownBy(() -> BadEventShareSprt.test(0, 0, 0, 10, 0.001, ALPHA))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("valid events");
        assertThatThrownBy(() -> BadEventShareSprt.test(0, 10, 0, 0, 0.001, ALPHA))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("valid events");
        assertThatThrownBy(() -> BadEventShareSprt.test(1, 10, 1, 10, -0.001, ALPHA))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("margin");
    }
}
