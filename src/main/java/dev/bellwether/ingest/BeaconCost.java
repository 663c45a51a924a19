package dev.bellwether.ingest;

/**
 * What a beacon costs its ingest key's rate limit: one beacon per started {@code bytesPerBeacon} of JSON as parsed
 * (after gzip). Reading, checking and parsing take time in proportion to those bytes, whatever fields they hold, so a
 * large beacon counts as the many small ones it costs as much as. Decision 0008.
 */
final class BeaconCost {

    private BeaconCost() {
    }

    static int beacons(int jsonBytes, int bytesPerBeacon) {
        if (bytesPerBeacon <= 0) {
            throw new IllegalArgumentException("bytes per beacon must be positive, got " + bytesPerBeacon);
        }
        long started = ((long) Math.max(0, jsonBytes) + bytesPerBeacon - 1) / bytesPerBeacon;
        return (int) Math.max(1, started);
    }
}
