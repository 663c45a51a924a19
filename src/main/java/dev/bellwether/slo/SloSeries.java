package dev.bellwether.slo;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The good/valid counts of one SLO per minute (for windows up to {@link #MINUTE_HORIZON}) and per hour (longer
 * windows and the period). Windows up to 6 h start at a whole minute, longer ones at a whole hour, so a window
 * is at most one bucket longer than its name.
 */
public final class SloSeries {

    public static final Duration MINUTE_HORIZON = BurnWindow.H6.length();

    private final SloSpec spec;
    private final NavigableMap<Instant, GoodValid> minutes = new TreeMap<>();
    private final NavigableMap<Instant, GoodValid> hours = new TreeMap<>();

    public SloSeries(SloSpec spec) {
        this.spec = spec;
    }

    public SloSpec spec() {
        return spec;
    }

    public void putMinute(Instant bucket, GoodValid count) {
        minutes.put(bucket, count);
    }

    public void putHour(Instant bucket, GoodValid count) {
        hours.put(bucket, count);
    }

    public Map<BurnWindow, GoodValid> windows(Instant now) {
        Map<BurnWindow, GoodValid> windows = new EnumMap<>(BurnWindow.class);
        for (BurnWindow window : BurnWindow.values()) {
            windows.put(window, window.length().compareTo(MINUTE_HORIZON) <= 0
                    ? sum(minutes, now.minus(window.length()).truncatedTo(ChronoUnit.MINUTES))
                    : sum(hours, now.minus(window.length()).truncatedTo(ChronoUnit.HOURS)));
        }
        return windows;
    }

    public GoodValid period(Instant now) {
        return sum(hours, periodStart(now, spec.period()));
    }

    /** Forgets buckets no window or period can reach any more. */
    public void prune(Instant now) {
        minutes.headMap(minutesFrom(now)).clear();
        hours.headMap(periodStart(now, spec.period())).clear();
    }

    public static Instant minutesFrom(Instant now) {
        return now.minus(MINUTE_HORIZON).truncatedTo(ChronoUnit.MINUTES);
    }

    public static Instant periodStart(Instant now, Duration period) {
        return now.minus(period).truncatedTo(ChronoUnit.HOURS);
    }

    private static GoodValid sum(NavigableMap<Instant, GoodValid> buckets, Instant from) {
        long good = 0;
        long valid = 0;
        for (GoodValid count : buckets.tailMap(from, true).values()) {
            good += count.good();
            valid += count.valid();
        }
        return new GoodValid(good, valid);
    }
}
