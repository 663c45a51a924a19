package dev.bellwether.console;

import java.time.Duration;
import java.time.Instant;

/** When a console session ends: after an idle spell, or at a fixed time after sign-in, whichever comes first. */
public record SessionLifetime(Duration idleTimeout, Duration absoluteTimeout) {

    public SessionLifetime {
        if (idleTimeout.isNegative() || idleTimeout.isZero() || absoluteTimeout.isNegative() || absoluteTimeout.isZero()) {
            throw new IllegalArgumentException("session timeouts must be positive, got idle " + idleTimeout
                    + " and absolute " + absoluteTimeout);
        }
    }

    public boolean expired(Instant createdAt, Instant lastSeenAt, Instant now) {
        return !now.isBefore(lastSeenAt.plus(idleTimeout)) || !now.isBefore(createdAt.plus(absoluteTimeout));
    }

    /**
     * Whether a use at {@code now} is worth writing down. Writing every page view would make each one a write
     * transaction; recording use at most once per {@link #useRecordingInterval} costs a session at most that much of
     * its idle spell.
     */
    public boolean useWorthRecording(Instant lastSeenAt, Instant now) {
        return !now.isBefore(lastSeenAt.plus(useRecordingInterval()));
    }

    /** A minute, or a thirtieth of the idle timeout when that is shorter. */
    public Duration useRecordingInterval() {
        Duration share = idleTimeout.dividedBy(30);
        return share.compareTo(Duration.ofMinutes(1)) < 0 ? share : Duration.ofMinutes(1);
    }

    /** Seconds the cookie may live: no longer than the session can. */
    public long cookieMaxAgeSeconds() {
        return absoluteTimeout.toSeconds();
    }

    /** Before this, a session row cannot be expired by idleness: rows last seen earlier may be swept. */
    public Instant idleCutoff(Instant now) {
        return now.minus(idleTimeout);
    }

    public Instant absoluteCutoff(Instant now) {
        return now.minus(absoluteTimeout);
    }
}
