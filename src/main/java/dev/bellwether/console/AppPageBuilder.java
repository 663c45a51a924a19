package dev.bellwether.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellwether.api.ProblemException;
import dev.bellwether.apps.App;
import dev.bellwether.apps.AppDirectory;
import dev.bellwether.apps.AppResource;
import dev.bellwether.journey.AppJourneys;
import dev.bellwether.journey.JourneyStore;
import dev.bellwether.security.Caller;
import dev.bellwether.slo.BurnHistory;
import dev.bellwether.slo.BurnWindow;
import dev.bellwether.slo.GoodValid;
import dev.bellwether.slo.SloDefinition;
import dev.bellwether.slo.SloSpec;
import dev.bellwether.slo.SloResource;
import dev.bellwether.slo.SloResource.SloView;
import dev.bellwether.slo.SloTransition;
import dev.bellwether.telemetry.Durations;
import dev.bellwether.telemetry.Granularity;
import dev.bellwether.telemetry.Rollup;
import dev.bellwether.telemetry.RollupStore;
import dev.bellwether.telemetry.RetentionConfig;
import dev.bellwether.telemetry.SliReport;
import dev.bellwether.telemetry.SliResource;
import dev.bellwether.telemetry.SliService;
import dev.bellwether.telemetry.SliSummary;
import dev.bellwether.rollout.RolloutResource;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Builds the app page from what the API serves: the SLI resource (its window rules) and service, the SLO resource's
 * views and the transitions it stores, and for admins the app resource's keys and origins.
 */
@ApplicationScoped
public class AppPageBuilder {

    /** The windows offered, each one the SLI API accepts; those longer than the rollups are kept are left out. */
    static final List<String> WINDOWS = List.of("5m", "1h", "6h", "1d", "7d", "30d");
    static final String DEFAULT_WINDOW = "1h";
    private static final int TRANSITIONS_SHOWN = 20;
    static final Duration HISTORY_SHORTEST = Duration.ofHours(6);
    static final Duration HISTORY_LONGEST = Duration.ofDays(7);
    static final Duration HISTORY_DEFAULT = Duration.ofDays(1);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'");
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'");

    private final AppDirectory directory;
    private final AppResource appResource;
    private final SliResource sliResource;
    private final SliService sli;
    private final SloResource slos;
    private final RetentionConfig retention;
    private final ObjectMapper json;
    private final RollupStore rollups;
    private final AgroalDataSource dataSource;
    private final Clock clock;
    private final JourneyStore journeys;

    public AppPageBuilder(AppDirectory directory, AppResource appResource, SliResource sliResource, SliService sli,
            SloResource slos, RetentionConfig retention, ObjectMapper json, RollupStore rollups,
            AgroalDataSource dataSource, Clock clock, JourneyStore journeys) {
        this.journeys = journeys;
        this.rollups = rollups;
        this.dataSource = dataSource;
        this.clock = clock;
        this.directory = directory;
        this.appResource = appResource;
        this.sliResource = sliResource;
        this.sli = sli;
        this.slos = slos;
        this.retention = retention;
        this.json = json;
    }

