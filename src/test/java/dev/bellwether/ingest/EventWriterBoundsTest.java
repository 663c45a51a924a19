package dev.bellwether.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bellwether.ingest.Beacon.IndexedEvent;
import dev.bellwether.journey.JourneyMatcher;
import dev.bellwether.telemetry.EventStore;
import dev.bellwether.telemetry.EventStore.NewEvent;
import dev.bellwether.telemetry.StorageUnavailableException;
import dev.bellwether.telemetry.TelemetryEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.openjdk.jol.info.GraphLayout;

/** The writer with a database that hangs until released: its queue sheds when full, and a wait runs out. */
class EventWriterBoundsTest {

    private static final Duration LONG = Duration.ofMinutes(1);

    static {
        // JOL reads the offsets of record fields, which Unsafe refuses, by its own means (read before its first use)
        System.setProperty("jol.magicFieldOffset", "true");
    }

    /** Hangs on every commit until released, then refuses it: no commit must reach the metrics. */
    private static final class HungStore extends EventStore {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final List<String> clientsOffered = new CopyOnWriteArrayList<>();
        final List<List<NewEvent>> offered = new CopyOnWriteArrayList<>();

        HungStore() {
            super(null, null, true);
        }

        @Override
        public List<NewEvent> store(List<NewEvent> events) throws SQLException {
            events.forEach(event -> clientsOffered.add(event.key().client()));
            offered.add(events);
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new SQLException("connection lost", "08006");
        }
    }

