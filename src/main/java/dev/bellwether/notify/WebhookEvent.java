package dev.bellwether.notify;

/**
 * One notification, as the generic JSON body carries it (and as the outbox keeps it until it is delivered). Fields
 * that do not apply (the rollout of an automation event) are null.
 *
 * @param type       the event's wire name, e.g. rollout.killed
 * @param eventId    unique per event; the same on every delivery and retry of it, for receivers to deduplicate
 * @param at         when it happened, ISO-8601 UTC
 * @param step       the rollout's step index, from 0; -1 before it started
 * @param percentage the share of users the rollout's flag is meant to reach now; null when killed or not started
 * @param actor      who or what made the decision (a token's name, or bellwether for the controller)
 * @param evidence   what the decision rests on, in one sentence (the judge's reason, the flag's actual state)
 * @param consoleUrl the rollout's console page (the app's page for an SLO, the overview for an automation event)
 * @param slo        the SLO's name, for an SLO event
 */
public record WebhookEvent(String type, String eventId, String at, String app, Long rolloutId, String flag,
        String project, String environment, String state, Integer step, Integer percentage, String actor, String reason,
        String evidence, String consoleUrl, boolean dryRun, String slo) {
}
