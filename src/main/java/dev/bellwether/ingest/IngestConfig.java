package dev.bellwether.ingest;

import io.smallrye.config.ConfigMapping;
import java.time.Duration;

/** Beacon ingest; defaults are in application.properties. */
@ConfigMapping(prefix = "bellwether.ingest")
public interface IngestConfig {

    /** Largest beacon body as sent (compressed or not): 64 KiB, what navigator.sendBeacon allows. */
    int maxBodyBytes();

    /** Largest body after gzip decompression, so that a small gzip bomb cannot exhaust memory. */
    int maxDecompressedBytes();

    int maxEventsPerBeacon();

    /** How far in the future an event's time may lie (client clocks drift). */
    Duration futureTolerance();

    /**
     * Releases an app may have; a beacon naming a new one beyond them is refused, since any holder of the public key
     * could otherwise add rows without end.
     */
    int maxReleasesPerApp();

    /** Cohorts (distinct sets of flag states) an app may have; beyond them as for releases. */
    int maxCohortsPerApp();

    RateLimit rateLimit();

    UnknownKeysPerSource unknownKeysPerSource();

    /**
     * How long a beacon waits for its events to be committed (from the key's lookup on) before it is answered 503
     * with Retry-After: it bounds the answer when the database hangs.
     */
    Duration answerTimeout();

    Writer writer();

    interface RateLimit {
        /** Default per ingest key; an app may set its own. */
        int beaconsPerSecond();

        int burst();

        /**
         * A beacon counts as one per started this many bytes of JSON as parsed (after gzip), since its reading costs
         * in proportion to them: a beacon inflating to the limit counts as many small ones.
         */
        int bytesPerBeacon();
    }

    /**
     * Database lookups per source address that find nothing (unknown or revoked key, origin no app allows); beyond
     * them a request from that source needing a lookup is answered 429 with Retry-After.
     */
    interface UnknownKeysPerSource {
        int perSecond();

        int burst();
    }

    interface Writer {
        /** Concurrent committing transactions; each commits every beacon waiting when it starts. */
        int threads();

        int maxBatchBeacons();

        int maxBatchEvents();

        /** Beacons waiting for a writer; when full, a beacon is answered 503 with Retry-After at once. */
        int queueCapacity();

        /**
         * The memory that waiting and committing beacons may hold, as {@link EventWriter#weight} counts it;
         * beyond it a beacon is answered 503 with Retry-After at once, as for a full queue. It keeps the heap bounded
         * whatever size of beacon the limits allow, where the count alone would not.
         */
        long queueBytes();
    }
}