    /** @param typed what a person typed in a form the API refused, shown again with the refusal */
    @Transactional
    public AppPage build(String appName, String window, Caller caller, AppPage.Typed typed) {
        App app = directory.requireApp(appName);
        String chosen = window == null || window.isBlank() ? DEFAULT_WINDOW : window;
        List<String> offered = WINDOWS.stream()
                .filter(w -> Durations.parse(w).compareTo(retention.hourRollups()) <= 0).toList();

        SliReport report = null;
        String windowError = null;
        try {
            report = sliResource.get(app.name, chosen, null, null, null, null, null);
        } catch (ProblemException refused) {
            windowError = refused.getMessage();
        }
        List<AppPage.SliRow> byRelease = new ArrayList<>();
        List<AppPage.SliRow> byCohort = new ArrayList<>();
        AppPage.SliRow total = null;
        String from = null;
        String to = null;
        if (report != null) {
            from = time(report.from().atOffset(ZoneOffset.UTC));
            to = time(report.to().atOffset(ZoneOffset.UTC));
            total = row("all", report.total());
            SliService.ByRelease releases = sli.byRelease(app.id, report.from(), report.to());
            releases.releases().forEach(release -> byRelease.add(row(release.release(), release.sli())));
            if (releases.others() != null) {
                byRelease.add(row(releases.others().cohorts() + " other releases", releases.others().sli()));
            }
            report.cohorts().forEach(cohort -> byCohort.add(row(cohort.cohort(), cohort.sli())));
            if (report.otherCohorts() != null) {
                byCohort.add(row(report.otherCohorts().cohorts() + " other cohorts", report.otherCohorts().sli()));
            }
        }

        Duration historySpan = historySpan(windowError == null ? chosen : null);
        Instant lastPoint = clock.instant().truncatedTo(ChronoUnit.HOURS);
        Instant firstPoint = lastPoint.minus(historySpan);
        List<SloView> views = slos.list(app.name);
        boolean perJourney = views.stream().anyMatch(view -> view.journey() != null);
        AppJourneys appJourneys = perJourney ? journeys.load(app.id) : null;
        RollupStore.MergedBuckets hourBuckets = views.isEmpty() ? null
                : hourBuckets(app.id, firstPoint, lastPoint, perJourney);
        List<AppPage.Slo> sloRows = new ArrayList<>();
        List<Map<String, Object>> charts = new ArrayList<>();
        List<String> windowLabels = BurnHistory.WINDOWS.stream().map(BurnWindow::label).toList();
        for (SloView view : views) {
            String chartId = "burn-" + sloRows.size();
            SloDefinition definition = SloDefinition.find(app, view.name()).orElseThrow();
            SloSpec spec = definition.spec();
            List<AppPage.Transition> transitions = SloTransition.latest(definition.id, TRANSITIONS_SHOWN).stream()
                    .map(t -> new AppPage.Transition(time(t.at), t.fromState == null ? "—" : t.fromState, t.toState,
                            t.reason == null ? "—" : t.reason)).toList();
            NavigableMap<Instant, GoodValid> counts = new TreeMap<>();
            hourBuckets.of(appJourneys == null ? null : appJourneys.rollupIdOf(spec.journey()))
                    .forEach((bucket, rollup) -> counts.put(bucket, spec.sli().count(rollup, spec.threshold())));
            List<AppPage.HistoryRow> history = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            Map<String, List<Double>> series = new LinkedHashMap<>();
            windowLabels.forEach(label -> series.put(label, new ArrayList<>()));
            for (BurnHistory.Point point : BurnHistory.hourly(spec, counts, firstPoint, lastPoint)) {
                String when = HOUR.format(point.at().atOffset(ZoneOffset.UTC));
                labels.add(when);
                List<String> shown = new ArrayList<>();
                for (BurnWindow burnWindow : BurnHistory.WINDOWS) {
                    Double rate = point.burnRates().get(burnWindow);
                    // a chart needs no more digits than this; 0.25 / 0.005 is 49.99999999999996 in floating point
                    series.get(burnWindow.label()).add(rate == null ? null : Math.round(rate * 1e6) / 1e6);
                    shown.add(rate == null ? "—" : String.format(Locale.ROOT, "%.2f", rate));
                }
                history.add(new AppPage.HistoryRow(when, shown));
            }
            String state = view.state() == null ? "NOT EVALUATED YET" : view.state().name();
            sloRows.add(new AppPage.Slo(view.name(), view.sli().wireName(), percent(view.objective(), 2), state,
                    view.reason() == null ? "—" : view.reason(), OverviewBuilder.burnRates(view.burnRates()),
                    view.errorBudgetRemaining() == null ? "—" : percent(view.errorBudgetRemaining(), 1),
                    view.evaluatedAt() == null ? "not yet" : time(view.evaluatedAt()), transitions, windowLabels,
                    history, chartId));
            Map<String, Object> chart = new LinkedHashMap<>();
            chart.put("canvas", chartId);
            chart.put("labels", labels);
            chart.put("series", series);
            charts.add(chart);
        }

        AppPage.Admin admin = null;
        if (ApiRules.may(caller, AppResource.class, "listKeys")) {
            List<AppPage.Key> keys = appResource.listKeys(app.name).stream()
                    .map(key -> new AppPage.Key(key.id(), key.name(), key.prefix() + "…", time(key.createdAt()),
                            key.revokedAt() == null ? null : time(key.revokedAt()))).toList();
            admin = new AppPage.Admin(keys, typed.keyName() != null ? typed.keyName() : "", typed.keyNameError(),
                    typed.origins() != null ? typed.origins() : String.join("\n", app.allowedOrigins), typed.originsError());
        }
        return new AppPage(app.name, time(app.createdAt), new AppPage.Window(chosen, offered, from, to, windowError),
                byRelease, byCohort, total, sloRows, label(historySpan), scriptSafeJson(Map.of("charts", charts)), admin,
                ApiRules.may(caller, RolloutResource.class, "create"));
    }

