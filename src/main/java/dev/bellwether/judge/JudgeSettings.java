package dev.bellwether.judge;

/**
 * How the judge decides. {@code alpha}: the chance of a false alarm per rollout and step (each step is judged on its
 * own events), shared by the rollout's guards ({@link #alphaPerGuard}). A regression counts once the canary is worse
 * than control by more than {@code minAbsoluteEffect} and more than {@code minRelativeEffect} of the control's ratio
 * (0.25: a quarter as bad again; {@code JudgeAccuracyBenchmark} measures what these defaults cost in false kills and
 * power, and docs/benchmarks.md has its current figures). Below {@code minSamplePerCohort}
 * valid events in either cohort, a guard holds. {@code effectScale} is the size of regression (in ratio units) the
 * sequential test is most sensitive to; it must not shrink with control's ratio, or a clean control would blind
 * the test to a canary that is clearly broken.
 */
public record JudgeSettings(double alpha, double minAbsoluteEffect, double minRelativeEffect, double effectScale,
                            long minSamplePerCohort) {

    public static JudgeSettings defaults(long minSamplePerCohort) {
        return new JudgeSettings(0.05, 0.001, 0.25, 0.01, minSamplePerCohort);
    }

    /**
     * Each guard's share of {@code alpha} when a rollout has {@code guards} of them (Bonferroni): every guard can fail
     * the rollout, whatever its action, so the chance that any of them raises a false alarm stays within
     * {@code alpha}. Fixed by the number of guards, before any data, as the bound needs (decision 0013).
     */
    public double alphaPerGuard(int guards) {
        if (guards < 1) {
            throw new IllegalArgumentException("a rollout has at least one guard, got " + guards);
        }
        return alpha / guards;
    }
}
