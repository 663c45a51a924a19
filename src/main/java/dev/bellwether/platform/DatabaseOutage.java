package dev.bellwether.platform;

import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;

/**
 * Tells a failure that means "the database cannot be used now" (down, hung, unreachable, out of connections,
 * refusing writes, out of disk or memory) from one that a retry would not cure: the first is answered 503 with
 * Retry-After, the second is a bug or bad data.
 */
public final class DatabaseOutage {

    /** The pool's own wording; its exception carries no SQLSTATE. */
    private static final String POOL_ACQUISITION_TIMEOUT = "Acquisition timeout";

    private DatabaseOutage() {
    }

    /** True if the failure, or any of its causes, is the database being unavailable. */
    public static boolean causedBy(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && isOutage(sql)) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }

    private static boolean isOutage(SQLException e) {
        if (e instanceof SQLTransientConnectionException || e instanceof SQLTimeoutException) {
            return true;
        }
        String state = e.getSQLState();
        if (state == null) {
            return e.getMessage() != null && e.getMessage().startsWith(POOL_ACQUISITION_TIMEOUT);
        }
        return state.startsWith("08") // connection exception: refused, broken, timed out on the socket
                || state.startsWith("53") // insufficient resources: disk full, out of memory, too many connections
                || state.equals("25006") // read-only transaction: a standby after failover, or writes switched off
                || state.equals("57014") // query cancelled: a query timeout
                || state.equals("57P01") || state.equals("57P02") || state.equals("57P03"); // shutting down, crashed, starting
    }
}
