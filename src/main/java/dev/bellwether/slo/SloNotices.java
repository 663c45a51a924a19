package dev.bellwether.slo;

import java.sql.Connection;

/**
 * Where the SLO evaluator tells of state changes, for people to be notified (webhooks). Called on the evaluation's
 * connection, inside its transaction; an implementation must be cheap and must never fail the evaluation.
 */
public interface SloNotices {

    /** @param from the state before, or null for an SLO's first evaluation */
    void stateChanged(Connection connection, long appId, String appName, String slo, SloState from, SloState to,
            String reason);
}
