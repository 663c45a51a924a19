package dev.bellwether.apps;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IngestKeyCacheTest {

    private final Map<String, IngestPrincipal> database = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> lookups = new ConcurrentHashMap<>();
    private final IngestKeyCache cache = new IngestKeyCache(10, Duration.ofMinutes(1), 10, Duration.ofMinutes(1), hash -> {
        String key = new String(hash, StandardCharsets.UTF_8);
        lookups.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        return Optional.ofNullable(database.get(key));
    }, Runnable::run);

    @Test
    void anyNumberOfUnknownKeysLeavesAnActiveKeyCached() {
        database.put("real", new IngestPrincipal(1, 1, "app", Set.of(), null));
        assertThat(cache.get(bytes("real")).join()).isPresent();

        for (int i = 0; i < 10_000; i++) {
            assertThat(cache.get(bytes("bogus-" + i)).join()).isEmpty();
        }

        assertThat(cache.get(bytes("real")).join()).isPresent();
        assertThat(lookups.get("real")).hasValue(1);
    }

    @Test
    void anUnknownKeyIsLookedUpOnceUntilItIsForgotten() {
        for (int i = 0; i < 5; i++) {
            assertThat(cache.get(bytes("new")).join()).isEmpty();
        }
        assertThat(lookups.get("new")).hasValue(1);

        database.put("new", new IngestPrincipal(2, 1, "app", Set.of(), null));
        cache.forget(bytes("new"));

        assertThat(cache.get(bytes("new")).join()).isPresent();
        assertThat(lookups.get("new")).hasValue(2);
    }

    @Test
    void aRevokedKeyIsUnknownOnceAllIsForgotten() {
        database.put("old", new IngestPrincipal(3, 1, "app", Set.of(), null));
        assertThat(cache.get(bytes("old")).join()).isPresent();

        database.remove("old");
        cache.forgetAll();

        assertThat(cache.get(bytes("old")).join()).isEmpty();
    }

    private static byte[] bytes(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }
}
