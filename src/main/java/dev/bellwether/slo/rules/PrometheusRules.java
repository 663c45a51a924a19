package dev.bellwether.slo.rules;

import dev.bellwether.slo.AlertCondition;
import dev.bellwether.slo.BurnWindow;
import dev.bellwether.slo.InvalidSloException;
import dev.bellwether.slo.Sli;
import dev.bellwether.slo.SloCatalogFile;
import dev.bellwether.slo.SloSpec;
import dev.bellwether.slo.SloState;
import dev.bellwether.telemetry.MetricBuckets;
import java.math.BigDecimal;
import java.math.MathContext;
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
 * Prometheus recording and alerting rules for the SLO catalog, in the manner of Sloth: per SLO, the error ratio of
 * every burn window as a recording rule, and the multi-window, multi-burn-rate alerts of {@link AlertCondition#WORKBOOK}
 * on them. The output is a function of the entries alone (sorted by app, then SLO name), so a checked-in file can be
 * compared with a fresh generation.
 *
 * <p>The error ratios are computed from the series {@code TelemetryMetrics} exports, summed over the releases and
 * cohorts of the app. Threshold SLIs count the histogram bucket {@code le} the threshold; a threshold that is not a
 * bucket bound (see {@link MetricBuckets}) cannot be expressed and is rejected.
 *
 * <p>Longer than 300 lines on purpose: each SLI's PromQL and the alert text that describes it sit side by side, so
 * that they change together, and the whole file is one output checked against the golden rules file.
 */
public final class PrometheusRules {

    public static final String DEFAULT_CATALOG = "src/main/resources/slo-catalog.yaml";
    public static final String DEFAULT_OUTPUT = "alerts/slo-burn-rate.rules.yml";
    public static final String REGENERATE_COMMAND = "./mvnw -q compile exec:java@slo-rules";
    public static final String ALERT = "BellwetherSloErrorBudgetBurn";
    /** Where the runbooks live; every alert links one page below it. */
    public static final String RUNBOOK_BASE_URL = "https://github.com/bellwether/bellwether/blob/main/runbooks/";
    public static final String RUNBOOK_URL = RUNBOOK_BASE_URL + "slo-error-budget-burn.md";

    static final String ERROR_RATIO_RECORD = "slo:sli_error:ratio_rate";
    static final String OBJECTIVE_RECORD = "slo:objective:ratio";
    static final String ERROR_BUDGET_RECORD = "slo:error_budget:ratio";

    private static final String REPLAYS = "bellwether_replays_total";
    private static final String FIRST_ATTEMPTS = "bellwether_replay_first_attempts_total";
    private static final String REPEAT_FAILURES = "bellwether_replay_repeat_failures_total";
    private static final String FINAL_REPLAYS = "outcome=~\"succeeded|dead_lettered|conflicted\"";
    private static final String CONFLICTS = "bellwether_conflicts_total";
    private static final String MIGRATIONS = "bellwether_migrations_total";
    private static final String ALL_MIGRATIONS = "outcome=~\"succeeded|failed|rolled_back\"";

    /** How long a condition must hold before its alert fires; see the header of the generated file. */
    private static final Map<SloState, String> FOR = Map.of(SloState.PAGE, "2m", SloState.TICKET, "15m");

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
            #                                     for the burn windows 5m, 30m, 1h, 2h, 6h, 1d and 3d
            #   slo:objective:ratio, slo:error_budget:ratio  the objective and the error budget (1 - objective)
            #   BellwetherSloErrorBudgetBurn      the multi-window, multi-burn-rate alerts of the Google SRE workbook
            #                                     (dev.bellwether.slo.AlertCondition.WORKBOOK), burn factors scaled to the
            #                                     SLO's period (14.4, 6, 3 and 1 for 30d): severity=page when the 1h and
            #                                     5m or the 6h and 30m windows burn too fast, severity=ticket for 1d and
            #                                     2h or 3d and 6h.
            # for: 2m on pages, 15m on tickets. The long window already demands a sustained burn and the short window
            #   ends the alert soon after the burn stops, so `for` only rides out one-evaluation blips (a scrape gap,
            #   a counter reset, rate() extrapolating from the first samples of a new series). 2m adds little to the
            #   time to page; a ticket is not urgent, and 15m keeps it from flapping.
            # minEvents: Prometheus has no event count per window as the SLO evaluator does, so an SLO with minEvents
            #   adds `and on () sum(increase(<valid events>[<long window>])) >= minEvents` to each of its conditions
            #   (1h and 6h for pages, 1d and 3d for tickets): a few bad events on a quiet app cannot page. As in the
            #   evaluator (SloJudge) only the long window is counted; too little traffic is silence here, LOW_TRAFFIC there.
            # A page usually comes with a ticket for the same SLO: inhibit severity="ticket" by severity="page" on
            # (app, slo) in Alertmanager.
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
                    sumRate(selector(REPLAYS, app, "outcome=~\"dead_lettered|conflicted\""), w), validEvents(entry, w, "rate"));
            case DEAD_LETTER_RATIO -> badOverValid(
                    sumRate(selector(REPLAYS, app, "outcome=\"dead_lettered\""), w), validEvents(entry, w, "rate"));
            // like Sli.count, more repeat failures than first attempts is all bad
            case REPLAY_REPEAT_FAILURE_RATIO -> "clamp_max(" + badOverValid(sumRate(selector(REPEAT_FAILURES, app, null), w),
                    validEvents(entry, w, "rate")) + ", 1)";
            // conflicts and replays are separate events: like Sli.count, more conflicts than replays is all bad
            case CONFLICT_RATIO -> "clamp_max(" + badOverValid(sumRate(selector(CONFLICTS, app, null), w),
                    validEvents(entry, w, "rate")) + ", 1)";
            case MIGRATION_FAILURE_RATIO -> badOverValid(
                    sumRate(selector(MIGRATIONS, app, "outcome=~\"failed|rolled_back\""), w), validEvents(entry, w, "rate"));
            case SYNC_LATENCY, STALENESS, OUTBOX_DEPTH -> {
                Histogram histogram = Histogram.of(spec.sli());
                yield "1 - " + sumRate(selector(histogram.metric() + "_bucket", app,
                        "le=\"" + le(histogram.bound(entry)) + "\""), w) + " / " + validEvents(entry, w, "rate");
            }
        };
    }

    /** {@code sum(<function>(<valid events of the SLI>[range]))}. */
    static String validEvents(SloCatalogFile.Entry entry, String range, String function) {
        String app = entry.app();
        String selector = switch (entry.spec().sli()) {
            case REPLAY_SUCCESS_RATIO, DEAD_LETTER_RATIO, CONFLICT_RATIO -> selector(REPLAYS, app, FINAL_REPLAYS);
            case REPLAY_REPEAT_FAILURE_RATIO -> selector(FIRST_ATTEMPTS, app, null);
            case MIGRATION_FAILURE_RATIO -> selector(MIGRATIONS, app, ALL_MIGRATIONS);
            case SYNC_LATENCY, STALENESS, OUTBOX_DEPTH -> selector(Histogram.of(entry.spec().sli()).metric() + "_count", app, null);
        };
        return "sum(" + function + "(" + selector + "[" + range + "]))";
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

    private static String sloSelector(String metric, SloCatalogFile.Entry entry) {
        return metric + "{app=\"" + labelValue(entry.app()) + "\",slo=\"" + labelValue(entry.spec().name()) + "\"}";
    }

    private static String labelValue(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** The alert condition of one severity: its workbook conditions joined by {@code or}. */
    static String alertExpr(SloCatalogFile.Entry entry, SloState severity) {
        SloSpec spec = entry.spec();
        String budget = budget(spec);
        return AlertCondition.WORKBOOK.stream().filter(condition -> condition.severity() == severity).map(condition -> {
            String burn = " >= (" + number(condition.factor(spec.period())) + " * " + budget + ")";
            StringBuilder expr = new StringBuilder("(\n")
                    .append("  ").append(sloSelector(ERROR_RATIO_RECORD + condition.longWindow().label(), entry)).append(burn)
                    .append("\n  and\n")
                    .append("  ").append(sloSelector(ERROR_RATIO_RECORD + condition.shortWindow().label(), entry)).append(burn);
            if (hasMinEvents(spec)) {
                expr.append("\n  and on ()\n  ").append(validEvents(entry, condition.longWindow().label(), "increase"))
                        .append(" >= ").append(spec.minEvents());
            }
            return expr.append("\n)").toString();
        }).collect(Collectors.joining("\nor\n", "", "\n"));
    }

    private static boolean hasMinEvents(SloSpec spec) {
        return spec.minEvents() != null && spec.minEvents() > 0;
    }

    /** 1 - objective, written exactly (1 - 0.995 is 0.0050000000000000044 in floating point). */
    static String budget(SloSpec spec) {
        return BigDecimal.ONE.subtract(BigDecimal.valueOf(spec.objective())).stripTrailingZeros().toPlainString();
    }

    /** A factor to 10 significant digits: 14.4 rather than 14.400000000000002, 0.2333333333 for 7d. */
    static String number(double value) {
        BigDecimal rounded = new BigDecimal(value).round(new MathContext(10)).stripTrailingZeros();
        return rounded.scale() < 0 ? rounded.setScale(0).toPlainString() : rounded.toPlainString();
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

        /** What a bad event of this SLI is, for the annotations: "syncs slower than 5 s". */
        String bad(SloCatalogFile.Entry entry, String what) {
            double threshold = entry.spec().threshold();
            if (!unit.equals("ms")) {
                return what + " " + plain(threshold) + " " + unit;
            }
            if (threshold >= 60_000 && threshold % 60_000 == 0) {
                return what + " " + plain(threshold / 60_000) + " min";
            }
            return threshold >= 1000 ? what + " " + plain(threshold / 1000) + " s" : what + " " + plain(threshold) + " ms";
        }
    }

    private static String plain(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    // ---------------------------------------------------------------- words for the annotations

    /** Bad events, valid events. */
    private static String[] events(SloCatalogFile.Entry entry) {
        return switch (entry.spec().sli()) {
            case REPLAY_SUCCESS_RATIO -> new String[] {"dead-lettered or conflicted replays", "final replays"};
            case DEAD_LETTER_RATIO -> new String[] {"dead-lettered replays", "final replays"};
            case REPLAY_REPEAT_FAILURE_RATIO -> new String[] {"mutations that failed twice in a row", "mutations replayed"};
            case CONFLICT_RATIO -> new String[] {"conflicts", "final replays"};
            case MIGRATION_FAILURE_RATIO -> new String[] {"failed or rolled-back migrations", "migrations"};
            case SYNC_LATENCY -> new String[] {Histogram.of(Sli.SYNC_LATENCY).bad(entry, "syncs slower than"), "syncs"};
            case STALENESS -> new String[] {Histogram.of(Sli.STALENESS).bad(entry, "syncs of data older than"), "syncs"};
            case OUTBOX_DEPTH -> new String[] {Histogram.of(Sli.OUTBOX_DEPTH).bad(entry, "outbox reports over"),
                    "outbox reports"};
        };
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

    private static String percent(BigDecimal ratio) {
        return ratio.movePointRight(2).stripTrailingZeros().toPlainString() + " %";
    }

    // ---------------------------------------------------------------- YAML

    private static void group(StringBuilder yaml, SloCatalogFile.Entry entry) {
        SloSpec spec = entry.spec();
        yaml.append("  # ").append(entry.app()).append(' ').append(spec.name()).append(": ").append(spec.sli().wireName());
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
        alert(yaml, entry, SloState.PAGE);
        alert(yaml, entry, SloState.TICKET);
    }

    private static void record(StringBuilder yaml, String name, String expr, SloCatalogFile.Entry entry) {
        yaml.append("      - record: ").append(scalar(name)).append('\n');
        yaml.append("        expr: ").append(scalar(expr)).append('\n');
        yaml.append("        labels:\n");
        yaml.append("          app: ").append(scalar(entry.app())).append('\n');
        yaml.append("          slo: ").append(scalar(entry.spec().name())).append('\n');
    }

    private static void alert(StringBuilder yaml, SloCatalogFile.Entry entry, SloState severity) {
        SloSpec spec = entry.spec();
        List<AlertCondition> conditions = AlertCondition.WORKBOOK.stream()
                .filter(condition -> condition.severity() == severity).toList();
        String[] events = events(entry);
        BigDecimal budget = new BigDecimal(budget(spec));
        String period = period(spec.period());
        String longWindows = conditions.stream().map(condition -> condition.longWindow().label())
                .collect(Collectors.joining(" or "));
        String burns = conditions.stream().map(condition -> number(condition.factor(spec.period())) + "x over "
                        + condition.longWindow().label() + " and " + condition.shortWindow().label())
                .collect(Collectors.joining(" or "));
        String summary = entry.app() + " " + spec.name() + ": " + events[0] + " burn the " + period + " error budget "
                + (severity == SloState.PAGE ? "fast" : "steadily");
        String description = capitalized(events[0]) + " are {{ $value | humanizePercentage }} of " + events[1]
                + " over the last " + longWindows + ", against an error budget of " + percent(budget) + " (objective "
                + percent(BigDecimal.valueOf(spec.objective())) + " over " + period + "): a burn rate of at least "
                + burns + (hasMinEvents(spec) ? ", on at least " + spec.minEvents() + " " + events[1] : "") + ".";

        yaml.append("      - alert: ").append(ALERT).append('\n');
        yaml.append("        expr: ").append(block(alertExpr(entry, severity), "          "));
        yaml.append("        for: ").append(FOR.get(severity)).append('\n');
        yaml.append("        labels:\n");
        yaml.append("          severity: ").append(severity.name().toLowerCase(Locale.ROOT)).append('\n');
        yaml.append("          app: ").append(scalar(entry.app())).append('\n');
        yaml.append("          slo: ").append(scalar(spec.name())).append('\n');
        yaml.append("        annotations:\n");
        yaml.append("          summary: ").append(scalar(summary)).append('\n');
        yaml.append("          description: ").append(scalar(description)).append('\n');
        yaml.append("          runbook_url: ").append(scalar(RUNBOOK_URL)).append('\n');
    }

    private static String capitalized(String text) {
        return text.substring(0, 1).toUpperCase(Locale.ROOT) + text.substring(1);
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

    /** A literal block scalar ({@code |}) of lines ending in a newline, its lines indented by {@code indent}. */
    private static String block(String lines, String indent) {
        if (!lines.endsWith("\n")) {
            throw new IllegalArgumentException("a block ends with a newline: " + lines);
        }
        return "|\n" + lines.lines().map(line -> line.isEmpty() ? "" : indent + line + "\n").collect(Collectors.joining());
    }
}
