package dev.bellwether.judge;

import dev.bellwether.judge.StepWindows.Window;
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
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Judges a canary cohort (flag on) against control (flag off) over the same time range.
 *
 * <ul>
 *   <li>Ratio indicators (dead letters, replay success, conflicts, migration failures): the canary's bad ratio
 *       against control's, by always-valid tests, so that judging every tick does not inflate false alarms: half the
 *       prior on {@link BadEventShareSprt} (the canary's share of the bad events), half on {@link NormalMixtureSprt}.</li>
 *   <li>Distributions (sync latency, staleness, outbox depth): the share of canary values above control's p50, p90
 *       and p99, each tested against control's own share the same way. A slower median, a heavier tail or a wider
 *       spread all raise one of these shares.</li>
 *   <li>An SLO on the indicator bounds the canary on its own: a canary above the SLO's error budget fails even if
 *       control is as bad.</li>
 * </ul>
 * The guards of a rollout share its {@code alpha}, and each guard's comparisons share the guard's (Bonferroni both
 * times: {@link JudgeSettings#alphaPerGuard}). A guard on a journey reads that journey's replays alone, canary against
 * control, with the same tests and rules as one on the whole app. Too little data in either cohort, or none in control,
 * is HOLD, never PASS; but with enough canary data the SLO bound still applies, so a canary at 100 % (when control has
 * drained away) can still fail. Any failing guard fails the verdict, its action chosen by {@link GuardAction}'s order.
 *
 * <p>A regression that starts in the middle of a step (a server change, a mutation that only old outboxes hold) is
 * diluted by the step's healthy events before it: after an hour of them, the step's ratio moves slowly. So each
 * comparison is also made from each later {@link Window} on (each minute boundary of the step), and its evidence is
 * the weighted sum of the windows' likelihood ratios, three quarters of the weight on the whole step and a quarter
 * spread over the later minutes ({@link StepWindows#weight}). The weights are fixed before any data and sum to at most 1, and a
 * weighted average of test martingales is a test martingale, so crossing {@code 1/alpha} keeps the false-alarm bound
 * each window's test has (a window's test is 1 until it starts). A window counts only when the canary is worse in it,
 * and only with enough data in it; leaving a window out only lowers the sum. The bound is only as good as each
 * window's test (the normal approximation is weakest at few events): {@code JudgeAccuracyBenchmark} measures the whole.
 */
public final class CanaryJudge {

    static final double[] QUANTILES = {0.5, 0.9, 0.99};
    private static final String SLO_BOUND = "slo error budget";

    private CanaryJudge() {
    }

    /** The step as one window (no later minutes to restart from), every guard on the whole app. */
    public static Verdict judge(List<Guard> guards, Rollup canary, Rollup control, JudgeSettings settings) {
        return judge(guards, List.of(new Window(0, canary, control)), settings);
    }

    /**
     * Every guard on the whole app.
     *
     * @param windows the whole step (minute 0) first, then any later minutes of it, in increasing order; all with
     *     control or all without
     */
    public static Verdict judge(List<Guard> guards, List<Window> windows, JudgeSettings settings) {
        return judge(guards, journey -> {
            if (journey != null) {
                throw new IllegalArgumentException("no windows for journey " + journey);
            }
            return windows;
        }, settings);
    }

    /**
     * @param windowsOf a journey's windows (null: the whole app's), each list as {@link #judge(List, List, JudgeSettings)}
     *     takes it
     */
    public static Verdict judge(List<Guard> guards, Function<String, List<Window>> windowsOf, JudgeSettings settings) {
        if (guards.isEmpty()) {
            return new Verdict(Outcome.HOLD, null, "no guards to judge by", List.of());
        }
        double alpha = settings.alphaPerGuard(guards.size());
        List<GuardResult> results = new ArrayList<>();
        for (Guard guard : guards) {
            List<Window> windows = windowsOf.apply(guard.journey());
            checkWindows(windows);
            results.add(judge(guard, windows, settings, alpha));
        }
        List<GuardResult> failed = results.stream().filter(r -> r.outcome() == Outcome.FAIL).toList();
        if (!failed.isEmpty()) {
            GuardAction action = failed.stream().map(GuardResult::action).min(Comparator.naturalOrder()).orElseThrow();
            return new Verdict(Outcome.FAIL, action, failed.stream().map(r -> r.label() + ": " + r.reason())
                    .collect(Collectors.joining("; ")), results);
        }
        List<GuardResult> holding = results.stream().filter(r -> r.outcome() == Outcome.HOLD).toList();
        if (!holding.isEmpty()) {
            return new Verdict(Outcome.HOLD, null, holding.stream().map(r -> r.label() + ": " + r.reason())
                    .collect(Collectors.joining("; ")), results);
        }
        return new Verdict(Outcome.PASS, null, "no guard regressed", results);
    }

    private static void checkWindows(List<Window> windows) {
        if (windows.isEmpty() || windows.get(0).minute() != 0) {
            throw new IllegalArgumentException("the first window is the whole step (minute 0)");
        }
        for (int i = 1; i < windows.size(); i++) {
            if (windows.get(i).minute() <= windows.get(i - 1).minute()) {
                throw new IllegalArgumentException("windows go by increasing minute");
            }
            if ((windows.get(i).control() == null) != (windows.get(0).control() == null)) {
                throw new IllegalArgumentException("windows all have control or none has");
            }
        }
    }

    /** @param guardAlpha the guard's share of the rollout's alpha */
    static GuardResult judge(Guard guard, List<Window> windows, JudgeSettings settings, double guardAlpha) {
        Sli sli = guard.sli();
        String name = sli.wireName();
        String journey = guard.journey();
        Window step = windows.get(0);
        boolean withoutControl = step.control() == null;
        // the threshold indicators are the distributions: latency, staleness, outbox depth
        boolean distributional = sli.needsThreshold();
        long canaryValid = valid(sli, step.canary());
        long controlValid = withoutControl ? 0 : valid(sli, step.control());
        boolean bounded = guard.sloAllowedErrorRatio() != null;
        int tests = (distributional ? QUANTILES.length : 1) + (bounded ? 1 : 0);
        double alpha = guardAlpha / tests;
        boolean enoughCanary = enoughCanary(canaryValid, settings);
        if (!enoughCanary || !enoughControl(controlValid, settings)) {
            String why = withoutControl ? "every client has the flag: judged by the SLO bound alone"
                    : controlValid == 0 ? "no control data" : String.format(Locale.ROOT,
                    "too little data: %d canary and %d control events, %d needed in each", canaryValid, controlValid,
                    settings.minSamplePerCohort());
            // without a control to compare with (at 100 %, control drains away), the SLO still bounds the canary
            if (bounded && enoughCanary) {
                Comparison slo = combined(windows, alpha, w -> sloBound(guard, sli, w.canary(), settings, alpha));
                if (slo.regression()) {
                    return new GuardResult(name, journey, guard.action(), Outcome.FAIL,
                            failure(List.of(slo)) + " (" + why + ")", canaryValid, controlValid, guardAlpha, List.of(slo));
                }
            }
            return new GuardResult(name, journey, guard.action(), Outcome.HOLD, why, canaryValid, controlValid, guardAlpha,
                    List.of());
        }
        List<Comparison> comparisons = new ArrayList<>();
        if (distributional) {
            for (double q : QUANTILES) {
                comparisons.add(combined(windows, alpha, w -> aboveControlQuantile(sli, w, q, settings, alpha)));
            }
        } else {
            comparisons.add(combined(windows, alpha, w -> {
                GoodValid c = sli.count(w.canary(), null);
                GoodValid k = sli.count(w.control(), null);
                return enough(c.valid(), k.valid(), settings)
                        ? compareRates(c.bad(), c.valid(), k.bad(), k.valid(), settings, alpha) : null;
            }));
        }
        if (bounded) {
            comparisons.add(combined(windows, alpha, w -> sloBound(guard, sli, w.canary(), settings, alpha)));
        }
        List<Comparison> regressions = comparisons.stream().filter(Comparison::regression).toList();
        if (regressions.isEmpty()) {
            return new GuardResult(name, journey, guard.action(), Outcome.PASS, "no regression", canaryValid, controlValid,
                    guardAlpha, comparisons);
        }
        String reason = failure(regressions);
        return new GuardResult(name, journey, guard.action(), Outcome.FAIL, reason, canaryValid, controlValid, guardAlpha,
                comparisons);
    }

    /** One window's comparison, before its evidence is weighed with the others'; null: too little data in it. */
    private record WindowTest(String what, NormalMixtureSprt.Result result) {

        /** The likelihood ratio when the canary is worse than allowed, else 0: a better canary is no evidence. */
        double evidence() {
            return result.canaryRatio() > result.controlRatio() + result.margin() ? result.likelihoodRatio() : 0;
        }
    }

    /**
     * A comparison over every window, its evidence the weighted sum of theirs; shown with the numbers of the window
     * that weighs most, and from which minute of the step on.
     */
    private static Comparison combined(List<Window> windows, double alpha,
            Function<Window, WindowTest> test) {
        double evidence = 0;
        double heaviest = -1;
        WindowTest shown = null;
        long shownSince = 0;
        for (Window window : windows) {
            WindowTest t = test.apply(window);
            if (t == null) {
                continue;
            }
            double weighted = StepWindows.weight(window.minute()) * t.evidence();
            evidence += weighted;
            if (weighted > heaviest) {
                heaviest = weighted;
                shown = t;
                shownSince = window.minute();
            }
        }
        if (shown == null) {
            throw new IllegalStateException("the whole step has enough data, so it has a comparison");
        }
        NormalMixtureSprt.Result r = shown.result();
        return new Comparison(shown.what(), r.canaryRatio(), r.controlRatio(), r.margin(), Math.min(evidence, 1e12),
                evidence >= 1 / alpha, shownSince);
    }

    /** The share of canary values above control's quantile {@code q} against control's own share. */
    private static WindowTest aboveControlQuantile(Sli sli, Window window, double q, JudgeSettings settings,
            double alpha) {
        Distribution canaryValues = distribution(sli, window.canary());
        Distribution controlValues = distribution(sli, window.control());
        long canaryValid = count(canaryValues);
        long controlValid = count(controlValues);
        if (!enough(canaryValid, controlValid, settings)) {
            return null;
        }
        double bound = controlValues.quantile(q);
        long canaryAbove = canaryValid - Math.min(canaryValid, canaryValues.countAtMost(bound));
        long controlAbove = controlValid - Math.min(controlValid, controlValues.countAtMost(bound));
        return compare(String.format(Locale.ROOT, "above control p%s (%.0f)", percentile(q), bound),
                canaryAbove, canaryValid, controlAbove, controlValid, settings, alpha);
    }

    /** The canary's bad ratio against the SLO's error budget, on its own. */
    private static WindowTest sloBound(Guard guard, Sli sli, Rollup canary, JudgeSettings settings, double alpha) {
        GoodValid c = sli.count(canary, guard.sloThreshold());
        if (!enoughCanary(c.valid(), settings)) {
            return null;
        }
        double budget = guard.sloAllowedErrorRatio();
        return new WindowTest(SLO_BOUND, NormalMixtureSprt.testAgainst(c.bad(), c.valid(), budget,
                NormalMixtureSprt.Mixture.spread(Math.max(budget, settings.effectScale())), alpha));
    }

    private static long valid(Sli sli, Rollup rollup) {
        return sli.needsThreshold() ? count(distribution(sli, rollup)) : sli.count(rollup, null).valid();
    }

    private static boolean enoughCanary(long canaryValid, JudgeSettings settings) {
        return canaryValid >= Math.max(1, settings.minSamplePerCohort());
    }

    private static boolean enoughControl(long controlValid, JudgeSettings settings) {
        return controlValid > 0 && controlValid >= settings.minSamplePerCohort();
    }

    private static boolean enough(long canaryValid, long controlValid, JudgeSettings settings) {
        return enoughCanary(canaryValid, settings) && enoughControl(controlValid, settings);
    }

    private static String failure(List<Comparison> regressions) {
        return regressions.stream().map(r -> String.format(Locale.ROOT, "%s: canary %.4f vs %s %.4f%s (evidence %.3g)",
                r.what(), r.canaryRatio(), r.what().equals(SLO_BOUND) ? "budget" : "control", r.controlRatio(),
                r.sinceMinute() == 0 ? "" : " since minute " + r.sinceMinute() + " of the step", r.likelihoodRatio()))
                .collect(Collectors.joining(", "));
    }

    /**
     * A ratio indicator's bad events, canary against control: half the prior on {@link BadEventShareSprt} (exact for rare
     * events; sharper than the normal approximation for a small canary, not at a 50 % step) and half on the normal
     * mixture of {@link NormalMixtureSprt}. The rate test alone is blind where control has no bad events: every canary
     * share is then consistent with a control rate near zero and an absolute margin as large as the canary's rate.
     * The average of two test martingales under the same null is one, so the bound holds; each costs the other only
     * a factor of two.
     */
    private static WindowTest compareRates(long canaryBad, long canaryValid, long controlBad, long controlValid,
            JudgeSettings settings, double alpha) {
        NormalMixtureSprt.Result normal = compare("bad ratio", canaryBad, canaryValid, controlBad, controlValid, settings,
                alpha).result();
        NormalMixtureSprt.Result rates = BadEventShareSprt.test(canaryBad, canaryValid, controlBad, controlValid,
                normal.margin(), alpha);
        double likelihoodRatio = (rates.likelihoodRatio() + normal.likelihoodRatio()) / 2;
        boolean worse = rates.canaryRatio() > rates.controlRatio() + rates.margin();
        return new WindowTest("bad ratio", new NormalMixtureSprt.Result(rates.canaryRatio(), rates.controlRatio(),
                rates.margin(), likelihoodRatio, worse && likelihoodRatio >= 1 / alpha));
    }

    private static WindowTest compare(String what, long canaryBad, long canaryValid, long controlBad, long controlValid,
            JudgeSettings settings, double alpha) {
        double controlRatio = (double) controlBad / controlValid;
        double margin = Math.max(settings.minAbsoluteEffect(), settings.minRelativeEffect() * controlRatio);
        return new WindowTest(what, NormalMixtureSprt.test(canaryBad, canaryValid, controlBad, controlValid, margin,
                NormalMixtureSprt.Mixture.spread(Math.max(margin, settings.effectScale())), alpha));
    }

    /** The distribution a threshold indicator reads from a rollup; null for a ratio indicator. */
    public static Distribution distribution(Sli sli, Rollup rollup) {
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
