package dev.bellwether.slo;

import java.util.Map;

/**
 * What one evaluation found: the state, why, and the numbers behind it. {@code burnRates} has a null rate for a
 * window without valid events; {@code budgetRemaining} is the share of the period's error budget left (negative
 * when overspent, null without events).
 */
public record SloVerdict(SloState state, String reason, Map<BurnWindow, Double> burnRates, Map<BurnWindow, GoodValid> windows,
                         GoodValid period, Double budgetRemaining) {
}
