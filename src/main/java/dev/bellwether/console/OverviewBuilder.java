package dev.bellwether.console;

import dev.bellwether.apps.App;
import dev.bellwether.judge.Verdict;
import dev.bellwether.rollout.AutomationSwitch;
import dev.bellwether.rollout.Rollout;
import dev.bellwether.rollout.RolloutDecision;
import dev.bellwether.rollout.RolloutResource;
import dev.bellwether.rollout.RolloutResource.RolloutView;
import dev.bellwether.rollout.RolloutState;
import dev.bellwether.rollout.Trigger;
import dev.bellwether.security.Caller;
import dev.bellwether.slo.BurnWindow;
import dev.bellwether.slo.SloResource;
import dev.bellwether.slo.SloResource.SloView;
import dev.bellwether.slo.SloState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Builds the overview from the same reads the API serves (the SLO and rollout resources' views), so that the console
 * and the API never disagree about a state.
 */
@ApplicationScoped
public class OverviewBuilder {

    /** The person-given commands the overview offers; the others come with the rollout page. */
    private static final List<Trigger> OFFERED = List.of(Trigger.PAUSE, Trigger.RESUME);

    private final SloResource slos;
    private final RolloutResource rollouts;
    private final AutomationSwitch automation;
    private final FlagServiceProbe flagService;

    public OverviewBuilder(SloResource slos, RolloutResource rollouts, AutomationSwitch automation,
            FlagServiceProbe flagService) {
        this.slos = slos;
        this.rollouts = rollouts;
        this.automation = automation;
        this.flagService = flagService;
    }

    /**
     * What changes whenever the overview's live parts would: the newest decision (the latest decision of each rollout),
     * each unfinished rollout's state, step, unconfirmed change and verdict (which the judge rewrites without a
     * decision), the SLOs' states and a paging SLO's reason, the automation switch and Unleash's reachability. Two
     * aggregate reads, so that a live poll of an unchanged overview costs next to nothing.
     */
    @Transactional
    public String version() {
        List<String> finished = Arrays.stream(RolloutState.values()).filter(RolloutState::finished).map(Enum::name).toList();
        Object[] digests = (Object[]) Rollout.getEntityManager().createNativeQuery("""
                SELECT (SELECT md5(coalesce(string_agg(concat_ws(':', id, state, step, pending_actuation IS NOT NULL,
                                verdict ->> 'outcome', verdict ->> 'action', verdict ->> 'reason'), '|' ORDER BY id), ''))
                          FROM rollout WHERE state NOT IN (:finished)),
                       (SELECT md5(coalesce(string_agg(concat_ws(':', id, state, CASE WHEN state = 'PAGE' THEN reason END),
                                '|' ORDER BY id), ''))
                          FROM slo)""").setParameter("finished", finished).getSingleResult();
        return RolloutDecision.newestId() + "-" + digests[0] + "-" + digests[1] + "-" + automation.state()
                + "-" + flagService.last().reachability();
    }

    @Transactional
    public Overview build(Caller caller) {
        List<Overview.Attention> attention = new ArrayList<>();

        AutomationSwitch.State switchState = automation.state();
        if (switchState != AutomationSwitch.State.ON) {
            attention.add(new Overview.Attention("TICKET", "automation switch", switchState == AutomationSwitch.State.OFF
                    ? "Automation is off: rollouts are judged but not moved by Bellwether."
                    : "The automation switch has not been read from Unleash yet: no rollout steps up."));
        }
        FlagServiceProbe.Status unleash = flagService.last();
        if (unleash.reachability() == FlagServiceProbe.Reachability.UNREACHABLE) {
            attention.add(new Overview.Attention("PAGE", "Unleash", "Unleash does not answer: no rollout steps up,"
                    + " and kills and rollbacks wait until it does."));
        }

        List<Overview.AppRow> apps = new ArrayList<>();
        List<Overview.Attention> paging = new ArrayList<>();
        Map<String, List<SloView>> sloViews = slos.everyAppWithoutTransitions();
        for (App app : App.<App>list("order by name")) {
            List<Overview.SloRow> rows = new ArrayList<>();
            for (SloView slo : sloViews.getOrDefault(app.name, List.of())) {
                String state = slo.state() == null ? "NOT EVALUATED YET" : slo.state().name();
                rows.add(new Overview.SloRow(slo.name(), slo.sli().wireName(), state, slo.reason(),
                        burnRates(slo.burnRates()), percent(slo.errorBudgetRemaining())));
                if (slo.state() == SloState.PAGE) {
                    paging.add(new Overview.Attention("PAGE", app.name + " · " + slo.name(),
                            "SLO is paging: " + (slo.reason() == null ? "burning its error budget fast" : slo.reason())));
                }
            }
            apps.add(new Overview.AppRow(app.name, rows));
        }
        attention.addAll(paging);

        List<Overview.RolloutRow> active = new ArrayList<>();
        List<RolloutView> unfinished = rollouts.unfinished();
        Map<Long, RolloutDecision.Summary> latestDecisions = RolloutDecision.latestOf(unfinished.stream().map(RolloutView::id).toList());
        for (RolloutView rollout : unfinished) {
            RolloutDecision.Summary latest = latestDecisions.get(rollout.id());
            String lastDecision = latest == null ? null : describe(latest);
            String subject = rollout.app() + " · " + rollout.flag() + " (" + rollout.environment() + ")";
            boolean drift = latest != null && Trigger.DRIFT.wireName().equals(latest.trigger())
                    && rollout.state() == RolloutState.PAUSED;
            if (rollout.state() == RolloutState.FROZEN) {
                attention.add(new Overview.Attention("PAGE", subject, "Frozen after a guard failed: " + lastDecision));
            } else if (drift) {
                attention.add(new Overview.Attention("TICKET", subject, "Paused: the flag was changed in Unleash by hand. "
                        + lastDecision));
            } else if (rollout.state() == RolloutState.PAUSED) {
                attention.add(new Overview.Attention("TICKET", subject, "Held: " + lastDecision));
            }
            if (rollout.pendingActuation() != null) {
                attention.add(new Overview.Attention("PAGE", subject, "A change Unleash has not confirmed yet is being retried."));
            }
            active.add(new Overview.RolloutRow(rollout.id(), rollout.app(), rollout.flag(), rollout.environment(),
                    rollout.state().name(), rollout.step() < 0 ? "not started" : (rollout.step() + 1) + " of "
                    + rollout.steps().size(), rollout.percentage() == null ? "—" : rollout.percentage() + " %",
                    rollout.dryRun(), verdict(rollout.verdict()), lastDecision, actions(rollout, caller)));
        }
        // pages first, then tickets; within each, in the order found
        attention.sort(Comparator.comparing(item -> !"PAGE".equals(item.severity())));
        return new Overview(attention, apps, active, switchState.name(), automation.describe(switchState),
                unleash.reachability().name().replace('_', ' '), unleash.checkedAt() == null ? "not checked yet"
                : "checked at " + unleash.checkedAt());
    }

    private static List<Overview.Action> actions(RolloutView rollout, Caller caller) {
        return OfferedActions.of(rollout.state(), rollout.step(), rollout.steps(), caller.role(), OFFERED);
    }

    static String verdict(Verdict verdict) {
        if (verdict == null) {
            return "Not judged yet.";
        }
        String sentence = switch (verdict.outcome()) {
            case PASS -> "Canary healthy against control";
            case HOLD -> "Holding";
            case FAIL -> "Canary regressed" + (verdict.action() == null ? "" : ", guard asks to "
                    + verdict.action().name().toLowerCase(Locale.ROOT));
        };
        return sentence + ": " + verdict.reason() + ".";
    }

    private static String describe(RolloutDecision.Summary decision) {
        return decision.trigger() + " by " + decision.actor() + " at " + decision.at()
                + (decision.reason() == null ? "" : ": " + decision.reason());
    }

    /** Shortest window first (stored JSON keeps no order); a window with no valid events has no rate. */
    static String burnRates(Map<String, Double> burnRates) {
        if (burnRates == null || burnRates.isEmpty()) {
            return "—";
        }
        return Arrays.stream(BurnWindow.values()).filter(window -> burnRates.containsKey(window.label()))
                .map(window -> {
                    Double rate = burnRates.get(window.label());
                    return window.label() + " " + (rate == null ? "—" : String.format(Locale.ROOT, "%.2f", rate));
                })
                .collect(Collectors.joining(" · "));
    }

    private static String percent(Double fraction) {
        return fraction == null ? "—" : String.format(Locale.ROOT, "%.1f %%", fraction * 100);
    }
}
