package dev.bellwether.unleash;

import dev.bellwether.rollout.AutomationSwitch;
import io.getunleash.Unleash;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The automation switch as an Unleash flag, read with the client SDK (polled, cached): on when the flag is enabled,
 * and also when Unleash does not have it at all, so that automation works before anyone creates the switch.
 * Without a client token the SDK is inactive and the switch reads on. Known limit: a replica that starts while
 * Unleash is down has never read the switch and reads it on (the SDK gives no reliable "has synced" signal: an
 * Unleash without flags looks the same).
 */
@ApplicationScoped
public class UnleashAutomationSwitch implements AutomationSwitch {

    private final Unleash unleash;
    private final String flag;

    private final boolean sdkActive;

    public UnleashAutomationSwitch(Unleash unleash, @ConfigProperty(name = "bellwether.rollout.automation-flag") String flag,
            UnleashConfig config) {
        this.unleash = unleash;
        this.flag = flag;
        this.sdkActive = config.url().isPresent() && config.clientToken().isPresent();
    }

    @Override
    public boolean on() {
        if (!sdkActive) {
            return true;
        }
        return unleash.isEnabled(flag, true);
    }

    @Override
    public String describe() {
        return "Unleash flag " + flag;
    }
}
