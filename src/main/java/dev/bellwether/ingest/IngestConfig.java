package dev.bellwether.ingest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "bellwether.ingest")
public interface IngestConfig {

    /** Largest beacon body as sent (compressed or not): 64 KiB, what navigator.sendBeacon allows. */
    @WithDefault("65536")
    int maxBodyBytes();

    /** Largest body after gzip decompression, so that a small gzip bomb cannot exhaust memory. */
    @WithDefault("1048576")
    int maxDecompressedBytes();

    @WithDefault("1000")
    int maxEventsPerBeacon();

    /** How far in the future an event's time may lie (client clocks drift). */
    @WithDefault("PT5M")
    Duration futureTolerance();

    RateLimit rateLimit();

    Writer writer();

    interface RateLimit {
        /** Default per ingest key; an app may set its own. */
        @WithDefault("500")
        int beaconsPerSecond();

        @WithDefault("1000")
        int burst();
    }

    interface Writer {
        /** Concurrent committing transactions; each commits every beacon waiting when it starts. */
        @WithDefault("2")
        int threads();

        @WithDefault("256")
        int maxBatchBeacons();

        @WithDefault("20000")
        int maxBatchEvents();
    }
}
