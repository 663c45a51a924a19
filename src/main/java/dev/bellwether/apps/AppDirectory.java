package dev.bellwether.apps;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bellwether.api.ProblemException;
import dev.bellwether.platform.AfterTransaction;
import dev.bellwether.security.Secrets;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.context.ManagedExecutor;

/**
 * Read side of apps for the hot path: ingest keys and origins, cached briefly so a beacon costs no lookup.
 * Changes made on this replica are seen at once; on other replicas within {@link #CACHE_LIFETIME}.
 */
@ApplicationScoped
public class AppDirectory {

    static final Duration CACHE_LIFETIME = Duration.ofSeconds(10);

    /** How long a key not found (or revoked) is remembered as unknown, so that repeating it costs no lookup. */
    static final Duration UNKNOWN_KEY_LIFETIME = Duration.ofSeconds(10);

    private final IngestKeyCache keys;
    // apart, as keys are, so that origins no app allows cannot push allowed ones out
    private final Cache<String, Boolean> originsAllowed = Caffeine.newBuilder()
            .maximumSize(10_000).expireAfterWrite(CACHE_LIFETIME).build();
    private final Cache<String, Boolean> originsRefused = Caffeine.newBuilder()
            .maximumSize(10_000).expireAfterWrite(UNKNOWN_KEY_LIFETIME).build();

    private final TransactionSynchronizationRegistry transactions;
    private final Counter keysFound;
    private final Counter keysUnknown;

    /** @param lookups where a cache miss queries the database, so that callers on an I/O thread never block */
    public AppDirectory(ManagedExecutor lookups, TransactionSynchronizationRegistry transactions, MeterRegistry registry) {
        this.transactions = transactions;
        this.keysFound = lookupCounter(registry, "found");
        this.keysUnknown = lookupCounter(registry, "unknown");
        this.keys = new IngestKeyCache(10_000, CACHE_LIFETIME, 10_000, UNKNOWN_KEY_LIFETIME, this::lookUp, lookups);
    }

    /** Completes at once on a cache hit; a miss is looked up off the caller's thread. */
    public CompletableFuture<Optional<IngestPrincipal>> byIngestKey(String key) {
        return keys.get(Secrets.hash(key));
    }

    /** Whether the key is cached, active or unknown: asking for it costs no lookup. */
    public boolean isCached(String key) {
        return keys.isRemembered(Secrets.hash(key));
    }

    /** Forgets that a key was unknown, now and once the caller's transaction has ended (see {@link #forgetAll}). */
    public void forgetKey(byte[] hash) {
        AfterTransaction.nowAndAfter(transactions, () -> keys.forget(hash));
    }

    private Optional<IngestPrincipal> lookUp(byte[] hash) {
        Optional<IngestPrincipal> principal = QuarkusTransaction.requiringNew()
                .call(() -> IngestKey.findActiveByHash(hash).map(AppDirectory::principal));
        (principal.isPresent() ? keysFound : keysUnknown).increment();
        return principal;
    }

    private static Counter lookupCounter(MeterRegistry registry, String result) {
        return Counter.builder("bellwether.ingest.key.lookups").tag("result", result)
                .description("Ingest keys looked up in the database (a cache miss), by whether the key is active")
                .register(registry);
    }

    /** For a CORS preflight that carries no key: is the origin allowed by some app? */
    public boolean originAllowedByAnyApp(String origin) {
        if (originsAllowed.getIfPresent(origin) != null) {
            return true;
        }
        if (originsRefused.getIfPresent(origin) != null) {
            return false;
        }
        boolean allowed = QuarkusTransaction.requiringNew().call(
                () -> ((Number) App.getEntityManager()
                        .createNativeQuery("select count(*) from app where ?1 = any(allowed_origins) or '*' = any(allowed_origins)")
                        .setParameter(1, origin).getSingleResult()).longValue() > 0);
        (allowed ? originsAllowed : originsRefused).put(origin, Boolean.TRUE);
        return allowed;
    }

    /** Whether the answer for the origin is cached: asking costs no lookup. */
    public boolean isOriginCached(String origin) {
        return originsAllowed.getIfPresent(origin) != null || originsRefused.getIfPresent(origin) != null;
    }

    public App requireApp(String name) {
        return App.findByName(name).orElseThrow(() -> ProblemException.notFound("no app named '" + name + "'"));
    }

    /**
     * Forgets cached keys and origins, now and once the caller's transaction has ended: a lookup in between would
     * otherwise cache the state from before the change (a revoked key) for another {@link #CACHE_LIFETIME}.
     */
    public void forgetAll() {
        AfterTransaction.nowAndAfter(transactions, () -> {
            keys.forgetAll();
            originsAllowed.invalidateAll();
            originsRefused.invalidateAll();
        });
    }

    private static IngestPrincipal principal(IngestKey key) {
        return new IngestPrincipal(key.id, key.app.id, key.app.name, Set.copyOf(Arrays.asList(key.app.allowedOrigins)),
                key.app.beaconsPerSecond);
    }
}
