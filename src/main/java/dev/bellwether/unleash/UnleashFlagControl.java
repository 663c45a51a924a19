package dev.bellwether.unleash;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bellwether.rollout.FlagControl;
import dev.bellwether.rollout.FlagControlException;
import dev.bellwether.rollout.FlagRef;
import dev.bellwether.rollout.FlagState;
import dev.bellwether.unleash.RolloutStrategies.Strategy;
import io.vertx.core.VertxException;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * {@link FlagControl} on the Unleash Admin API.
 *
 * <p>Bellwether steers one strategy per flag and environment: the {@code flexibleRollout} chosen by
 * {@link RolloutStrategies#steered}. Writes are read-compare-write: each attempt reads the flag, writes only what
 * differs from the request, and reads the flag back if it wrote anything. A whole attempt is repeated (with a fresh
 * read) when Unleash cannot be reached, times out or answers 5xx, so a write that succeeded but whose answer was lost is
 * not done twice. 4xx answers are never repeated.
 *
 * <p>The calls block: use the adapter from worker threads (scheduler, {@code @Blocking} endpoints), not the event loop.
 * The admin token is sent on every Admin API call and appears in no message and no log line.
 *
 * <p>Longer than most classes here on purpose: the read-compare-write attempts, their retries and the mapping of
 * Unleash's answers to refusals and outages are one protocol, and every message they build passes the same redaction.
 * The feature document's reading ({@link UnleashFeatureDocument}) and the clients ({@link UnleashEndpoint}) live apart.
 */
@ApplicationScoped
public class UnleashFlagControl implements FlagControl, AutoCloseable {

    static final String NOT_CONFIGURED =
            "Unleash is not configured: set BELLWETHER_UNLEASH_URL and BELLWETHER_UNLEASH_ADMIN_TOKEN";
    private static final Logger LOG = Logger.getLogger(UnleashFlagControl.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_MESSAGE = 300;

    /** Why the adapter cannot work (null when it can). */
    private final String misconfiguration;
    private final String token;
    private final UnleashAdminApi admin;
    private final UnleashAdminApi.Health health;
    private final int attempts;
    private final Duration backoff;
    private final Duration longestOperation;

    @Inject
    public UnleashFlagControl(UnleashConfig config) {
        this.attempts = Math.max(1, config.retryAttempts());
        this.backoff = config.retryBackoff().isNegative() ? Duration.ZERO : config.retryBackoff();
        this.longestOperation = UnleashTimeouts.longestOperation(Duration.ofMillis(Math.max(1, config.requestTimeout().toMillis())),
                attempts, backoff);
        Optional<String> url = config.url().map(String::trim).filter(value -> !value.isEmpty());
        Optional<String> adminToken = config.adminToken().map(String::trim).filter(value -> !value.isEmpty());
        this.token = adminToken.orElse(null);
        URI api = url.map(UnleashEndpoint::apiUri).orElse(null);
        if (url.isEmpty() || adminToken.isEmpty()) {
            misconfiguration = NOT_CONFIGURED;
        } else if (api == null) {
            misconfiguration = "Unleash is not configured: BELLWETHER_UNLEASH_URL is not an absolute http(s) URL"
                    + " (expected the API base, e.g. http://127.0.0.1:4242/api)";
        } else {
            misconfiguration = null;
        }
        if (misconfiguration != null) {
            LOG.infof("%s; flag control is off", misconfiguration);
            admin = null;
            health = null;
            return;
        }
        long timeout = Math.max(1, config.requestTimeout().toMillis());
        admin = UnleashEndpoint.admin(api, token, timeout);
        health = UnleashEndpoint.health(api, timeout);
        LOG.infof("Unleash flag control at %s (timeout %d ms, %d attempts)", api, timeout, attempts);
    }

    /** Whether URL and admin token are set; when not, every operation fails with "Unleash is not configured". */
    public boolean configured() {
        return misconfiguration == null;
    }

    @Override
    public FlagState read(FlagRef flag) throws FlagControlException {
        return withRetries("reading " + flag, () -> fetch(flag).map(feature -> UnleashFeatureDocument.state(feature, flag)).orElse(FlagState.MISSING));
    }

    @Override
    public FlagState setPercentage(FlagRef flag, int percentage) throws FlagControlException {
        String rollout = RolloutStrategies.rollout(percentage);
        return withRetries("setting " + flag + " to " + percentage + "%", () -> {
            JsonNode feature = fetch(flag).orElseThrow(() -> missing(flag));
            JsonNode environment = UnleashFeatureDocument.environment(feature, flag).orElseThrow(() -> noEnvironment(flag));
            List<JsonNode> raw = new ArrayList<>();
            environment.path("strategies").forEach(raw::add);
            List<Strategy> strategies = raw.stream().map(UnleashFeatureDocument::strategy).toList();
            OptionalInt steered = RolloutStrategies.steered(strategies, flag.flag());
            boolean wrote = false;
            // The strategy first, the environment after: turned on without an enabled strategy, Unleash would add the
            // project's default strategy (100 %), and turned on before the change it would briefly serve the old share.
            if (steered.isEmpty()) {
                ObjectNode strategy = JSON.createObjectNode().put("name", RolloutStrategies.FLEXIBLE_ROLLOUT);
                strategy.putArray("constraints");
                strategy.putObject("parameters").put(RolloutStrategies.ROLLOUT, rollout)
                        .put(RolloutStrategies.STICKINESS, "default").put(RolloutStrategies.GROUP_ID, flag.flag());
                write("adding a rollout strategy to " + flag,
                        () -> admin.addStrategy(flag.project(), flag.flag(), flag.environment(), strategy));
                LOG.infof("Unleash %s: added a %s strategy at %d%%", flag, RolloutStrategies.FLEXIBLE_ROLLOUT, percentage);
                wrote = true;
            } else if (!RolloutStrategies.isAt(strategies.get(steered.getAsInt()), percentage)) {
                Strategy current = strategies.get(steered.getAsInt());
                ObjectNode body = raw.get(steered.getAsInt()).deepCopy();
                body.remove("id");
                body.withObject("/parameters").put(RolloutStrategies.ROLLOUT, rollout);
                body.put("disabled", false);
                write("updating the rollout strategy of " + flag,
                        () -> admin.updateStrategy(flag.project(), flag.flag(), flag.environment(), current.id(), body));
                LOG.infof("Unleash %s: rollout %s -> %d%%%s", flag, current.parameter(RolloutStrategies.ROLLOUT),
                        percentage, current.disabled() ? " (strategy enabled again)" : "");
                wrote = true;
            }
            if (!environment.path("enabled").asBoolean(false)) {
                write("turning on " + flag, () -> admin.environmentOn(flag.project(), flag.flag(), flag.environment()));
                LOG.infof("Unleash %s: turned on", flag);
                wrote = true;
            }
            return wrote ? readBack(flag) : UnleashFeatureDocument.state(feature, flag);
        });
    }

    @Override
    public FlagState turnOff(FlagRef flag) throws FlagControlException {
        return withRetries("turning off " + flag, () -> {
            JsonNode feature = fetch(flag).orElseThrow(() -> missing(flag));
            JsonNode environment = UnleashFeatureDocument.environment(feature, flag).orElseThrow(() -> noEnvironment(flag));
            if (!environment.path("enabled").asBoolean(false)) {
                return UnleashFeatureDocument.state(feature, flag);
            }
            write("turning off " + flag, () -> admin.environmentOff(flag.project(), flag.flag(), flag.environment()));
            LOG.warnf("Unleash %s: turned off (kill switch)", flag);
            return readBack(flag);
        });
    }

    @Override
    public Duration longestOperation() {
        return longestOperation;
    }

    /** One request to Unleash's {@code /health}, with the request timeout and no retry. */
    @Override
    public boolean isOnline() {
        if (!configured()) {
            return false;
        }
        try (Response response = health.health()) {
            return response.getStatus() == 200;
        } catch (RuntimeException unreachable) {
            LOG.debugf("Unleash health check failed: %s", describe(unreachable));
            return false;
        }
    }

    @PreDestroy
    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
        if (health != null) {
            health.close();
        }
    }

    // --- one attempt's steps ---

    private Optional<JsonNode> fetch(FlagRef flag) throws FlagControlException, Outage {
        return call("reading " + flag, () -> admin.feature(flag.project(), flag.flag()), true);
    }

    private FlagState readBack(FlagRef flag) throws FlagControlException, Outage {
        return fetch(flag).map(feature -> UnleashFeatureDocument.state(feature, flag)).orElse(FlagState.MISSING);
    }

    /** A change; a 404 here (the flag deleted since the read, say) is a refusal with Unleash's own message. */
    private void write(String what, Supplier<Response> request) throws FlagControlException, Outage {
        call(what, request, false);
    }

    /**
     * Sends one request. 2xx: the body (an empty object when there is none). 404 with an Unleash error body: empty when
     * {@code emptyOn404}. 401/403 and other 4xx: a refusal. No answer, a timeout, 5xx: an {@link Outage}.
     */
    private Optional<JsonNode> call(String what, Supplier<Response> request, boolean emptyOn404)
            throws FlagControlException, Outage {
        int status;
        String body;
        try (Response response = request.get()) {
            status = response.getStatus();
            body = response.hasEntity() ? response.readEntity(String.class) : "";
        } catch (ProcessingException | VertxException unreachable) {
            // a connection closed before or during the answer surfaces as Vert.x's own exception, unwrapped
            throw new Outage(what + ": " + describe(unreachable), unreachable);
        }
        if (status >= 500) {
            throw new Outage(what + ": HTTP " + status + " " + unleashMessage(body), null);
        }
        if (status == 401 || status == 403) {
            throw refusal("Unleash refused the admin token (HTTP " + status + ") when " + what
                    + ": check BELLWETHER_UNLEASH_ADMIN_TOKEN (an admin token or a personal access token)");
        }
        JsonNode json = parse(body);
        if (status == 404) {
            if (json == null || !json.isObject()) {
                throw refusal("Unleash answered 404 without an Unleash error when " + what
                        + ": is BELLWETHER_UNLEASH_URL the API base (ending in /api)?");
            }
            if (emptyOn404) {
                return Optional.empty();
            }
        }
        if (status >= 400) {
            throw refusal("Unleash refused " + what + " (HTTP " + status + "): " + unleashMessage(body));
        }
        if (status >= 300) {
            throw refusal("Unleash answered HTTP " + status + " when " + what + ": is BELLWETHER_UNLEASH_URL right?");
        }
        if (json == null) {
            if (!body.isBlank()) {
                throw new Outage(what + ": the answer is not JSON", null);
            }
            json = JSON.createObjectNode();
        }
        return Optional.of(json);
    }

    // --- retries and errors ---

    @FunctionalInterface
    private interface Attempt<T> {
        T run() throws FlagControlException, Outage;
    }

    /** Unleash did not answer, timed out or answered 5xx: worth another attempt. */
    private static final class Outage extends Exception {
        Outage(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    private <T> T withRetries(String what, Attempt<T> attempt) throws FlagControlException {
        if (!configured()) {
            throw new FlagControlException(misconfiguration, false, null);
        }
        Outage last = null;
        for (int i = 1; i <= attempts; i++) {
            try {
                return attempt.run();
            } catch (Outage outage) {
                last = outage;
                if (i < attempts) {
                    long wait = UnleashTimeouts.backoffAfter(i, backoff).toMillis();
                    LOG.warnf("Unleash unavailable, attempt %d of %d (%s); trying again in %d ms", i, attempts,
                            redact(outage.getMessage()), wait);
                    try {
                        Thread.sleep(wait);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        throw new FlagControlException("Unleash is unavailable: interrupted while " + what, true, interrupted);
                    }
                }
            }
        }
        String step = redact(last.getMessage());
        String message = "Unleash is unavailable (" + attempts + (attempts == 1 ? " attempt" : " attempts") + "): "
                + (step.startsWith(what) ? step : what + ": " + step);
        LOG.warn(message);
        throw new FlagControlException(message, true, last);
    }

    private FlagControlException missing(FlagRef flag) {
        return FlagControlException.flagMissing(redact("flag " + flag.flag() + " does not exist in Unleash project " + flag.project()));
    }

    private FlagControlException noEnvironment(FlagRef flag) {
        return refusal("flag " + flag.flag() + " has no environment " + flag.environment()
                + " (is the environment enabled in Unleash project " + flag.project() + "?)");
    }

    private FlagControlException refusal(String message) {
        return new FlagControlException(redact(message), false, null);
    }

    /** The {@code message} (or {@code details}) of an Unleash error body, shortened, without the token. */
    private String unleashMessage(String body) {
        JsonNode json = parse(body);
        String message = body;
        if (json != null && json.hasNonNull("message")) {
            message = json.get("message").asText();
            JsonNode details = json.path("details");
            if (details.isArray() && !details.isEmpty()) {
                message += " " + details.get(0).path("message").asText(details.get(0).path("description").asText(""));
            }
        }
        message = message.strip();
        return redact(message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + "..." : message);
    }

    private String redact(String message) {
        if (message == null || token == null || token.isEmpty()) {
            return message;
        }
        return message.replace(token, "***");
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (IOException notJson) {
            return null;
        }
    }

    private static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
