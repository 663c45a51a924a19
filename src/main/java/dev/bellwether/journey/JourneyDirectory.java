package dev.bellwether.journey;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.context.ManagedExecutor;

/**
 * The journeys of each app for the hot path: loaded once and kept for {@link #CACHE_LIFETIME}, so a beacon costs no
 * lookup. A change made on this replica applies at once; on other replicas within {@link #CACHE_LIFETIME}.
 */
@ApplicationScoped
public class JourneyDirectory {

    static final Duration CACHE_LIFETIME = Duration.ofSeconds(10);

    private final AsyncLoadingCache<Long, AppJourneys> byApp;

    /** @param lookups where a cache miss reads the database, so that callers on an I/O thread never block */
    public JourneyDirectory(JourneyStore store, ManagedExecutor lookups) {
        this.byApp = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(CACHE_LIFETIME).executor(lookups)
                .buildAsync(store::load);
    }

    /** Completes at once on a cache hit; a miss is read off the caller's thread. */
    public CompletableFuture<AppJourneys> of(long appId) {
        return byApp.get(appId);
    }

    /** Call once a change has committed: a lookup still running is dropped with the entry, not remembered. */
    public void forget(long appId) {
        byApp.synchronous().invalidate(appId);
    }
}
