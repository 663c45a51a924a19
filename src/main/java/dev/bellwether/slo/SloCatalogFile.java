package dev.bellwether.slo;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.bellwether.journey.InvalidJourneyException;
import dev.bellwether.journey.JourneyDocument;
import dev.bellwether.journey.JourneyMatcher;
import dev.bellwether.journey.JourneySpec;
import dev.bellwether.telemetry.Durations;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The versioned SLO catalog file: apps, their SLOs and their journeys, parsed and validated as a whole. */
public final class SloCatalogFile {

    public static final int VERSION = 1;

    /** An SLO as written in the catalog or sent to the API; {@link #toSpec} validates it. */
    public record SloDocument(Sli sli, Double objective, String period, Double thresholdMs, Double threshold, Long minEvents,
                              String journey, AlertSeverity severity) {

        public SloSpec toSpec(String name) {
            if (sli == null) {
                throw new InvalidSloException("sli", "is required");
            }
            if (objective == null) {
                throw new InvalidSloException("objective", "is required, e.g. 0.995");
            }
            if (thresholdMs != null && threshold != null) {
                throw new InvalidSloException("threshold", "give thresholdMs or threshold, not both");
            }
            if (sli.thresholdUnit() == Sli.Unit.COUNT && thresholdMs != null) {
                throw new InvalidSloException("thresholdMs", sli.wireName() + " counts mutations: use threshold");
            }
            if (sli.thresholdUnit() == Sli.Unit.MILLISECONDS && threshold != null) {
                throw new InvalidSloException("threshold", sli.wireName() + " is measured in milliseconds: use thresholdMs");
            }
            Duration length;
            try {
                length = period == null ? SloSpec.DEFAULT_PERIOD : Durations.parse(period);
            } catch (IllegalArgumentException e) {
                throw new InvalidSloException("period", e.getMessage());
            }
            return new SloSpec(name, sli, objective, length, thresholdMs != null ? thresholdMs : threshold, minEvents, journey,
                    severity).validated();
        }
    }

    record AppEntry(Map<String, SloDocument> slos, Map<String, JourneyDocument> journeys) {
    }

    record File(Integer version, Map<String, AppEntry> apps) {
    }

    /** One SLO of the catalog, for one app. */
    public record Entry(String app, SloSpec spec) {
    }

    /** One journey of the catalog, for one app. */
    public record JourneyEntry(String app, JourneySpec spec) {
    }

    /** Everything the catalog declares. */
    public record Catalog(List<Entry> slos, List<JourneyEntry> journeys) {
    }

    private SloCatalogFile() {
    }

    /** The SLOs of the catalog; @throws InvalidSloException naming the app, SLO or journey and field at fault */
    public static List<Entry> parse(InputStream yaml) throws IOException {
        return read(yaml).slos();
    }

    /** @throws InvalidSloException naming the app, SLO or journey and field at fault */
    public static Catalog read(InputStream yaml) throws IOException {
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        File file = mapper.readValue(yaml, File.class);
        if (file == null || file.version() == null || file.version() != VERSION) {
            throw new InvalidSloException("version", "must be " + VERSION + ", got " + (file == null ? null : file.version()));
        }
        List<Entry> entries = new ArrayList<>();
        List<JourneyEntry> journeys = new ArrayList<>();
        Map<String, AppEntry> apps = file.apps() == null ? Map.of() : new LinkedHashMap<>(file.apps());
        apps.forEach((app, entry) -> {
            if (!app.matches("^[a-z0-9][a-z0-9._-]{0,62}$")) {
                throw new InvalidSloException("apps." + app, "is not an app name: 1-63 lower-case letters, digits, '.', '_' or '-'");
            }
            if (entry == null) {
                return;
            }
            List<JourneyEntry> appJourneys = entry.journeys() == null ? List.of() : journeysOf(app, entry.journeys());
            journeys.addAll(appJourneys);
            if (entry.slos() == null) {
                return;
            }
            entry.slos().forEach((name, document) -> {
                SloSpec spec;
                try {
                    spec = document.toSpec(name);
                } catch (InvalidSloException e) {
                    throw new InvalidSloException("apps." + app + ".slos." + name + "." + e.field(),
                            e.getMessage().substring(e.field().length() + 1));
                }
                List<String> declared = appJourneys.stream().map(j -> j.spec().name()).toList();
                if (spec.journey() != null && !JourneySpec.OTHER.equals(spec.journey()) && !declared.contains(spec.journey())) {
                    throw new InvalidSloException("apps." + app + ".slos." + name + ".journey", "'" + spec.journey()
                            + "' is not a journey of app " + app + " in this catalog; declare it under apps." + app
                            + ".journeys (its journeys: " + String.join(", ", declaredAndOther(declared)) + ")");
                }
                entries.add(new Entry(app, spec));
            });
        });
        return new Catalog(entries, journeys);
    }

    private static List<String> declaredAndOther(List<String> declared) {
        List<String> names = new ArrayList<>(declared);
        names.add(JourneySpec.OTHER);
        return names;
    }

    private static List<JourneyEntry> journeysOf(String app, Map<String, JourneyDocument> documents) {
        String path = "apps." + app + ".journeys";
        if (documents.size() > JourneySpec.MAX_JOURNEYS_PER_APP) {
            throw new InvalidSloException(path, "may declare at most " + JourneySpec.MAX_JOURNEYS_PER_APP + " journeys, got "
                    + documents.size());
        }
        List<JourneyEntry> journeys = new ArrayList<>();
        documents.forEach((name, document) -> {
            if (document == null) {
                throw new InvalidSloException(path + "." + name, "is empty: give mutations and criticality");
            }
            JourneySpec spec;
            try {
                spec = document.toSpec(name);
            } catch (InvalidJourneyException e) {
                throw new InvalidSloException(path + "." + name + "." + e.field(), e.reason());
            }
            Optional<String> shared = JourneyMatcher.sharedPattern(spec.mutations(),
                    journeys.stream().map(j -> j.spec().mutations()).toList());
            if (shared.isPresent()) {
                throw new InvalidSloException(path + "." + name + ".mutations", "'" + shared.get()
                        + "' belongs to another journey already; a pattern may belong to one journey only");
            }
            journeys.add(new JourneyEntry(app, spec));
        });
        return journeys;
    }
}
