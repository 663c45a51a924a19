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

/** The metric names the Prometheus rules in alerts/ read (recording-rule outputs, with a ':', excluded). */
public final class AlertMetrics {

    /** Label matchers, ranges, strings and grouping clauses: what is not a metric name. */
    private static final Pattern NOT_NAMES = Pattern.compile(
            "\"[^\"]*\"|'[^']*'|\\{[^}]*}|\\[[^\\]]*]|\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    /** An identifier that is not a function call. */
    private static final Pattern IDENTIFIER = Pattern.compile("\\b([a-zA-Z_][a-zA-Z0-9_:]*)\\b(?!\\s*\\()");
    private static final Set<String> PROMQL = Set.of("sum", "rate", "increase", "max", "min", "avg", "count", "absent",
            "clamp_max", "clamp_min", "vector", "time", "by", "without", "on", "ignoring", "group_left", "group_right",
            "histogram_quantile", "irate", "delta", "deriv", "changes", "resets", "max_over_time", "min_over_time",
            "avg_over_time", "last_over_time", "absent_over_time", "sum_over_time", "count_over_time", "label_replace",
            "scalar", "sort", "topk", "bottomk", "and", "or", "unless", "offset", "bool");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private AlertMetrics() {
    }

    public static Set<String> used() {
        Set<String> metrics = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("alerts"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".yml")).toList()) {
                for (JsonNode group : YAML.readTree(file.toFile()).path("groups")) {
                    for (JsonNode rule : group.path("rules")) {
                        String expr = NOT_NAMES.matcher(rule.path("expr").asText()).replaceAll(" ");
                        Matcher identifier = IDENTIFIER.matcher(expr);
                        while (identifier.find()) {
                            String name = identifier.group(1);
                            if (!name.contains(":") && !PROMQL.contains(name) && !name.matches("\\d.*|e\\d*|Inf|NaN")) {
                                metrics.add(name);
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return metrics;
    }
}
