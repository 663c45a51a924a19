package dev.bellwether.notify;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** What a notification tells, with its wire name (e.g. rollout.killed) and the words of its title. */
public enum EventType {
    ROLLOUT_STARTED("rollout.started", "Rollout started"),
    ROLLOUT_STEPPED_UP("rollout.stepped_up", "Rollout stepped up"),
    ROLLOUT_HELD("rollout.held", "Rollout held past its bake time"),
    ROLLOUT_PAUSED("rollout.paused", "Rollout paused"),
    ROLLOUT_RESUMED("rollout.resumed", "Rollout resumed"),
    ROLLOUT_KILLED("rollout.killed", "Rollout killed"),
    ROLLOUT_ROLLED_BACK("rollout.rolled_back", "Rollout rolled back"),
    ROLLOUT_FROZEN("rollout.frozen", "Rollout frozen"),
    ROLLOUT_PROMOTED("rollout.promoted", "Rollout promoted"),
    ROLLOUT_COMPLETED("rollout.completed", "Rollout completed"),
    ROLLOUT_DRIFT("rollout.drift", "Flag changed by hand: rollout paused"),
    ROLLOUT_ACTUATION_FAILING("rollout.actuation_failing", "Flag change not reaching Unleash"),
    AUTOMATION_OFF("automation.off", "Automatic rollout actions turned off"),
    SLO_PAGE("slo.page", "SLO burning fast: page"),
    SLO_TICKET("slo.ticket", "SLO burning: ticket"),
    SLO_OK("slo.ok", "SLO back to OK");

    private final String wireName;
    private final String title;

    EventType(String wireName, String title) {
        this.wireName = wireName;
        this.title = title;
    }

    public String wireName() {
        return wireName;
    }

    public String title() {
        return title;
    }

    public static Optional<EventType> byWireName(String name) {
        return Arrays.stream(values()).filter(t -> t.wireName.equals(name.toLowerCase(Locale.ROOT))).findFirst();
    }

    public static List<String> wireNames() {
        return Arrays.stream(values()).map(EventType::wireName).toList();
    }

    /** The event of a decision: its trigger, and for a step up the state it reached. */
    static EventType ofDecision(String trigger, String toState) {
        return switch (trigger) {
            case "start" -> ROLLOUT_STARTED;
            case "advance" -> "PROMOTED".equals(toState) ? ROLLOUT_COMPLETED : ROLLOUT_STEPPED_UP;
            case "pause" -> ROLLOUT_PAUSED;
            case "resume" -> ROLLOUT_RESUMED;
            case "promote" -> ROLLOUT_PROMOTED;
            case "kill", "guard_kill" -> ROLLOUT_KILLED;
            case "rollback", "guard_rollback" -> ROLLOUT_ROLLED_BACK;
            case "guard_freeze" -> ROLLOUT_FROZEN;
            case "drift" -> ROLLOUT_DRIFT;
            default -> throw new IllegalArgumentException("no event for trigger " + trigger);
        };
    }
}
