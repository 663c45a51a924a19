package dev.bellwether.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bellwether.judge.Verdict;
import dev.bellwether.rollout.Actuation;
import dev.bellwether.rollout.AutomationSwitch;
import dev.bellwether.rollout.Rollout;
import dev.bellwether.rollout.RolloutDecision;
import dev.bellwether.rollout.RolloutMachine;
import dev.bellwether.rollout.RolloutNotices;
import dev.bellwether.slo.SloNotices;
import dev.bellwether.slo.SloState;
import java.sql.Connection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Rollout events and SLO state changes as webhook notifications, written to the outbox in the transaction of the
 * decision or evaluation that caused them.
 */
@ApplicationScoped
public class WebhookNotices implements RolloutNotices, SloNotices {

    private static final String AUTOMATION_OFF_EPISODE = "automation-off";
    private final Outbox outbox;
    private final WebhookConfig config;
    private final Clock clock;
    private final String publicUrl;

    public WebhookNotices(Outbox outbox, WebhookConfig config, Clock clock,
            @ConfigProperty(name = "bellwether.public-url", defaultValue = "http://localhost:8080") String publicUrl) {
        this.outbox = outbox;
        this.config = config;
        this.clock = clock;
        this.publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
    }

    @Override
    public void decided(Rollout rollout, RolloutDecision decision) {
        EventType type = EventType.ofDecision(decision.trigger, decision.toState);
        outbox.enqueue(rollout.app.id, event(type, rollout, decision.actor, decision.reason, summary(decision.evidence)));
    }

    @Override
    public void holding(Rollout rollout, Verdict verdict, Duration pastBake) {
        if (pastBake.compareTo(config.heldAfter()) < 0) {
            return;
        }
        String reason = "held at step " + (rollout.step + 1) + " for " + minutes(pastBake) + " past its bake time";
        outbox.enqueueOnce("held:" + rollout.id + ":" + rollout.stepStartedAt.toInstant(), rollout.app.id,
                event(EventType.ROLLOUT_HELD, rollout, "bellwether", reason, verdict.reason()));
    }

    @Override
    public void actuationFailing(Rollout rollout, Actuation actuation, String error) {
        outbox.enqueueOnce(actuationEpisode(rollout), rollout.app.id, event(EventType.ROLLOUT_ACTUATION_FAILING, rollout,
                "bellwether", actuation.describe() + " has not reached Unleash; retried each tick", error));
    }

    @Override
    public void actuationRecovered(Rollout rollout) {
        outbox.closeEpisode(actuationEpisode(rollout));
    }

    @Override
    public void automation(AutomationSwitch.State state, String description) {
        if (state == AutomationSwitch.State.ON) {
            outbox.closeEpisode(AUTOMATION_OFF_EPISODE);
        } else if (state == AutomationSwitch.State.OFF) {
            outbox.enqueueOnce(AUTOMATION_OFF_EPISODE, null, new WebhookEvent(EventType.AUTOMATION_OFF.wireName(),
                    UUID.randomUUID().toString(), clock.instant().toString(), null, null, null, null, null, null, null,
                    null, null, "the controller judges and records, but moves no rollout until it is on again",
                    description, publicUrl + "/console", false, null));
        }
    }

    /**
     * A change to PAGE or TICKET, or back to OK from either: what a person acts on. NO_DATA and LOW_TRAFFIC are not
     * notified, nor an SLO's first state.
     */
    @Override
    public void stateChanged(Connection connection, long appId, String appName, String slo, SloState from, SloState to,
            String reason) {
        EventType type = switch (to) {
            case PAGE -> EventType.SLO_PAGE;
            case TICKET -> EventType.SLO_TICKET;
            case OK -> from == SloState.PAGE || from == SloState.TICKET ? EventType.SLO_OK : null;
            default -> null;
        };
        if (type == null) {
            return;
        }
        outbox.enqueue(connection, appId, new WebhookEvent(type.wireName(), UUID.randomUUID().toString(),
                clock.instant().toString(), appName, null, null, null, null, to.name(), null, null, "bellwether",
                (from == null ? "" : from.name() + " -> ") + to.name(), reason, publicUrl + "/console/apps/" + appName,
                false, slo));
    }

    private WebhookEvent event(EventType type, Rollout rollout, String actor, String reason, String evidence) {
        return new WebhookEvent(type.wireName(), UUID.randomUUID().toString(), clock.instant().toString(),
                rollout.app.name, rollout.id, rollout.flag, rollout.project, rollout.environment, rollout.state.name(),
                rollout.step, RolloutMachine.expectedPercentage(rollout.position(), rollout.stepList()), actor, reason,
                evidence, publicUrl + "/console/rollouts/" + rollout.id, rollout.dryRun, null);
    }

    private static String actuationEpisode(Rollout rollout) {
        return "actuation-failing:" + rollout.id;
    }

    /** The evidence in one sentence: the judge's reason, or the flag's actual state; null when there is none. */
    static String summary(JsonNode evidence) {
        if (evidence == null || evidence.isNull()) {
            return null;
        }
        if (evidence.hasNonNull("reason")) {
            return evidence.get("reason").asText();
        }
        if (evidence.has("exists")) {
            return !evidence.path("exists").asBoolean() ? "Unleash does not have the flag"
                    : String.format(Locale.ROOT, "Unleash: %s at %s %%", evidence.path("enabled").asBoolean() ? "on" : "off",
                            evidence.path("percentage").isNull() ? "?" : evidence.path("percentage").asText());
        }
        return null;
    }

    private static String minutes(Duration duration) {
        return duration.toMinutes() + " min";
    }
}
