package dev.bellwether.slo;

import java.util.LinkedHashMap;
import java.util.Map;

/** A verdict as stored and shown: windows keyed by their labels (5m … 3d). */
public record Evidence(SloState state, String reason, Map<String, Double> burnRates, Map<String, GoodValid> windows,
                       GoodValid period, Double errorBudgetRemaining) {

    public static Evidence of(SloVerdict verdict) {
        Map<String, Double> burns = new LinkedHashMap<>();
        Map<String, GoodValid> windows = new LinkedHashMap<>();
        for (BurnWindow window : BurnWindow.values()) {
            burns.put(window.label(), verdict.burnRates().get(window));
            windows.put(window.label(), verdict.windows().get(window));
        }
        return new Evidence(verdict.state(), verdict.reason(), burns, windows, verdict.period(), verdict.budgetRemaining());
    }
}
