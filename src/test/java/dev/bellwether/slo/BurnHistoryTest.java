package dev.bellwether.slo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link BurnHistory} as a table. Hour buckets are "hour:valid:bad" with the hour relative to the point (-1 is the
 * hour just before it); the objective is 0.99, so 2 bad in 100 burns at 2. Expected burns are for 1h, 2h, 6h, 1d, 3d,
 * "-" for a window without events.
 */
class BurnHistoryTest {

    private static final Instant POINT = Instant.parse("2026-11-30T12:00:00Z");
    private static final SloSpec SPEC = new SloSpec("replays", Sli.REPLAY_SUCCESS_RATIO, 0.99, Duration.ofDays(30),
            null, null).validated();

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "-1:100:2           | 2 2 2 2 2",
        "-1:100:2 -3:100:0  | 2 2 1 1 1",
        // the hour that starts at the point is after it
        "0:100:50           | - - - - -",
        "-2:100:4           | - 4 4 4 4",
        "-25:10:1           | - - - - 10",
        // a window [t - w, t) holds the bucket starting exactly at t - w, not the one before
        "-72:10:1 -73:10:10 | - - - - 10",
        "-6:100:1 -7:100:3  | - - 1 2 2",
        "-1:100:0           | 0 0 0 0 0"})
    void burnRateOfEachWholeHourWindowAtAPoint(String buckets, String expected) {
        NavigableMap<Instant, GoodValid> hours = new TreeMap<>();
        for (String bucket : buckets.trim().split("\\s+")) {
            String[] parts = bucket.split(":");
            long valid = Long.parseLong(parts[1]);
            hours.put(POINT.plus(Long.parseLong(parts[0]), ChronoUnit.HOURS),
                    new GoodValid(valid - Long.parseLong(parts[2]), valid));
        }

        List<BurnHistory.Point> points = BurnHistory.hourly(SPEC, hours, POINT, POINT);

        assertThat(points).hasSize(1);
        List<String> burns = new ArrayList<>();
        for (BurnWindow window : BurnHistory.WINDOWS) {
            Double burn = points.get(0).burnRates().get(window);
            burns.add(burn == null ? "-" : String.valueOf(Math.round(burn * 1e6) / 1e6).replaceAll("\\.0$", ""));
        }
        assertThat(String.join(" ", burns)).isEqualTo(expected.trim());
    }

    @Test
    void theWindowsAreThoseOfWholeHours() {
        assertThat(BurnHistory.WINDOWS).containsExactly(BurnWindow.H1, BurnWindow.H2, BurnWindow.H6, BurnWindow.D1,
                BurnWindow.D3);
    }

    @Test
    void aPointEachHourFromTheFirstToTheLastRoundedDown() {
        List<BurnHistory.Point> points = BurnHistory.hourly(SPEC, new TreeMap<>(), POINT.plusSeconds(1_800),
                POINT.plus(3, ChronoUnit.HOURS).plusSeconds(59));
        assertThat(points).extracting(BurnHistory.Point::at).containsExactly(POINT, POINT.plus(1, ChronoUnit.HOURS),
                POINT.plus(2, ChronoUnit.HOURS), POINT.plus(3, ChronoUnit.HOURS));
        assertThat(BurnHistory.bucketsNeededFrom(POINT.plusSeconds(1_800))).isEqualTo(POINT.minus(3, ChronoUnit.DAYS));
    }

    /** At a whole hour the history agrees with what the evaluator's series and judge find for the same events. */
    @Test
    void agreesWithTheEvaluatorAtAWholeHour() {
        SloSeries series = new SloSeries(SPEC);
        NavigableMap<Instant, GoodValid> hours = new TreeMap<>();
        for (int hour = 1; hour <= 80; hour++) {
            GoodValid count = new GoodValid(1_000 - hour % 7 * 3, 1_000);
            Instant bucket = POINT.minus(hour, ChronoUnit.HOURS);
            hours.put(bucket, count);
            series.putHour(bucket, count);
            // the evaluator reads windows up to 6 h from minute buckets: the hour's events all in its first minute
            series.putMinute(bucket, count);
        }
        SloVerdict verdict = SloJudge.judge(SPEC, series.windows(POINT), series.period(POINT));

        BurnHistory.Point point = BurnHistory.hourly(SPEC, hours, POINT, POINT).get(0);
        for (BurnWindow window : BurnHistory.WINDOWS) {
            assertThat(point.burnRates().get(window)).as(window.label()).isEqualTo(verdict.burnRates().get(window));
        }
    }
}
