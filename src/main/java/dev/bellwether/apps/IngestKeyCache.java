package dev.bellwether.apps;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Ingest keys by hash. Active keys and unknown ones are remembered in separate bounded caches, so that any number of
 * bogus keys cannot push an active key out; a key missing from both is looked up once however many ask at a time.
 */
final class IngestKeyCache {

    private final Cache<ByteBuffer, IngestPrincipal> active;
    private final Cache<ByteBuffer, Boolean> unknown;
    private final ConcurrentMap<ByteBuffer, CompletableFuture<Optional<IngestPrincipal>>> lookingUp = new ConcurrentHashMap<>();
    private final Function<byte[], Optional<IngestPrincipal>> lookup;
    private final Executor executor;
    /** Moved on by every forget: a lookup that began before must not remember what it found. */
    private final AtomicLong forgets = new AtomicLong();

    /** @param lookup reads the database; runs on {@code executor}, so that callers on an I/O thread never block */
    IngestKeyCache(int activeKeys, Duration activeLifetime, int unknownKeys, Duration unknownLifetime,
            Function<byte[], Optional<IngestPrincipal>> lookup, Executor executor) {
        this.active = Caffeine.newBuilder().maximumSize(activeKeys).expireAfterWrite(activeLifetime).build();
        this.unknown = Caffeine.newBuilder().maximumSize(unknownKeys).expireAfterWrite(unknownLifetime).build();
        this.lookup = lookup;
        this.executor = executor;
    }

    /** Completes at once when the key is remembered. */
    CompletableFuture<Optional<IngestPrincipal>> get(byte[] hash) {
        ByteBuffer key = ByteBuffer.wrap(hash.clone());
        Optional<IngestPrincipal> remembered = remembered(key);
        if (remembered != null) {
            return CompletableFuture.completedFuture(remembered);
        }
        CompletableFuture<Optional<IngestPrincipal>> mine = new CompletableFuture<>();
        CompletableFuture<Optional<IngestPrincipal>> running = lookingUp.putIfAbsent(key, mine);
        if (running != null) {
            return running;
        }
        // a lookup that ended between the first look and now has remembered its answer
        remembered = remembered(key);
        if (remembered != null) {
            lookingUp.remove(key, mine);
            mine.complete(remembered);
            return mine;
        }
        long forgetsBefore = forgets.get();
        try {
            executor.execute(() -> {
                try {
                    Optional<IngestPrincipal> found = lookup.apply(key.array());
                    found.ifPresentOrElse(principal -> active.put(key, principal), () -> unknown.put(key, Boolean.TRUE));
                    if (forgets.get() != forgetsBefore) {
                        forget(key);
                    }
                    mine.complete(found);
                } catch (RuntimeException | Error e) {
                    mine.completeExceptionally(e);
                } finally {
                    lookingUp.remove(key, mine);
                }
            });
        } catch (RejectedExecutionException e) {
            lookingUp.remove(key, mine);
            mine.completeExceptionally(e);
        }
        return mine;
    }

    /** Whether the key is remembered, active or unknown: asking for it costs no lookup. */
    boolean isRemembered(byte[] hash) {
        return remembered(ByteBuffer.wrap(hash)) != null;
    }

    /** Forgets one key, e.g. one just created, so that an earlier "unknown" does not outlive its creation. */
    void forget(byte[] hash) {
        forgets.incrementAndGet();
        forget(ByteBuffer.wrap(hash.clone()));
    }

    void forgetAll() {
        forgets.incrementAndGet();
        lookingUp.clear();
        active.invalidateAll();
        unknown.invalidateAll();
    }

    private void forget(ByteBuffer key) {
        lookingUp.remove(key);
        active.invalidate(key);
        unknown.invalidate(key);
    }

    /** The remembered answer, or null when there is none. */
    private Optional<IngestPrincipal> remembered(ByteBuffer key) {
        IngestPrincipal principal = active.getIfPresent(key);
        if (principal != null) {
            return Optional.of(principal);
        }
        return unknown.getIfPresent(key) != null ? Optional.empty() : null;
    }
}