    @Test
    void aFullQueueShedsAtOnceAndAWaitThatRunsOutIsNotCommittedLater() throws Exception {
        HungStore store = new HungStore();
        EventWriter writer = new EventWriter(store, new IngestMetrics(new SimpleMeterRegistry(), null), config(2));
        writer.start(null);
        try {
            CompletableFuture<EventWriter.Outcome> hung = writer.submit(destination(), "taken", events(), 100, LONG);
            assertThat(store.entered.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<EventWriter.Outcome> runsOut = writer.submit(destination(), "runs-out", events(), 100, Duration.ofMillis(50));
            CompletableFuture<EventWriter.Outcome> queued = writer.submit(destination(), "queued", events(), 100, LONG);

            CompletableFuture<EventWriter.Outcome> shed = writer.submit(destination(), "shed", events(), 100, LONG);
            assertThat(shed).isCompletedExceptionally();
            assertThatThrownBy(shed::get).hasCauseInstanceOf(StorageUnavailableException.class);

            assertThatThrownBy(() -> runsOut.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TimeoutException.class);
            store.release.countDown();
            assertThatThrownBy(() -> hung.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(StorageUnavailableException.class);
            assertThatThrownBy(() -> queued.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(StorageUnavailableException.class);
            assertThat(store.clientsOffered).as("the beacon answered when its wait ran out is skipped")
                    .containsExactly("taken", "queued");
        } finally {
            store.release.countDown();
            writer.stop(null);
        }
    }

    @Test
    void beaconsBeyondTheQueuesBytesAreShedAtOnceAndTheirBytesComeBackWhenTheirBatchIsAnswered() throws Exception {
        HungStore store = new HungStore();
        long oneBeacon = EventWriter.weight(1_000, "queued", events());
        EventWriter writer = new EventWriter(store, new IngestMetrics(new SimpleMeterRegistry(), null),
                config(100, 2 * oneBeacon));
        writer.start(null);
        try {
            CompletableFuture<EventWriter.Outcome> hung = writer.submit(destination(), "taken", events(), 1_000, LONG);
            assertThat(store.entered.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<EventWriter.Outcome> queued = writer.submit(destination(), "queued", events(), 1_000, LONG);

            CompletableFuture<EventWriter.Outcome> shed = writer.submit(destination(), "shed", events(), 1_000, LONG);
            assertThat(shed).as("the queue has room for two beacons but not their bytes").isCompletedExceptionally();
            assertThatThrownBy(shed::get).hasCauseInstanceOf(StorageUnavailableException.class)
                    .hasMessageContaining("queue is full");
            CompletableFuture<EventWriter.Outcome> tooBig = writer.submit(destination(), "too-big", events(), 1_048_576, LONG);
            assertThat(tooBig).isCompletedExceptionally();

            store.release.countDown();
            assertThatThrownBy(() -> hung.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(StorageUnavailableException.class);
            assertThatThrownBy(() -> queued.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(StorageUnavailableException.class);
            CompletableFuture<EventWriter.Outcome> after = writer.submit(destination(), "after", events(), 1_000, LONG);
            assertThatThrownBy(() -> after.get(5, TimeUnit.SECONDS)).as("taken by a writer, not shed")
                    .hasCauseInstanceOf(StorageUnavailableException.class).hasMessageContaining("could not be committed");
            assertThat(store.clientsOffered).containsExactly("taken", "queued", "after");
        } finally {
            store.release.countDown();
            writer.stop(null);
        }
    }

    /**
     * The queue counts at least what a beacon's events and their rows hold on the heap while its commit waits, for
     * the fewest bytes of JSON an event can take, and for texts beyond Latin-1, which keep two bytes a character
     * where the JSON may spend one, and a long client, which the JSON has once and every row refers to.
     */
    @Test
    void aBeaconInCommitCountsAtLeastTheHeapItsEventsAndRowsHold() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Map<String, String> beacons = new LinkedHashMap<>();
        beacons.put("tiny events", beaconJson("c", 1_000, i -> "{\"id\":\"" + i + "\",\"type\":\"sync\",\"at\":\"" + now
                + "\",\"latencyMs\":1}"));
        beacons.put("texts beyond Latin-1", beaconJson("\u0100" + "c".repeat(127), 100, i -> "{\"id\":\"\u0100"
                + String.format("%0127d", i) + "\",\"type\":\"replay\",\"at\":\"" + now + "\",\"mutation\":\"\u0100"
                + "m".repeat(127) + "\",\"outcome\":\"retried\",\"attempts\":1,\"latencyMs\":1}"));
        BeaconParser parser = new BeaconParser(1_000, Duration.ofMinutes(5), Duration.ofDays(30));
        for (Map.Entry<String, String> json : beacons.entrySet()) {
            byte[] bytes = json.getValue().getBytes(StandardCharsets.UTF_8);
            Beacon beacon = parser.parse(BeaconParser.read(bytes), now);
            assertThat(beacon.rejected()).isEmpty();
            HungStore store = new HungStore();
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            EventWriter writer = new EventWriter(store, new IngestMetrics(registry, null), config(100));
            writer.start(null);
            try {
                writer.submit(destination(), beacon.client(), beacon.events(), bytes.length, LONG);
                assertThat(store.entered.await(10, TimeUnit.SECONDS)).isTrue();
                double counted = registry.get("bellwether.ingest.writer.queue").gauge().value();
                long held = GraphLayout.parseInstance(beacon.events(), store.offered.get(0)).totalSize();
                assertThat(counted).as(json.getKey() + ": counted against held bytes").isGreaterThanOrEqualTo(held);
            } finally {
                store.release.countDown();
                writer.stop(null);
            }
        }
    }

    private static String beaconJson(String client, int events, IntFunction<String> event) {
        return "{\"schema\":1,\"app\":\"notes\",\"release\":\"1\",\"client\":\"" + client + "\",\"events\":["
                + IntStream.range(0, events).mapToObj(event).collect(Collectors.joining(",")) + "]}";
    }

    private static EventWriter.Destination destination() {
        return new EventWriter.Destination(1, "notes", 1, "2026.11.3", 1, "cohort", JourneyMatcher.NONE);
    }

    private static List<IndexedEvent> events() {
        return List.of(new IndexedEvent(0, new TelemetryEvent.Outbox("e-0", Instant.now(), 1, null)));
    }

    private static IngestConfig config(int queueCapacity) {
        return config(queueCapacity, 16L << 20);
    }

    private static IngestConfig config(int queueCapacity, long queueBytes) {
        IngestConfig.Writer writer = new IngestConfig.Writer() {
            public int threads() {
                return 1;
            }

            public int maxBatchBeacons() {
                return 256;
            }

            public int maxBatchEvents() {
                return 20_000;
            }

            public int queueCapacity() {
                return queueCapacity;
            }

            public long queueBytes() {
                return queueBytes;
            }
        };
        return new IngestConfig() {
            public int maxBodyBytes() {
                return 65_536;
            }

            public int maxDecompressedBytes() {
                return 1_048_576;
            }

            public int maxEventsPerBeacon() {
                return 1_000;
            }

            public Duration futureTolerance() {
                return Duration.ofMinutes(5);
            }

            public Duration answerTimeout() {
                return LONG;
            }

            public int maxReleasesPerApp() {
                return 500;
            }

            public int maxCohortsPerApp() {
                return 5_000;
            }

            public RateLimit rateLimit() {
                return null;
            }

            public UnknownKeysPerSource unknownKeysPerSource() {
                return null;
            }

            public Writer writer() {
                return writer;
            }
        };
    }
}
