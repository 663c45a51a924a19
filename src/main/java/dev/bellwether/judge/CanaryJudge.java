package dev.bellwether.judge;

import dev.bellwether.judge.Verdict.Comparison;
import dev.bellwether.judge.Verdict.GuardResult;
import dev.bellwether.judge.Verdict.Outcome;
import dev.bellwether.slo.GoodValid;
import dev.bellwether.slo.Sli;
import dev.bellwether.telemetry.Distribution;
import dev.bellwether.telemetry.Rollup;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Judges a canary cohort (flag on) against control (flag off) over the same time range.
 *
 * <ul>
 *   <li>Ratio indicators (dead letters, replay success, conflicts, migration failures): the canary's bad ratio
 *       against control's, by the always-valid {@link SequentialTest}, so that judging every tick does not inflate
 *       false alarms.</li>
 *   <li>Distributions (sync latency, staleness, outbox depth): the share of canary values above control's p50, p90
 *       and p99, each tested against control's own share the same way. A slower median, a heavier tail or a wider
 *       spread all raise one of these shares.</li>
 *   <li>An SLO on the indicator bounds the canary on its own: a canary above the SLO's error budget fails even if
 *       control is as bad.</li>
 * </ul>
 * Each guard's comparisons share its {@code alpha} (Bonferroni). Too little data in either cohort, or none in control,
 * is HOLD, never PASS; but with enough canary data the SLO bound still applies, so a canary at 100 % (when control has
 * drained away) can still fail. Any failing guard fails the verdict, its action chosen by {@link GuardAction}'s order.
 */
public final class CanaryJudge {

    static final double[] QUANTILES = {0.5, 0.9, 0.99};
    private static final String SLO_BOUND = "slo error budget";

    private CanaryJudge() {
    }

    /**
     * @param control null when every client has the flag (a 100 % step): what is left in control then are clients on
     *     stale flags, whose outcomes lag their cause (a mutation queued as control is dead-lettered after the refresh,
     *     as canary), so comparing with them is biased; the canary is judged by its SLO bounds alone
     */
    public static Verdict judge(List<Guard> guards, Rollup canary, Rollup control, JudgeSettings settings) {
        if (guards.isEmpty()) {
            return new Verdict(Outcome.HOLD, null, "no guards to judge by", List.of());
        }
        List<GuardResult> results = new ArrayList<>();
        for (Guard guard : guards) {
            results.add(judge(guard, canary, control, settings));
        }
        List<GuardResult> failed = results.stream().filter(r -> r.outcome() == Outcome.FAIL).toList();
        if (!failed.isEmpty()) {
            GuardAction action = failed.stream().map(GuardResult::action).min(Comparator.naturalOrder()).orElseThrow();
            return new Verdict(Outcome.FAIL, action, failed.stream().map(r -> r.sli() + ": " + r.reason())
                    .collect(Collectors.joining("; ")), results);
        }
        List<GuardResult> holding = results.stream().filter(r -> r.outcome() == Outcome.HOLD).toList();
        if (!holding.isEmpty()) {
            return new Verdict(Outcome.HOLD, null, holding.stream().map(r -> r.sli() + ": " + r.reason())
                    .collect(Collectors.joining("; ")), results);
        }
        return new Verdict(Outcome.PASS, null, "no guard regressed", results);
    }

