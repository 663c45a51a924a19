package dev.bellwether.telemetry;

import java.util.Arrays;

/**
 * Histogram bucket bounds of the SLI metrics. Prometheus rules for a threshold SLO need the threshold to be one of
 * these bounds, so the rule generator and the metrics read them from here.
 */
public final class MetricBuckets {

    /** Sync latency, seconds. */
    public static final double[] LATENCY_SECONDS = {0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300};
    /** Staleness and outbox oldest age, seconds. */
    public static final double[] AGE_SECONDS = {1, 10, 30, 60, 300, 900, 1800, 3600, 21600, 86400};
    /** Outbox depth, queued mutations. */
    public static final double[] DEPTH = {1, 5, 10, 25, 50, 100, 250, 500, 1000};

    private MetricBuckets() {
    }

    public static boolean isBound(double[] bounds, double value) {
        return Arrays.stream(bounds).anyMatch(bound -> Math.abs(bound - value) < 1e-9);
    }
}
