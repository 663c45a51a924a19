package dev.bellwether.telemetry;

import dev.bellwether.api.ProblemException;
import dev.bellwether.apps.App;
import dev.bellwether.apps.AppDirectory;
import dev.bellwether.journey.AppJourneys;
import dev.bellwether.journey.Journey;
import dev.bellwether.journey.JourneySpec;
import dev.bellwether.journey.JourneyStore;
import dev.bellwether.security.Allowed;
import dev.bellwether.security.Role;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;

@Path("/v1/apps/{app}/sli")
public class SliResource {

    private static final Duration SHORTEST_WINDOW = Duration.ofMinutes(1);
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private final AppDirectory apps;
    private final SliService sli;
    private final JourneyStore journeys;
    private final RetentionConfig retention;
    private final Clock clock;

    public SliResource(AppDirectory apps, SliService sli, JourneyStore journeys, RetentionConfig retention, Clock clock) {
        this.apps = apps;
        this.sli = sli;
        this.journeys = journeys;
        this.retention = retention;
        this.clock = clock;
    }

    @GET
    @Allowed(Role.VIEWER)
    @Operation(summary = "Service-level indicators of an app over an event-time window",
            description = "window (5m, 1h, 30d, PT1H; default 1h) ending at 'to' (default now), or 'from' and 'to' "
                    + "(ISO-8601). Optional 'release' filter; 'flag' splits clients by that flag into canary and control; "
                    + "'journey' counts that journey's replays alone (a declared journey, one removed since, or 'other'). "
                    + "'journeys' lists the replay SLIs of each journey.")
    public SliReport get(@PathParam("app") String appName, @QueryParam("window") String window,
            @QueryParam("from") String fromText, @QueryParam("to") String toText,
            @QueryParam("release") String release, @QueryParam("flag") String flag,
            @QueryParam("journey") String journey) {
        App app = apps.requireApp(appName);
        Instant to = toText == null ? clock.instant() : instant("to", toText);
        Instant from;
        if (fromText != null) {
            if (window != null) {
                throw ProblemException.badRequest("window", "give either window or from, not both");
            }
            from = instant("from", fromText);
        } else {
            try {
                from = to.minus(window == null ? Duration.ofHours(1) : Durations.parse(window));
            } catch (IllegalArgumentException e) {
                throw ProblemException.badRequest("window", e.getMessage());
            } catch (DateTimeException | ArithmeticException e) {
                throw ProblemException.badRequest("window", "'" + window + "' is too long a window");
            }
        }
        Duration length = Duration.between(from, to);
        if (length.compareTo(SHORTEST_WINDOW) < 0) {
            throw ProblemException.badRequest(fromText != null ? "from" : "window", "the window must be at least 1 minute long");
        }
        if (length.compareTo(retention.hourRollups()) > 0) {
            throw ProblemException.badRequest(fromText != null ? "from" : "window",
                    "the window may span at most " + retention.hourRollups().toDays() + " days, the rollup retention");
        }
        AppJourneys appJourneys = journeys.load(app.id);
        String journeyName = blankToNull(journey);
        if (journeyName != null && !JourneySpec.OTHER.equals(journeyName) && appJourneys.named(journeyName).isEmpty()) {
            throw ProblemException.badRequest("journey", "app '" + app.name + "' has no journey named '" + journeyName
                    + "'; its journeys: " + String.join(", ", names(appJourneys)));
        }
        return sli.report(app.id, app.name, from, to, blankToNull(release), blankToNull(flag), appJourneys, journeyName);
    }

    private static List<String> names(AppJourneys journeys) {
        List<String> names = new ArrayList<>(journeys.current().stream().map(Journey::name).toList());
        names.add(JourneySpec.OTHER);
        return names;
    }

    private static Instant instant(String field, String text) {
        Instant instant;
        try {
            instant = Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest(field, field + " must be an ISO-8601 instant such as 2026-11-25T10:00:00Z");
        }
        // Instant reaches far beyond what PostgreSQL stores; a four-digit year is all a window needs
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw ProblemException.badRequest(field, field + " must be between " + EARLIEST + " and " + LATEST);
        }
        return instant;
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }
}
