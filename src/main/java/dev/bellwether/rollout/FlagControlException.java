package dev.bellwether.rollout;

/**
 * The flag service could not be read or changed. {@code unavailable} tells an outage (retry later; the actual state
 * is unknown) from a refusal (the request was wrong: unknown flag, bad token); {@code flagMissing} marks the refusal
 * that says the flag itself does not exist.
 */
public class FlagControlException extends Exception {

    private final boolean unavailable;
    private final boolean flagMissing;

    public FlagControlException(String message, boolean unavailable, Throwable cause) {
        this(message, unavailable, false, cause);
    }

    private FlagControlException(String message, boolean unavailable, boolean flagMissing, Throwable cause) {
        super(message, cause);
        this.unavailable = unavailable;
        this.flagMissing = flagMissing;
    }

    public static FlagControlException flagMissing(String message) {
        return new FlagControlException(message, false, true, null);
    }

    public boolean unavailable() {
        return unavailable;
    }

    public boolean flagMissing() {
        return flagMissing;
    }
}
