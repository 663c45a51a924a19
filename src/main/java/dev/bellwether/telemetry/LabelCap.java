package dev.bellwether.telemetry;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Bounds the values of one Prometheus label within one app. A new value gets its own label while there is room,
 * or by retiring the least recently seen value once that one has been idle for {@code idleBeforeRetire};
 * otherwise it is reported as {@link #OVERFLOW}. Retiring calls back so the retired value's series can be removed.
 */
public final class LabelCap {

    public static final String OVERFLOW = "_other";

    private final int capacity;
    private final Duration idleBeforeRetire;
    private final Consumer<String> onRetire;
    private final LinkedHashMap<String, Instant> lastSeen = new LinkedHashMap<>(16, 0.75f, true);

    public LabelCap(int capacity, Duration idleBeforeRetire, Consumer<String> onRetire) {
        this.capacity = capacity;
        this.idleBeforeRetire = idleBeforeRetire;
        this.onRetire = onRetire;
    }

    public synchronized String label(String value, Instant now) {
        if (lastSeen.containsKey(value)) {
            lastSeen.put(value, now);
            return value;
        }
        if (lastSeen.size() >= capacity) {
            Iterator<Map.Entry<String, Instant>> eldest = lastSeen.entrySet().iterator();
            Map.Entry<String, Instant> candidate = eldest.next();
            if (candidate.getValue().plus(idleBeforeRetire).isAfter(now)) {
                return OVERFLOW;
            }
            eldest.remove();
            onRetire.accept(candidate.getKey());
        }
        lastSeen.put(value, now);
        return value;
    }
}
