package dev.bellwether.rollout;

import dev.bellwether.judge.Verdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Rollouts as Prometheus series, refreshed from the database on every replica ({@code bellwether.rollout.metrics-interval}):
 * {@code bellwether_rollout_state{app,flag,environment,state}} (1 for the current state),
 * {@code bellwether_rollout_percentage{app,flag,environment}}, and {@code bellwether_rollout_automation{state}} (1 for
 * the automation switch's state as this replica reads it). Verdicts, decisions and actuations are counters, counted
 * as they happen: {@code bellwether_rollout_verdicts_total{app,flag,outcome}},
 * {@code bellwether_rollout_decisions_total{app,flag,trigger}}, {@code bellwether_rollout_actuations_total{result}} and
 * {@code bellwether_rollout_flag_reads_total{result}}.
 */
@ApplicationScoped
public class RolloutMetrics {

    private final MeterRegistry registry;
    private final MultiGauge states;
    private final MultiGauge percentages;
    private final MultiGauge convergence;
    private final MultiGauge automation;
    private final Counter flagReadsOk;
    private final Counter flagReadsFailed;

    public RolloutMetrics(MeterRegistry registry) {
        this.registry = registry;
        // both results exported from the start, so that "no successful read lately" is a query on a series that exists
        this.flagReadsOk = flagReads(registry, "ok");
        this.flagReadsFailed = flagReads(registry, "failed");
        this.states = MultiGauge.builder("bellwether.rollout.state")
                .description("1 for the rollout's current state, 0 for the others").register(registry);
        this.percentages = MultiGauge.builder("bellwether.rollout.percentage")
                .description("The gradual-rollout percentage the rollout holds the flag at").register(registry);
        this.convergence = MultiGauge.builder("bellwether.rollout.convergence.share.on")
                .description("After a kill: share of active clients (beacon in the last 5 minutes) still reporting the flag on")
                .register(registry);
        this.automation = MultiGauge.builder("bellwether.rollout.automation")
                .description("1 for the state of the automation switch as this replica reads it: on, off, or unknown"
                        + " (not read from Unleash since the replica started: step-ups are held)")
                .register(registry);
    }

    /** The judge's verdict on a rollout's canary, one per controller step. */
    void verdict(Rollout rollout, Verdict verdict) {
        Counter.builder("bellwether.rollout.verdicts").tag("app", rollout.app.name).tag("flag", rollout.flag)
                .tag("outcome", verdict.outcome().name()).register(registry).increment();
    }

    /** A transition of a rollout, by what caused it. */
    void decision(Rollout rollout, Trigger trigger) {
        Counter.builder("bellwether.rollout.decisions").description("Rollout transitions, by what caused them")
                .tag("app", rollout.app.name).tag("flag", rollout.flag).tag("trigger", trigger.wireName())
                .register(registry).increment();
    }

    private static Counter flagReads(MeterRegistry registry, String result) {
        return Counter.builder("bellwether.rollout.flag.reads")
                .description("Reads of a rollout's flag from the flag service; while none succeeds, no rollout steps up")
                .tag("result", result).register(registry);
    }

    /** A read of a rollout's flag from the flag service: {@code ok}, or {@code failed} (unreachable, slow, refused). */
    void flagRead(boolean ok) {
        (ok ? flagReadsOk : flagReadsFailed).increment();
    }

    /** A change sent to the flag service: {@code ok} once the flag holds it, {@code failed} when it will be retried. */
    void actuation(boolean ok) {
        Counter.builder("bellwether.rollout.actuations").tag("result", ok ? "ok" : "failed").register(registry).increment();
    }

    /** The automation switch as this replica reads it. */
    void refreshAutomation(AutomationSwitch.State state) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (AutomationSwitch.State each : AutomationSwitch.State.values()) {
            rows.add(MultiGauge.Row.of(Tags.of("state", each.name().toLowerCase(Locale.ROOT)), each == state ? 1 : 0));
        }
        automation.register(rows, true);
    }

    /** The latest point of each recent kill's convergence curve. */
    void refreshConvergence(List<Convergence> curves, List<Rollout> rollouts) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (Convergence curve : curves) {
            Rollout rollout = rollouts.stream().filter(r -> r.id == curve.rolloutId()).findFirst().orElseThrow();
            if (!curve.points().isEmpty() && curve.points().get(curve.points().size() - 1).shareOn() != null) {
                rows.add(MultiGauge.Row.of(Tags.of("app", rollout.app.name, "flag", rollout.flag, "environment",
                        rollout.environment), curve.points().get(curve.points().size() - 1).shareOn()));
            }
        }
        convergence.register(rows, true);
    }

    /** Shows every rollout of the last day and every unfinished one. */
    void refresh(List<Rollout> rollouts) {
        List<MultiGauge.Row<?>> stateRows = new ArrayList<>();
        List<MultiGauge.Row<?>> percentageRows = new ArrayList<>();
        for (Rollout rollout : rollouts) {
            Tags tags = Tags.of("app", rollout.app.name, "flag", rollout.flag, "environment", rollout.environment);
            for (RolloutState state : RolloutState.values()) {
                stateRows.add(MultiGauge.Row.of(tags.and("state", state.name()), state == rollout.state ? 1 : 0));
            }
            Integer percentage = RolloutMachine.expectedPercentage(rollout.position(), rollout.stepList());
            percentageRows.add(MultiGauge.Row.of(tags, percentage == null ? 0 : percentage));
        }
        states.register(stateRows, true);
        percentages.register(percentageRows, true);
    }
}
