package dev.bellwether.judge;

import java.util.List;

/**
 * The judge's answer with the numbers behind it. {@code action} is set for FAIL: what the failing guards ask for.
 */
public record Verdict(Outcome outcome, GuardAction action, String reason, List<GuardResult> guards) {

    public enum Outcome { PASS, HOLD, FAIL }

    /**
     * One guard's finding: its outcome, why, sample sizes, and the comparisons made (one for a ratio indicator,
     * one per quantile for a latency or staleness distribution, plus the SLO bound when there is one).
     * {@code journey}: the journey whose replays alone it read (null: the whole app). {@code alpha}: the guard's share
     * of the rollout's false-alarm rate ({@link JudgeSettings#alphaPerGuard}), split among its comparisons.
     */
    public record GuardResult(String sli, String journey, GuardAction action, Outcome outcome, String reason,
                              long canaryValid, long controlValid, double alpha, List<Comparison> comparisons) {

        /** As verdicts and the console name the guard: its indicator, and its journey when it has one. */
        public String label() {
            return Guard.label(sli, journey);
        }
    }

    /**
     * What was compared ("bad ratio", "above control p99", "slo error budget"), the two ratios and the margin as seen
     * from {@code sinceMinute} of the step on (0: the whole step), and the evidence: the likelihood ratios of every
     * window of the step, weighted ({@link CanaryJudge}), 0 when the canary is no worse in any.
     */
    public record Comparison(String what, double canaryRatio, double controlRatio, double margin, double likelihoodRatio,
                             boolean regression, long sinceMinute) {
    }
}
