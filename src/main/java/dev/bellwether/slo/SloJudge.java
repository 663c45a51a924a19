package dev.bellwether.slo;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Chooses an SLO's state from the good/valid counts of its burn windows and period, by the multi-window,
 * multi-burn-rate conditions of the SRE workbook ({@link AlertCondition#WORKBOOK}).
 *
 * <ul>
 *   <li>{@code PAGE} / {@code TICKET}: some condition of that severity fires, its long window holding at least
 *       {@code minEvents} valid events (the short window only confirms the burn goes on);</li>
 *   <li>{@code NO_DATA}: no window has a valid event;</li>
 *   <li>{@code LOW_TRAFFIC}: a condition would fire but its long window has fewer than {@code minEvents}, or the
 *       longest window has fewer than {@code minEvents};</li>
 *   <li>{@code OK}: otherwise.</li>
 * </ul>
 */
public final class SloJudge {

    private SloJudge() {
    }

    public static SloVerdict judge(SloSpec spec, Map<BurnWindow, GoodValid> windows, GoodValid period) {
        long minEvents = spec.minEvents() == null ? 1 : Math.max(1, spec.minEvents());
        Map<BurnWindow, Double> burns = new EnumMap<>(BurnWindow.class);
        Map<BurnWindow, GoodValid> counts = new EnumMap<>(BurnWindow.class);
        boolean anyData = false;
        for (BurnWindow window : BurnWindow.values()) {
            GoodValid count = windows.getOrDefault(window, GoodValid.NONE);
            counts.put(window, count);
            burns.put(window, burnRate(count, spec.allowedErrorRatio()));
            anyData |= count.valid() > 0;
        }
        Double budget = budgetRemaining(period, spec.allowedErrorRatio());
        if (!anyData) {
            return new SloVerdict(SloState.NO_DATA, "no valid events in the last " + BurnWindow.longest().label(),
                    burns, counts, period, budget);
        }
        AlertCondition starved = null;
        for (SloState severity : new SloState[] {SloState.PAGE, SloState.TICKET}) {
            for (AlertCondition condition : AlertCondition.WORKBOOK) {
                if (condition.severity() != severity || !burning(condition, burns, spec)) {
                    continue;
                }
                if (counts.get(condition.longWindow()).valid() >= minEvents) {
                    return new SloVerdict(severity, describe(condition, burns, spec), burns, counts, period, budget);
                }
                starved = starved == null ? condition : starved;
            }
        }
        if (starved != null) {
            return new SloVerdict(SloState.LOW_TRAFFIC, describe(starved, burns, spec) + ", but on fewer than "
                    + minEvents + " events", burns, counts, period, budget);
        }
        if (counts.get(BurnWindow.longest()).valid() < minEvents) {
            return new SloVerdict(SloState.LOW_TRAFFIC, counts.get(BurnWindow.longest()).valid() + " valid events in "
                    + BurnWindow.longest().label() + ", fewer than the " + minEvents + " needed to judge",
                    burns, counts, period, budget);
        }
        return new SloVerdict(SloState.OK, "no burn-rate condition fires", burns, counts, period, budget);
    }

    /** How many times faster than allowed the budget burns: 1 spends exactly the budget over the period. */
    public static Double burnRate(GoodValid count, double allowedErrorRatio) {
        Double errorRatio = count.errorRatio();
        return errorRatio == null ? null : errorRatio / allowedErrorRatio;
    }

    public static Double budgetRemaining(GoodValid period, double allowedErrorRatio) {
        if (period.valid() == 0) {
            return null;
        }
        return 1 - period.bad() / (allowedErrorRatio * period.valid());
    }

    /** 1 - 0.99 is 0.010000000000000009 in floating point: a burn exactly at the factor must still count. */
    private static final double ROUNDING = 1e-9;

    private static boolean burning(AlertCondition condition, Map<BurnWindow, Double> burns, SloSpec spec) {
        double factor = condition.factor(spec.period()) * (1 - ROUNDING);
        Double longBurn = burns.get(condition.longWindow());
        Double shortBurn = burns.get(condition.shortWindow());
        return longBurn != null && shortBurn != null && longBurn >= factor && shortBurn >= factor;
    }

    private static String describe(AlertCondition condition, Map<BurnWindow, Double> burns, SloSpec spec) {
        return String.format(Locale.ROOT, "burn rate %.1f over %s and %.1f over %s, at least %.1f",
                burns.get(condition.longWindow()), condition.longWindow().label(),
                burns.get(condition.shortWindow()), condition.shortWindow().label(), condition.factor(spec.period()));
    }
}
