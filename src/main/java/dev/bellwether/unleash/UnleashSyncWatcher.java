package dev.bellwether.unleash;

import io.getunleash.event.ClientFeaturesResponse;
import io.getunleash.event.UnleashSubscriber;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Whether the client SDK has fetched flags from Unleash since this replica started. quarkus-unleash hands the SDK's
 * events to this bean (the application's {@link UnleashSubscriber}); a flag read before the first fetch is the
 * SDK's default, or a backup file's possibly old state, not Unleash's answer.
 */
@ApplicationScoped
public class UnleashSyncWatcher implements UnleashSubscriber {

    private volatile boolean fetched;

    @Override
    public void togglesFetched(ClientFeaturesResponse response) {
        if (response.getStatus() != ClientFeaturesResponse.Status.UNAVAILABLE) {
            fetched = true;
        }
    }

    public boolean fetched() {
        return fetched;
    }
}
