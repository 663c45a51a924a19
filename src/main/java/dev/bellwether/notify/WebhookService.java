package dev.bellwether.notify;

import dev.bellwether.api.ProblemException;
import dev.bellwether.apps.App;
import dev.bellwether.apps.AppDirectory;
import dev.bellwether.security.Secrets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Webhooks of an app: created, listed and deleted by admins, for the API and the console alike. */
@ApplicationScoped
public class WebhookService {

    public static final int MAX_URL_LENGTH = 2000;
    public static final String SIGNING_SECRET_PREFIX = "bws_";
    public static final List<String> KINDS = List.of("slack", "json");

    private final AppDirectory apps;
    private final WebhookConfig config;
    private final Optional<SecretBox> box;
    private final Clock clock;

    public WebhookService(AppDirectory apps, WebhookConfig config, Clock clock) {
        this.apps = apps;
        this.config = config;
        this.clock = clock;
        this.box = config.encryptionKey().filter(k -> !k.isBlank()).map(SecretBox::of);
    }

    /** What may be shown of a webhook: never its whole URL, never its signing secret. */
    public record WebhookView(long id, String kind, String url, List<String> events,
            @Schema(nullable = true) String secretPrefix, String createdBy, OffsetDateTime createdAt,
            @Schema(nullable = true) OffsetDateTime lastDeliveredAt, @Schema(nullable = true) OffsetDateTime lastFailureAt,
            @Schema(nullable = true) String lastFailure) {
        static WebhookView of(Webhook w) {
            return new WebhookView(w.id, w.kind, w.urlShown, List.of(w.events), w.secretPrefix, w.createdBy, w.createdAt,
                    w.lastDeliveredAt, w.lastFailureAt, w.lastFailure);
        }
    }

    /** A new webhook, with its signing secret (json kind): the only time the secret is shown. */
    public record Created(WebhookView webhook, String signingSecret) {
    }

    @Transactional
    public Created create(String appName, String kind, String url, List<String> events, String actor) {
        App app = apps.requireApp(appName);
        if (kind == null || !KINDS.contains(kind)) {
            throw ProblemException.badRequest("kind", "kind must be one of " + KINDS);
        }
        URI target = validUrl(url);
        List<String> eventTypes = validEvents(events);
        SecretBox sealer = box.orElseThrow(() -> new ProblemException(Response.Status.SERVICE_UNAVAILABLE,
                "webhooks need bellwether.webhooks.encryption-key (BELLWETHER_WEBHOOKS_ENCRYPTION_KEY) to keep their"
                        + " secrets; it is not set (docs/notifications.md)"));
        if (Webhook.count("appId", app.id) >= config.maxPerApp()) {
            throw new ProblemException(Response.Status.CONFLICT, "app '" + app.name + "' has " + config.maxPerApp()
                    + " webhooks, the most it may have; delete one first", "url");
        }
        Webhook webhook = new Webhook();
        webhook.appId = app.id;
        webhook.kind = kind;
        webhook.urlSealed = sealer.seal(target.toString(), Webhook.URL_PURPOSE);
        webhook.urlShown = shown(target);
        webhook.events = eventTypes.toArray(String[]::new);
        webhook.createdBy = actor;
        webhook.createdAt = clock.instant().atOffset(ZoneOffset.UTC);
        String secret = null;
        if (kind.equals("json")) {
            secret = Secrets.generate(SIGNING_SECRET_PREFIX);
            webhook.secretSealed = sealer.seal(secret, Webhook.SECRET_PURPOSE);
            webhook.secretPrefix = Secrets.displayPrefix(secret);
        }
        webhook.persist();
        return new Created(WebhookView.of(webhook), secret);
    }

    @Transactional
    public List<WebhookView> list(String appName) {
        App app = apps.requireApp(appName);
        return Webhook.<Webhook>list("appId = ?1 order by id", app.id).stream().map(WebhookView::of).toList();
    }

    /** Deletes the webhook and its deliveries still waiting. */
    @Transactional
    public void delete(String appName, long id) {
        App app = apps.requireApp(appName);
        if (Webhook.delete("id = ?1 and appId = ?2", id, app.id) == 0) {
            throw ProblemException.notFound("app '" + appName + "' has no webhook " + id);
        }
    }

    Optional<SecretBox> box() {
        return box;
    }

    static URI validUrl(String url) {
        if (url == null || url.isBlank()) {
            throw ProblemException.badRequest("url", "url is required");
        }
        if (url.length() > MAX_URL_LENGTH) {
            throw ProblemException.badRequest("url", "url is longer than " + MAX_URL_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw ProblemException.badRequest("url", "url is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw ProblemException.badRequest("url", "url must start with https:// or http://");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            throw ProblemException.badRequest("url", "url must name a host, with no user info and no fragment");
        }
        return uri;
    }

    static List<String> validEvents(List<String> events) {
        if (events == null) {
            return List.of();
        }
        Set<String> chosen = new LinkedHashSet<>();
        for (int i = 0; i < events.size(); i++) {
            String event = events.get(i);
            if (event == null || EventType.byWireName(event).isEmpty()) {
                throw ProblemException.badRequest("events[" + i + "]", "unknown event type; known: " + EventType.wireNames());
            }
            chosen.add(EventType.byWireName(event).get().wireName());
        }
        return new ArrayList<>(chosen);
    }

    /** Scheme and host (and port) as they are; the path masked but for its first segment, the query left out. */
    static String shown(URI uri) {
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String[] segments = path.split("/", -1);
        String masked = segments.length > 2 ? "/" + segments[1] + "/…" : (path.length() > 1 ? "/…" : path);
        return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                + masked + (uri.getRawQuery() == null ? "" : "?…");
    }
}
