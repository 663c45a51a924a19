package dev.bellwether.console;

import dev.bellwether.security.Caller;
import dev.bellwether.security.Secrets;
import dev.bellwether.security.TokenAuthenticator;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Console sessions in PostgreSQL, so that every replica knows them and a restart keeps them. The session id is a
 * random secret held only by the person's cookie; the row keys it by its SHA-256. Each use asks the token
 * authenticator again, so the role is the token's as the API sees it, and a revoked token's sessions end.
 */
@ApplicationScoped
public class ConsoleSessions {

    static final String SESSION_PREFIX = "bws_";

    private final EntityManager db;
    private final TokenAuthenticator tokens;
    private final Clock clock;
    private final SessionLifetime lifetime;
    private final int maxPerToken;

    public ConsoleSessions(EntityManager db, TokenAuthenticator tokens, Clock clock, ConsoleConfig config) {
        this.db = db;
        this.tokens = tokens;
        this.clock = clock;
        this.lifetime = new SessionLifetime(config.sessions().idleTimeout(), config.sessions().absoluteTimeout());
        if (config.sessions().maxPerToken() < 1) {
            throw new IllegalArgumentException("bellwether.console.sessions.max-per-token must be at least 1, got "
                    + config.sessions().maxPerToken());
        }
        this.maxPerToken = config.sessions().maxPerToken();
    }

    /** A signed-in person: who (as the API would see their token), and the session's CSRF token for their forms. */
    public record ConsoleUser(Caller caller, String csrfToken) {
    }

    public record SignedIn(String sessionId, ConsoleUser user) {
    }

    public SessionLifetime lifetime() {
        return lifetime;
    }

    /** A new session for a valid token; the token's oldest sessions end beyond the per-token bound. */
    @Transactional
    public Optional<SignedIn> signIn(String token) {
        byte[] tokenHash = Secrets.hash(token);
        Optional<Caller> caller = tokens.authenticateHash(tokenHash);
        if (caller.isEmpty()) {
            return Optional.empty();
        }
        String sessionId = Secrets.generate(SESSION_PREFIX);
        Timestamp now = Timestamp.from(clock.instant());
        db.createNativeQuery("INSERT INTO console_session (id_hash, token_hash, created_at, last_seen_at) VALUES (?1, ?2, ?3, ?3)")
                .setParameter(1, Secrets.hash(sessionId)).setParameter(2, tokenHash).setParameter(3, now).executeUpdate();
        db.createNativeQuery("DELETE FROM console_session WHERE token_hash = ?1 AND id_hash NOT IN (SELECT id_hash FROM"
                        + " console_session WHERE token_hash = ?1 ORDER BY created_at DESC, id_hash LIMIT ?2)")
                .setParameter(1, tokenHash).setParameter(2, maxPerToken).executeUpdate();
        return Optional.of(new SignedIn(sessionId, new ConsoleUser(caller.get(), csrfToken(sessionId))));
    }

    /**
     * The person behind a session cookie, if the session is live and its token still valid; marks it used (at most
     * once per {@link SessionLifetime#useRecordingInterval}, so most page views only read).
     */
    @Transactional
    public Optional<ConsoleUser> resolve(String sessionId) {
        return resolve(sessionId, true);
    }

    /**
     * As {@link #resolve(String)}, but without marking the session used: for a page's background polls, so that a tab
     * left open does not keep its session alive past the idle timeout.
     */
    @Transactional
    public Optional<ConsoleUser> peek(String sessionId) {
        return resolve(sessionId, false);
    }

    private Optional<ConsoleUser> resolve(String sessionId, boolean touch) {
        if (sessionId == null || !sessionId.startsWith(SESSION_PREFIX) || sessionId.length() > 100) {
            return Optional.empty();
        }
        byte[] idHash = Secrets.hash(sessionId);
        @SuppressWarnings("unchecked")
        List<Object[]> rows = db.createNativeQuery(
                        "SELECT token_hash, created_at, last_seen_at FROM console_session WHERE id_hash = ?1")
                .setParameter(1, idHash).getResultList();
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Object[] row = rows.get(0);
        byte[] tokenHash = (byte[]) row[0];
        Instant now = clock.instant();
        Instant lastSeenAt = instant(row[2]);
        if (lifetime.expired(instant(row[1]), lastSeenAt, now)) {
            end(idHash);
            return Optional.empty();
        }
        Optional<Caller> caller = tokens.authenticateHash(tokenHash);
        if (caller.isEmpty()) {
            db.createNativeQuery("DELETE FROM console_session WHERE token_hash = ?1").setParameter(1, tokenHash).executeUpdate();
            return Optional.empty();
        }
        if (touch && lifetime.useWorthRecording(lastSeenAt, now)) {
            // no lock taken: two requests racing both write about the same time, and a session signed out meanwhile
            // has no row left to update
            db.createNativeQuery("UPDATE console_session SET last_seen_at = ?2 WHERE id_hash = ?1")
                    .setParameter(1, idHash).setParameter(2, Timestamp.from(now)).executeUpdate();
        }
        return Optional.of(new ConsoleUser(caller.get(), csrfToken(sessionId)));
    }

    @Transactional
    public void signOut(String sessionId) {
        if (sessionId != null) {
            end(Secrets.hash(sessionId));
        }
    }

    /** Whether {@code offered} is the CSRF token of the session {@code user} came with; constant time. */
    public static boolean csrfMatches(ConsoleUser user, String offered) {
        return offered != null && MessageDigest.isEqual(user.csrfToken().getBytes(StandardCharsets.UTF_8),
                offered.getBytes(StandardCharsets.UTF_8));
    }

    /** Expired sessions are refused when used; this removes those never used again. */
    @Scheduled(every = "10m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    @Transactional
    void sweep() {
        Instant now = clock.instant();
        db.createNativeQuery("DELETE FROM console_session WHERE last_seen_at <= ?1 OR created_at <= ?2")
                .setParameter(1, Timestamp.from(lifetime.idleCutoff(now)))
                .setParameter(2, Timestamp.from(lifetime.absoluteCutoff(now))).executeUpdate();
    }

    private void end(byte[] idHash) {
        db.createNativeQuery("DELETE FROM console_session WHERE id_hash = ?1").setParameter(1, idHash).executeUpdate();
    }

    /**
     * The session's CSRF token, derived from its id: only the holder of the cookie can have it, it is never stored,
     * and it cannot be turned back into the session id.
     */
    private static String csrfToken(String sessionId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Secrets.hash("console-csrf:" + sessionId));
    }

    private static Instant instant(Object column) {
        if (column instanceof Timestamp timestamp) {
            return timestamp.toInstant();
        }
        if (column instanceof java.time.OffsetDateTime offset) {
            return offset.toInstant();
        }
        return (Instant) column;
    }
}
