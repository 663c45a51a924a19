package dev.bellwether.api;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * A refusal in the domain's own words, free of HTTP: each package says what kind of refusal it is, and
 * {@link ProblemMappers} turns the kind into the status of the problem-JSON answer. The stack trace is not kept: the
 * message says everything a caller needs.
 */
public abstract class DomainException extends RuntimeException {

    /** What kind of refusal: the caller named something that does not exist, that clashes, that cannot be used, or a
     * service the request needs is down. */
    public enum Kind {
        NOT_FOUND, CONFLICT, UNPROCESSABLE, UNAVAILABLE
    }

    private final Kind kind;
    private final String field;
    private final Long retryAfterSeconds;

    protected DomainException(Kind kind, String message, String field, Long retryAfterSeconds) {
        super(message, null, false, false);
        this.kind = kind;
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public Kind kind() {
        return kind;
    }

    /** The input field to blame, when one is. */
    public Optional<String> field() {
        return Optional.ofNullable(field);
    }

    /** How long the caller should wait before trying again, when waiting helps. */
    public OptionalLong retryAfterSeconds() {
        return retryAfterSeconds == null ? OptionalLong.empty() : OptionalLong.of(retryAfterSeconds);
    }
}
