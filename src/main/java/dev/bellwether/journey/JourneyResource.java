package dev.bellwether.journey;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.bellwether.api.ProblemException;
import dev.bellwether.apps.App;
import dev.bellwether.apps.AppDirectory;
import dev.bellwether.security.Allowed;
import dev.bellwether.security.Role;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** The critical journeys of an app: which replayed mutations belong to which user action (docs/journeys.md). */
@Path("/v1/apps/{app}/journeys")
public class JourneyResource {

    private final AppDirectory apps;
    private final JourneyStore store;
    private final JourneyDirectory directory;
    private final ObjectMapper json;

    public JourneyResource(AppDirectory apps, JourneyStore store, JourneyDirectory directory, ObjectMapper json) {
        this.apps = apps;
        this.store = store;
        this.directory = directory;
        this.json = json;
    }

    /**
     * {@code appliesFrom}: replays ingested from then on map by this definition (on other replicas within seconds);
     * rollups written before keep the journey they were counted under.
     */
    public record JourneyView(String name, List<String> mutations, Criticality criticality, String source,
                              OffsetDateTime appliesFrom) {
        static JourneyView of(Journey journey) {
            return new JourneyView(journey.name(), journey.mutations(), journey.criticality(), journey.source(),
                    journey.updatedAt());
        }
    }

    @GET
    @Allowed(Role.VIEWER)
    @Operation(summary = "The journeys of the app in force, by name",
            description = "A replay whose mutation no journey matches counts as journey 'other', which is not listed.")
    public List<JourneyView> list(@PathParam("app") String appName) {
        App app = apps.requireApp(appName);
        return store.load(app.id).current().stream().map(JourneyView::of).toList();
    }

    @PUT
    @Path("/{name}")
    @Allowed(Role.ADMIN)
    @Operation(summary = "Declare or replace a journey",
            description = "Patterns: an exact mutation name, or a prefix ending in '*' ('order.*'). The most specific "
                    + "pattern wins (an exact name, then the longest prefix); a pattern belongs to one journey only. "
                    + "At most " + JourneySpec.MAX_JOURNEYS_PER_APP + " journeys an app, " + JourneySpec.MAX_PATTERNS
                    + " patterns a journey. The change applies to replays ingested from now on; rollups already "
                    + "written are not rewritten.")
    @APIResponse(responseCode = "200", description = "Replaced",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JourneyView.class)))
    @APIResponse(responseCode = "201", description = "Declared",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JourneyView.class)))
    @APIResponse(responseCode = "409", description = "The app has as many journeys as it may, or another journey has "
            + "one of the patterns; 'field' names which")
    public Response put(@PathParam("app") String appName, @PathParam("name") String name,
            @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = JourneyDocument.class), examples = {
                            @ExampleObject(name = "critical", ref = "journey-critical"),
                            @ExampleObject(name = "normal", ref = "journey-normal")})) JsonNode body) {
        App app = apps.requireApp(appName);
        if (body == null || !body.isObject()) {
            throw ProblemException.badRequest(null, "the body must be a JSON object describing the journey");
        }
        JourneySpec spec;
        JourneyStore.Saved saved;
        try {
            spec = document(body).toSpec(name);
            saved = store.put(app.id, spec, "api").orElseThrow();
        } catch (InvalidJourneyException e) {
            if (e.isConflict()) {
                throw new ProblemException(Response.Status.CONFLICT, e.getMessage(), e.field());
            }
            throw ProblemException.badRequest(e.field(), e.getMessage());
        }
        directory.forget(app.id);
        return Response.status(saved.created() ? Response.Status.CREATED : Response.Status.OK)
                .entity(JourneyView.of(saved.journey())).build();
    }

    @DELETE
    @Path("/{name}")
    @Allowed(Role.ADMIN)
    @Operation(summary = "Remove a journey",
            description = "Its mutations count as 'other' (or another journey's, where one matches) from now on; "
                    + "rollups already written keep its name, and declaring it again continues them.")
    @APIResponse(responseCode = "204", description = "Removed")
    @APIResponse(responseCode = "409", description = "An SLO counts the journey's replays; the problem names the SLOs")
    public Response delete(@PathParam("app") String appName, @PathParam("name") String name) {
        App app = apps.requireApp(appName);
        boolean removed;
        try {
            removed = store.remove(app.id, name);
        } catch (InvalidJourneyException e) {
            throw new ProblemException(Response.Status.CONFLICT, e.getMessage(), e.field());
        }
        if (!removed) {
            throw ProblemException.notFound("app '" + appName + "' has no journey named '" + name + "'");
        }
        directory.forget(app.id);
        return Response.noContent().build();
    }

    /** Strict: an unknown field is more likely a typo than something to ignore. */
    private JourneyDocument document(JsonNode body) {
        try {
            return json.readerFor(JourneyDocument.class).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(body);
        } catch (UnrecognizedPropertyException e) {
            throw ProblemException.badRequest(e.getPropertyName(), "'" + e.getPropertyName()
                    + "' is not a field of a journey: mutations, criticality");
        } catch (JsonMappingException e) {
            String field = e.getPath().isEmpty() ? null : e.getPath().get(0).getFieldName();
            throw ProblemException.badRequest(field, field + " has the wrong type: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ProblemException.badRequest(null, "the journey could not be read: " + e.getMessage());
        }
    }
}
