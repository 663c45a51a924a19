package dev.bellwether.console;

import static dev.bellwether.console.ConsoleGate.CONSOLE_PATH;
import static dev.bellwether.console.ConsoleGate.CSRF_FIELD;
import static dev.bellwether.console.ConsoleGate.CSRF_HEADER;
import static dev.bellwether.console.ConsoleGate.SESSION_COOKIE;
import static dev.bellwether.console.ConsoleGate.outcome;
import static dev.bellwether.console.ConsoleGate.page;

import dev.bellwether.api.DomainException;
import dev.bellwether.api.ProblemMappers;
import dev.bellwether.console.ConsoleSessions.ConsoleUser;
import dev.bellwether.platform.PersonText;
import dev.bellwether.rollout.RolloutCommands;
import dev.bellwether.rollout.RolloutResource.Command;
import dev.bellwether.rollout.Trigger;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * A rollout's page (docs/console.md#the-rollout-page): plan and steps, each guard's canary against control, the
 * decision audit, the kill's convergence, and the commands people give, with a live fragment that the page polls.
 */
@Path("/console/rollouts")
@Produces(MediaType.TEXT_HTML)
public class ConsoleRollouts {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance rollout(RolloutPage page, ConsoleUser user, boolean live);

        static native TemplateInstance live(RolloutPage page, ConsoleUser user, boolean live);
    }

    private final ConsoleGate gate;
    private final RolloutPageBuilder pages;
    private final RolloutCommands rollouts;

    public ConsoleRollouts(ConsoleGate gate, RolloutPageBuilder pages, RolloutCommands rollouts) {
        this.gate = gate;
        this.pages = pages;
        this.rollouts = rollouts;
    }

    @GET
    @Path("/{id}")
    public Response rollout(@PathParam("id") long id, @QueryParam("before") String before,
            @CookieParam(SESSION_COOKIE) String sessionId) {
        ConsoleUser user = gate.viewer(sessionId);
        Optional<RolloutPage> page = pages.build(id, decisionId(before), user.caller());
        if (page.isEmpty()) {
            return noRollout(id);
        }
        return page(Response.Status.OK, Templates.rollout(page.get(), user, false));
    }

    /**
     * The parts of the page that change, each swapped into the page by id, when the rollout's version differs from the
     * page's; 204 (htmx swaps nothing) when it does not, after two indexed reads.
     */
    @GET
    @Path("/{id}/live")
    public Response live(@PathParam("id") long id, @QueryParam("version") String version,
            @QueryParam("before") String before, @CookieParam(SESSION_COOKIE) String sessionId) {
        ConsoleUser user = gate.viewer(sessionId);
        Optional<String> current = pages.version(id);
        if (current.isEmpty()) {
            return noRollout(id);
        }
        if (current.get().equals(version)) {
            return Response.noContent().build();
        }
        Optional<RolloutPage> page = pages.build(id, decisionId(before), user.caller());
        return page.isEmpty() ? noRollout(id) : page(Response.Status.OK, Templates.live(page.get(), user, true));
    }

    /**
     * A person's command on a rollout, through the same service call and role rule as the API's. {@code back} says
     * which page the form was on ({@code rollout} or the overview): a name, never an address, so no open redirect.
     */
    @POST
    @Path("/{id}/{command}")
    public Response command(@PathParam("id") long id, @PathParam("command") String command,
            @FormParam("reason") String reason, @FormParam("confirm") String confirm, @FormParam("back") String back,
            @CookieParam(SESSION_COOKIE) String sessionId, @FormParam(CSRF_FIELD) String formCsrf,
            @HeaderParam(CSRF_HEADER) String headerCsrf, @HeaderParam("Sec-Fetch-Site") String fetchSite) {
        ConsoleUser user = gate.actor(sessionId, formCsrf, headerCsrf, fetchSite);
        Trigger trigger = humanTrigger(command);
        if (trigger == null) {
            return outcome(Response.Status.NOT_FOUND, "No such command",
                    "command: one of start, pause, resume, promote, rollback, kill.", true);
        }
        if (!trigger.allows(user.caller().role())) {
            return outcome(Response.Status.FORBIDDEN, "Not allowed",
                    "Role " + user.caller().role().wireName() + " may not " + trigger.wireName() + " a rollout.", true);
        }
        if (reason == null || reason.isBlank()) {
            return outcome(Response.Status.BAD_REQUEST, "Reason required", "reason: say why.", true);
        }
        if (reason.length() > Command.MAX_REASON_LENGTH) {
            return outcome(Response.Status.BAD_REQUEST, "Reason too long",
                    "reason: at most " + Command.MAX_REASON_LENGTH + " characters.", true);
        }
        if (PersonText.firstControlCharacter(reason) >= 0) {
            return outcome(Response.Status.BAD_REQUEST, "Reason refused",
                    "reason: must not contain control characters other than tabs and line breaks.", true);
        }
        if (!"yes".equals(confirm)) {
            return outcome(Response.Status.BAD_REQUEST, "Confirmation required",
                    "confirm: tick the box to confirm the " + trigger.wireName() + ".", true);
        }
        try {
            rollouts.command(id, trigger, reason.strip(), user.caller().name());
        } catch (DomainException refused) {
            // the API's answer, with its status (409 for a state that refuses the command, 404 for no rollout)
            Response page = page(ProblemMappers.status(refused.kind()).getStatusCode(),
                    ConsoleResource.Templates.outcome("Not done", refused.getMessage(), true));
            return refused.retryAfterSeconds().isEmpty() ? page
                    : Response.fromResponse(page).header("Retry-After", refused.retryAfterSeconds().getAsLong()).build();
        }
        return Response.seeOther(URI.create("rollout".equals(back) ? pathOf(id) : CONSOLE_PATH)).build();
    }

    static String pathOf(long id) {
        return "/console/rollouts/" + id;
    }

    private static Response noRollout(long id) {
        return outcome(Response.Status.NOT_FOUND, "No such rollout", "There is no rollout " + id + ".", true);
    }

    /** The audit's paging point; a value that is not a decision id is a 400 naming the parameter. */
    private static Long decisionId(String before) {
        if (before == null || before.isEmpty()) {
            return null;
        }
        try {
            long id = Long.parseLong(before);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException notANumber) {
            // answered below
        }
        throw new ConsoleRefusal(outcome(Response.Status.BAD_REQUEST, "Bad page of decisions",
                "before: a decision id (a whole number above 0).", true));
    }

    private static Trigger humanTrigger(String command) {
        try {
            Trigger trigger = Trigger.valueOf(command.toUpperCase(Locale.ROOT));
            return trigger.human() ? trigger : null;
        } catch (IllegalArgumentException unknown) {
            return null;
        }
    }
}
