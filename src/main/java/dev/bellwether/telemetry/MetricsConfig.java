package dev.bellwether.telemetry;

import io.smallrye.config.ConfigMapping;

/** The SLI series exported to Prometheus; defaults are in application.properties. */
@ConfigMapping(prefix = "bellwether.metrics")
public interface MetricsConfig {

    /** Releases per app with their own label; more share one, see {@link LabelCap}. */
    int maxReleasesPerApp();

    /** Cohorts per app with their own label; more share one, see {@link LabelCap}. */
    int maxCohortsPerApp();

    /**
     * Migration version steps (from, to) per app with their own labels, and listed on their own in the SLI answer;
     * more share one, see {@link LabelCap} and {@link SliSummary}.
     */
    int maxVersionStepsPerApp();

    /** Cohorts the SLI answer lists on their own, those with the most events; the rest are summed, see {@link SliReport}. */
    int maxCohortsPerSliReport();
}
