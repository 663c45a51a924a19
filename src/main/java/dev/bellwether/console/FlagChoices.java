package dev.bellwether.console;

import dev.bellwether.rollout.FlagCatalog;
import dev.bellwether.rollout.FlagControlException;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * What the create-rollout form offers from Unleash. Unleash known to be down (the background probe) is not asked, so
 * the form does not wait on it; otherwise each listing waits at most the Unleash request timeout, and the first that
 * fails ends the asking. Without lists the form says why and takes typed names.
 */
@ApplicationScoped
public class FlagChoices {

    private final FlagCatalog catalog;
    private final FlagServiceProbe probe;

    public FlagChoices(FlagCatalog catalog, FlagServiceProbe probe) {
        this.catalog = catalog;
        this.probe = probe;
    }

    /** The projects, and the environments and flags of {@code project} (or of the first project when it has none). */
    public Chosen of(String project) {
        if (!catalog.configured()) {
            return new Chosen(project, new NewRolloutForm.Choices(null, null, null,
                    "Unleash is not configured, so its flags cannot be listed: type the names."));
        }
        if (probe.last().reachability() == FlagServiceProbe.Reachability.UNREACHABLE) {
            return new Chosen(project, new NewRolloutForm.Choices(null, null, null,
                    "Unleash did not answer its last health check, so its flags cannot be listed: type the names."));
        }
        try {
            var projects = catalog.projects();
            String chosen = projects.contains(project) || projects.isEmpty() ? project : projects.get(0);
            return new Chosen(chosen, new NewRolloutForm.Choices(projects, catalog.environments(chosen),
                    catalog.flags(chosen), null));
        } catch (FlagControlException unavailable) {
            return new Chosen(project, new NewRolloutForm.Choices(null, null, null,
                    unavailable.getMessage() + "; type the names."));
        }
    }

    /** The project the lists are of, and the lists. */
    public record Chosen(String project, NewRolloutForm.Choices choices) {
    }
}
