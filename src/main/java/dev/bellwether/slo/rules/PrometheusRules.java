package dev.bellwether.slo.rules;

import dev.bellwether.slo.BurnWindow;
import dev.bellwether.slo.InvalidSloException;
import dev.bellwether.slo.Sli;
import dev.bellwether.slo.SloCatalogFile;
import dev.bellwether.slo.SloSpec;
import dev.bellwether.telemetry.MetricBuckets;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Prometheus recording rules for the SLO catalog, in the manner of Sloth: per SLO, the error ratio of every burn
 * window, the objective and the error budget. No alerts: every SLO alerts from the evaluator's exported state
 * ({@code alerts/bellwether-slo.rules.yml}), so that the alert agrees with the state Bellwether shows (decision 0011).
 * The output is a function of the entries alone (sorted by app, then SLO name), so a checked-in file can be compared
 * with a fresh generation.
 *
 * <p>The error ratios are computed from the series {@code TelemetryMetrics} exports, summed over the releases and
 * cohorts of the app; an SLO of one journey counts that journey's series ({@code bellwether_journey_*}) alone.
 * Threshold SLIs count the histogram bucket {@code le} the threshold; a threshold that is not a bucket bound (see {@link MetricBuckets}) cannot be expressed and is rejected.
 */
public final class PrometheusRules {

    public static final String DEFAULT_CATALOG = "src/main/resources/slo-catalog.yaml";
    public static final String DEFAULT_OUTPUT = "alerts/slo-burn-rate.rules.yml";
    public static final String REGENERATE_COMMAND = "./mvnw -q compile exec:java@slo-rules";

    static final String ERROR_RATIO_RECORD = "slo:sli_error:ratio_rate";
    static final String OBJECTIVE_RECORD = "slo:objective:ratio";
    static final String ERROR_BUDGET_RECORD = "slo:error_budget:ratio";

    private static final String REPLAYS = "bellwether_replays_total";
    private static final String FIRST_ATTEMPTS = "bellwether_replay_first_attempts_total";
    private static final String REPEAT_FAILURES = "bellwether_replay_repeat_failures_total";
    private static final String JOURNEY_REPLAYS = "bellwether_journey_replays_total";
    private static final String JOURNEY_FIRST_ATTEMPTS = "bellwether_journey_replay_first_attempts_total";
    private static final String JOURNEY_REPEAT_FAILURES = "bellwether_journey_replay_repeat_failures_total";
    private static final String FINAL_REPLAYS = "outcome=~\"succeeded|dead_lettered|conflicted\"";
    private static final String CONFLICTS = "bellwether_conflicts_total";
    private static final String MIGRATIONS = "bellwether_migrations_total";
    private static final String ALL_MIGRATIONS = "outcome=~\"succeeded|failed|rolled_back\"";

    private static final String HEADER = """
            # GENERATED FILE: DO NOT EDIT BY HAND.
            # Prometheus rules for the SLOs of the Bellwether SLO catalog %s,
            # written by dev.bellwether.slo.rules.GenerateRules:
            #   %s
            # Change the catalog (or the generator) and regenerate; PrometheusRulesTest fails while this file is stale.
            # Check with: promtool check rules alerts/slo-burn-rate.rules.yml
            #             promtool test rules alerts/tests/slo-burn-rate.test.yml
            #
            # One group per SLO, bellwether-slo-<app>-<slo>, sorted by app and SLO name:
            #   slo:sli_error:ratio_rate<window>  bad / valid events of the app, summed over its releases and cohorts,
            #                                     for the burn windows 5m, 30m, 1h, 2h, 6h, 1d and 3d (an SLO of one
            #                                     journey: that journey's replays, labelled journey)
            #   slo:objective:ratio, slo:error_budget:ratio  the objective and the error budget (1 - objective)
            # Error ratios by arrival time (rate() over the counters), for dashboards and for teams that write their own
            # Prometheus-native burn-rate alerts. This file has no alerts: every SLO, from the catalog or the API, alerts
            # from the evaluator's state in alerts/bellwether-slo.rules.yml, so that the alert agrees with the state
            # Bellwether shows (by event time) and no SLO pages twice; see docs/alerting.md.
            """;

