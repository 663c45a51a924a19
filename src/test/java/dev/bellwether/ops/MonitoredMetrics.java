package dev.bellwether.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The metric names that the Prometheus rules in alerts/ and the Grafana dashboards in dashboards/ read
 * (recording-rule outputs, with a ':', excluded), so that a test can check each is exported.
 */
public final class MonitoredMetrics {

    /** Label matchers, ranges, strings and grouping clauses: what is not a metric name. */
    private static final Pattern NOT_NAMES = Pattern.compile(
            "\"[^\"]*\"|'[^']*'|\\{[^}]*}|\\[[^\\]]*]|\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    /** An identifier that is not a function call. */
    private static final Pattern IDENTIFIER = Pattern.compile("\\b([a-zA-Z_][a-zA-Z0-9_:]*)\\b(?!\\s*\\()");
    private static final Set<String> PROMQL = Set.of("sum", "rate", "increase", "max", "min", "avg", "count", "absent",
            "clamp_max", "clamp_min", "vector", "time", "by", "without", "on", "ignoring", "group_left", "group_right",
            "histogram_quantile", "irate", "delta", "deriv", "changes", "resets", "max_over_time", "min_over_time",
            "avg_over_time", "last_over_time", "absent_over_time", "sum_over_time", "count_over_time", "label_replace",
            "scalar", "sort", "topk", "bottomk", "and", "or", "unless", "offset", "bool", "label_values");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*,");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    private MonitoredMetrics() {
    }

    /** Every metric named by an alert rule or a dashboard (panels, annotations, template variables). */
    public static Set<String> used() {
        Set<String> metrics = new TreeSet<>(usedByAlerts());
        metrics.addAll(usedByDashboards());
        return metrics;
    }

    public static Set<String> usedByDashboards() {
        Set<String> metrics = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("dashboards"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                collect(JSON.readTree(file.toFile()), metrics);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return metrics;
    }

    private static void collect(JsonNode node, Set<String> metrics) {
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> {
                if (field.getKey().equals("expr") && field.getValue().isTextual()) {
                    names(field.getValue().asText(), metrics);
                } else if (field.getKey().equals("query") && field.getValue().isTextual()) {
                    Matcher values = LABEL_VALUES.matcher(field.getValue().asText());
                    while (values.find()) {
                        metrics.add(values.group(1));
                    }
                } else {
                    collect(field.getValue(), metrics);
                }
            });
        } else if (node.isArray()) {
            node.forEach(child -> collect(child, metrics));
        }
    }

    public static Set<String> usedByAlerts() {
        Set<String> metrics = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("alerts"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".yml")).toList()) {
                for (JsonNode group : YAML.readTree(file.toFile()).path("groups")) {
                    for (JsonNode rule : group.path("rules")) {
                        names(rule.path("expr").asText(), metrics);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return metrics;
    }

    private static void names(String promql, Set<String> into) {
        Matcher identifier = IDENTIFIER.matcher(NOT_NAMES.matcher(promql).replaceAll(" "));
        while (identifier.find()) {
            String name = identifier.group(1);
            if (!name.contains(":") && !PROMQL.contains(name) && !name.matches("e\\d*|Inf|NaN")) {
                into.add(name);
            }
        }
    }
}
