package dev.bellwether.slo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The state choice of {@link SloJudge} as tables. Each row gives per burn window "valid:bad" (or "-" for no events)
 * in the order 5m, 30m, 1h, 2h, 6h, 1d, 3d; the burn of a window is (bad / valid) / (1 - objective), so with the usual
 * objective 0.99 a window of 1000 events with 144 bad burns at 14.4.
 */
class SloJudgeTest {

    private static final double EPS = 1e-9;
    private static final BurnWindow[] COLUMNS = {
            BurnWindow.M5, BurnWindow.M30, BurnWindow.H1, BurnWindow.H2, BurnWindow.H6, BurnWindow.D1, BurnWindow.D3};

    // ---------------------------------------------------------------- helpers

    private static SloSpec spec(double objective, int periodDays, Long minEvents) {
        return new SloSpec("checkout.replays", Sli.REPLAY_SUCCESS_RATIO, objective, Duration.ofDays(periodDays), null,
                minEvents).validated();
    }

    private static SloSpec spec30d(Long minEvents) {
        return spec(0.99, 30, minEvents);
    }

    /** "valid:bad" to counts; "-" is no events. */
    private static GoodValid count(String cell) {
        String text = cell.trim();
        if (text.equals("-")) {
            return GoodValid.NONE;
        }
        String[] parts = text.split(":");
        long valid = Long.parseLong(parts[0].trim());
        long bad = Long.parseLong(parts[1].trim());
        return new GoodValid(valid - bad, valid);
    }

    /** Windows in the order 5m, 30m, 1h, 2h, 6h, 1d, 3d; a window with "-" is left out of the map. */
    private static Map<BurnWindow, GoodValid> windows(String... cells) {
        assertThat(cells).hasSize(COLUMNS.length);
        Map<BurnWindow, GoodValid> windows = new EnumMap<>(BurnWindow.class);
        for (int i = 0; i < cells.length; i++) {
            GoodValid count = count(cells[i]);
            if (count.valid() > 0) {
                windows.put(COLUMNS[i], count);
            }
        }
        return windows;
    }

    /** The period counts as the 3d window scaled up tenfold, which matters only to budgetRemaining. */
    private static GoodValid periodOf(Map<BurnWindow, GoodValid> windows) {
        GoodValid d3 = windows.getOrDefault(BurnWindow.D3, GoodValid.NONE);
        return new GoodValid(d3.good() * 10, d3.valid() * 10);
    }

    private static SloVerdict judge(SloSpec spec, String m5, String m30, String h1, String h2, String h6, String d1,
            String d3) {
        Map<BurnWindow, GoodValid> windows = windows(m5, m30, h1, h2, h6, d1, d3);
        return SloJudge.judge(spec, windows, periodOf(windows));
    }

    // ---------------------------------------------------------------- state by window table, 30d, objective 0.99

