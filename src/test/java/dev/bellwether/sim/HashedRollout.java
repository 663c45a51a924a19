package dev.bellwether.sim;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * A gradual rollout without a flag server, for judge-level runs: a client is in the canary when a stable hash of its
 * id and the flag falls under the percentage, so raising the percentage only adds clients, as Unleash's does.
 */
public final class HashedRollout implements FlagSource {

    private final String flag;
    private volatile int percentage;
    private volatile boolean enabled = true;

    public HashedRollout(String flag, int percentage) {
        this.flag = flag;
        this.percentage = percentage;
    }

    public void percentage(int value) {
        percentage = value;
    }

    public void turnOff() {
        enabled = false;
    }

    @Override
    public Map<String, Object> evaluate(String clientId) {
        return Map.of(flag, enabled && bucket(clientId) < percentage);
    }

    int bucket(String clientId) {
        CRC32 crc = new CRC32();
        crc.update((flag + ":" + clientId).getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % 100);
    }
}