    private static final Pattern PLAIN_SCALAR = Pattern.compile("^[A-Za-z_][A-Za-z0-9_./:-]*$");
    private static final Set<String> YAML_WORDS = Set.of("y", "n", "yes", "no", "on", "off", "true", "false", "null");

    private PrometheusRules() {
    }

    /** The rule file for {@code entries}, naming {@link #DEFAULT_CATALOG} as its source. */
    public static String generate(List<SloCatalogFile.Entry> entries) {
        return generate(entries, DEFAULT_CATALOG);
    }

    /**
     * @param catalog the catalog the entries were read from, named in the header
     * @throws InvalidSloException naming the app, SLO and threshold when a threshold is not a histogram bucket bound
     * @throws IllegalArgumentException when two entries would make rule groups of the same name
     */
    public static String generate(List<SloCatalogFile.Entry> entries, String catalog) {
        List<SloCatalogFile.Entry> sorted = entries.stream()
                .sorted(Comparator.comparing(SloCatalogFile.Entry::app).thenComparing(entry -> entry.spec().name()))
                .toList();
        Map<String, SloCatalogFile.Entry> groups = new HashMap<>();
        for (SloCatalogFile.Entry entry : sorted) {
            SloCatalogFile.Entry clash = groups.putIfAbsent(groupName(entry), entry);
            if (clash != null) {
                throw new IllegalArgumentException("app " + clash.app() + " SLO " + clash.spec().name() + " and app "
                        + entry.app() + " SLO " + entry.spec().name() + " would both be the rule group "
                        + groupName(entry) + "; rename one of them");
            }
        }
        StringBuilder yaml = new StringBuilder(String.format(Locale.ROOT, HEADER, catalog, REGENERATE_COMMAND));
        if (sorted.isEmpty()) {
            return yaml.append("groups: []\n").toString();
        }
        yaml.append("groups:\n");
        for (SloCatalogFile.Entry entry : sorted) {
            group(yaml, entry);
        }
        return yaml.toString();
    }

    public static String groupName(SloCatalogFile.Entry entry) {
        return "bellwether-slo-" + entry.app() + "-" + entry.spec().name();
    }

    // ---------------------------------------------------------------- PromQL

    /** bad / valid events of the entry's app over {@code window}, as in {@link Sli#count}. */
    static String errorRatio(SloCatalogFile.Entry entry, BurnWindow window) {
        String app = entry.app();
        String w = window.label();
        SloSpec spec = entry.spec();
        return switch (spec.sli()) {
            case REPLAY_SUCCESS_RATIO -> badOverValid(
                    sumRate(replaySelector(entry, REPLAYS, JOURNEY_REPLAYS, "outcome=~\"dead_lettered|conflicted\""), w),
                    validEvents(entry, w));
            case DEAD_LETTER_RATIO -> badOverValid(
                    sumRate(replaySelector(entry, REPLAYS, JOURNEY_REPLAYS, "outcome=\"dead_lettered\""), w),
                    validEvents(entry, w));
            // like Sli.count, more repeat failures than first attempts is all bad
            case REPLAY_REPEAT_FAILURE_RATIO -> "clamp_max(" + badOverValid(
                    sumRate(replaySelector(entry, REPEAT_FAILURES, JOURNEY_REPEAT_FAILURES, null), w),
                    validEvents(entry, w)) + ", 1)";
            // conflicts and replays are separate events: like Sli.count, more conflicts than replays is all bad
            case CONFLICT_RATIO -> "clamp_max(" + badOverValid(sumRate(selector(CONFLICTS, app, null), w),
                    validEvents(entry, w)) + ", 1)";
            case MIGRATION_FAILURE_RATIO -> badOverValid(
                    sumRate(selector(MIGRATIONS, app, "outcome=~\"failed|rolled_back\""), w), validEvents(entry, w));
            case SYNC_LATENCY, STALENESS, OUTBOX_DEPTH -> {
                Histogram histogram = Histogram.of(spec.sli());
                yield "1 - " + sumRate(selector(histogram.metric() + "_bucket", app,
                        "le=\"" + le(histogram.bound(entry)) + "\""), w) + " / " + validEvents(entry, w);
            }
        };
    }