    @ParameterizedTest(name = "[{index}] {0}: {8}")
    @CsvSource(delimiter = '|', textBlock = """
            # case                                              | 5m       | 30m      | 1h        | 2h        | 6h        | 1d          | 3d           | state
            no events in any window                             | -        | -        | -         | -         | -         | -           | -            | NO_DATA
            healthy traffic, burn 0.1 at most everywhere        | 100:0    | 500:0    | 1000:1    | 2000:2    | 6000:6    | 24000:24    | 72000:72     | OK
            error ratio 20 % in 1h and 5m (burn 20 >= 14.4)     | 100:20   | 500:20   | 1000:200  | 2000:200  | 6000:200  | 24000:222   | 72000:270    | PAGE
            burn 15 in 1h but 5 in 5m, rest below every factor  | 100:5    | 500:5    | 1000:150  | 2000:150  | 6000:150  | 24000:170   | 72000:200    | OK
            burn 15 in 1h, 5 in 5m, but 7 in 6h and 30m         | 100:5    | 500:35   | 1000:150  | 2000:300  | 6000:420  | 24000:500   | 72000:600    | PAGE
            burn 7 in 6h and 30m (>= 6), 1h/5m far below 14.4   | 100:1    | 500:35   | 1000:70   | 2000:140  | 6000:420  | 24000:480   | 72000:600    | PAGE
            burn 7 in 6h but only 5 in 30m                      | 100:1    | 500:25   | 1000:70   | 2000:40   | 6000:420  | 24000:480   | 100000:600   | OK
            burn 3.5 in 1d and 2h (>= 3)                        | 100:3    | 500:15   | 1000:35   | 2000:70   | 6000:210  | 24000:840   | 100000:900   | TICKET
            burn 3.5 in 1d but 2.5 in 2h                        | 100:3    | 500:15   | 1000:25   | 2000:50   | 6000:150  | 24000:840   | 100000:900   | OK
            burn 1.2 in 3d and 6h (>= 1)                        | 100:1    | 500:6    | 1000:12   | 2000:24   | 6000:72   | 24000:288   | 72000:864    | TICKET
            burn 1.2 in 3d but 0.9 in 6h                        | 100:1    | 500:6    | 1000:12   | 2000:24   | 6000:54   | 24000:288   | 72000:864    | OK
            burn 20 everywhere: page and tickets fire, page wins| 100:20   | 500:100  | 1000:200  | 2000:400  | 6000:1200 | 24000:4800  | 72000:14400  | PAGE
            6h/30m page and 3d/6h ticket fire, page wins        | 100:1    | 500:35   | 1000:70   | 2000:140  | 6000:420  | 24000:480   | 72000:1000   | PAGE
            1d/2h ticket and 3d/6h ticket fire                  | 100:3    | 500:15   | 1000:35   | 2000:70   | 6000:210  | 24000:840   | 72000:1000   | TICKET
            just under 14.4 in 1h (14.3), 20 in 5m              | 100:20   | 500:20   | 1000:143  | 2000:150  | 6000:160  | 24000:170   | 72000:200    | OK
            just under 14.4 in 5m (14.0), 20 in 1h              | 100:14   | 500:20   | 1000:200  | 2000:210  | 6000:220  | 24000:230   | 72000:250    | OK
            just under 6 in 6h (5.98), 6.2 in 30m               | 100:1    | 500:31   | 1000:50   | 2000:100  | 6000:359  | 24000:400   | 100000:500   | OK
            just under 3 in 1d (2.996), 3.5 in 2h               | 100:1    | 500:5    | 1000:10   | 2000:70   | 6000:100  | 24000:719   | 100000:800   | OK
            just under 1 in 3d (0.9986), 1.2 in 6h              | 100:1    | 500:5    | 1000:10   | 2000:20   | 6000:72   | 24000:150   | 72000:719    | OK
            events only in the 3d window, healthy               | -        | -        | -         | -         | -         | -           | 72000:72     | OK
            3d window empty while 5m has events: too few to judge| 10:10    | -        | -         | -         | -         | -           | -            | LOW_TRAFFIC
            """)
    void stateFollowsTheWorkbookConditionsOverTheWindows(String description, String m5, String m30, String h1,
            String h2, String h6, String d1, String d3, SloState expected) {
        SloVerdict verdict = judge(spec30d(null), m5, m30, h1, h2, h6, d1, d3);

        assertThat(verdict.state()).as(description + " (reason: " + verdict.reason() + ")").isEqualTo(expected);
    }

    // ---------------------------------------------------------------- reason

    @ParameterizedTest(name = "[{index}] {0}: reason names {8} and {9}")
    @CsvSource(delimiter = '|', textBlock = """
            # case                              | 5m     | 30m    | 1h       | 2h        | 6h        | 1d         | 3d          | long | short
            page on 1h/5m                       | 100:20 | 500:20 | 1000:200 | 2000:200  | 6000:200  | 24000:222  | 72000:270   | 1h   | 5m
            page on 6h/30m                      | 100:1  | 500:35 | 1000:70  | 2000:140  | 6000:420  | 24000:480  | 72000:600   | 6h   | 30m
            ticket on 1d/2h                     | 100:3  | 500:15 | 1000:35  | 2000:70   | 6000:210  | 24000:840  | 100000:900  | 1d   | 2h
            ticket on 3d/6h                     | 100:1  | 500:6  | 1000:12  | 2000:24   | 6000:72   | 24000:288  | 72000:864   | 3d   | 6h
            all fire: the first page condition  | 100:20 | 500:100| 1000:200 | 2000:400  | 6000:1200 | 24000:4800 | 72000:14400 | 1h   | 5m
            """)
    void reasonNamesTheWindowsOfTheConditionThatFired(String description, String m5, String m30, String h1, String h2,
            String h6, String d1, String d3, String longWindow, String shortWindow) {
        SloVerdict verdict = judge(spec30d(null), m5, m30, h1, h2, h6, d1, d3);

        assertThat(verdict.state()).isIn(SloState.PAGE, SloState.TICKET);
        assertThat(verdict.reason()).contains("over " + longWindow).contains("over " + shortWindow);
        for (BurnWindow other : BurnWindow.values()) {
            if (!other.label().equals(longWindow) && !other.label().equals(shortWindow)) {
                assertThat(verdict.reason()).doesNotContain("over " + other.label() + " ");
                assertThat(verdict.reason()).doesNotContain("over " + other.label() + ",");
            }
        }
    }

