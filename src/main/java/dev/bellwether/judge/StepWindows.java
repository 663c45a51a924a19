package dev.bellwether.judge;

import dev.bellwether.telemetry.Rollup;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * The windows a step is judged over: the whole step, and the step from each later minute on, each with the prior
 * weight its evidence gets in {@link CanaryJudge}. A regression that starts mid-step is diluted by the healthy events
 * before it in the whole step, not in the windows that start after its onset.
 */
public final class StepWindows {

    /**
     * Canary and control from a minute of the step on: minute 0 is the whole step.
     *
     * @param control null when every client has the flag (a 100 % step): what is left in control then are clients on
     *     stale flags, whose outcomes lag their cause (a mutation queued as control is dead-lettered after the refresh,
     *     as canary), so comparing with them is biased; the canary is judged by its SLO bounds alone
     */
    public record Window(long minute, Rollup canary, Rollup control) {
    }

    /** Canary and control of one minute of a step (or of the bucket that starts then). */
    public record Minute(Rollup canary, Rollup control) {
    }

    private StepWindows() {
    }

    /**
     * A step's windows from its data by minute of the step: the whole step (minute 0), then from each later minute
     * that has data on. Minutes below 0 (a bucket that starts before the step's minute) count in the whole step only.
     *
     * @param withControl false at 100 %: every window without control
     */
    public static List<Window> of(NavigableMap<Long, Minute> byMinute, boolean withControl) {
        List<Window> windows = new ArrayList<>();
        Rollup canary = new Rollup();
        Rollup control = new Rollup();
        for (Map.Entry<Long, Minute> minute : byMinute.descendingMap().entrySet()) {
            canary.merge(minute.getValue().canary());
            control.merge(minute.getValue().control());
            if (minute.getKey() > 0) {
                windows.add(new Window(minute.getKey(), copy(canary), withControl ? copy(control) : null));
            }
        }
        windows.add(new Window(0, canary, withControl ? control : null));
        Collections.reverse(windows);
        return windows;
    }

    private static Rollup copy(Rollup rollup) {
        Rollup copy = new Rollup();
        copy.merge(rollup);
        return copy;
    }

    /**
     * The prior weight of the test from {@code minute} of the step on: 3/4 for the whole step (a canary's regression
     * usually comes with the flag, so most weight stays where it costs least), {@code 1/(4k(k+1))} for minute k ≥ 1.
     * The sum over all minutes is 1. A regression from minute 10 on needs about 6 nats of evidence more than one from
     * the step's start; one diluted by ten minutes of healthy events would need several times the events instead.
     */
    static double weight(long minute) {
        return minute == 0 ? 0.75 : 0.25 / ((double) minute * (minute + 1));
    }
}
