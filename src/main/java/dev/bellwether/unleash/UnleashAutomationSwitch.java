package dev.bellwether.unleash;

import dev.bellwether.rollout.AutomationSwitch;
import io.getunleash.Unleash;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The automation switch as an Unleash flag, read with the client SDK (polled, cached): on when the flag is enabled,
 * and also when Unleash does not have it at all, so that automation works before anyone creates the switch.
 * Without a client token the SDK is inactive and the switch reads on.
 */
@ApplicationScoped
public class UnleashAutomationSwitch implements AutomationSwitch {

    private final Unleash unleash;
    private final String flag;

    public UnleashAutomationSwitch(Unleash unleash, @ConfigProperty(name = "bellwether.rollout.automation-flag") String flag) {
        this.unleash = unleash;
        this.flag = flag;
    }

    @Override
    public boolean on() {
        return unleash.isEnabled(flag, true);
    }

    @Override
    public String describe() {
        return "Unleash flag " + flag;
    }
}