    @Test
    void reasonOfAPageGivesBothBurnRatesAndTheFactor() {
        SloVerdict verdict = judge(spec30d(null), "100:20", "500:20", "1000:200", "2000:200", "6000:200", "24000:222",
                "72000:270");

        assertThat(verdict.reason()).isEqualTo("burn rate 20.0 over 1h and 20.0 over 5m, at least 14.4");
    }

    @Test
    void reasonOfNoDataNamesTheLongestWindow() {
        SloVerdict verdict = SloJudge.judge(spec30d(null), Map.of(), GoodValid.NONE);

        assertThat(verdict.state()).isEqualTo(SloState.NO_DATA);
        assertThat(verdict.reason()).contains("3d");
    }

    // ---------------------------------------------------------------- exact boundaries (>=)

    /**
     * With objective 0.75 the budget 0.25 is exact in binary, so a window with a quarter bad burns at exactly 1.0 and
     * three quarters at exactly 3.0, the 30-day factors of the two ticket conditions. The case below covers
     * objectives whose budget is not exact in binary.
     */
    @ParameterizedTest(name = "[{index}] {0}: {8}")
    @CsvSource(delimiter = '|', textBlock = """
            # case                                  | 5m    | 30m   | 1h     | 2h      | 6h      | 1d       | 3d         | state
            burn exactly 1 in 3d and 6h fires       | 100:0 | 400:0 | 800:0  | 1600:0  | 4000:1000 | 16000:1000 | 40000:10000 | TICKET
            burn 0.996 in 3d, 1 in 6h does not      | 100:0 | 400:0 | 800:0  | 1600:0  | 4000:1000 | 16000:1000 | 40000:9960  | OK
            burn exactly 3 in 1d and 2h fires       | 100:0 | 400:0 | 800:0  | 1600:1200 | 8000:1200 | 16000:12000 | 60000:12000 | TICKET
            burn 3 in 1d, 2.99 in 2h does not       | 100:0 | 400:0 | 800:0  | 1600:1196 | 8000:1200 | 16000:12000 | 60000:12000 | OK
            """)
    void burnExactlyAtTheFactorFiresAndJustUnderDoesNot(String description, String m5, String m30, String h1,
            String h2, String h6, String d1, String d3, SloState expected) {
        SloVerdict verdict = judge(spec(0.75, 30, null), m5, m30, h1, h2, h6, d1, d3);

        assertThat(verdict.state()).as(description + " (reason: " + verdict.reason() + ")").isEqualTo(expected);
    }

    /** 1 - 0.99 is 0.010000000000000009: 14.4 % bad burns at 14.399999999999986, which must still page. */
    @ParameterizedTest(name = "[{index}] objective 0.99, {0}")
    @CsvSource(delimiter = '|', textBlock = """
            exactly 14.4 % bad in 1h and 5m pages     | 1000:144 | 1000:0   | 1000:144 | 1000:0   | 1000:0   | 1000:144 | 1000:144 | PAGE
            exactly 6 % bad in 6h and 30m pages       | 1000:0   | 1000:60  | 1000:0   | 1000:0   | 1000:60  | 1000:60  | 1000:60  | PAGE
            exactly 3 % bad in 1d and 2h is a ticket  | 1000:0   | 1000:0   | 1000:0   | 1000:30  | 1000:0   | 1000:30  | 1000:0   | TICKET
            exactly 1 % bad in 3d and 6h is a ticket  | 1000:0   | 1000:0   | 1000:0   | 1000:0   | 1000:10  | 1000:0   | 1000:10  | TICKET
            """)
    void burnExactlyAtTheFactorFiresDespiteFloatingPointBudgets(String description, String m5, String m30, String h1,
            String h2, String h6, String d1, String d3, SloState expected) {
        SloVerdict verdict = judge(spec(0.99, 30, null), m5, m30, h1, h2, h6, d1, d3);

        assertThat(verdict.state()).as(description + " (reason: " + verdict.reason() + ")").isEqualTo(expected);
    }

    // ---------------------------------------------------------------- minEvents

