package dev.bellwether.console;

import dev.bellwether.console.ConsoleSessions.ConsoleUser;
import io.quarkus.qute.TemplateInstance;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * What every console page and action goes through: the person behind the session, the CSRF check for anything that
 * changes state, and pages answered as HTML. Each console resource uses this one gate, so the rules are the same on
 * every page.
 */
@ApplicationScoped
public class ConsoleGate {

    static final String SESSION_COOKIE = "bw_session";
    static final String CSRF_FIELD = "csrf";
    static final String CSRF_HEADER = "X-CSRF-Token";
    static final String CONSOLE_PATH = "/console";
    static final String SIGN_IN_PATH = "/console/sign-in";

    private final ConsoleSessions sessions;

    public ConsoleGate(ConsoleSessions sessions) {
        this.sessions = sessions;
    }

    /** The person behind the session, for a page: without a live session the request is redirected to sign-in. */
    ConsoleUser viewer(String sessionId) {
        Optional<ConsoleUser> user = sessions.resolve(sessionId);
        if (user.isEmpty()) {
            throw new ConsoleRefusal(Response.seeOther(URI.create(SIGN_IN_PATH)).build());
        }
        return user.get();
    }

    /**
     * The person behind the session, for a page's background poll: the session is not marked used (an open tab must
     * not keep it alive), and without a live session htmx is told to load the sign-in page rather than poll on.
     */
    ConsoleUser watcher(String sessionId) {
        Optional<ConsoleUser> user = sessions.peek(sessionId);
        if (user.isEmpty()) {
            throw new ConsoleRefusal(Response.status(Response.Status.UNAUTHORIZED).header("HX-Redirect", SIGN_IN_PATH).build());
        }
        return user.get();
    }

    /**
     * The person behind the session, for a state-changing request: 401 without a live session; 403 when the request
     * lacks the session's CSRF token or a browser says it came from another site.
     */
    ConsoleUser actor(String sessionId, String formCsrf, String headerCsrf, String fetchSite) {
        Optional<ConsoleUser> user = sessions.resolve(sessionId);
        if (user.isEmpty()) {
            throw new ConsoleRefusal(outcome(Response.Status.UNAUTHORIZED, "Signed out",
                    "Your session has ended; sign in again.", false));
        }
        String offered = formCsrf != null ? formCsrf : headerCsrf;
        if (crossSite(fetchSite) || !ConsoleSessions.csrfMatches(user.get(), offered)) {
            throw new ConsoleRefusal(outcome(Response.Status.FORBIDDEN, "Request refused",
                    "This request did not come from a console page of your session (CSRF token missing or wrong).", true));
        }
        return user.get();
    }

    /** A refused console request answers with its own page, for every console resource (not problem JSON). */
    @ServerExceptionMapper
    public Response refused(ConsoleRefusal refusal) {
        return refusal.getResponse();
    }

    /** Fetch metadata: a browser that says the request came from another site is refused, whatever it carries. */
    static boolean crossSite(String fetchSite) {
        return "cross-site".equalsIgnoreCase(fetchSite) || "same-site".equalsIgnoreCase(fetchSite);
    }

    static Response outcome(Response.Status status, String title, String detail, boolean signedIn) {
        return page(status.getStatusCode(), ConsoleResource.Templates.outcome(title, detail, signedIn));
    }

    static Response page(Response.Status status, TemplateInstance template) {
        return page(status.getStatusCode(), template);
    }

    static Response page(int status, TemplateInstance template) {
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).entity(template.render()).build();
    }
}
