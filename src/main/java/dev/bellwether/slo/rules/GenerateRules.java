package dev.bellwether.slo.rules;

import dev.bellwether.slo.InvalidSloException;
import dev.bellwether.slo.SloCatalogFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the Prometheus rules of the SLO catalog: {@code ./mvnw -q compile exec:java@slo-rules}, or with arguments
 * {@code [catalog [output]]} (defaults {@value PrometheusRules#DEFAULT_CATALOG} and
 * {@value PrometheusRules#DEFAULT_OUTPUT}). Relative paths are resolved against the system property
 * {@value #BASEDIR_PROPERTY} (the pom sets it to the project directory), else the working directory.
 */
public final class GenerateRules {

    public static final String BASEDIR_PROPERTY = "bellwether.rules.basedir";

    private GenerateRules() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length > 2) {
            throw new IllegalArgumentException("usage: GenerateRules [catalog [output]], defaults "
                    + PrometheusRules.DEFAULT_CATALOG + " " + PrometheusRules.DEFAULT_OUTPUT);
        }
        String catalog = args.length > 0 ? args[0] : PrometheusRules.DEFAULT_CATALOG;
        String output = args.length > 1 ? args[1] : PrometheusRules.DEFAULT_OUTPUT;
        Path base = Path.of(System.getProperty(BASEDIR_PROPERTY, ""));
        Path catalogPath = base.resolve(catalog);
        Path outputPath = base.resolve(output);

        String rules;
        int slos;
        try (InputStream in = Files.newInputStream(catalogPath)) {
            List<SloCatalogFile.Entry> entries = SloCatalogFile.parse(in);
            slos = entries.size();
            rules = PrometheusRules.generate(entries, catalog.replace('\\', '/'));
        } catch (InvalidSloException e) {
            throw new IllegalArgumentException(catalogPath + ": " + e.getMessage(), e);
        }
        Path parent = outputPath.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(outputPath, rules, StandardCharsets.UTF_8);
        System.out.println("wrote the rules of " + slos + " SLOs from " + catalogPath + " to " + outputPath);
    }
}
