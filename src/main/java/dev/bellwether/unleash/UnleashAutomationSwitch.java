package dev.bellwether.unleash;

import dev.bellwether.rollout.AutomationSwitch;
import io.getunleash.Unleash;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The automation switch as an Unleash flag, read with the client SDK (polled, cached): on when the flag is enabled,
 * and also when Unleash does not have it at all, so that automation works before anyone creates the switch.
 * Without a client token the SDK is inactive and the switch reads on. Until the SDK has fetched flags once since
 * this replica started (Unleash down at startup, or a wrong client token), the switch is unknown: a release manager
 * who turned automation off must not see a fresh replica step a rollout up.
 */
@ApplicationScoped
public class UnleashAutomationSwitch implements AutomationSwitch {

    private final Unleash unleash;
    private final String flag;
    private final boolean sdkActive;
    private final UnleashSyncWatcher sync;

    @Inject
    public UnleashAutomationSwitch(Unleash unleash, @ConfigProperty(name = "bellwether.rollout.automation-flag") String flag,
            UnleashConfig config, UnleashSyncWatcher sync) {
        this(unleash, flag, config.url().isPresent() && config.clientToken().isPresent(), sync);
    }

    UnleashAutomationSwitch(Unleash unleash, String flag, boolean sdkActive, UnleashSyncWatcher sync) {
        this.unleash = unleash;
        this.flag = flag;
        this.sdkActive = sdkActive;
        this.sync = sync;
    }

    @Override
    public State state() {
        if (!sdkActive) {
            return State.ON;
        }
        if (!sync.ready()) {
            return State.UNKNOWN;
        }
        return unleash.isEnabled(flag, true) ? State.ON : State.OFF;
    }

    @Override
    public String describe(State state) {
        if (state == State.UNKNOWN) {
            return "Unleash flag " + flag + " not read yet: the client SDK has not fetched flags since this replica"
                    + " started; is Unleash up, and is BELLWETHER_UNLEASH_CLIENT_TOKEN right?";
        }
        return "Unleash flag " + flag;
    }
}