    @ParameterizedTest(name = "[{index}] {0}, minEvents={8}: {9}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            # case                                          | 5m     | 30m    | 1h       | 2h       | 6h       | 1d         | 3d         | minEvents | state
            trickle of 3 events, 2 bad, in every window     | 3:2    | 3:2    | 3:2      | 3:2      | 3:2      | 3:2        | 3:2        | 100       | LOW_TRAFFIC
            the same trickle without minEvents pages        | 3:2    | 3:2    | 3:2      | 3:2      | 3:2      | 3:2        | 3:2        | null      | PAGE
            the same trickle with minEvents 0 pages         | 3:2    | 3:2    | 3:2      | 3:2      | 3:2      | 3:2        | 3:2        | 0         | PAGE
            the same trickle with minEvents 3 pages         | 3:2    | 3:2    | 3:2      | 3:2      | 3:2      | 3:2        | 3:2        | 3         | PAGE
            the same trickle with minEvents 4               | 3:2    | 3:2    | 3:2      | 3:2      | 3:2      | 3:2        | 3:2        | 4         | LOW_TRAFFIC
            healthy but small: 50 events in 3d              | 1:0    | 5:0    | 10:0     | 20:0     | 30:0     | 40:0       | 50:0       | 100       | LOW_TRAFFIC
            healthy small traffic, minEvents 50 is met      | 1:0    | 5:0    | 10:0     | 20:0     | 30:0     | 40:0       | 50:0       | 50        | OK
            healthy small traffic, minEvents 51 is not      | 1:0    | 5:0    | 10:0     | 20:0     | 30:0     | 40:0       | 50:0       | 51        | LOW_TRAFFIC
            plenty of healthy events                        | 100:0  | 500:0  | 1000:1   | 2000:2   | 6000:6   | 24000:24   | 72000:72   | 100       | OK
            plenty of events, 20 % bad in 1h and 5m        | 100:20 | 500:20 | 1000:200 | 2000:200 | 6000:200 | 24000:222  | 72000:270  | 100       | PAGE
            plenty of events, 3.5 in 1d and 2h              | 100:3  | 500:15 | 1000:35  | 2000:70  | 6000:210 | 24000:840  | 100000:900 | 100       | TICKET
            plenty of events, 1.2 in 3d and 6h              | 100:1  | 500:6  | 1000:12  | 2000:24  | 6000:72  | 24000:288  | 72000:864  | 100       | TICKET
            the short window needs no minimum: 20 in 5m     | 20:10  | 100:10 | 200:40   | 1000:70  | 3000:120 | 12000:420  | 36000:450  | 100       | PAGE
            a fast burn on 50 events in 1h is low traffic   | 10:5   | 30:10  | 50:25    | 2000:30  | 6000:40  | 24000:100  | 72000:300  | 100       | LOW_TRAFFIC
            99 events in 1h fall short of 100               | 20:20  | 500:20 | 99:50    | 2000:200 | 6000:200 | 24000:222  | 72000:270  | 100       | LOW_TRAFFIC
            """)
    void minEventsKeepsWindowsWithTooFewEventsFromAlerting(String description, String m5, String m30, String h1,
            String h2, String h6, String d1, String d3, Long minEvents, SloState expected) {
        SloVerdict verdict = judge(spec30d(minEvents), m5, m30, h1, h2, h6, d1, d3);

        assertThat(verdict.state()).as(description + " (reason: " + verdict.reason() + ")").isEqualTo(expected);
    }

    @Test
    void lowTrafficFromAStarvedConditionSaysWhichConditionAndHowManyEventsAreNeeded() {
        SloVerdict verdict = judge(spec30d(100L), "3:2", "3:2", "3:2", "3:2", "3:2", "3:2", "3:2");

        assertThat(verdict.state()).isEqualTo(SloState.LOW_TRAFFIC);
        assertThat(verdict.reason()).contains("over 1h").contains("over 5m").contains("fewer than 100 events");
    }

    @Test
    void lowTrafficFromASmallLongestWindowSaysHowManyEventsItHad() {
        SloVerdict verdict = judge(spec30d(100L), "1:0", "5:0", "10:0", "20:0", "30:0", "40:0", "50:0");

        assertThat(verdict.state()).isEqualTo(SloState.LOW_TRAFFIC);
        assertThat(verdict.reason()).contains("50 valid events in 3d").contains("100");
    }

    // ---------------------------------------------------------------- period scales the factors

    @ParameterizedTest(name = "[{index}] {0}, period {8}d: {9}")
    @CsvSource(delimiter = '|', textBlock = """
            # case                                          | 5m     | 30m    | 1h       | 2h       | 6h       | 1d        | 3d        | days | state
            burn 4 in 1h and 5m: above 3.36 for 7d          | 100:4  | 500:5  | 1000:40  | 2000:42  | 6000:50  | 24000:60  | 72000:100 | 7    | PAGE
            burn 4 in 1h and 5m: below 14.4 for 30d         | 100:4  | 500:5  | 1000:40  | 2000:42  | 6000:50  | 24000:60  | 72000:100 | 30   | OK
            burn 3.3 in 1h and 5m: below 3.36 for 7d        | 100:4  | 500:5  | 1000:33  | 2000:42  | 6000:50  | 24000:60  | 72000:100 | 7    | OK
            burn 20 in 1h and 5m: above 14.4 for 30d        | 100:20 | 500:20 | 1000:200 | 2000:200 | 6000:200 | 24000:222 | 72000:270 | 30   | PAGE
            burn 20 in 1h and 5m: below 43.2 for 90d        | 100:20 | 500:20 | 1000:200 | 2000:200 | 6000:200 | 24000:222 | 72000:270 | 90   | OK
            7d period: 3.4 in 1h and 5m, above 3.36         | 100:4  | 500:5  | 1000:34  | 2000:42  | 6000:50  | 24000:60  | 72000:100 | 7    | PAGE
            burn 0.3 in 3d and 6h: above 0.233 for 7d       | 100:0  | 500:0  | 1000:1   | 2000:2   | 6000:18  | 24000:24  | 72000:216 | 7    | TICKET
            burn 0.3 in 3d and 6h: below 1 for 30d          | 100:0  | 500:0  | 1000:1   | 2000:2   | 6000:18  | 24000:24  | 72000:216 | 30   | OK
            """)
    void factorsScaleWithThePeriod(String description, String m5, String m30, String h1, String h2, String h6,
            String d1, String d3, int periodDays, SloState expected) {
        SloVerdict verdict = judge(spec(0.99, periodDays, null), m5, m30, h1, h2, h6, d1, d3);

        assertThat(verdict.state()).as(description + " (reason: " + verdict.reason() + ")").isEqualTo(expected);
    }

    @Test
    void reasonGivesTheFactorOfThePeriod() {
        SloVerdict verdict = judge(spec(0.99, 7, null), "100:4", "500:5", "1000:40", "2000:42", "6000:50", "24000:60",
                "72000:100");

        assertThat(verdict.reason()).endsWith("at least 3.4");
    }

    // ---------------------------------------------------------------- burn rates in the verdict

    @ParameterizedTest(name = "[{index}] objective {0}, window {1}: {2} valid, {3} bad burns at {4}")
    @CsvSource(nullValues = "null", value = {
            "0.99,  5m,  100,   20,  20.0",
            "0.99,  30m, 500,   0,   0.0",
            "0.99,  1h,  1000,  5,   0.5",
            "0.99,  2h,  2000,  2000, 100.0",
            "0.99,  6h,  0,     0,   null",
            "0.99,  1d,  4,     1,   25.0",
            "0.99,  3d,  72000, 720, 1.0",
            "0.999, 1h,  1000,  5,   5.0",
            "0.9,   1h,  1000,  50,  0.5",
            "0.5,   3d,  10,    10,  2.0"})
    void burnRateOfAWindowIsItsErrorRatioOverTheAllowedErrorRatio(double objective, String window, long valid,
            long bad, Double expectedBurn) {
        BurnWindow burnWindow = byLabel(window);
        Map<BurnWindow, GoodValid> windows = new EnumMap<>(BurnWindow.class);
        windows.put(BurnWindow.D3, new GoodValid(99_000, 100_000));
        windows.put(burnWindow, new GoodValid(valid - bad, valid));

        SloVerdict verdict = SloJudge.judge(spec(objective, 30, null), windows, GoodValid.NONE);

        if (expectedBurn == null) {
            assertThat(verdict.burnRates()).containsEntry(burnWindow, null);
        } else {
            assertThat(verdict.burnRates().get(burnWindow)).isCloseTo(expectedBurn, within(EPS));
        }
        assertThat(verdict.windows()).containsEntry(burnWindow, new GoodValid(valid - bad, valid));
    }

    @Test
    void verdictHasABurnRateEntryForEveryWindowNullWhereThereWereNoEvents() {
        SloVerdict verdict = judge(spec30d(null), "-", "-", "1000:5", "-", "6000:60", "-", "72000:72");

        assertThat(verdict.state()).isEqualTo(SloState.OK);
        assertThat(verdict.burnRates()).containsOnlyKeys(BurnWindow.values());
        assertThat(verdict.burnRates().get(BurnWindow.M5)).isNull();
        assertThat(verdict.burnRates().get(BurnWindow.M30)).isNull();
        assertThat(verdict.burnRates().get(BurnWindow.H2)).isNull();
        assertThat(verdict.burnRates().get(BurnWindow.D1)).isNull();
        assertThat(verdict.burnRates().get(BurnWindow.H1)).isCloseTo(0.5, within(EPS));
        assertThat(verdict.burnRates().get(BurnWindow.H6)).isCloseTo(1.0, within(EPS));
        assertThat(verdict.burnRates().get(BurnWindow.D3)).isCloseTo(0.1, within(EPS));
        assertThat(verdict.windows()).containsOnlyKeys(BurnWindow.values());
        assertThat(verdict.windows().get(BurnWindow.M5)).isEqualTo(GoodValid.NONE);
        assertThat(verdict.windows().get(BurnWindow.H1)).isEqualTo(new GoodValid(995, 1000));
    }

    @Test
    void noDataVerdictHasOnlyNullBurnRates() {
        SloVerdict verdict = SloJudge.judge(spec30d(null), Map.of(), GoodValid.NONE);

        assertThat(verdict.burnRates()).containsOnlyKeys(BurnWindow.values());
        assertThat(verdict.burnRates().values()).containsOnlyNulls();
    }

    // ---------------------------------------------------------------- budget remaining

    @ParameterizedTest(name = "[{index}] objective {0}: {1} valid, {2} bad leaves {3} of the budget")
    @CsvSource(nullValues = "null", value = {
            "0.99,  10000, 0,     1.0",
            "0.99,  10000, 50,    0.5",
            "0.99,  10000, 100,   0.0",
            "0.99,  10000, 200,   -1.0",
            "0.99,  10000, 10000, -99.0",
            "0.999, 10000, 5,     0.5",
            "0.9,   200,   5,     0.75",
            "0.99,  0,     0,     null"})
    void budgetRemainingIsOneMinusBadOverAllowedBadInThePeriod(double objective, long valid, long bad,
            Double expected) {
        Map<BurnWindow, GoodValid> windows = windows("100:0", "500:0", "1000:1", "2000:2", "6000:6", "24000:24",
                "72000:72");

        SloVerdict judged = SloJudge.judge(spec(objective, 30, null), windows, new GoodValid(valid - bad, valid));

        if (expected == null) {
            assertThat(judged.budgetRemaining()).isNull();
        } else {
            assertThat(judged.budgetRemaining()).isCloseTo(expected, within(EPS));
        }
        assertThat(judged.period()).isEqualTo(new GoodValid(valid - bad, valid));
    }

    @Test
    void budgetRemainingIsReportedEvenWithoutDataInTheBurnWindows() {
        SloVerdict verdict = SloJudge.judge(spec30d(null), Map.of(), new GoodValid(9_950, 10_000));

        assertThat(verdict.state()).isEqualTo(SloState.NO_DATA);
        assertThat(verdict.budgetRemaining()).isCloseTo(0.5, within(EPS));
    }

    // ---------------------------------------------------------------- static helpers

    @ParameterizedTest(name = "[{index}] {0} of {1} good, allowed {2}: burn {3}")
    @CsvSource(nullValues = "null", value = {
            "990,  1000, 0.01, 1.0",
            "1000, 1000, 0.01, 0.0",
            "0,    1000, 0.01, 100.0",
            "856,  1000, 0.01, 14.4",
            "0,    0,    0.01, null"})
    void burnRateIsErrorRatioOverAllowedErrorRatio(long good, long valid, double allowed, Double expected) {
        Double burn = SloJudge.burnRate(new GoodValid(good, valid), allowed);

        if (expected == null) {
            assertThat(burn).isNull();
        } else {
            assertThat(burn).isCloseTo(expected, within(EPS));
        }
    }


    private static BurnWindow byLabel(String label) {
        for (BurnWindow window : BurnWindow.values()) {
            if (window.label().equals(label)) {
                return window;
            }
        }
        throw new IllegalArgumentException(label);
    }
}
