package dev.bellwether.console;

import java.util.List;

/**
 * What a rollout's page shows; every text in it is escaped by the template. The chart data ({@code chartJson}) is
 * numbers and labels the service made, encoded for a script block by {@link ScriptJson}.
 *
 * @param version what changes whenever the page would: the live poll re-renders only when it differs
 * @param before the audit shows decisions older than this id; null: the newest
 * @param olderThan the id to page older decisions from, or null when the audit shows the oldest
 */
public record RolloutPage(long id, String app, String flag, String project, String environment, String state,
                          String step, String percentage, boolean dryRun, String verdict, String version,
                          List<StepRow> steps, List<GuardPanel> guards, List<DecisionRow> decisions, Long olderThan,
                          Long before, ConvergencePanel convergence, List<Overview.Action> actions) {

    public boolean newest() {
        return before == null;
    }

    public String stateClass() {
        return Overview.stateClass(state);
    }

    /** A step of the plan: when it started, its bake as text and as a bar, and why the rollout moved to it. */
    public record StepRow(int number, int percentage, String status, String startedAt, String bake, long bakeDone,
                          long bakeOf, String why) {
    }

    /**
     * One guard: canary against control over time (as a chart and as a table), and the latest verdict's evidence
     * with one sentence saying why it holds, passes or fails. {@code key}: unique among the rollout's guards, for
     * element ids (two guards may share an indicator on different journeys); {@code title}: the indicator, and the
     * journey when the guard has one.
     */
    public record GuardPanel(String key, String title, String action, String outcome, String sentence, String measure, String chartJson,
                             List<ComparisonRow> comparisons, List<PointRow> points) {
        public String outcomeClass() {
            return Overview.stateClass(outcome);
        }
    }

    /** One comparison of the judge: the two ratios, the margin, the evidence against what makes it act. */
    public record ComparisonRow(String what, String canary, String control, String margin, String evidence,
                                String actsAt, String regression, String since) {
    }

    public record PointRow(String at, String canary, String control) {
    }

    /** One decision in the audit: when, who or which guard, the move, why, and on what evidence. */
    public record DecisionRow(long id, String at, String who, String trigger, String move, String reason,
                              String evidence, String answer) {
    }

    /** After a kill, the share of active clients still reporting the flag on, per minute. */
    public record ConvergencePanel(String summary, String chartJson, List<ConvergenceRow> points) {
    }

    public record ConvergenceRow(String minute, long activeClients, long reportingOn, String shareOn) {
    }
}
