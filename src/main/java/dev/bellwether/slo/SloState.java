package dev.bellwether.slo;

public enum SloState {
    /** Burning slowly enough. */
    OK,
    /** Burning fast enough to exhaust the budget within days: someone should look during working hours. */
    TICKET,
    /** Burning fast enough to exhaust the budget within hours or a day: wake someone. */
    PAGE,
    /** No valid events in any window. */
    NO_DATA,
    /** Too few events to judge: a few bad ones would look like a fast burn. */
    LOW_TRAFFIC
}
