package dev.bellwether.slo;

import dev.bellwether.apps.App;
import dev.bellwether.apps.AppDirectory;
import dev.bellwether.journey.InvalidJourneyException;
import dev.bellwether.journey.JourneyDirectory;
import dev.bellwether.journey.JourneySpec;
import dev.bellwether.journey.JourneyStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The SLOs in force: loaded from the catalog file ({@link SloCatalogFile}) at start, changed through the API. The
 * catalog's journeys are declared here too, as they come from the same file.
 */
@ApplicationScoped
public class SloRegistry {

    private static final Logger LOG = Logger.getLogger(SloRegistry.class);
    static final String BUILT_IN_CATALOG = "slo-catalog.yaml";

    private final AppDirectory apps;
    private final JourneyStore journeys;
    private final JourneyDirectory journeyDirectory;
    private final Optional<String> catalogPath;

    public SloRegistry(AppDirectory apps, JourneyStore journeys, JourneyDirectory journeyDirectory,
            @ConfigProperty(name = "bellwether.slo.catalog") Optional<String> catalogPath) {
        this.apps = apps;
        this.journeys = journeys;
        this.journeyDirectory = journeyDirectory;
        this.catalogPath = catalogPath;
    }

    /** A broken catalog stops the start: running with objectives other than the declared ones would mislead. */
    void loadCatalog(@Observes StartupEvent startup) throws IOException {
        SloCatalogFile.Catalog catalog;
        try (InputStream in = catalogPath.isPresent() ? Files.newInputStream(Path.of(catalogPath.get()))
                : Thread.currentThread().getContextClassLoader().getResourceAsStream(BUILT_IN_CATALOG)) {
            if (in == null) {
                return;
            }
            catalog = SloCatalogFile.read(in);
        } catch (InvalidSloException e) {
            throw new IllegalStateException("the SLO catalog " + catalogPath.orElse(BUILT_IN_CATALOG) + " is invalid: "
                    + e.getMessage(), e);
        }
        // journeys first: a catalog SLO may count one of them
        applyJourneys(catalog.journeys());
        List<SloCatalogFile.Entry> entries = catalog.slos();
        int applied;
        try {
            applied = apply(entries);
        } catch (RuntimeException raced) {
            // replicas starting together may both create an app or SLO: the second try sees what the first made
            LOG.debugf(raced, "SLO catalog raced another replica; applying again");
            applied = apply(entries);
        }
        LOG.infof("SLO catalog %s: %d SLOs applied, %d left as changed through the API or refused",
                catalogPath.orElse(BUILT_IN_CATALOG), applied, entries.size() - applied);
    }

    /**
     * A journey changed through the API wins, as an SLO does; one that clashes with a journey made through the API
     * (a pattern it has, or the app's bound) is left out and logged rather than stopping the start.
     */
    private void applyJourneys(List<SloCatalogFile.JourneyEntry> entries) {
        int applied = 0;
        for (SloCatalogFile.JourneyEntry entry : entries) {
            long appId;
            try {
                appId = appIdCreatedIfMissing(entry.app());
            } catch (RuntimeException raced) {
                // a replica starting at the same time made the app first
                appId = appIdCreatedIfMissing(entry.app());
            }
            try {
                if (journeys.put(appId, entry.spec(), "catalog").isPresent()) {
                    applied++;
                }
            } catch (InvalidJourneyException e) {
                LOG.errorf("catalog journey '%s' of app '%s' left out: %s", entry.spec().name(), entry.app(), e.getMessage());
            }
            journeyDirectory.forget(appId);
        }
        if (!entries.isEmpty()) {
            LOG.infof("journeys of the catalog: %d applied, %d left as changed through the API or refused", applied,
                    entries.size() - applied);
        }
    }

    private int apply(List<SloCatalogFile.Entry> entries) {
        return QuarkusTransaction.requiringNew().call(() -> {
            int count = 0;
            for (SloCatalogFile.Entry entry : entries) {
                App app = App.findByName(entry.app()).orElseGet(() -> {
                    App created = App.named(entry.app());
                    created.persist();
                    return created;
                });
                SloDefinition existing = SloDefinition.find(app, entry.spec().name()).orElse(null);
                if (existing != null && existing.source != SloDefinition.Source.catalog) {
                    continue;
                }
                try {
                    requireJourney(app, entry.spec().journey());
                } catch (InvalidSloException e) {
                    // its journey was left out (it clashed with one made through the API): so is the SLO
                    LOG.errorf("catalog SLO '%s' of app '%s' left out: %s", entry.spec().name(), entry.app(), e.getMessage());
                    continue;
                }
                save(app, entry.spec(), SloDefinition.Source.catalog);
                count++;
            }
            return count;
        });
    }

    private static long appIdCreatedIfMissing(String name) {
        return QuarkusTransaction.requiringNew().call(() -> App.findByName(name).orElseGet(() -> {
            App created = App.named(name);
            created.persist();
            return created;
        }).id);
    }

    /** @throws InvalidSloException naming the field at fault, {@code journey} for a journey the app does not have */
    @Transactional
    public SloDefinition put(String appName, SloSpec spec) {
        App app = apps.requireApp(appName);
        SloSpec valid = spec.validated();
        requireJourney(app, valid.journey());
        return save(app, valid, SloDefinition.Source.api);
    }

    /**
     * Refuses a journey the app has not declared ({@code other} always exists). Locks the app's row first, as removing a
     * journey does, so that a journey cannot be removed between this check and the SLO's commit.
     */
    private static void requireJourney(App app, String journey) {
        if (journey == null || JourneySpec.OTHER.equals(journey)) {
            return;
        }
        var entities = App.getEntityManager();
        entities.createNativeQuery("SELECT id FROM app WHERE id = ?1 FOR UPDATE").setParameter(1, app.id).getResultList();
        @SuppressWarnings("unchecked")
        List<String> declared = entities.createNativeQuery(
                "SELECT name FROM journey WHERE app_id = ?1 AND removed_at IS NULL ORDER BY name")
                .setParameter(1, app.id).getResultList();
        if (!declared.contains(journey)) {
            List<String> names = new ArrayList<>(declared);
            names.add(JourneySpec.OTHER);
            throw new InvalidSloException("journey", "app '" + app.name + "' has no journey named '" + journey
                    + "'; its journeys: " + String.join(", ", names));
        }
    }

    @Transactional
    public boolean delete(String appName, String name) {
        return SloDefinition.find(apps.requireApp(appName), name).map(slo -> {
            slo.delete();
            return true;
        }).orElse(false);
    }

    private static SloDefinition save(App app, SloSpec spec, SloDefinition.Source source) {
        SloDefinition slo = SloDefinition.find(app, spec.name()).orElseGet(SloDefinition::new);
        boolean changed = slo.id == null || !slo.spec().equals(spec);
        slo.app = app;
        slo.apply(spec);
        slo.source = source;
        if (changed) {
            slo.updatedAt = OffsetDateTime.now();
        }
        if (slo.id == null) {
            slo.persist();
        }
        return slo;
    }

}
