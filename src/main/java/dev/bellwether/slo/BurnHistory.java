package dev.bellwether.slo;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * An SLO's burn rates over time, recomputed from its hourly good/valid counts with the evaluator's own formula
 * ({@link SloJudge#burnRate}) rather than stored: the burn rate of window {@code w} at the hour {@code t} is that of
 * the events in {@code [t - w, t)}, what an evaluation at {@code t} finds. Points are whole hours, so only the windows
 * of whole hours are drawn; the shorter ones (5m, 30m) exist only as of the last evaluation.
 */
public final class BurnHistory {

    /** The burn windows a point on the hour can be computed for from hour buckets. */
    public static final List<BurnWindow> WINDOWS = Arrays.stream(BurnWindow.values())
            .filter(w -> w.length().toSeconds() % Duration.ofHours(1).toSeconds() == 0).toList();

    /** Burn rates at one hour; a window without a valid event has none (null). */
    public record Point(Instant at, Map<BurnWindow, Double> burnRates) {
    }

    private BurnHistory() {
    }

    /** The first hour bucket that points from {@code firstPoint} on read (that of the longest window). */
    public static Instant bucketsNeededFrom(Instant firstPoint) {
        return firstPoint.truncatedTo(ChronoUnit.HOURS).minus(BurnWindow.longest().length());
    }

    /**
     * @param hours good/valid counts per hour bucket (keyed by the bucket's start), at least from
     *              {@link #bucketsNeededFrom} of {@code from}; missing hours count as no events
     * @param from  the first point, rounded down to the hour
     * @param to    the last point, rounded down to the hour
     */
    public static List<Point> hourly(SloSpec spec, NavigableMap<Instant, GoodValid> hours, Instant from, Instant to) {
        Instant first = from.truncatedTo(ChronoUnit.HOURS);
        Instant last = to.truncatedTo(ChronoUnit.HOURS);
        List<Point> points = new ArrayList<>();
        for (Instant at = first; !at.isAfter(last); at = at.plus(1, ChronoUnit.HOURS)) {
            Map<BurnWindow, Double> burns = new EnumMap<>(BurnWindow.class);
            for (BurnWindow window : WINDOWS) {
                GoodValid count = GoodValid.NONE;
                for (GoodValid hour : hours.subMap(at.minus(window.length()), true, at, false).values()) {
                    count = count.plus(hour);
                }
                burns.put(window, SloJudge.burnRate(count, spec.allowedErrorRatio()));
            }
            points.add(new Point(at, burns));
        }
        return points;
    }
}
