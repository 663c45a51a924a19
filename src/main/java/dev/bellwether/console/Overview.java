package dev.bellwether.console;

import java.util.List;
import java.util.Locale;

/** What the overview page shows; every text in it is escaped by the template. */
public record Overview(List<Attention> attention, List<AppRow> apps, List<RolloutRow> rollouts, String automation,
                       String automationDetail, String unleash, String unleashDetail) {

    /** Something that needs a person now, with where to look. */
    public record Attention(String severity, String subject, String text) {
        public String cssClass() {
            return "severity-" + severity.toLowerCase(Locale.ROOT);
        }
    }

    public record AppRow(String name, List<SloRow> slos) {
    }

    /** One SLO: its state word (never colour alone), burn rates by window, and the error budget left. */
    public record SloRow(String name, String sli, String state, String reason, String burnRates, String budgetLeft) {
        public String cssClass() {
            return stateClass(state);
        }
    }

    /**
     * An unfinished rollout, with its verdict in one sentence, the latest decision's reason (who held it and why),
     * and the actions the signed-in person's role allows in its state.
     */
    public record RolloutRow(long id, String app, String flag, String environment, String state, String step,
                             String percentage, boolean dryRun, String verdict, String lastDecision,
                             List<Action> actions) {
        public String cssClass() {
            return stateClass(state);
        }
    }

    public record Action(String command, String label) {
    }

    /** A CSS class for a state word: colour is added to the word, never shown instead of it. */
    static String stateClass(String state) {
        return "state-" + state.toLowerCase(Locale.ROOT).replace(' ', '-');
    }

    public String automationClass() {
        return stateClass(automation);
    }

    public String unleashClass() {
        return stateClass(unleash);
    }
}
