package dev.bellwether.judge;

/**
 * An always-valid test that the canary's bad-event ratio exceeds the control's by more than a margin: the mixture
 * sequential probability ratio test (mSPRT) of Johari, Pekelis and Walsh ("Always valid inference", 2017) under the
 * normal approximation. Its likelihood ratio can be checked after every new event, as often as wanted, and the chance
 * that it ever crosses {@code 1/alpha} under the null stays below {@code alpha}, where a fixed-sample test checked
 * every tick would almost surely raise a false alarm in the end.
 *
 * <p>With {@code d = canary ratio - control ratio - margin}, {@code s²} the variance of that difference and
 * {@code tau²} the variance of the normal mixture over effects:
 * {@code Λ = sqrt(s² / (s² + tau²)) · exp(tau² · d² / (2 s² (s² + tau²)))}. The test is made one-sided by
 * rejecting only when {@code d > 0}.
 */
public final class SequentialTest {

    /** The outcome: the estimated excess over the margin, its likelihood ratio, and whether it is significant. */
    public record Result(double canaryRatio, double controlRatio, double margin, double likelihoodRatio, boolean regression) {
    }

    private SequentialTest() {
    }

    /**
     * @param canaryBad canary events that were bad, out of {@code canaryValid}
     * @param margin    how much worse than control the canary may be before it counts (absolute, in ratio units)
     * @param tau       the effect size the mixture is centred on (larger detects large effects sooner)
     */
    public static Result test(long canaryBad, long canaryValid, long controlBad, long controlValid, double margin,
            double tau, double alpha) {
        double canary = (double) canaryBad / canaryValid;
        double control = (double) controlBad / controlValid;
        double variance = smoothedVariance(canaryBad, canaryValid) + smoothedVariance(controlBad, controlValid);
        double excess = canary - control - margin;
        double likelihoodRatio = mixtureLikelihoodRatio(excess, variance, tau * tau);
        return new Result(canary, control, margin, likelihoodRatio, excess > 0 && likelihoodRatio >= 1 / alpha);
    }

    /** One sample against a fixed bound: is the canary's bad ratio above {@code bound} (e.g. an SLO's error budget)? */
    public static Result testAgainst(long canaryBad, long canaryValid, double bound, double tau, double alpha) {
        double canary = (double) canaryBad / canaryValid;
        double excess = canary - bound;
        double likelihoodRatio = mixtureLikelihoodRatio(excess, smoothedVariance(canaryBad, canaryValid), tau * tau);
        return new Result(canary, bound, 0, likelihoodRatio, excess > 0 && likelihoodRatio >= 1 / alpha);
    }

    static double mixtureLikelihoodRatio(double excess, double variance, double tauSquared) {
        double logRatio = 0.5 * Math.log(variance / (variance + tauSquared))
                + tauSquared * excess * excess / (2 * variance * (variance + tauSquared));
        return Math.exp(Math.min(logRatio, 700));
    }

    /**
     * Variance of a ratio estimate with half an event added to each side, so that a run of all-good events does
     * not claim zero variance (which would make one bad event look infinitely significant).
     */
    static double smoothedVariance(long bad, long valid) {
        double p = (bad + 0.5) / (valid + 1.0);
        return p * (1 - p) / valid;
    }
}
