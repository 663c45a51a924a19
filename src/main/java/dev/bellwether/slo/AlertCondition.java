package dev.bellwether.slo;

import java.time.Duration;
import java.util.List;

/**
 * One multi-window burn-rate condition of the Google SRE workbook: fires when both windows burn at least
 * {@link #factor(Duration)}, the rate that spends {@code budgetFraction} of the period's budget within the long window.
 * The short window makes the alert stop soon after the burn does.
 */
public record AlertCondition(SloState severity, BurnWindow longWindow, BurnWindow shortWindow, double budgetFraction) {

    /** 14.4, 6, 3 and 1 for a 30-day period; scaled for other periods. */
    public static final List<AlertCondition> WORKBOOK = List.of(
            new AlertCondition(SloState.PAGE, BurnWindow.H1, BurnWindow.M5, 0.02),
            new AlertCondition(SloState.PAGE, BurnWindow.H6, BurnWindow.M30, 0.05),
            new AlertCondition(SloState.TICKET, BurnWindow.D1, BurnWindow.H2, 0.10),
            new AlertCondition(SloState.TICKET, BurnWindow.D3, BurnWindow.H6, 0.10));

    public double factor(Duration period) {
        return budgetFraction * period.toSeconds() / longWindow.length().toSeconds();
    }
}
