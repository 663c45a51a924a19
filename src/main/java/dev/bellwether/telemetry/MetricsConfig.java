package dev.bellwether.telemetry;

import io.smallrye.config.ConfigMapping;

/** The SLI series exported to Prometheus; defaults are in application.properties. */
@ConfigMapping(prefix = "bellwether.metrics")
public interface MetricsConfig {

    /** Releases per app with their own label; more share one, see {@link LabelCap}. */
    int maxReleasesPerApp();

    /** Cohorts per app with their own label; more share one, see {@link LabelCap}. */
    int maxCohortsPerApp();
}
