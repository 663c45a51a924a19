package dev.bellwether.unleash;

import io.getunleash.event.UnleashReady;
import io.getunleash.event.UnleashSubscriber;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Whether the client SDK has read flags from Unleash since this replica started. quarkus-unleash hands the SDK's
 * events to this bean (the application's {@link UnleashSubscriber}). The SDK is ready once its first fetch has
 * succeeded and its flags are loaded (the fetch's own event comes before they are); a flag read before that is the
 * SDK's default, or a backup file's possibly old state, not Unleash's answer.
 */
@ApplicationScoped
public class UnleashSyncWatcher implements UnleashSubscriber {

    private volatile boolean ready;

    @Override
    public void onReady(UnleashReady event) {
        ready = true;
    }

    public boolean ready() {
        return ready;
    }
}
