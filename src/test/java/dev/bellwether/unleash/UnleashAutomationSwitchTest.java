package dev.bellwether.unleash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellwether.rollout.AutomationSwitch.State;
import io.getunleash.DefaultUnleash;
import io.getunleash.event.UnleashReady;
import io.getunleash.util.UnleashConfig;
import io.getunleash.util.UnleashScheduledExecutorImpl;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The switch before the SDK has ever reached Unleash. That it turns with the flag once the SDK has fetched is
 * RolloutControlTest's, against a real Unleash.
 */
class UnleashAutomationSwitchTest {

    @Test
    void aReplicaWhoseSdkHasNeverReachedUnleashReadsTheSwitchUnknownUntilTheSdkIsReady() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort(); // free once closed: nothing answers there
        }
        UnleashSyncWatcher sync = new UnleashSyncWatcher();
        String instance = "switch-test-" + UUID.randomUUID();
        DefaultUnleash unleash = new DefaultUnleash(UnleashConfig.builder().appName("bellwether-test").instanceId(instance)
                .unleashAPI("http://127.0.0.1:" + closedPort + "/api").apiKey("default:development.unused")
                .fetchTogglesInterval(1).disableMetrics().subscriber(sync)
                .scheduledExecutor(new UnleashScheduledExecutorImpl())
                .backupFile(Path.of(System.getProperty("java.io.tmpdir"), instance + ".json").toString()).build());
        try {
            UnleashAutomationSwitch automation = new UnleashAutomationSwitch(unleash, "bellwether-automation", true, sync);
            Thread.sleep(2500); // a few failed fetches

            assertThat(automation.state()).as("though the SDK's default for a missing flag is on").isEqualTo(State.UNKNOWN);
            assertThat(automation.describe(State.UNKNOWN)).contains("not read yet").contains("BELLWETHER_UNLEASH_CLIENT_TOKEN");

            sync.onReady(new UnleashReady()); // what the SDK sends once its first fetch has loaded the flags
            assertThat(automation.state()).as("a switch Unleash does not have reads on").isEqualTo(State.ON);
            assertThat(automation.describe(State.ON)).isEqualTo("Unleash flag bellwether-automation");
        } finally {
            unleash.shutdown();
        }
    }

    @Test
    void withoutAClientTokenTheSwitchReadsOn() {
        UnleashAutomationSwitch automation = new UnleashAutomationSwitch(null, "bellwether-automation", false,
                new UnleashSyncWatcher());

        assertThat(automation.state()).isEqualTo(State.ON);
    }
}
