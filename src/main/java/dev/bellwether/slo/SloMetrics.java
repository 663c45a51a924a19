package dev.bellwether.slo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * SLO evaluation as Prometheus series. Every replica exports the last stored evaluation (refreshed each tick, whoever
 * evaluated it), so a scrape of any replica tells the same story.
 *
 * <p>Alert rules take the maximum over replicas, so a replica must not keep exporting what it read long ago: one that
 * cannot read the verdicts for {@link #FAILURES_BEFORE_DROPPING} ticks in a row stops exporting them (the other
 * replicas and the evaluation-stalled alert speak instead), and an unreadable verdict is left out alone rather than
 * aborting the refresh of every SLO.
 */
// created at start, so that its gauges are exported before the first probe or evaluation, as alerts expect
@Startup
@ApplicationScoped
public class SloMetrics {

    private static final Logger LOG = Logger.getLogger(SloMetrics.class);
    /** Failed ticks in a row after which this replica stops exporting the verdicts it read last. */
    static final int FAILURES_BEFORE_DROPPING = 3;

    private final AgroalDataSource dataSource;
    private final ObjectMapper json;
    private final MultiGauge burnRates;
    private final MultiGauge budgets;
    private final MultiGauge states;
    private final Timer evaluationDuration;
    private final Counter evaluatedTicks;
    private final Counter skippedTicks;
    private final AtomicReference<Double> lastSuccess = new AtomicReference<>(Double.NaN);
    private final MeterRegistry registry;
    private final Gauge lastSuccessGauge;
    private int failuresInARow;

    public SloMetrics(MeterRegistry registry, AgroalDataSource dataSource, ObjectMapper json) {
        this.registry = registry;
        this.dataSource = dataSource;
        this.json = json;
        this.burnRates = MultiGauge.builder("bellwether.slo.burn.rate")
                .description("Error ratio over the window divided by the SLO's allowed error ratio").register(registry);
        this.budgets = MultiGauge.builder("bellwether.slo.error.budget.remaining")
                .description("Share of the period's error budget left (negative when overspent)").register(registry);
        this.states = MultiGauge.builder("bellwether.slo.state")
                .description("1 for the SLO's current state, 0 for the others; fast_burn_severity is what PAGE raises")
                .register(registry);
        this.evaluationDuration = Timer.builder("bellwether.slo.evaluation")
                .description("Time to evaluate every SLO once").publishPercentileHistogram(false)
                .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(1),
                        Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(30))
                .register(registry);
        this.evaluatedTicks = Counter.builder("bellwether.slo.evaluation.ticks").tag("result", "evaluated").register(registry);
        this.skippedTicks = Counter.builder("bellwether.slo.evaluation.ticks").tag("result", "skipped")
                .description("Ticks this replica left to another (or that were already evaluated)").register(registry);
        this.lastSuccessGauge = Gauge.builder("bellwether.slo.evaluation.last.success", lastSuccess, AtomicReference::get)
                .description("Unix time of the last finished evaluation by any replica").baseUnit("seconds").register(registry);
    }

    /**
     * The gauge reads this bean's value, which dies with it: a registry that outlives the application (tests restart
     * it in one JVM) would keep the dead gauge and ignore the next start's registration.
     */
    void stop(@Observes ShutdownEvent shutdown) {
        registry.remove(lastSuccessGauge);
    }

    void evaluated(Duration took, Instant at) {
        evaluationDuration.record(took);
        evaluatedTicks.increment();
        lastSuccess.set(at.toEpochMilli() / 1000.0);
    }

    void skipped() {
        skippedTicks.increment();
    }

    /** Re-reads the stored verdicts and the last finished tick. */
    synchronized void refresh() {
        List<MultiGauge.Row<?>> burnRows = new ArrayList<>();
        List<MultiGauge.Row<?>> budgetRows = new ArrayList<>();
        List<MultiGauge.Row<?>> stateRows = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            for (SloDefinition.StoredVerdict verdict : SloDefinition.verdicts(connection)) {
                Tags slo = Tags.of("app", verdict.appName(), "slo", verdict.sloName());
                Evidence evidence;
                try {
                    evidence = json.readValue(verdict.evidence(), Evidence.class);
                } catch (JsonProcessingException e) {
                    LOG.warnf("SLO %s/%s: stored verdict unreadable, not exported: %s", verdict.appName(),
                            verdict.sloName(), e.getOriginalMessage());
                    continue;
                }
                evidence.burnRates().forEach((window, burn) -> {
                    if (burn != null) {
                        burnRows.add(MultiGauge.Row.of(slo.and("window", window), burn));
                    }
                });
                if (evidence.errorBudgetRemaining() != null) {
                    budgetRows.add(MultiGauge.Row.of(slo, evidence.errorBudgetRemaining()));
                }
                // journey ("" for an app-wide SLO, which Prometheus reads as no label) and what a fast burn raises, so
                // that the alert rules and Alertmanager's routes can act on them
                Tags stateTags = slo.and("journey", verdict.journey() == null ? "" : verdict.journey(),
                        "fast_burn_severity", verdict.fastBurnSeverity().wireName());
                for (SloState state : SloState.values()) {
                    stateRows.add(MultiGauge.Row.of(stateTags.and("state", state.name()), state == evidence.state() ? 1 : 0));
                }
            }
            EvaluationTicks.lastFinished(connection).ifPresent(stored -> lastSuccess.accumulateAndGet(stored,
                    (mine, last) -> Double.isNaN(mine) ? last : Math.max(mine, last)));
        } catch (SQLException e) {
            LOG.warnf("could not refresh SLO metrics: %s", e.getMessage());
            failed();
            return;
        }
        failuresInARow = 0;
        export(burnRows, budgetRows, stateRows);
    }

    /**
     * A tick of this replica that could not evaluate or read the verdicts. After {@link #FAILURES_BEFORE_DROPPING} in
     * a row the verdicts read last are no longer exported: a PAGE may have ended since.
     */
    synchronized void failed() {
        failuresInARow++;
        if (failuresInARow == FAILURES_BEFORE_DROPPING) {
            LOG.warnf("SLO metrics not refreshed for %d ticks: no longer exporting the last verdicts read", failuresInARow);
            export(List.of(), List.of(), List.of());
        }
    }

    private void export(List<MultiGauge.Row<?>> burnRows, List<MultiGauge.Row<?>> budgetRows,
            List<MultiGauge.Row<?>> stateRows) {
        burnRates.register(burnRows, true);
        budgets.register(budgetRows, true);
        states.register(stateRows, true);
    }
}
