package dev.bellwether.console;

import static dev.bellwether.console.ConsoleGate.CSRF_FIELD;
import static dev.bellwether.console.ConsoleGate.CSRF_HEADER;
import static dev.bellwether.console.ConsoleGate.SESSION_COOKIE;
import static dev.bellwether.console.ConsoleGate.outcome;
import static dev.bellwether.console.ConsoleGate.page;

import dev.bellwether.api.DomainException;
import dev.bellwether.api.ProblemException;
import dev.bellwether.api.ProblemMappers;
import dev.bellwether.apps.App;
import dev.bellwether.apps.AppResource;
import dev.bellwether.console.ConsoleSessions.ConsoleUser;
import dev.bellwether.journey.Criticality;
import dev.bellwether.journey.Journey;
import dev.bellwether.journey.JourneySpec;
import dev.bellwether.journey.JourneyStore;
import dev.bellwether.judge.GuardAction;
import dev.bellwether.rollout.GuardSpec;
import dev.bellwether.rollout.Rollout;
import dev.bellwether.rollout.RolloutDefaults;
import dev.bellwether.rollout.RolloutResource;
import dev.bellwether.rollout.RolloutResource.CreateRollout;
import dev.bellwether.slo.Sli;
import dev.bellwether.telemetry.Durations;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The app page (SLIs, SLOs, and for admins ingest keys and origins) and the create-rollout form (docs/console.md).
 * Every action goes through the API's own resource methods and validation, with the API's role rule.
 */
@Path("/console/apps")
@Produces(MediaType.TEXT_HTML)
public class ConsoleApps {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance app(AppPage page, ConsoleUser user);

        static native TemplateInstance keyCreated(String app, AppResource.CreatedKey key, ConsoleUser user);

