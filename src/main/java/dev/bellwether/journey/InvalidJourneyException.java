package dev.bellwether.journey;

/**
 * A journey that cannot be declared; {@code field} names the culprit. A conflict is a journey valid in itself that the
 * app's other journeys leave no room for (a bound reached, a pattern taken).
 */
public final class InvalidJourneyException extends RuntimeException {

    private final String field;
    private final boolean conflict;

    public InvalidJourneyException(String field, String message) {
        this(field, message, false);
    }

    private InvalidJourneyException(String field, String message, boolean conflict) {
        super(field + " " + message);
        this.field = field;
        this.conflict = conflict;
    }

    public static InvalidJourneyException conflict(String field, String message) {
        return new InvalidJourneyException(field, message, true);
    }

    public boolean isConflict() {
        return conflict;
    }

    public String field() {
        return field;
    }

    /** The message without the leading field name, for a caller that names the field itself. */
    public String reason() {
        return getMessage().substring(field.length() + 1);
    }
}