    /** {@code sum(rate(<valid events of the SLI>[window]))}. */
    static String validEvents(SloCatalogFile.Entry entry, String window) {
        String app = entry.app();
        String selector = switch (entry.spec().sli()) {
            case REPLAY_SUCCESS_RATIO, DEAD_LETTER_RATIO -> replaySelector(entry, REPLAYS, JOURNEY_REPLAYS, FINAL_REPLAYS);
            case CONFLICT_RATIO -> selector(REPLAYS, app, FINAL_REPLAYS);
            case REPLAY_REPEAT_FAILURE_RATIO -> replaySelector(entry, FIRST_ATTEMPTS, JOURNEY_FIRST_ATTEMPTS, null);
            case MIGRATION_FAILURE_RATIO -> selector(MIGRATIONS, app, ALL_MIGRATIONS);
            case SYNC_LATENCY, STALENESS, OUTBOX_DEPTH -> selector(Histogram.of(entry.spec().sli()).metric() + "_count", app, null);
        };
        return sumRate(selector, window);
    }

    /** The app's replay series, or, for an SLO of one journey, that journey's. */
    private static String replaySelector(SloCatalogFile.Entry entry, String appMetric, String journeyMetric, String matcher) {
        String journey = entry.spec().journey();
        if (journey == null) {
            return selector(appMetric, entry.app(), matcher);
        }
        String journeyMatcher = "journey=\"" + labelValue(journey) + "\"";
        return selector(journeyMetric, entry.app(), matcher == null ? journeyMatcher : journeyMatcher + "," + matcher);
    }

    /** No bad series yet (nothing ever dead-lettered) is an error ratio of 0, not an absent one. */
    private static String badOverValid(String bad, String valid) {
        return "(" + bad + " or vector(0)) / " + valid;
    }

    private static String sumRate(String selector, String window) {
        return "sum(rate(" + selector + "[" + window + "]))";
    }

    private static String selector(String metric, String app, String matcher) {
        return metric + "{app=\"" + labelValue(app) + "\"" + (matcher == null ? "" : "," + matcher) + "}";
    }

