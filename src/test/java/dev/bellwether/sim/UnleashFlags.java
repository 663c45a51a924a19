package dev.bellwether.sim;

import io.getunleash.DefaultUnleash;
import io.getunleash.Unleash;
import io.getunleash.UnleashContext;
import io.getunleash.util.UnleashConfig;
import io.getunleash.util.UnleashScheduledExecutorImpl;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Flags as a real Unleash evaluates them, with unleash-client-java: each simulated client is the context's
 * {@code userId}, so a gradual rollout places it by the same stickiness hash as in the field. One SDK instance polls
 * Unleash every second for the whole fleet; the fleet asks it only for clients that are online.
 */
public final class UnleashFlags implements FlagSource, AutoCloseable {

    private final Unleash unleash;
    private final List<String> flags;

    /** @param apiUrl Unleash's {@code /api} base, e.g. {@code http://127.0.0.1:4242/api} */
    public UnleashFlags(String apiUrl, String clientToken, List<String> flags) {
        this.flags = List.copyOf(flags);
        String instance = "simulator-" + UUID.randomUUID();
        this.unleash = new DefaultUnleash(UnleashConfig.builder()
                .appName("bellwether-simulator")
                .instanceId(instance)
                .unleashAPI(apiUrl)
                .apiKey(clientToken)
                .fetchTogglesInterval(1)
                .synchronousFetchOnInitialisation(true)
                .disableMetrics()
                // its own poller and backup: the SDK's defaults are shared by every instance in the JVM (shutting one
                // down stops the others) and a backup file left by an earlier run would answer with stale flags
                .scheduledExecutor(new UnleashScheduledExecutorImpl())
                .backupFile(Path.of(System.getProperty("java.io.tmpdir"), instance + ".json").toString())
                .build());
    }

    @Override
    public Map<String, Object> evaluate(String clientId) {
        UnleashContext context = UnleashContext.builder().userId(clientId).build();
        Map<String, Object> states = new LinkedHashMap<>();
        for (String flag : flags) {
            states.put(flag, unleash.isEnabled(flag, context));
        }
        return states;
    }

    @Override
    public void close() {
        unleash.shutdown();
    }
}
