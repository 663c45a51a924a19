package dev.bellwether.console;

import static dev.bellwether.console.ConsoleGate.CONSOLE_PATH;
import static dev.bellwether.console.ConsoleGate.CSRF_FIELD;
import static dev.bellwether.console.ConsoleGate.CSRF_HEADER;
import static dev.bellwether.console.ConsoleGate.SESSION_COOKIE;
import static dev.bellwether.console.ConsoleGate.SIGN_IN_PATH;
import static dev.bellwether.console.ConsoleGate.crossSite;
import static dev.bellwether.console.ConsoleGate.outcome;
import static dev.bellwether.console.ConsoleGate.page;

import dev.bellwether.console.ConsoleSessions.ConsoleUser;
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
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;

/**
 * The web console's pages (docs/console.md): sign-in with an API token, and the overview with its live fragment (a
 * rollout's page and its commands: {@link ConsoleRollouts}). Every state-changing request needs the session's CSRF
 * token.
 */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
public class ConsoleResource {

    /** Ties the sign-in form to the browser that loaded it, so that another site cannot sign a person in as itself. */
    static final String SIGN_IN_COOKIE = "bw_sign_in";

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance overview(Overview overview, ConsoleUser user, boolean live, String version);

        static native TemplateInstance overviewLive(Overview overview, ConsoleUser user, boolean live, String version);

        static native TemplateInstance signIn(String error, String formToken);

        static native TemplateInstance outcome(String title, String detail, boolean signedIn);
    }

    private final ConsoleSessions sessions;
    private final SignInThrottle throttle;
    private final OverviewBuilder overviews;
    private final ConsoleGate gate;

    public ConsoleResource(ConsoleSessions sessions, SignInThrottle throttle, OverviewBuilder overviews,
            ConsoleGate gate) {
        this.gate = gate;
        this.sessions = sessions;
        this.throttle = throttle;
        this.overviews = overviews;
    }

    @GET
    public Response overview(@CookieParam(SESSION_COOKIE) String sessionId) {
        ConsoleUser user = gate.viewer(sessionId);
        String version = overviews.version();
        return page(Response.Status.OK, Templates.overview(overviews.build(user.caller()), user, false, version));
    }

    /** The overview's changing parts (what needs a person, the active rollouts) when its version moved; else 204. */
    @GET
    @Path("/live")
    public Response live(@QueryParam("version") String seen, @CookieParam(SESSION_COOKIE) String sessionId) {
        ConsoleUser user = gate.viewer(sessionId);
        String version = overviews.version();
        if (version.equals(seen)) {
            return Response.noContent().build();
        }
        return page(Response.Status.OK, Templates.overviewLive(overviews.build(user.caller()), user, true, version));
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
