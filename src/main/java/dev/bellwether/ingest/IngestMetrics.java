package dev.bellwether.ingest;

import dev.bellwether.ingest.Beacon.Rejection;
import dev.bellwether.telemetry.TelemetryMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/** Health of the ingest path itself: beacons by outcome, events by result, commit latency and batch sizes. */
@ApplicationScoped
public class IngestMetrics {

    /** Why a beacon as a whole got the answer it got; a bounded label. */
    public enum BeaconOutcome {
        ACCEPTED, INVALID, UNAUTHORIZED, FORBIDDEN, TOO_LARGE, RATE_LIMITED, UNAVAILABLE;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    private final TelemetryMetrics telemetry;
    private final Timer commitLatency;
    private final DistributionSummary batchBeacons;
    private final DistributionSummary batchEvents;
    private final Counter commitFailures;
    // registry lookups hash every tag, which costs more than an increment: each counter is looked up once
    private final AtomicReferenceArray<Counter> beaconOutcomes = new AtomicReferenceArray<>(BeaconOutcome.values().length);
    /** An app's accepted and duplicate events; as many as there are apps. */
    private final ConcurrentHashMap<String, Counter[]> eventResults = new ConcurrentHashMap<>();

    public IngestMetrics(MeterRegistry registry, TelemetryMetrics telemetry) {
        this.registry = registry;
        this.telemetry = telemetry;
        this.commitLatency = Timer.builder("bellwether.ingest.commit")
                .description("Time to commit one batch of beacons, from taking it to the database's ack")
                .serviceLevelObjectives(ms(1), ms(2), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500), ms(1000), ms(5000))
                .register(registry);
        this.batchBeacons = DistributionSummary.builder("bellwether.ingest.batch.beacons")
                .description("Beacons committed together in one transaction")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256).register(registry);
        this.batchEvents = DistributionSummary.builder("bellwether.ingest.batch.events")
                .description("Events committed together in one transaction")
                .serviceLevelObjectives(1, 10, 50, 100, 500, 1000, 5000, 20000).register(registry);
        this.commitFailures = Counter.builder("bellwether.ingest.commit.failures")
                .description("Batches that could not be committed; their beacons were answered 503").register(registry);
    }

    public void beacon(BeaconOutcome outcome) {
        Counter counter = beaconOutcomes.get(outcome.ordinal());
        if (counter == null) {
            counter = Counter.builder("bellwether.ingest.beacons").tag("outcome", outcome.label()).register(registry);
            beaconOutcomes.set(outcome.ordinal(), counter);
        }
        counter.increment();
    }

    public void rejected(String app, List<Rejection> rejections) {
        for (Rejection rejection : rejections) {
            Counter.builder("bellwether.ingest.events.rejected").tag("app", app).tag("reason", rejection.code().label())
                    .register(registry).increment();
        }
    }

    void committed(int beacons, Collection<EventWriter.Outcome> outcomes, long nanos) {
        commitLatency.record(Duration.ofNanos(nanos));
        batchBeacons.record(beacons);
        long total = 0;
        for (EventWriter.Outcome outcome : outcomes) {
            EventWriter.Destination to = outcome.destination();
            total += outcome.accepted() + outcome.duplicates();
            Counter[] counters = eventResults.computeIfAbsent(to.appName(), app -> new Counter[] {events(app, "accepted"),
                    events(app, "duplicate")});
            counters[0].increment(outcome.accepted());
            counters[1].increment(outcome.duplicates());
            telemetry.record(to.appName(), to.release(), to.cohort(), to.journeys(), outcome.inserted());
        }
        batchEvents.record(total);
    }

    /** The writer queue's weight as its bound counts it ({@link IngestConfig.Writer#queueBytes}): how near it is to shedding. */
    void queueBytes(AtomicLong held) {
        Gauge.builder("bellwether.ingest.writer.queue", held, AtomicLong::get).baseUnit("bytes")
                .description("Beacons waiting for or in a commit, weighed as the writer queue's byte bound counts them")
                .register(registry);
    }

    void commitFailed() {
        commitFailures.increment();
    }

    private Counter events(String app, String result) {
        return Counter.builder("bellwether.ingest.events").tag("app", app).tag("result", result).register(registry);
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }
}
