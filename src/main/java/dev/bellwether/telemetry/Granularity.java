package dev.bellwether.telemetry;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The two rollup tables: minutes for recent, exact windows; hours for long ones. */
public enum Granularity {
    MINUTE("rollup_minute", ChronoUnit.MINUTES),
    HOUR("rollup_hour", ChronoUnit.HOURS);

    final String table;
    final ChronoUnit unit;

    Granularity(String table, ChronoUnit unit) {
        this.table = table;
        this.unit = unit;
    }

    public Instant bucketOf(Instant at) {
        return at.truncatedTo(unit);
    }
}
