package dev.bellwether.rollout;

/**
 * The flag service could not be read or changed. {@code unavailable} tells an outage (retry later; the actual state
 * is unknown) from a refusal (the request was wrong: unknown flag, bad token).
 */
public class FlagControlException extends Exception {

    private final boolean unavailable;

    public FlagControlException(String message, boolean unavailable, Throwable cause) {
        super(message, cause);
        this.unavailable = unavailable;
    }

    public boolean unavailable() {
        return unavailable;
    }
}