    static GuardResult judge(Guard guard, Rollup canary, Rollup control, JudgeSettings settings) {
        Sli sli = guard.sli();
        String name = sli.wireName();
        Distribution canaryValues = distribution(sli, canary);
        boolean withoutControl = control == null;
        if (withoutControl) {
            control = new Rollup();
        }
        Distribution controlValues = distribution(sli, control);
        // the threshold indicators are the distributions: latency, staleness, outbox depth
        boolean distributional = sli.needsThreshold();
        long canaryValid = distributional ? count(canaryValues) : sli.count(canary, null).valid();
        long controlValid = distributional ? count(controlValues) : sli.count(control, null).valid();
        boolean bounded = guard.sloAllowedErrorRatio() != null;
        int tests = (distributional ? QUANTILES.length : 1) + (bounded ? 1 : 0);
        double alpha = settings.alpha() / tests;
        boolean enoughCanary = canaryValid >= Math.max(1, settings.minSamplePerCohort());
        if (controlValid == 0 || !enoughCanary || controlValid < settings.minSamplePerCohort()) {
            String why = withoutControl ? "every client has the flag: judged by the SLO bound alone"
                    : controlValid == 0 ? "no control data" : String.format(Locale.ROOT,
                    "too little data: %d canary and %d control events, %d needed in each", canaryValid, controlValid,
                    settings.minSamplePerCohort());
            // without a control to compare with (at 100 %, control drains away), the SLO still bounds the canary
            if (bounded && enoughCanary) {
                Comparison slo = sloBound(guard, sli, canary, settings, alpha);
                if (slo.regression()) {
                    return new GuardResult(name, guard.action(), Outcome.FAIL, failure(List.of(slo)) + " (" + why + ")",
                            canaryValid, controlValid, List.of(slo));
                }
            }
            return new GuardResult(name, guard.action(), Outcome.HOLD, why, canaryValid, controlValid, List.of());
        }
        List<Comparison> comparisons = new ArrayList<>();
        if (distributional) {
            for (double q : QUANTILES) {
                double bound = controlValues.quantile(q);
                long canaryAbove = canaryValid - Math.min(canaryValid, canaryValues.countAtMost(bound));
                long controlAbove = controlValid - Math.min(controlValid, controlValues.countAtMost(bound));
                comparisons.add(compare(String.format(Locale.ROOT, "above control p%s (%.0f)", percentile(q), bound),
                        canaryAbove, canaryValid, controlAbove, controlValid, settings, alpha));
            }
        } else {
            GoodValid c = sli.count(canary, null);
            GoodValid k = sli.count(control, null);
            comparisons.add(compare("bad ratio", c.bad(), c.valid(), k.bad(), k.valid(), settings, alpha));
        }
        if (bounded) {
            comparisons.add(sloBound(guard, sli, canary, settings, alpha));
        }
        List<Comparison> regressions = comparisons.stream().filter(Comparison::regression).toList();
        if (regressions.isEmpty()) {
            return new GuardResult(name, guard.action(), Outcome.PASS, "no regression", canaryValid, controlValid, comparisons);
        }
        String reason = failure(regressions);
        return new GuardResult(name, guard.action(), Outcome.FAIL, reason, canaryValid, controlValid, comparisons);
    }

    /** The canary's bad ratio against the SLO's error budget, on its own. */
    private static Comparison sloBound(Guard guard, Sli sli, Rollup canary, JudgeSettings settings, double alpha) {
        GoodValid c = sli.count(canary, guard.sloThreshold());
        double budget = guard.sloAllowedErrorRatio();
        SequentialTest.Result r = SequentialTest.testAgainst(c.bad(), c.valid(), budget,
                SequentialTest.Mixture.spread(Math.max(budget, settings.effectScale())), alpha);
        return new Comparison(SLO_BOUND, r.canaryRatio(), budget, 0, evidence(r), r.regression());
    }

    private static String failure(List<Comparison> regressions) {
        return regressions.stream().map(r -> String.format(Locale.ROOT, "%s: canary %.4f vs %s %.4f (evidence %.3g)",
                r.what(), r.canaryRatio(), r.what().equals(SLO_BOUND) ? "budget" : "control", r.controlRatio(),
                r.likelihoodRatio())).collect(Collectors.joining(", "));
    }

    private static Comparison compare(String what, long canaryBad, long canaryValid, long controlBad, long controlValid,
            JudgeSettings settings, double alpha) {
        double controlRatio = (double) controlBad / controlValid;
        double margin = Math.max(settings.minAbsoluteEffect(), settings.minRelativeEffect() * controlRatio);
        SequentialTest.Result r = SequentialTest.test(canaryBad, canaryValid, controlBad, controlValid, margin,
                SequentialTest.Mixture.spread(Math.max(margin, settings.effectScale())), alpha);
        return new Comparison(what, r.canaryRatio(), r.controlRatio(), margin, evidence(r), r.regression());
    }

    /**
     * Evidence of a regression, as shown: the likelihood ratio when the canary is worse than allowed, else 1 (the
     * ratio also grows when the canary is better, which is no evidence against it). Capped to stay readable.
     */
    private static double evidence(SequentialTest.Result r) {
        return r.canaryRatio() > r.controlRatio() + r.margin() ? Math.min(r.likelihoodRatio(), 1e12) : 1;
    }

    private static Distribution distribution(Sli sli, Rollup rollup) {
        return switch (sli) {
            case SYNC_LATENCY -> rollup.syncLatency();
            case STALENESS -> rollup.staleness();
            case OUTBOX_DEPTH -> rollup.outboxDepth();
            default -> null;
        };
    }

    private static long count(Distribution distribution) {
        return distribution == null ? 0 : distribution.count();
    }

    private static String percentile(double q) {
        return String.valueOf(Math.round(q * 100));
    }
}