    private static String labelValue(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static boolean hasMinEvents(SloSpec spec) {
        return spec.minEvents() != null && spec.minEvents() > 0;
    }

    /** 1 - objective, written exactly (1 - 0.995 is 0.0050000000000000044 in floating point). */
    static String budget(SloSpec spec) {
        return BigDecimal.ONE.subtract(BigDecimal.valueOf(spec.objective())).stripTrailingZeros().toPlainString();
    }

    /**
     * A bucket bound as micrometer-registry-prometheus-simpleclient writes it in {@code le}: Java's
     * {@link Double#toString} ({@code io.prometheus.client.Collector.doubleToGoString}), so {@code 5.0}, {@code 0.05},
     * {@code 900.0}. The bounds of {@link MetricBuckets} stay clear of the exponent notation it uses from 1e7 on.
     */
    static String le(double bound) {
        return Double.toString(bound);
    }

    // ---------------------------------------------------------------- threshold SLIs

    /** A threshold SLI's histogram, and how catalog thresholds map to its bounds. */
    private record Histogram(String metric, double[] bounds, double catalogUnitsPerBound, String unit, String boundsName) {

        static Histogram of(Sli sli) {
            return switch (sli) {
                case SYNC_LATENCY -> new Histogram("bellwether_sync_latency_seconds", MetricBuckets.LATENCY_SECONDS, 1000,
                        "ms", "MetricBuckets.LATENCY_SECONDS");
                case STALENESS -> new Histogram("bellwether_staleness_seconds", MetricBuckets.AGE_SECONDS, 1000, "ms",
                        "MetricBuckets.AGE_SECONDS");
                case OUTBOX_DEPTH -> new Histogram("bellwether_outbox_depth", MetricBuckets.DEPTH, 1, "mutations",
                        "MetricBuckets.DEPTH");
                default -> throw new IllegalArgumentException(sli.wireName() + " has no histogram");
            };
        }

        /** The bucket bound the entry's threshold names. */
        double bound(SloCatalogFile.Entry entry) {
            double threshold = entry.spec().threshold();
            for (double bound : bounds) {
                if (MetricBuckets.isBound(new double[] {bound}, threshold / catalogUnitsPerBound)) {
                    return bound;
                }
            }
            String field = SloSpec.thresholdField(entry.spec().sli());
            throw new InvalidSloException("apps." + entry.app() + ".slos." + entry.spec().name() + "." + field,
                    "is " + plain(threshold) + " " + unit + ", not a bucket bound of the histogram " + metric
                            + ", so Prometheus rules cannot count the values within it (app " + entry.app() + ", SLO "
                            + entry.spec().name() + "); use one of " + Arrays.stream(bounds)
                                    .mapToObj(bound -> plain(bound * catalogUnitsPerBound)).collect(Collectors.joining(", "))
                            + " " + unit + ", or add the bound to " + boundsName);
        }
    }

    private static String plain(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    static String period(Duration period) {
        long seconds = period.toSeconds();
        if (seconds % 86_400 == 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds % 3_600 == 0) {
            return seconds / 3_600 + "h";
        }
        return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }

    // ---------------------------------------------------------------- YAML

    private static void group(StringBuilder yaml, SloCatalogFile.Entry entry) {
        SloSpec spec = entry.spec();
        yaml.append("  # ").append(entry.app()).append(' ').append(spec.name()).append(": ").append(spec.sli().wireName());
        if (spec.journey() != null) {
            yaml.append(" of journey ").append(spec.journey());
        }
        if (spec.threshold() != null) {
            yaml.append(' ').append(SloSpec.thresholdField(spec.sli())).append(' ').append(plain(spec.threshold()));
        }
        yaml.append(", objective ").append(BigDecimal.valueOf(spec.objective()).toPlainString())
                .append(" over ").append(period(spec.period()));
        if (hasMinEvents(spec)) {
            yaml.append(", minEvents ").append(spec.minEvents());
        }
        yaml.append('\n');
        yaml.append("  - name: ").append(scalar(groupName(entry))).append('\n');
        yaml.append("    rules:\n");
        for (BurnWindow window : BurnWindow.values()) {
            record(yaml, ERROR_RATIO_RECORD + window.label(), errorRatio(entry, window), entry);
        }
        record(yaml, OBJECTIVE_RECORD, "vector(" + BigDecimal.valueOf(spec.objective()).toPlainString() + ")", entry);
        record(yaml, ERROR_BUDGET_RECORD, "vector(" + budget(spec) + ")", entry);
    }

    private static void record(StringBuilder yaml, String name, String expr, SloCatalogFile.Entry entry) {
        yaml.append("      - record: ").append(scalar(name)).append('\n');
        yaml.append("        expr: ").append(scalar(expr)).append('\n');
        yaml.append("        labels:\n");
        yaml.append("          app: ").append(scalar(entry.app())).append('\n');
        yaml.append("          slo: ").append(scalar(entry.spec().name())).append('\n');
        if (entry.spec().journey() != null) {
            yaml.append("          journey: ").append(scalar(entry.spec().journey())).append('\n');
        }
    }

    /**
     * A one-line YAML scalar that reads back as this string: plain when safe, else single-quoted. Words YAML 1.1
     * reads as booleans or null, and anything starting with a digit, are quoted.
     */
    static String scalar(String value) {
        if (value.contains("\n")) {
            throw new IllegalArgumentException("one line expected: " + value);
        }
        if (PLAIN_SCALAR.matcher(value).matches() && !YAML_WORDS.contains(value.toLowerCase(Locale.ROOT))) {
            return value;
        }
        return "'" + value.replace("'", "''") + "'";
    }
}
