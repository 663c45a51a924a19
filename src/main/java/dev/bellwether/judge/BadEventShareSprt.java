package dev.bellwether.judge;

/**
 * An always-valid test that the canary's rate of rare bad events (dead letters, repeat failures, conflicts, failed
 * migrations) exceeds control's by more than a ratio, from the canary's share of all bad events.
 *
 * <p>When bad events are rare, each cohort's count is close to Poisson, and given the total count {@code B}, the
 * canary's count is binomial: each bad event is the canary's with probability {@code p(ρ) = nc·ρ / (nc·ρ + nk)},
 * where {@code nc} and {@code nk} are the cohorts' valid events and {@code ρ} the ratio of their rates. Control's own
 * noise drops out, and the likelihood is exact where the normal approximation of {@link NormalMixtureSprt} is weakest:
 * a small canary at rates of a few percent, where it takes the variance at the canary's (raised) rate. The
 * alternative is a mixture over ratios above the null's {@code ρ0} (log-spaced from {@code 1.26·ρ0} to
 * {@code 16·ρ0}, equal weights): for a fixed {@code ρ0} and canary share of the events, its likelihood ratio against
 * {@code p(ρ0)} is a test supermartingale under any ratio at most {@code ρ0}, so checking it at every event keeps the
 * chance of ever crossing {@code 1/alpha} below {@code alpha}. Here {@code ρ0} follows control's observed ratio and
 * the canary's share moves after a step-up; {@code BadEventShareSprtTest} simulates the first, and
 * {@code JudgeAccuracyBenchmark} measures the whole. For bad events that are not rare the binomial overstates the
 * share's variance, which makes the test conservative, not wrong.
 *
 * <p>The gain is largest for a small canary, whose raised rate the normal approximation takes as its variance; the
 * larger the canary's share, the smaller the gain: at a 50 % step the normal mixture (with its prior spread to four
 * times the margin) needs fewer events. {@code BadEventShareSprtTest} has the cases, docs/decisions has the figures.
 *
 * <p>Where control has no bad events, any share is consistent with a control rate near zero, so a margin in absolute
 * units becomes a huge {@code ρ0} and the test sees little: {@link CanaryJudge} keeps the normal mixture beside it.
 */
public final class BadEventShareSprt {

    /** How many ratios the alternative spreads over, and the largest as a multiple of the null's. */
    static final int RATIOS = 12;
    static final double WIDEST = 16;

    private BadEventShareSprt() {
    }

    /**
     * The canary's bad ratio against control's plus {@code margin}, as {@link NormalMixtureSprt#test} takes them. The
     * margin becomes the null's ratio of rates, {@code ρ0 = 1 + margin / control's ratio} (a quarter of control's ratio
     * gives 1.25); a control without bad events counts half of one, so that {@code ρ0} is large but finite.
     */
    public static NormalMixtureSprt.Result test(long canaryBad, long canaryValid, long controlBad, long controlValid,
            double margin, double alpha) {
        if (canaryValid <= 0 || controlValid <= 0) {
            throw new IllegalArgumentException("both cohorts need valid events");
        }
        if (!(margin >= 0)) {
            throw new IllegalArgumentException("the margin is at least 0, not " + margin);
        }
        double canaryRatio = (double) canaryBad / canaryValid;
        double controlRatio = (double) controlBad / controlValid;
        // control's ratio as the margin was taken from it; half an event when it has none, so ρ0 stays finite
        double controlRate = controlBad > 0 ? controlRatio : 0.5 / (controlValid + 1.0);
        double nullRatio = 1 + margin / controlRate;
        double logRatio = logLikelihoodRatio(canaryBad, canaryValid, controlBad, controlValid, nullRatio);
        double likelihoodRatio = Math.exp(Math.min(logRatio, 700));
        boolean worse = canaryRatio > controlRatio + margin;
        return new NormalMixtureSprt.Result(canaryRatio, controlRatio, margin, likelihoodRatio,
                worse && likelihoodRatio >= 1 / alpha);
    }

    static double logLikelihoodRatio(long canaryBad, long canaryValid, long controlBad, long controlValid,
            double nullRatio) {
        double nullShare = share(canaryValid, controlValid, nullRatio);
        double[] logs = new double[RATIOS];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 1; j <= RATIOS; j++) {
            double share = share(canaryValid, controlValid, nullRatio * Math.pow(WIDEST, (double) j / RATIOS));
            logs[j - 1] = canaryBad * Math.log(share / nullShare) + controlBad * Math.log((1 - share) / (1 - nullShare));
            max = Math.max(max, logs[j - 1]);
        }
        double sum = 0;
        for (double log : logs) {
            sum += Math.exp(log - max);
        }
        return max + Math.log(sum / RATIOS);
    }

    /** The chance that a bad event is the canary's when its rate is {@code ratio} times control's. */
    static double share(long canaryValid, long controlValid, double ratio) {
        double canary = canaryValid * ratio;
        return canary / (canary + controlValid);
    }
}