    /**
     * The span of the burn-rate history: the chosen window, at least {@link #HISTORY_SHORTEST} (points are hours) and
     * at most {@link #HISTORY_LONGEST} (what one read of the hour rollups may cost).
     */
    static Duration historySpan(String window) {
        if (window == null) {
            return HISTORY_DEFAULT;
        }
        Duration chosen = Durations.parse(window);
        return chosen.compareTo(HISTORY_SHORTEST) < 0 ? HISTORY_SHORTEST
                : chosen.compareTo(HISTORY_LONGEST) > 0 ? HISTORY_LONGEST : chosen;
    }

    private static String label(Duration span) {
        return span.toHours() % 24 == 0 ? span.toDays() + "d" : span.toHours() + "h";
    }

    /** The app's hour rollups the history's points read, merged per hour: one query for every SLO of the app. */
    private RollupStore.MergedBuckets hourBuckets(long appId, Instant firstPoint, Instant lastPoint, boolean perJourney) {
        try (Connection connection = dataSource.getConnection()) {
            return rollups.mergedBuckets(connection, appId, Granularity.HOUR, BurnHistory.bucketsNeededFrom(firstPoint),
                    lastPoint, perJourney);
        } catch (SQLException e) {
            throw new IllegalStateException("the hour rollups could not be read", e);
        }
    }

    /**
     * JSON to place in a {@code <script type="application/json">} element: the characters that could end the element
     * or start markup are written as JSON escapes, so the text cannot leave the element whatever it holds.
     */
    String scriptSafeJson(Object value) {
        try {
            return json.writeValueAsString(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                    .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("chart data could not be written", e);
        }
    }

    private static AppPage.SliRow row(String name, SliSummary s) {
        return new AppPage.SliRow(name, String.valueOf(s.events()), ratio(s.replays().successRatio()),
                ratio(s.replays().deadLetterRatio()), millis(s.syncs().latencyMs().p95()), millis(s.syncs().stalenessP95Ms()),
                ratio(s.conflicts().rate()), s.outbox().depthP95() == null ? "—" : String.format(Locale.ROOT, "%.0f",
                s.outbox().depthP95()), ratio(s.migrations().failureRatio()));
    }

    private static String ratio(Double ratio) {
        return ratio == null ? "—" : percent(ratio, 2);
    }

    private static String percent(double fraction, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f %%", fraction * 100);
    }

    private static String millis(Double millis) {
        return millis == null ? "—" : String.format(Locale.ROOT, "%.0f ms", millis);
    }

    static String time(OffsetDateTime at) {
        return at == null ? "—" : at.withOffsetSameInstant(ZoneOffset.UTC).format(TIME);
    }
}
