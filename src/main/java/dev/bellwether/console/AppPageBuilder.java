package dev.bellwether.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellwether.api.ProblemException;
import dev.bellwether.apps.App;
import dev.bellwether.apps.AppDirectory;
import dev.bellwether.apps.AppResource;
import dev.bellwether.security.Caller;
import dev.bellwether.slo.BurnWindow;
import dev.bellwether.slo.Evidence;
import dev.bellwether.slo.SloDefinition;
import dev.bellwether.slo.SloResource;
import dev.bellwether.slo.SloResource.SloView;
import dev.bellwether.slo.SloTransition;
import dev.bellwether.telemetry.Durations;
import dev.bellwether.telemetry.RetentionConfig;
import dev.bellwether.telemetry.SliReport;
import dev.bellwether.telemetry.SliResource;
import dev.bellwether.telemetry.SliService;
import dev.bellwether.telemetry.SliSummary;
import dev.bellwether.rollout.RolloutResource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the app page from what the API serves: the SLI resource (its window rules) and service, the SLO resource's
 * views and the transitions it stores, and for admins the app resource's keys and origins.
 */
@ApplicationScoped
public class AppPageBuilder {

    /** The windows offered, each one the SLI API accepts; those longer than the rollups are kept are left out. */
    static final List<String> WINDOWS = List.of("5m", "1h", "6h", "1d", "7d", "30d");
    static final String DEFAULT_WINDOW = "1h";
    /** Transitions shown, and read for the burn-rate history. */
    private static final int TRANSITIONS_SHOWN = 20;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'");

    private final AppDirectory directory;
    private final AppResource appResource;
    private final SliResource sliResource;
    private final SliService sli;
    private final SloResource slos;
    private final RetentionConfig retention;
    private final ObjectMapper json;

    public AppPageBuilder(AppDirectory directory, AppResource appResource, SliResource sliResource, SliService sli,
            SloResource slos, RetentionConfig retention, ObjectMapper json) {
        this.directory = directory;
        this.appResource = appResource;
        this.sliResource = sliResource;
        this.sli = sli;
        this.slos = slos;
        this.retention = retention;
        this.json = json;
    }

    /**
     * @param originsTyped the origins as a person typed them when they were refused (null: the stored ones)
     * @param originsError the API's refusal of them, or null
     */
    @Transactional
    public AppPage build(String appName, String window, Caller caller, String originsTyped, String originsError) {
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

        List<AppPage.Slo> sloRows = new ArrayList<>();
        List<Map<String, Object>> charts = new ArrayList<>();
        List<String> windowLabels = Arrays.stream(BurnWindow.values()).map(BurnWindow::label).toList();
        for (SloView view : slos.list(app.name)) {
            String chartId = "burn-" + sloRows.size();
            long sloId = SloDefinition.find(app, view.name()).orElseThrow().id;
            List<SloTransition> newestFirst = SloTransition.latest(sloId, TRANSITIONS_SHOWN);
            List<AppPage.Transition> transitions = newestFirst.stream().map(t -> new AppPage.Transition(time(t.at),
                    t.fromState == null ? "—" : t.fromState, t.toState, t.reason == null ? "—" : t.reason)).toList();
            List<SloTransition> oldestFirst = new ArrayList<>(newestFirst);
            Collections.reverse(oldestFirst);
            List<AppPage.HistoryRow> history = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            Map<String, List<Double>> series = new LinkedHashMap<>();
            windowLabels.forEach(label -> series.put(label, new ArrayList<>()));
            for (SloTransition transition : oldestFirst) {
                Map<String, Double> rates = burnRates(transition.evidence);
                addPoint(history, labels, series, windowLabels, transition.at, "became " + transition.toState, rates);
            }
            if (view.evaluatedAt() != null) {
                addPoint(history, labels, series, windowLabels, view.evaluatedAt(), "last evaluation", view.burnRates());
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
                    .map(key -> new AppPage.Key(key.id(), key.prefix() + "…", time(key.createdAt()),
                            key.revokedAt() == null ? null : time(key.revokedAt()))).toList();
            admin = new AppPage.Admin(keys, originsTyped != null ? originsTyped : String.join("\n", app.allowedOrigins),
                    originsError, null);
        }
        return new AppPage(app.name, time(app.createdAt), new AppPage.Window(chosen, offered, from, to, windowError),
                byRelease, byCohort, total, sloRows, scriptSafeJson(Map.of("charts", charts)), admin,
                ApiRules.may(caller, RolloutResource.class, "create"));
    }

    private static void addPoint(List<AppPage.HistoryRow> history, List<String> labels, Map<String, List<Double>> series,
            List<String> windowLabels, OffsetDateTime at, String event, Map<String, Double> rates) {
        String when = time(at);
        labels.add(when);
        List<String> shown = new ArrayList<>();
        for (String label : windowLabels) {
            Double rate = rates == null ? null : rates.get(label);
            series.get(label).add(rate);
            shown.add(rate == null ? "—" : String.format(Locale.ROOT, "%.2f", rate));
        }
        history.add(new AppPage.HistoryRow(when, event, shown));
    }

    private Map<String, Double> burnRates(String evidence) {
        if (evidence == null) {
            return null;
        }
        try {
            return json.readValue(evidence, Evidence.class).burnRates();
        } catch (JsonProcessingException unreadable) {
            throw new IllegalStateException("a stored SLO transition's evidence is unreadable", unreadable);
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
