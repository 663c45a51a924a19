package dev.bellwether.rollout;

import dev.bellwether.api.DomainException;

/** A rollout request Bellwether refuses; the API answers it as problem JSON. */
public final class RolloutException extends DomainException {

    /** How long to wait before asking again after the flag service failed to answer. */
    private static final long FLAG_SERVICE_RETRY_AFTER_SECONDS = 10;
    private static final long DATABASE_RETRY_AFTER_SECONDS = 5;

    private RolloutException(Kind kind, String message, String field, Long retryAfterSeconds) {
        super(kind, message, field, retryAfterSeconds);
    }

    public static RolloutException noRollout(long id) {
        return new RolloutException(Kind.NOT_FOUND, "no rollout " + id, null, null);
    }

    public static RolloutException conflict(String message, String field) {
        return new RolloutException(Kind.CONFLICT, message, field, null);
    }

    public static RolloutException unknownFlag(FlagRef flag) {
        return new RolloutException(Kind.UNPROCESSABLE,
                "Unleash has no flag '" + flag.flag() + "' in project '" + flag.project() + "'", "flag", null);
    }

    public static RolloutException flagServiceNotConfigured() {
        return new RolloutException(Kind.UNAVAILABLE,
                "Unleash is not configured: set BELLWETHER_UNLEASH_URL and BELLWETHER_UNLEASH_ADMIN_TOKEN", null, null);
    }

    /** The flag service is down (503) or refused the read (422); either way the caller may try again shortly. */
    public static RolloutException flagServiceFailed(FlagControlException e) {
        return new RolloutException(e.unavailable() ? Kind.UNAVAILABLE : Kind.UNPROCESSABLE, e.getMessage(), null,
                FLAG_SERVICE_RETRY_AFTER_SECONDS);
    }

    /** The database could not answer a read; nothing changed, and asking again shortly may work. */
    public static RolloutException databaseFailed(String what) {
        return new RolloutException(Kind.UNAVAILABLE, "the database could not answer " + what + "; try again", null,
                DATABASE_RETRY_AFTER_SECONDS);
    }
}
