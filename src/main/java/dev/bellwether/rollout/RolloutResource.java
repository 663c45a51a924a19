package dev.bellwether.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bellwether.api.ProblemException;
import dev.bellwether.apps.AppDirectory;
import dev.bellwether.journey.AppJourneys;
import dev.bellwether.journey.Criticality;
import dev.bellwether.journey.Journey;
import dev.bellwether.journey.JourneySpec;
import dev.bellwether.journey.JourneyStore;
import dev.bellwether.judge.Guard;
import dev.bellwether.judge.Verdict;
import dev.bellwether.slo.Sli;
import dev.bellwether.security.AccessFilter;
import dev.bellwether.security.Allowed;
import dev.bellwether.security.Caller;
import dev.bellwether.security.Role;
import dev.bellwether.telemetry.Durations;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.annotations.Operation;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Rollouts: create, read, and command them; every command needs a reason and is kept in the audit trail. */
@Path("/v1/rollouts")
public class RolloutResource {

    private final RolloutCommands rollouts;
    private final RolloutConvergence convergence;
    private final RolloutDefaults defaults;
    private final AppDirectory apps;
    private final JourneyStore journeys;

    public RolloutResource(RolloutCommands rollouts, RolloutConvergence convergence, RolloutDefaults defaults,
            AppDirectory apps, JourneyStore journeys) {
        this.rollouts = rollouts;
        this.convergence = convergence;
        this.defaults = defaults;
        this.apps = apps;
        this.journeys = journeys;
    }

    public record CreateRollout(
            @NotBlank String app,
            @NotBlank @Pattern(regexp = "^[A-Za-z0-9._~-]{1,100}$", message = "must be an Unleash flag name") String flag,
            @Pattern(regexp = "^[A-Za-z0-9._~-]{1,100}$", message = "must be an Unleash project id") String project,
            @Pattern(regexp = "^[A-Za-z0-9._~-]{1,100}$", message = "must be an Unleash environment name") String environment,
            @Size(min = 1, max = 20) List<@NotNull Integer> steps,
            String bake,
            @PositiveOrZero Long minSamplePerCohort,
            @NotEmpty @Size(max = 10) List<@NotNull GuardSpec> guards,
            @Schema(nullable = true, description = "false: no default guard on the app's critical journeys (by default "
                    + "each critical journey gets one, unless a listed guard has the same indicator and journey)")
            Boolean criticalJourneyGuards,
            Boolean dryRun) {
    }

    public record Command(@NotBlank(message = "is required: say why") @Size(max = Command.MAX_REASON_LENGTH) String reason) {
        public static final int MAX_REASON_LENGTH = 1000;
    }

    public record RolloutView(long id, String app, String project, String environment, String flag, List<Integer> steps,
                              String bake, long minSamplePerCohort, List<GuardSpec> guards, boolean dryRun,
                              RolloutState state, int step, @Schema(nullable = true) Integer percentage,
                              @Schema(nullable = true) OffsetDateTime stepStartedAt,
                              @Schema(nullable = true) Actuation pendingActuation, @Schema(nullable = true) Verdict verdict,
                              String createdBy, OffsetDateTime createdAt,
                              OffsetDateTime updatedAt) {
    }

    public record DecisionView(long id, OffsetDateTime at, String actor, String trigger, String reason, String fromState,
                               int fromStep, String toState, int toStep, Actuation actuation,
                               @Schema(nullable = true, description = "What the decision rested on: the verdict, or the SLO's state")
                               JsonNode evidence, @Schema(nullable = true) String answer,
                               boolean dryRun) {
    }

