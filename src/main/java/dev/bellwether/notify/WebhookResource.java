package dev.bellwether.notify;

import dev.bellwether.notify.WebhookService.WebhookView;
import dev.bellwether.security.AccessFilter;
import dev.bellwether.security.Allowed;
import dev.bellwether.security.Caller;
import dev.bellwether.security.Role;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Admin API for an app's webhooks (docs/notifications.md). */
@Path("/v1/apps/{app}/webhooks")
public class WebhookResource {

    private final WebhookService webhooks;

    public WebhookResource(WebhookService webhooks) {
        this.webhooks = webhooks;
    }

    /**
     * @param kind   slack (a Slack-compatible incoming-webhook URL) or json (a generic body signed with HMAC-SHA256)
     * @param events the event types to post (e.g. rollout.killed); left out or empty: all of them
     */
    public record CreateWebhook(String kind, String url, @Schema(nullable = true) List<String> events) {
    }

    /** A new webhook; signingSecret (json kind only) is shown in this answer and never again. */
    public record CreatedWebhook(WebhookView webhook, @Schema(nullable = true) String signingSecret) {
    }

    @POST
    @Allowed(Role.ADMIN)
    @Operation(summary = "A new webhook for the app's rollout events; a json webhook's signing secret is shown only in"
            + " this answer")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "slack",
            value = "{\"kind\": \"slack\", \"url\": \"https://hooks.slack.com/services/T000/B000/XXXX\","
                    + " \"events\": [\"rollout.killed\", \"rollout.rolled_back\"]}")))
    @APIResponse(responseCode = "201", description = "Created",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CreatedWebhook.class)))
    @APIResponse(responseCode = "409", description = "The app has as many webhooks as it may; 'field' is url")
    @APIResponse(responseCode = "503", description = "No encryption key is configured for webhook secrets"
            + " (BELLWETHER_WEBHOOKS_ENCRYPTION_KEY), or the database is unavailable now")
    public Response create(@PathParam("app") String app, @NotNull CreateWebhook request,
            @Context ContainerRequestContext context) {
        Caller caller = (Caller) context.getProperty(AccessFilter.CALLER_PROPERTY);
        WebhookService.Created created = webhooks.create(app, request.kind(), request.url(), request.events(),
                caller.name());
        return Response.created(URI.create("/v1/apps/" + app + "/webhooks/" + created.webhook().id()))
                .entity(new CreatedWebhook(created.webhook(), created.signingSecret())).build();
    }

    @GET
    @Allowed(Role.ADMIN)
    @Operation(summary = "The app's webhooks: URLs masked, signing secrets never shown")
    public List<WebhookView> list(@PathParam("app") String app) {
        return webhooks.list(app);
    }

    @DELETE
    @Path("/{id}")
    @Allowed(Role.ADMIN)
    @Operation(summary = "Delete a webhook and its deliveries not yet made")
    @APIResponse(responseCode = "204", description = "Deleted")
    public Response delete(@PathParam("app") String app, @PathParam("id") long id) {
        webhooks.delete(app, id);
        return Response.noContent().build();
    }
}
