package dev.bellwether.ingest;

import dev.bellwether.ingest.Beacon.IndexedEvent;
import dev.bellwether.journey.JourneyMatcher;
import dev.bellwether.telemetry.EventStore;
import dev.bellwether.telemetry.StorageUnavailableException;
import dev.bellwether.telemetry.TelemetryEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Group commit: request threads hand their events over and wait; a few writer threads each take every event
 * waiting and commit them in one transaction ({@link EventStore#store}), so concurrent beacons share one fsync.
 * A beacon is answered only once its batch is committed.
 *
 * <p>Every wait is bounded, so that a hung database cannot hang the beacons: the queue has a fixed capacity in beacons
 * and in bytes (a full queue sheds the beacon at once), and a beacon's wait for its commit has a deadline. Either answer is "not
 * acknowledged"; a commit that still lands after its beacon's deadline is harmless, as the client sends the beacon
 * again and the event table's key counts it once.
 */
@ApplicationScoped
public class EventWriter {

    private static final Logger LOG = Logger.getLogger(EventWriter.class);

    /** Where the events of one beacon go: its app, release and cohort, and its replays by the app's journeys. */
    public record Destination(long appId, String appName, long releaseId, String release, long cohortId, String cohort,
                              JourneyMatcher journeys) {
    }

    /** What became of a beacon's valid events once committed: {@code inserted} are those new, with their journeys. */
    public record Outcome(Destination destination, int accepted, int duplicates, List<EventStore.NewEvent> inserted) {
    }

    /**
     * What an event holds besides its text, queued and then in its commit: its parsed objects, its key, row and the
     * fixed fields of its COPY line. A bound, so that a beacon of many tiny events weighs what it holds (decision 0017).
     */
    static final int BYTES_PER_EVENT = 384;

    /** A character of text held: a string with one character beyond Latin-1 keeps two bytes for each of its characters. */
    private static final int BYTES_PER_CHAR = 2;

    /** Identity, not value, equality: two beacons with equal content are still two submissions. */
    private static final class Submission {
        final Destination destination;
        final String client;
        final List<IndexedEvent> events;
        final long bytes;
        final CompletableFuture<Outcome> done = new CompletableFuture<>();

        Submission(Destination destination, String client, List<IndexedEvent> events, long bytes) {
            this.destination = destination;
            this.client = client;
            this.events = events;
            this.bytes = bytes;
        }

        Destination destination() {
            return destination;
        }

        String client() {
            return client;
        }

        List<IndexedEvent> events() {
            return events;
        }

        CompletableFuture<Outcome> done() {
            return done;
        }
    }

    private record Row(EventStore.NewEvent stored, Submission submission) {
        EventStore.Key key() {
            return stored.key();
        }
    }

    /** App, client, event id: any one total order serves, so long as every writer locks rows in it. */
    private static final Comparator<Row> KEY_ORDER = (a, b) -> {
        EventStore.Key x = a.key();
        EventStore.Key y = b.key();
        int order = Long.compare(x.appId(), y.appId());
        if (order == 0) {
            order = x.client().compareTo(y.client());
        }
        return order != 0 ? order : x.eventId().compareTo(y.eventId());
    };

    private final EventStore events;
    private final IngestMetrics metrics;
    private final IngestConfig.Writer config;
    private final LinkedBlockingQueue<Submission> queue;
    /** The bytes of the beacons taken and not yet committed, answered or skipped: see {@link IngestConfig.Writer#queueBytes}. */
    private final AtomicLong heldBytes = new AtomicLong();
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean accepting;

    public EventWriter(EventStore events, IngestMetrics metrics, IngestConfig config) {
        this.events = events;
        this.metrics = metrics;
        this.config = config.writer();
        this.queue = new LinkedBlockingQueue<>(this.config.queueCapacity());
        metrics.queueBytes(heldBytes);
    }

    void start(@Observes StartupEvent startup) {
        accepting = true;
        for (int i = 0; i < config.threads(); i++) {
            Thread writer = new Thread(this::run, "event-writer-" + i);
            writer.setDaemon(true);
            writer.start();
            writers.add(writer);
        }
    }

    /** Stops taking beacons and commits every one already taken before the database goes away. */
    void stop(@Observes ShutdownEvent shutdown) throws InterruptedException {
        accepting = false;
        for (Thread writer : writers) {
            writer.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    /**
     * @param wait how long the beacon may wait for its commit; after it, the returned future fails with a
     *         {@link java.util.concurrent.TimeoutException} and a writer that has not yet taken the beacon skips it
     */
    /**
     * @param jsonBytes the size of the beacon's JSON text, which with its events bounds what it holds while it waits
     */
    public CompletableFuture<Outcome> submit(Destination destination, String client, List<IndexedEvent> events,
            int jsonBytes, Duration wait) {
        if (events.isEmpty()) {
            return CompletableFuture.completedFuture(new Outcome(destination, 0, 0, List.of()));
        }
        if (!accepting) {
            return CompletableFuture.failedFuture(new StorageUnavailableException("the server is shutting down", null));
        }
        long bytes = weight(jsonBytes, client, events);
        if (heldBytes.addAndGet(bytes) > config.queueBytes()) {
            heldBytes.addAndGet(-bytes);
            return CompletableFuture.failedFuture(new StorageUnavailableException(
                    "the commit queue is full: the database is slow or unavailable", null));
        }
        Submission submission = new Submission(destination, client, events, bytes);
        if (!queue.offer(submission)) {
            heldBytes.addAndGet(-bytes);
            return CompletableFuture.failedFuture(new StorageUnavailableException(
                    "the commit queue is full: the database is slow or unavailable", null));
        }
        return submission.done().orTimeout(wait.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * What a beacon counts against {@link IngestConfig.Writer#queueBytes}: its JSON (its body is held while it waits),
     * and for each event its objects and every copy of text it holds: its id and texts as parsed, and the client and
     * id again in its COPY line, where escaping may double the id. The JSON counts the client once a beacon and each
     * text once in UTF-8, which a string beyond Latin-1 or a COPY line of many events outgrows.
     */
    static long weight(int jsonBytes, String client, List<IndexedEvent> events) {
        long weight = jsonBytes;
        for (IndexedEvent indexed : events) {
            TelemetryEvent event = indexed.event();
            long chars = event.id().length() + textChars(event) + client.length() + 2L * event.id().length();
            weight += BYTES_PER_EVENT + BYTES_PER_CHAR * chars;
        }
        return weight;
    }

    /** The characters of an event's texts besides its id; enums and numbers are in {@link #BYTES_PER_EVENT}. */
    private static int textChars(TelemetryEvent event) {
        if (event instanceof TelemetryEvent.Replay replay && replay.mutation() != null) {
            return replay.mutation().length();
        }
        if (event instanceof TelemetryEvent.Conflict conflict && conflict.entity() != null) {
            return conflict.entity().length();
        }
        return 0;
    }

    private void run() {
        while (accepting || !queue.isEmpty()) {
            try {
                Submission first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                if (first.done().isDone()) {
                    release(first);
                    continue; // answered 503 when its wait ran out: its client sends it again, committing it now is wasted work
                }
                List<Submission> batch = new ArrayList<>();
                batch.add(first);
                int events = first.events().size();
                Submission next;
                while (batch.size() < config.maxBatchBeacons() && events < config.maxBatchEvents()
                        && (next = queue.poll()) != null) {
                    if (!next.done().isDone()) {
                        batch.add(next);
                        events += next.events().size();
                    } else {
                        release(next);
                    }
                }
                try {
                    commit(batch);
                } finally {
                    batch.forEach(this::release);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                // a writer that dies leaves every later beacon waiting: log and go on
                LOG.error("event writer failed unexpectedly", e);
            }
        }
    }

    private void release(Submission submission) {
        heldBytes.addAndGet(-submission.bytes);
    }

    private void commit(List<Submission> batch) {
        long started = System.nanoTime();
        Map<Submission, Outcome> outcomes;
        try {
            outcomes = write(batch);
        } catch (SQLException e) {
            if (batch.size() > 1 && isDataError(e)) {
                // One beacon the database refuses must not fail its neighbours: commit each on its own.
                LOG.warnf("a batch of %d beacons was refused (%s); committing them one by one", batch.size(), e.getSQLState());
                batch.forEach(submission -> commit(List.of(submission)));
                return;
            }
            fail(batch, e);
            return;
        } catch (RuntimeException e) {
            if (batch.size() > 1) {
                LOG.warnf("a batch of %d beacons failed (%s); committing them one by one", batch.size(), e);
                batch.forEach(submission -> commit(List.of(submission)));
                return;
            }
            fail(batch, e);
            return;
        }
        outcomes.forEach((submission, outcome) -> submission.done().complete(outcome));
        try {
            metrics.committed(batch.size(), outcomes.values(), System.nanoTime() - started);
        } catch (RuntimeException e) {
            LOG.error("could not record metrics of a committed batch", e);
        }
    }

    /** Nothing of the batch was committed: every waiting beacon is answered 503 and will be sent again. */
    private void fail(List<Submission> batch, Exception cause) {
        LOG.errorf(cause, "could not commit %d beacons", batch.size());
        metrics.commitFailed();
        StorageUnavailableException failure = new StorageUnavailableException("the events could not be committed", cause);
        batch.forEach(submission -> submission.done().completeExceptionally(failure));
    }

    private Map<Submission, Outcome> write(List<Submission> batch) throws SQLException {
        List<Row> rows = new ArrayList<>();
        for (Submission submission : batch) {
            Destination to = submission.destination();
            for (IndexedEvent event : submission.events()) {
                long journeyId = event.event() instanceof TelemetryEvent.Replay replay
                        ? to.journeys().journeyOf(replay.mutation()) : JourneyMatcher.OTHER_ID;
                rows.add(new Row(new EventStore.NewEvent(new EventStore.Key(to.appId(), submission.client(), event.event().id()),
                        to.releaseId(), to.cohortId(), journeyId, event.event()), submission));
            }
        }
        // in key order and unique, as the store requires; an event sent twice in one batch counts once, for the first
        // (the sort is stable, and equal keys end up side by side)
        rows.sort(KEY_ORDER);
        List<Row> unique = new ArrayList<>(rows.size());
        List<EventStore.NewEvent> toStore = new ArrayList<>(rows.size());
        EventStore.Key previous = null;
        for (Row row : rows) {
            if (!row.key().equals(previous)) {
                unique.add(row);
                toStore.add(row.stored());
                previous = row.key();
            }
        }

        List<EventStore.NewEvent> stored = events.store(toStore);
        // most batches hold no event stored before, and then the store answers with every event given
        Set<EventStore.NewEvent> inserted = stored.size() == toStore.size() ? null
                : Collections.newSetFromMap(new IdentityHashMap<>(stored.size() * 2));
        if (inserted != null) {
            inserted.addAll(stored);
        }
        Map<Submission, List<EventStore.NewEvent>> insertedBySubmission = new HashMap<>();
        for (Row row : unique) {
            if (inserted == null || inserted.contains(row.stored())) {
                insertedBySubmission.computeIfAbsent(row.submission(), s -> new ArrayList<>()).add(row.stored());
            }
        }
        Map<Submission, Outcome> outcomes = new HashMap<>();
        for (Submission submission : batch) {
            List<EventStore.NewEvent> mine = insertedBySubmission.getOrDefault(submission, List.of());
            outcomes.put(submission, new Outcome(submission.destination(), mine.size(), submission.events().size() - mine.size(), mine));
        }
        return outcomes;
    }

    /** SQLSTATE classes 22 (data exception) and 23 (integrity): the data, not the database, is at fault. */
    private static boolean isDataError(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }
}
