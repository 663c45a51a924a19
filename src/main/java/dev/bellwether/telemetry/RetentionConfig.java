package dev.bellwether.telemetry;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "bellwether.retention")
public interface RetentionConfig {

    /** Raw events and minute rollups are kept this long by event time; older events are refused at ingest. */
    @WithDefault("P14D")
    Duration rawEvents();

    /** Hour rollups serve long windows and SLO periods. */
    @WithDefault("P400D")
    Duration hourRollups();

    @WithDefault("10m")
    Duration sweepInterval();
}
