package dev.bellwether.console;

import dev.bellwether.api.DomainException;
import dev.bellwether.api.ProblemMappers;
import static dev.bellwether.console.ConsoleGate.CONSOLE_PATH;
import static dev.bellwether.console.ConsoleGate.CSRF_FIELD;
import static dev.bellwether.console.ConsoleGate.CSRF_HEADER;
import static dev.bellwether.console.ConsoleGate.SESSION_COOKIE;
import static dev.bellwether.console.ConsoleGate.SIGN_IN_PATH;
import static dev.bellwether.console.ConsoleGate.crossSite;
import static dev.bellwether.console.ConsoleGate.outcome;
import static dev.bellwether.console.ConsoleGate.page;

import dev.bellwether.console.ConsoleSessions.ConsoleUser;
import dev.bellwether.platform.PersonText;
import dev.bellwether.rollout.RolloutCommands;
import dev.bellwether.rollout.RolloutResource.Command;
import dev.bellwether.rollout.Trigger;
import dev.bellwether.security.Secrets;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The web console's pages (docs/console.md): sign-in with an API token, the overview, and rollout commands. Every
 * state-changing request needs the session's CSRF token, and roles are checked here as the API checks them.
 */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
public class ConsoleResource {

    /** Ties the sign-in form to the browser that loaded it, so that another site cannot sign a person in as itself. */
    static final String SIGN_IN_COOKIE = "bw_sign_in";

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance overview(Overview overview, ConsoleUser user);

        static native TemplateInstance signIn(String error, String formToken);

        static native TemplateInstance outcome(String title, String detail, boolean signedIn);
    }

    private final ConsoleSessions sessions;
    private final SignInThrottle throttle;
    private final OverviewBuilder overviews;
    private final RolloutCommands rollouts;
    private final ConsoleGate gate;

    public ConsoleResource(ConsoleSessions sessions, SignInThrottle throttle, OverviewBuilder overviews,
            RolloutCommands rollouts, ConsoleGate gate) {
        this.gate = gate;
        this.sessions = sessions;
        this.throttle = throttle;
        this.overviews = overviews;
        this.rollouts = rollouts;
    }

    @GET
    public Response overview(@CookieParam(SESSION_COOKIE) String sessionId) {
        ConsoleUser user = gate.viewer(sessionId);
        return page(Response.Status.OK, Templates.overview(overviews.build(user.caller()), user));
    }

    @GET
    @Path("/sign-in")
    public Response signInForm(@CookieParam(SESSION_COOKIE) String sessionId, @Context UriInfo uri) {
        if (sessions.resolve(sessionId).isPresent()) {
            return Response.seeOther(URI.create(CONSOLE_PATH)).build();
        }
        return signInPage(Response.Status.OK, null, uri);
    }

    @POST
    @Path("/sign-in")
    public Response signIn(@FormParam("token") String token, @FormParam(CSRF_FIELD) String formToken,
            @CookieParam(SIGN_IN_COOKIE) String formCookie, @HeaderParam("Sec-Fetch-Site") String fetchSite,
            @Context UriInfo uri, @Context HttpServerRequest request) {
        if (crossSite(fetchSite) || formToken == null || formCookie == null || !constantTimeEquals(formToken, formCookie)) {
            return outcome(Response.Status.FORBIDDEN, "Sign-in refused",
                    "This sign-in form was not loaded from this console in this browser; load the sign-in page and try again.",
                    false);
        }
        if (token == null || token.isBlank()) {
            return signInPage(Response.Status.BAD_REQUEST, "token: enter an API token.", uri);
        }
        String address = request.remoteAddress() == null ? "" : request.remoteAddress().hostAddress();
        Optional<Duration> wait = throttle.take(address);
        if (wait.isPresent()) {
            long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
            return Response.fromResponse(signInPage(Response.Status.TOO_MANY_REQUESTS,
                    "Too many failed sign-ins; try again in " + seconds + " s.", uri))
                    .header("Retry-After", String.valueOf(seconds)).build();
        }
        Optional<ConsoleSessions.SignedIn> signedIn = sessions.signIn(token.trim());
        if (signedIn.isEmpty()) {
            return signInPage(Response.Status.UNAUTHORIZED, "token: this token is unknown or revoked.", uri);
        }
        throttle.succeeded(address);
        return Response.seeOther(URI.create(CONSOLE_PATH))
                .cookie(cookie(SESSION_COOKIE, signedIn.get().sessionId(), CONSOLE_PATH,
                        sessions.lifetime().cookieMaxAgeSeconds(), uri),
                        cookie(SIGN_IN_COOKIE, "", SIGN_IN_PATH, 0, uri))
                .build();
    }

    @POST
    @Path("/sign-out")
    public Response signOut(@CookieParam(SESSION_COOKIE) String sessionId, @FormParam(CSRF_FIELD) String formCsrf,
            @HeaderParam(CSRF_HEADER) String headerCsrf, @HeaderParam("Sec-Fetch-Site") String fetchSite,
            @Context UriInfo uri) {
        gate.actor(sessionId, formCsrf, headerCsrf, fetchSite);
        sessions.signOut(sessionId);
        return Response.seeOther(URI.create(SIGN_IN_PATH))
                .cookie(cookie(SESSION_COOKIE, "", CONSOLE_PATH, 0, uri)).build();
    }

    /** A person's command on a rollout, through the same service call and role rule as the API's. */
    @POST
    @Path("/rollouts/{id}/{command}")
    public Response command(@PathParam("id") long id, @PathParam("command") String command,
            @FormParam("reason") String reason, @FormParam("confirm") String confirm,
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
                    Templates.outcome("Not done", refused.getMessage(), true));
            return refused.retryAfterSeconds().isEmpty() ? page
                    : Response.fromResponse(page).header("Retry-After", refused.retryAfterSeconds().getAsLong()).build();
        }
        return Response.seeOther(URI.create(CONSOLE_PATH)).build();
    }

    private static Trigger humanTrigger(String command) {
        try {
            Trigger trigger = Trigger.valueOf(command.toUpperCase(Locale.ROOT));
            return trigger.human() ? trigger : null;
        } catch (IllegalArgumentException unknown) {
            return null;
        }
    }

    private static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /** The sign-in form, with a fresh form token in its page and in its cookie; {@code error} may be null. */
    private static Response signInPage(Response.Status status, String error, UriInfo uri) {
        String formToken = Secrets.generate("");
        return Response.fromResponse(page(status, Templates.signIn(error, formToken)))
                .cookie(cookie(SIGN_IN_COOKIE, formToken, SIGN_IN_PATH, -1, uri)).build();
    }

    /**
     * HttpOnly and SameSite=Strict always; Secure when the request came over https as Quarkus sees it (behind a
     * proxy, with its forwarded headers trusted: docs/console.md).
     */
    private static NewCookie cookie(String name, String value, String path, long maxAgeSeconds, UriInfo uri) {
        return new NewCookie.Builder(name).value(value).path(path).httpOnly(true)
                .secure("https".equalsIgnoreCase(uri.getRequestUri().getScheme()))
                .sameSite(NewCookie.SameSite.STRICT).maxAge((int) Math.min(Integer.MAX_VALUE, maxAgeSeconds)).build();
    }
}
