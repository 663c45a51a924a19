package dev.bellwether.ingest;

import dev.bellwether.telemetry.RetentionConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The one configured {@link BeaconParser}, for the beacon endpoint and the benchmark's parse-only reference alike. */
public class BeaconParserProducer {

    @Produces
    @Singleton
    BeaconParser beaconParser(IngestConfig config, RetentionConfig retention) {
        return new BeaconParser(config.maxEventsPerBeacon(), config.futureTolerance(), retention.rawEvents());
    }
}
