package dev.bellwether.console;

import static dev.bellwether.console.ConsoleGate.CSRF_FIELD;
import static dev.bellwether.console.ConsoleGate.CSRF_HEADER;
import static dev.bellwether.console.ConsoleGate.SESSION_COOKIE;
import static dev.bellwether.console.ConsoleGate.outcome;
import static dev.bellwether.console.ConsoleGate.page;

import dev.bellwether.api.ProblemException;
import dev.bellwether.console.ConsoleSessions.ConsoleUser;
import dev.bellwether.notify.EventType;
import dev.bellwether.notify.WebhookService;
import dev.bellwether.security.Role;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * An app's webhooks in the console (docs/notifications.md): listed for every signed-in person, created and deleted
 * by admins only, through the same service and checks as the API.
 */
@Path("/console/apps/{app}/webhooks")
@Produces(MediaType.TEXT_HTML)
public class ConsoleWebhooks {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance list(String app, List<WebhookService.WebhookView> webhooks, boolean admin,
                List<String> kinds, List<String> eventTypes, ConsoleUser user);

        static native TemplateInstance created(String app, WebhookService.WebhookView webhook, String signingSecret,
                ConsoleUser user);
    }

    private final ConsoleGate gate;
    private final WebhookService webhooks;

    public ConsoleWebhooks(ConsoleGate gate, WebhookService webhooks) {
        this.gate = gate;
        this.webhooks = webhooks;
    }

    @GET
    public Response list(@PathParam("app") String app, @CookieParam(SESSION_COOKIE) String sessionId) {
        ConsoleUser user = gate.viewer(sessionId);
        try {
            return page(Response.Status.OK, Templates.list(app, webhooks.list(app),
                    user.caller().role() == Role.ADMIN, WebhookService.KINDS, EventType.wireNames(), user));
        } catch (ProblemException refused) {
            return refusal(refused);
        }
    }

    @POST
    public Response create(@PathParam("app") String app, @FormParam("kind") String kind, @FormParam("url") String url,
            @FormParam("events") List<String> events, @CookieParam(SESSION_COOKIE) String sessionId,
            @FormParam(CSRF_FIELD) String formCsrf, @HeaderParam(CSRF_HEADER) String headerCsrf,
            @HeaderParam("Sec-Fetch-Site") String fetchSite) {
        ConsoleUser user = gate.actor(sessionId, formCsrf, headerCsrf, fetchSite);
        if (user.caller().role() != Role.ADMIN) {
            return notAdmin(user);
        }
        try {
            WebhookService.Created created = webhooks.create(app, kind, url == null ? null : url.strip(), events,
                    user.caller().name());
            return page(Response.Status.CREATED, Templates.created(app, created.webhook(), created.signingSecret(), user));
        } catch (ProblemException refused) {
            return refusal(refused);
        }
    }

    @POST
    @Path("/{id}/delete")
    public Response delete(@PathParam("app") String app, @PathParam("id") long id, @FormParam("confirm") String confirm,
            @CookieParam(SESSION_COOKIE) String sessionId, @FormParam(CSRF_FIELD) String formCsrf,
            @HeaderParam(CSRF_HEADER) String headerCsrf, @HeaderParam("Sec-Fetch-Site") String fetchSite) {
        ConsoleUser user = gate.actor(sessionId, formCsrf, headerCsrf, fetchSite);
        if (user.caller().role() != Role.ADMIN) {
            return notAdmin(user);
        }
        if (!"yes".equals(confirm)) {
            return outcome(Response.Status.BAD_REQUEST, "Confirmation required",
                    "confirm: tick the box to confirm deleting webhook " + id + ".", true);
        }
        try {
            webhooks.delete(app, id);
        } catch (ProblemException refused) {
            return refusal(refused);
        }
        return outcome(Response.Status.OK, "Webhook deleted",
                "Webhook " + id + " of " + app + " is deleted; its deliveries not yet made are dropped.", true);
    }

    private static Response notAdmin(ConsoleUser user) {
        return outcome(Response.Status.FORBIDDEN, "Not allowed",
                "Role " + user.caller().role().wireName() + " may not change webhooks; an admin may.", true);
    }

    /** The API's refusal (its status, its message naming the field) as a console page. */
    private static Response refusal(ProblemException refused) {
        return page(refused.toResponse().getStatus(),
                ConsoleResource.Templates.outcome("Not done", refused.getMessage(), true));
    }
}
