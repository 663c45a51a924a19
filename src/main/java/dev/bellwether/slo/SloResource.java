package dev.bellwether.slo;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellwether.api.ProblemException;
import dev.bellwether.apps.App;
import dev.bellwether.apps.AppDirectory;
import dev.bellwether.journey.AppJourneys;
import dev.bellwether.journey.Criticality;
import dev.bellwether.journey.Journey;
import dev.bellwether.journey.JourneyStore;
import dev.bellwether.security.Allowed;
import dev.bellwether.security.Role;
import dev.bellwether.telemetry.Durations;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** SLOs of an app, with the state, burn rates and error budget of their last evaluation. */
@Path("/v1/apps/{app}/slos")
public class SloResource {

    private static final int TRANSITIONS_SHOWN = 20;

    private final AppDirectory apps;
    private final SloRegistry slos;
    private final JourneyStore journeys;
    private final ObjectMapper json;

    public SloResource(AppDirectory apps, SloRegistry slos, JourneyStore journeys, ObjectMapper json) {
        this.apps = apps;
        this.slos = slos;
        this.journeys = journeys;
        this.json = json;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SloView(String name, Sli sli, String journey, double objective, String period, Double thresholdMs,
                          Double threshold, Long minEvents, AlertSeverity severity, AlertSeverity fastBurnSeverity,
                          String source, SloState state, String reason, OffsetDateTime stateSince,
                          OffsetDateTime evaluatedAt, Map<String, Double> burnRates, Double errorBudgetRemaining,
                          GoodValid events, Map<String, GoodValid> windows, List<TransitionView> transitions) {
    }

    public record TransitionView(OffsetDateTime at, SloState from, SloState to, String reason) {
    }

    @GET
    @Allowed(Role.VIEWER)
    @Operation(summary = "Every SLO of the app with its last evaluation")
    public List<SloView> list(@PathParam("app") String appName) {
        App app = apps.requireApp(appName);
        AppJourneys appJourneys = journeys.load(app.id);
        return SloDefinition.ofApp(app).stream().map(slo -> view(slo, appJourneys)).toList();
    }

    /**
     * Every app's SLOs as {@link #list} shows them but without their transitions, by app name, each app's in name
     * order: one read for all apps, for the console's overview, which shows states and burn rates but no history.
     */
    public Map<String, List<SloView>> everyAppWithoutTransitions() {
        Map<String, List<SloView>> byApp = new HashMap<>();
        Map<Long, AppJourneys> journeysByApp = new HashMap<>();
        for (SloDefinition slo : SloDefinition.<SloDefinition>list("from SloDefinition s join fetch s.app order by s.name")) {
            AppJourneys appJourneys = journeysByApp.computeIfAbsent(slo.app.id, journeys::load);
            byApp.computeIfAbsent(slo.app.name, name -> new ArrayList<>()).add(view(slo, appJourneys, List.of()));
        }
        return byApp;
    }

    @GET
    @Path("/{name}")
    @Allowed(Role.VIEWER)
    public SloView get(@PathParam("app") String appName, @PathParam("name") String name) {
        SloDefinition slo = require(appName, name);
        return view(slo, journeys.load(slo.app.id));
    }

    @PUT
    @Path("/{name}")
    @Allowed(Role.ADMIN)
    @Operation(summary = "Create or replace an SLO",
            description = "{\"sli\": \"replay_success_ratio\", \"objective\": 0.995, \"period\": \"30d\", \"minEvents\": 100} or, "
                    + "for a threshold SLI, {\"sli\": \"sync_latency\", \"thresholdMs\": 5000, \"objective\": 0.95}. A replay SLI "
                    + "may count one journey's replays alone: {\"sli\": \"replay_success_ratio\", \"journey\": \"checkout\", "
                    + "\"objective\": 0.9999} (a declared journey or 'other'; a journey an SLO counts cannot be removed). A fast "
                    + "burn pages for an app-wide SLO and a critical journey's, and tickets for other journeys', unless "
                    + "'severity' (page or ticket) says otherwise.")
    @APIResponse(responseCode = "200", description = "Replaced",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SloView.class)))
    @APIResponse(responseCode = "201", description = "Created",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SloView.class)))
    @APIResponse(responseCode = "409", description = "A concurrent request created it first")
    public Response put(@PathParam("app") String appName, @PathParam("name") String name,
            @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = SloCatalogFile.SloDocument.class), examples = {
                            @ExampleObject(name = "ratio", ref = "slo-ratio"),
                            @ExampleObject(name = "threshold", ref = "slo-threshold")})) JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ProblemException.badRequest(null, "the body must be a JSON object describing the SLO");
        }
        SloCatalogFile.SloDocument document = document(body);
        boolean existed = SloDefinition.find(apps.requireApp(appName), name).isPresent();
        SloDefinition saved;
        try {
            saved = slos.put(appName, document.toSpec(name));
        } catch (InvalidSloException e) {
            throw ProblemException.badRequest(e.field(), e.getMessage());
        }
        return Response.status(existed ? Response.Status.OK : Response.Status.CREATED)
                .entity(view(saved, journeys.load(saved.app.id))).build();
    }

    @DELETE
    @Path("/{name}")
    @Allowed(Role.ADMIN)
    @Operation(summary = "Remove an SLO")
    @APIResponse(responseCode = "204", description = "Removed")
    public Response delete(@PathParam("app") String appName, @PathParam("name") String name) {
        if (!slos.delete(appName, name)) {
            throw ProblemException.notFound("app '" + appName + "' has no SLO named '" + name + "'");
        }
        return Response.noContent().build();
    }

    /** Strict: an unknown field is more likely a typo of a threshold than something to ignore. */
    private SloCatalogFile.SloDocument document(JsonNode body) {
        try {
            return json.readerFor(SloCatalogFile.SloDocument.class)
                    .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(body);
        } catch (UnrecognizedPropertyException e) {
            throw ProblemException.badRequest(e.getPropertyName(), "'" + e.getPropertyName()
                    + "' is not a field of an SLO: sli, journey, objective, period, thresholdMs, threshold, minEvents, severity");
        } catch (JsonMappingException e) {
            String field = e.getPath().isEmpty() ? null : e.getPath().get(0).getFieldName();
            Throwable cause = e.getCause();
            throw ProblemException.badRequest(field, cause instanceof IllegalArgumentException ? cause.getMessage()
                    : field + " has the wrong type: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ProblemException.badRequest(null, "the SLO could not be read: " + e.getMessage());
        }
    }

    private SloDefinition require(String appName, String name) {
        return SloDefinition.find(apps.requireApp(appName), name)
                .orElseThrow(() -> ProblemException.notFound("app '" + appName + "' has no SLO named '" + name + "'"));
    }

    private SloView view(SloDefinition slo, AppJourneys appJourneys) {
        return view(slo, appJourneys, SloTransition.latest(slo.id, TRANSITIONS_SHOWN).stream()
                .map(t -> new TransitionView(t.at, t.fromState == null ? null : SloState.valueOf(t.fromState),
                        SloState.valueOf(t.toState), t.reason))
                .toList());
    }

    private SloView view(SloDefinition slo, AppJourneys appJourneys, List<TransitionView> transitions) {
        SloSpec spec = slo.spec();
        Evidence evidence = null;
        if (slo.verdict != null) {
            try {
                evidence = json.readValue(slo.verdict, Evidence.class);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("stored verdict of SLO " + slo.id + " is unreadable", e);
            }
        }
        boolean millis = spec.sli().thresholdUnit() == Sli.Unit.MILLISECONDS;
        Criticality criticality = spec.journey() == null ? null : appJourneys.named(spec.journey())
                .filter(journey -> !journey.removed()).map(Journey::criticality).orElse(null);
        return new SloView(spec.name(), spec.sli(), spec.journey(), spec.objective(), Durations.format(spec.period()),
                millis ? spec.threshold() : null, millis ? null : spec.threshold(), spec.minEvents(), spec.severity(),
                AlertSeverity.ofFastBurn(spec.severity(), spec.journey(), criticality), slo.source.name(),
                slo.state == null ? null : SloState.valueOf(slo.state), slo.reason, slo.stateSince, slo.evaluatedAt,
                evidence == null ? null : evidence.burnRates(), evidence == null ? null : evidence.errorBudgetRemaining(),
                evidence == null ? null : evidence.period(), evidence == null ? null : evidence.windows(), transitions);
    }

}