        static native TemplateInstance newRollout(NewRolloutForm form, ConsoleUser user);
    }

    private final ConsoleGate gate;
    private final AppPageBuilder pages;
    private final AppResource apps;
    private final RolloutResource rollouts;
    private final RolloutDefaults defaults;
    private final FlagChoices flagChoices;
    private final JourneyStore journeys;
    private final Validator validator;

    public ConsoleApps(ConsoleGate gate, AppPageBuilder pages, AppResource apps, RolloutResource rollouts,
            RolloutDefaults defaults, FlagChoices flagChoices, JourneyStore journeys, Validator validator) {
        this.gate = gate;
        this.pages = pages;
        this.apps = apps;
        this.rollouts = rollouts;
        this.defaults = defaults;
        this.flagChoices = flagChoices;
        this.journeys = journeys;
        this.validator = validator;
    }

    @GET
    @Path("/{app}")
    public Response app(@PathParam("app") String app, @QueryParam("window") String window,
            @CookieParam(SESSION_COOKIE) String sessionId) {
        ConsoleUser user = gate.viewer(sessionId);
        return appPage(app, window, user, AppPage.Typed.NOTHING, Response.Status.OK);
    }

    /**
     * A new ingest key, named or not (an empty name field: none); its secret is in this answer only (stored hashed, as
     * through the API). A refused name is shown beside its field on the app page, as typed.
     */
    @POST
    @Path("/{app}/ingest-keys")
    public Response createKey(@PathParam("app") String app, @FormParam("name") String name,
            @CookieParam(SESSION_COOKIE) String sessionId, @FormParam(CSRF_FIELD) String formCsrf,
            @HeaderParam(CSRF_HEADER) String headerCsrf, @HeaderParam("Sec-Fetch-Site") String fetchSite) {
        ConsoleUser user = admin(gate.actor(sessionId, formCsrf, headerCsrf, fetchSite), "createKey", "create ingest keys");
        AppResource.CreatedKey key;
        try {
            key = apps.newKey(app, name == null || name.isEmpty() ? null : name);
        } catch (ProblemException refused) {
            if (refused.status().getStatusCode() == 404) {
                return refusal(refused);
            }
            return appPage(app, null, user, AppPage.Typed.keyName(name, refused.getMessage()), Response.Status.BAD_REQUEST);
        }
        return page(Response.Status.CREATED, Templates.keyCreated(app, key, user));
    }

    @POST
    @Path("/{app}/ingest-keys/{id}/revoke")
    public Response revokeKey(@PathParam("app") String app, @PathParam("id") long id,
            @FormParam("confirm") String confirm, @CookieParam(SESSION_COOKIE) String sessionId,
            @FormParam(CSRF_FIELD) String formCsrf, @HeaderParam(CSRF_HEADER) String headerCsrf,
            @HeaderParam("Sec-Fetch-Site") String fetchSite) {
        admin(gate.actor(sessionId, formCsrf, headerCsrf, fetchSite), "revokeKey", "revoke ingest keys");
        if (!"yes".equals(confirm)) {
            return outcome(Response.Status.BAD_REQUEST, "Confirmation required",
                    "confirm: tick the box to confirm revoking the key.", true);
        }
        try {
            apps.revokeKey(app, id);
        } catch (ProblemException refused) {
            return refusal(refused);
        }
        return Response.seeOther(appUri(app)).build();
    }

    /** The allowed origins, one a line; refused as the API refuses them, shown beside the field with the text kept. */
    @POST
    @Path("/{app}/origins")
    public Response origins(@PathParam("app") String app, @FormParam("origins") String origins,
            @CookieParam(SESSION_COOKIE) String sessionId, @FormParam(CSRF_FIELD) String formCsrf,
            @HeaderParam(CSRF_HEADER) String headerCsrf, @HeaderParam("Sec-Fetch-Site") String fetchSite) {
        ConsoleUser user = admin(gate.actor(sessionId, formCsrf, headerCsrf, fetchSite), "update", "change origins");
        String typed = origins == null ? "" : origins;
        List<String> list = typed.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
        AppResource.UpdateApp update = new AppResource.UpdateApp(list, null);
        String error = violations(validator.validate(update));
        if (error == null) {
            try {
                apps.update(app, update);
            } catch (ProblemException refused) {
                if (refused.status().getStatusCode() == 404) {
                    return refusal(refused);
                }
                error = refused.field() == null ? refused.getMessage() : refused.field() + ": " + refused.getMessage();
            }
        }
        if (error != null) {
            return appPage(app, null, user, AppPage.Typed.origins(typed, error), Response.Status.BAD_REQUEST);
        }
        return Response.seeOther(appUri(app)).build();
    }

    @GET
    @Path("/{app}/rollouts/new")
    public Response newRollout(@PathParam("app") String app, @QueryParam("project") String project,
            @CookieParam(SESSION_COOKIE) String sessionId) {
        ConsoleUser user = gate.viewer(sessionId);
        mayCreateRollouts(user);
        Optional<App> found = App.findByName(app);
        if (found.isEmpty()) {
            return noApp(app);
        }
        FlagChoices.Chosen chosen = flagChoices.of(project == null || project.isBlank() ? defaults.project() : project);
        NewRolloutForm.Entered entered = new NewRolloutForm.Entered(chosen.project(), defaults.environment(), "",
                defaults.steps().stream().map(String::valueOf).collect(Collectors.joining(", ")),
                shortDuration(defaults.bake()), String.valueOf(defaults.minSamplePerCohort()),
                NewRolloutForm.guardRows(List.of(Sli.DEAD_LETTER_RATIO.wireName()), List.of(""),
                        List.of(GuardAction.ROLLBACK.wireName())),
                true, false);
        return page(Response.Status.OK, Templates.newRollout(new NewRolloutForm(app, chosen.choices(),
                journeyChoices(found.get()), entered, NewRolloutForm.noErrors()), user));
    }

    /** Through the API's validation and {@link RolloutResource#createRollout}; refusals shown beside their fields. */
    @POST
    @Path("/{app}/rollouts/new")
    public Response createRollout(@PathParam("app") String app, @FormParam("project") String project,
            @FormParam("environment") String environment, @FormParam("flag") String flag,
            @FormParam("steps") String steps, @FormParam("bake") String bake, @FormParam("minSample") String minSample,
            @FormParam("guardSli") List<String> guardSlis, @FormParam("guardJourney") List<String> guardJourneys,
            @FormParam("guardAction") List<String> guardActions,
            @FormParam("criticalJourneyGuards") String criticalJourneyGuards,
            @FormParam("criticalJourneyGuardsOffered") String criticalJourneyGuardsOffered, @FormParam("dryRun") String dryRun,
            @CookieParam(SESSION_COOKIE) String sessionId,
            @FormParam(CSRF_FIELD) String formCsrf, @HeaderParam(CSRF_HEADER) String headerCsrf,
            @HeaderParam("Sec-Fetch-Site") String fetchSite) {
        ConsoleUser user = gate.actor(sessionId, formCsrf, headerCsrf, fetchSite);
        mayCreateRollouts(user);
        Optional<App> found = App.findByName(app);
        if (found.isEmpty()) {
            return noApp(app);
        }
        // an unticked box sends nothing, so the form says it offered the box: a post that was not offered it (an older
        // page, a script) keeps the default guards, as the API does
        NewRolloutForm.Entered entered = new NewRolloutForm.Entered(text(project), text(environment), text(flag),
                text(steps), text(bake), text(minSample), NewRolloutForm.guardRows(guardSlis, guardJourneys, guardActions),
                "yes".equals(criticalJourneyGuards) || !"yes".equals(criticalJourneyGuardsOffered), "yes".equals(dryRun));
        Map<String, String> errors = NewRolloutForm.noErrors();
        List<Integer> stepList = whole(entered.steps(), "steps", "steps: whole percentages separated by commas, such as 1, 5, 25, 50, 100", errors);
        Long minSampleValue = null;
        if (!entered.minSample().isBlank()) {
            try {
                minSampleValue = Long.valueOf(entered.minSample().strip());
            } catch (NumberFormatException notWhole) {
                errors.put("minSample", "minSamplePerCohort: a whole number of events");
            }
        }
        List<GuardSpec> guards = guards(entered, errors);
        Response.StatusType status = Response.Status.BAD_REQUEST;
        if (errors.isEmpty()) {
            CreateRollout request = new CreateRollout(app, blankToNull(entered.flag()), blankToNull(entered.project()),
                    blankToNull(entered.environment()), stepList, blankToNull(entered.bake()),
                    minSampleValue, guards, entered.criticalJourneyGuards(), entered.dryRun());
            for (ConstraintViolation<CreateRollout> violation : validator.validate(request)) {
                String field = ProblemMappers.fieldOf(violation);
                errors.merge(NewRolloutForm.formField(field, entered), field + " " + violation.getMessage(), (a, b) -> a + "; " + b);
            }
            if (errors.isEmpty()) {
                try {
                    Rollout rollout = rollouts.createRollout(request, user.caller().name());
                    return Response.seeOther(URI.create("/console/rollouts/" + rollout.id)).build();
                } catch (ProblemException refused) {
                    status = refused.status();
                    errors.put(NewRolloutForm.formField(refused.field(), entered), describe(refused.field(), refused.getMessage()));
                } catch (DomainException refused) {
                    status = ProblemMappers.status(refused.kind());
                    errors.put(NewRolloutForm.formField(refused.field().orElse(null), entered),
                            describe(refused.field().orElse(null), refused.getMessage()));
                }
            }
        }
        FlagChoices.Chosen chosen = flagChoices.of(entered.project());
        return page(status.getStatusCode(), Templates.newRollout(new NewRolloutForm(app, chosen.choices(),
                journeyChoices(found.get()), entered, errors), user));
    }

    /** The app's journeys in force as the API reads them when it checks and adds guards, and the default guard. */
    private NewRolloutForm.Journeys journeyChoices(App app) {
        List<Journey> current = journeys.load(app.id).current();
        List<NewRolloutForm.JourneyChoice> offered = new ArrayList<>();
        current.forEach(j -> offered.add(new NewRolloutForm.JourneyChoice(j.name(), j.criticality().wireName())));
        offered.add(new NewRolloutForm.JourneyChoice(JourneySpec.OTHER, null));
        List<String> critical = current.stream().filter(j -> j.criticality() == Criticality.CRITICAL).map(Journey::name)
                .sorted().toList();
        return new NewRolloutForm.Journeys(offered, critical, defaults.criticalJourneyIndicator().wireName(),
                defaults.criticalJourneyAction().wireName());
    }

    private Response appPage(String app, String window, ConsoleUser user, AppPage.Typed typed, Response.Status status) {
        AppPage built;
        try {
            built = pages.build(app, window, user.caller(), typed);
        } catch (ProblemException refused) {
            return refusal(refused);
        }
        // a window the SLI API refuses is the request's fault, as through the API
        int code = built.window().error() != null && status == Response.Status.OK ? 400 : status.getStatusCode();
        return page(code, Templates.app(built, user));
    }

    private static ConsoleUser admin(ConsoleUser user, String endpoint, String what) {
        if (!ApiRules.may(user.caller(), AppResource.class, endpoint)) {
            throw new ConsoleRefusal(outcome(Response.Status.FORBIDDEN, "Not allowed",
                    "Role " + user.caller().role().wireName() + " may not " + what + ".", true));
        }
        return user;
    }

    private static void mayCreateRollouts(ConsoleUser user) {
        if (!ApiRules.may(user.caller(), RolloutResource.class, "create")) {
            throw new ConsoleRefusal(outcome(Response.Status.FORBIDDEN, "Not allowed",
                    "Role " + user.caller().role().wireName() + " may not create rollouts.", true));
        }
    }

    private static Response refusal(ProblemException refused) {
        if (refused.status().getStatusCode() == 404) {
            return outcome(Response.Status.NOT_FOUND, "Not found", refused.getMessage(), true);
        }
        return page(refused.status().getStatusCode(), ConsoleResource.Templates.outcome("Not done", refused.getMessage(), true));
    }

    private static Response noApp(String app) {
        return outcome(Response.Status.NOT_FOUND, "Not found", "no app named '" + app + "'", true);
    }

    private static String violations(Set<? extends ConstraintViolation<?>> violations) {
        if (violations.isEmpty()) {
            return null;
        }
        return violations.stream().map(v -> ProblemMappers.fieldOf(v) + " " + v.getMessage()).sorted()
                .collect(Collectors.joining("; "));
    }

    /** Whole numbers separated by commas; null when the field is empty (the API's default applies). */
    private static List<Integer> whole(String text, String field, String refusal, Map<String, String> errors) {
        if (text.isBlank()) {
            return null;
        }
        try {
            return Arrays.stream(text.split(",")).map(String::strip).map(Integer::valueOf).toList();
        } catch (NumberFormatException notWhole) {
            errors.put(field, refusal);
            return null;
        }
    }

    /**
     * The rows with an indicator, a journey or an action, in order (a journey left at "whole app" is none); an unknown
     * value is refused as the API's JSON reader would.
     */
    private static List<GuardSpec> guards(NewRolloutForm.Entered entered, Map<String, String> errors) {
        List<GuardSpec> guards = new ArrayList<>();
        for (NewRolloutForm.GuardRow row : entered.filledGuards()) {
            try {
                guards.add(new GuardSpec(row.sli().isBlank() ? null : Sli.fromWireName(row.sli()), blankToNull(row.journey()),
                        row.action().isBlank() ? null : GuardAction.fromWireName(row.action())));
            } catch (IllegalArgumentException unknown) {
                errors.put("guards", "guards[" + guards.size() + "]: " + unknown.getMessage());
            }
        }
        return guards;
    }

    /** A duration as people write it for the form ({@code 5m}, {@code 90s}), read back by the API's parser. */
    static String shortDuration(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds > 0 && seconds % 60 == 0 && duration.toNanosPart() == 0) {
            return seconds % 3600 == 0 ? Durations.format(duration) : seconds / 60 + "m";
        }
        return Durations.format(duration);
    }

    private static String describe(String field, String message) {
        return field == null ? message : field + ": " + message;
    }

    private static String text(String value) {
        return value == null ? "" : value;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static URI appUri(String app) {
        return URI.create("/console/apps/" + URLEncoder.encode(app, StandardCharsets.UTF_8));
    }
}