    @POST
    @Allowed(Role.RELEASE_MANAGER)
    @Operation(summary = "Create a rollout (DRAFT) for an Unleash flag; start it with POST /v1/rollouts/{id}/start")
    @APIResponse(responseCode = "201", description = "Created, in state DRAFT",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RolloutView.class)))
    @APIResponse(responseCode = "409", description = "The flag already has an unfinished rollout; 'field' is flag")
    @APIResponse(responseCode = "422", description = "Unleash has no such flag, or no Unleash is configured")
    public Response create(@Valid @NotNull @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = CreateRollout.class),
            examples = @ExampleObject(name = "rollout", ref = "rollout"))) CreateRollout request, @Context ContainerRequestContext context) {
        Rollout rollout = createRollout(request, caller(context).name());
        return Response.created(URI.create("/v1/rollouts/" + rollout.id)).entity(view(rollout)).build();
    }

    /**
     * The checks of a rollout's plan beyond Bean Validation (which the caller has run on {@code request}), then the
     * rollout in DRAFT. The console's create form comes through here too, so both refuse the same plans with the same
     * field: a {@link ProblemException} or a {@link dev.bellwether.api.DomainException}.
     */
    public Rollout createRollout(CreateRollout request, String actor) {
        List<Integer> steps = request.steps() == null ? defaults.steps() : request.steps();
        for (int i = 0; i < steps.size(); i++) {
            int percentage = steps.get(i);
            if (percentage < 1 || percentage > 100 || (i > 0 && percentage <= steps.get(i - 1))) {
                throw ProblemException.badRequest("steps[" + i + "]",
                        "steps are percentages from 1 to 100 in increasing order, got " + steps);
            }
        }
        Duration bake;
        try {
            bake = request.bake() == null ? defaults.bake() : Durations.parse(request.bake());
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("bake", e.getMessage());
        }
        if (bake.isNegative()) {
            throw ProblemException.badRequest("bake", "must not be negative");
        }
        List<GuardSpec> guards = guards(request);
        FlagRef flag = new FlagRef(request.project() == null ? defaults.project() : request.project(),
                request.environment() == null ? defaults.environment() : request.environment(), request.flag());
        return rollouts.create(request.app(), flag, steps, bake,
                request.minSamplePerCohort() == null ? defaults.minSamplePerCohort() : request.minSamplePerCohort(), guards,
                Boolean.TRUE.equals(request.dryRun()), actor);
    }

    /**
     * The request's guards, checked (a journey only on a replay indicator, and one the app has), then a guard on each
     * of the app's critical journeys that the request does not guard on the default indicator already.
     */
    private List<GuardSpec> guards(CreateRollout request) {
        AppJourneys appJourneys = null;
        var seen = new HashSet<>();
        for (int i = 0; i < request.guards().size(); i++) {
            GuardSpec guard = request.guards().get(i);
            if (guard.sli() == null || guard.action() == null) {
                throw ProblemException.badRequest("guards[" + i + "]", "a guard needs an sli and an action (kill, rollback, freeze)");
            }
            if (guard.journey() != null) {
                if (!GuardSpec.JOURNEY_INDICATORS.contains(guard.sli())) {
                    throw ProblemException.badRequest("guards[" + i + "].journey", "only replay indicators ("
                            + GuardSpec.JOURNEY_INDICATORS.stream().map(Sli::wireName).collect(Collectors.joining(", "))
                            + ") take a journey: " + guard.sli().wireName() + " is not read from replays");
                }
                if (appJourneys == null) {
                    appJourneys = journeys.load(apps.requireApp(request.app()).id);
                }
                if (!JourneySpec.OTHER.equals(guard.journey()) && appJourneys.current().stream()
                        .noneMatch(j -> j.name().equals(guard.journey()))) {
                    List<String> names = new ArrayList<>(appJourneys.current().stream().map(Journey::name).toList());
                    names.add(JourneySpec.OTHER);
                    throw ProblemException.badRequest("guards[" + i + "].journey", "app '" + request.app()
                            + "' has no journey named '" + guard.journey() + "'; its journeys: " + String.join(", ", names));
                }
            }
            if (!seen.add(Guard.label(guard.sli().wireName(), guard.journey()))) {
                throw ProblemException.badRequest("guards[" + i + "]", "two guards on "
                        + Guard.label(guard.sli().wireName(), guard.journey()));
            }
        }
        if (appJourneys == null) {
            appJourneys = journeys.load(apps.requireApp(request.app()).id);
        }
        List<String> critical = appJourneys.current().stream().filter(j -> j.criticality() == Criticality.CRITICAL)
                .map(Journey::name).sorted().toList();
        return CriticalJourneyGuards.withDefaults(request.guards(), critical, defaults.criticalJourneyIndicator(),
                defaults.criticalJourneyAction(), !Boolean.FALSE.equals(request.criticalJourneyGuards()));
    }

    @GET
    @Allowed(Role.VIEWER)
    public List<RolloutView> list(@QueryParam("app") String app) {
        List<Rollout> found = app == null ? Rollout.list("order by id desc") : Rollout.list("app.name = ?1 order by id desc", app);
        return found.stream().map(this::view).toList();
    }

    /** The unfinished rollouts, newest first, as {@link #list} shows them: what the console's overview lists. */
    public List<RolloutView> unfinished() {
        List<RolloutState> finished = Arrays.stream(RolloutState.values()).filter(RolloutState::finished).toList();
        return Rollout.<Rollout>list("from Rollout r join fetch r.app where r.state not in ?1 order by r.id desc", finished)
                .stream().map(this::view).toList();
    }

    @GET
    @Path("/{id}")
    @Allowed(Role.VIEWER)
    public RolloutView get(@PathParam("id") long id) {
        Rollout rollout = Rollout.findById(id);
        if (rollout == null) {
            throw RolloutException.noRollout(id);
        }
        return view(rollout);
    }

    @GET
    @Path("/{id}/decisions")
    @Allowed(Role.VIEWER)
    @Operation(summary = "The audit trail: every transition with actor, reason, evidence and Unleash's answer")
    public List<DecisionView> decisions(@PathParam("id") long id) {
        get(id);
        return RolloutDecision.of(id).stream().map(d -> new DecisionView(d.id, d.at, d.actor, d.trigger, d.reason, d.fromState,
                d.fromStep, d.toState, d.toStep, d.actuation, d.evidence, d.answer, d.dryRun)).toList();
    }

    @GET
    @Path("/{id}/convergence")
    @Allowed(Role.VIEWER)
    @Operation(summary = "After a kill: per minute, active clients and the share still reporting the flag on",
            description = "activeMinutes (default 5): a client is active in a minute if a beacon arrived in the minutes before it")
    public Convergence convergence(@PathParam("id") long id, @QueryParam("activeMinutes") String activeMinutes) {
        // read as text: a query parameter that does not convert would otherwise be a 404
        int window = Convergence.DEFAULT_ACTIVE_WINDOW_MINUTES;
        if (activeMinutes != null) {
            try {
                window = Integer.parseInt(activeMinutes);
            } catch (NumberFormatException e) {
                window = 0;
            }
        }
        if (window < 1 || window > 1440) {
            throw ProblemException.badRequest("activeMinutes", "activeMinutes must be a whole number from 1 to 1440, got "
                    + activeMinutes);
        }
        return convergence.of(id, window);
    }

    @POST
    @Path("/{id}/{command}")
    @Allowed({Role.RELEASE_MANAGER, Role.ON_CALL})
    @Operation(summary = "start | pause | resume | promote | rollback | kill, with {\"reason\": \"...\"}",
            description = "on-call may pause and kill only; release-manager all but kill.")
    @APIResponse(responseCode = "200", description = "The rollout after the command",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RolloutView.class)))
    @APIResponse(responseCode = "409", description = "The command does not apply in the rollout's state")
    @APIResponse(responseCode = "422", description = "Unleash refused the change")
    public RolloutView command(@PathParam("id") long id, @PathParam("command") String command, @Valid @NotNull Command body,
            @Context ContainerRequestContext context) {
        Trigger trigger;
        try {
            trigger = Trigger.valueOf(command.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            trigger = null;
        }
        if (trigger == null || !trigger.human()) {
            throw ProblemException.notFound("no command '" + command + "'; one of start, pause, resume, promote, rollback, kill");
        }
        Caller caller = caller(context);
        if (!trigger.allows(caller.role())) {
            throw new ProblemException(Response.Status.FORBIDDEN, "role " + caller.role().wireName() + " may not " + command);
        }
        return view(rollouts.command(id, trigger, body.reason(), caller.name()));
    }

    private RolloutView view(Rollout rollout) {
        return new RolloutView(rollout.id, rollout.app.name, rollout.project, rollout.environment, rollout.flag,
                rollout.stepList(), Duration.ofSeconds(rollout.bakeSeconds).toString(), rollout.minSamplePerCohort,
                rollout.guards, rollout.dryRun, rollout.state, rollout.step,
                RolloutMachine.expectedPercentage(rollout.position(), rollout.stepList()), rollout.stepStartedAt,
                rollout.pendingActuation, rollout.verdict, rollout.createdBy, rollout.createdAt, rollout.updatedAt);
    }

    private static Caller caller(ContainerRequestContext context) {
        return (Caller) context.getProperty(AccessFilter.CALLER_PROPERTY);
    }
}
