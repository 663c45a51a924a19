package dev.bellwether.telemetry;

import io.smallrye.config.ConfigMapping;
import java.time.Duration;

/** Retention of telemetry; defaults are in application.properties. */
@ConfigMapping(prefix = "bellwether.retention")
public interface RetentionConfig {

    /** Raw events and minute rollups are kept this long by event time; older events are refused at ingest. */
    Duration rawEvents();

    /** Hour rollups serve long windows and SLO periods. */
    Duration hourRollups();

    Duration sweepInterval();
}
