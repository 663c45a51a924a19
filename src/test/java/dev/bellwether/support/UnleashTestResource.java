package dev.bellwether.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** A real Unleash (npm unleash-server) on a PostgreSQL of its own, and the service configured to steer it. */
public class UnleashTestResource implements QuarkusTestResourceLifecycleManager {

    private static SharedPostgres postgres;
    private static UnleashServer unleash;

    public static UnleashServer unleash() {
        return unleash;
    }

    @Override
    public Map<String, String> start() {
        try {
            postgres = new SharedPostgres();
            unleash = UnleashServer.on(postgres);
            unleash.start();
        } catch (Exception e) {
            throw new IllegalStateException("could not start Unleash for the tests", e);
        }
        return Map.of("bellwether.unleash.url", unleash.apiUrl(), "bellwether.unleash.admin-token", unleash.adminToken(),
                "bellwether.unleash.client-token", unleash.clientToken(),
                // a stopped Unleash must fail fast in tests: one attempt, short timeout
                "bellwether.unleash.retry-attempts", "2", "bellwether.unleash.request-timeout", "2s",
                // the client SDK refreshes flags every second, so the automation switch turns within a test
                "quarkus.unleash.fetch-toggles-interval", "1",
                // and reads them once before the app starts, so the automation switch is known from the first tick
                "quarkus.unleash.synchronous-fetch-on-initialisation", "true");
    }

    @Override
    public void stop() {
        try {
            if (unleash != null) {
                unleash.close();
            }
            if (postgres != null) {
                postgres.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not stop Unleash", e);
        }
    }
}
