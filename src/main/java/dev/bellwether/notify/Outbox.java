package dev.bellwether.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import org.hibernate.Session;
import org.jboss.logging.Logger;

/**
 * Writes notifications into the webhook outbox within the caller's transaction (so they exist exactly when the
 * decision does), behind a savepoint and a statement timeout: when the outbox cannot be written, the notice is lost
 * and counted, and the caller's transaction goes on as if nothing had been asked.
 */
@ApplicationScoped
class Outbox {

    private static final Logger LOG = Logger.getLogger(Outbox.class);
    /** Seconds an outbox statement may take before it is cancelled: a decision waits no longer for its notice. */
    static final int STATEMENT_TIMEOUT_SECONDS = 2;
    private static final String ENQUEUE = "INSERT INTO webhook_delivery (webhook_id, event, created_at, next_attempt_at)"
            + " SELECT id, CAST(? AS jsonb), now(), now() FROM webhook"
            + " WHERE (CAST(? AS bigint) IS NULL OR app_id = ?) AND (cardinality(events) = 0 OR ? = ANY (events))";

    private final EntityManager entities;
    private final ObjectMapper json;
    private final WebhookMetrics metrics;

    Outbox(EntityManager entities, ObjectMapper json, WebhookMetrics metrics) {
        this.entities = entities;
        this.json = json;
        this.metrics = metrics;
    }

    /** One delivery of the event for each webhook of the app (of every app when appId is null) that wants it. */
    void enqueue(Long appId, WebhookEvent event) {
        guarded(event.type(), connection -> insert(connection, appId, event));
    }

    /** As {@link #enqueue}, on a connection the caller holds in a transaction of its own (the SLO evaluator's). */
    void enqueue(Connection connection, Long appId, WebhookEvent event) {
        try {
            savepointed(connection, event.type(), c -> insert(c, appId, event));
        } catch (SQLException | RuntimeException e) {
            lost(event.type(), e);
        }
    }

    /**
     * Opens the episode unless it is open, and only then enqueues the event: one notice per episode, whichever replica
     * or tick sees it first.
     */
    void enqueueOnce(String episode, Long appId, WebhookEvent event) {
        guarded(event.type(), connection -> {
            try (PreparedStatement open = connection.prepareStatement(
                    "INSERT INTO notification_episode (key, opened_at) VALUES (?, now()) ON CONFLICT DO NOTHING")) {
                open.setQueryTimeout(STATEMENT_TIMEOUT_SECONDS);
                open.setString(1, episode);
                if (open.executeUpdate() == 1) {
                    insert(connection, appId, event);
                }
            }
        });
    }

    /** Ends an episode, so that its condition is notified again when it next begins. */
    void closeEpisode(String episode) {
        guarded("episode end", connection -> {
            try (PreparedStatement close = connection.prepareStatement("DELETE FROM notification_episode WHERE key = ?")) {
                close.setQueryTimeout(STATEMENT_TIMEOUT_SECONDS);
                close.setString(1, episode);
                close.executeUpdate();
            }
        });
    }

    private void insert(Connection connection, Long appId, WebhookEvent event) throws SQLException {
        String body;
        try {
            body = json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new SQLException("event not serializable", e);
        }
        try (PreparedStatement insert = connection.prepareStatement(ENQUEUE)) {
            insert.setQueryTimeout(STATEMENT_TIMEOUT_SECONDS);
            insert.setString(1, body);
            if (appId == null) {
                insert.setNull(2, Types.BIGINT);
                insert.setNull(3, Types.BIGINT);
            } else {
                insert.setLong(2, appId);
                insert.setLong(3, appId);
            }
            insert.setString(4, event.type());
            insert.executeUpdate();
        }
    }

    private interface Work {
        void run(Connection connection) throws SQLException;
    }

    private void guarded(String what, Work work) {
        try {
            if (QuarkusTransaction.isActive()) {
                inSavepoint(what, work);
            } else {
                QuarkusTransaction.requiringNew().run(() -> inSavepoint(what, work));
            }
        } catch (RuntimeException e) {
            lost(what, e);
        }
    }

    private void inSavepoint(String what, Work work) {
        entities.unwrap(Session.class).doWork(connection -> savepointed(connection, what, work));
    }

    /**
     * In SQL, not through JDBC's savepoint calls: the pool refuses those on a connection enlisted in a JTA transaction,
     * and a statement is all PostgreSQL needs.
     */
    private void savepointed(Connection connection, String what, Work work) throws SQLException {
        try (Statement savepoint = connection.createStatement()) {
            savepoint.execute("SAVEPOINT webhook_outbox");
            try {
                work.run(connection);
                savepoint.execute("RELEASE SAVEPOINT webhook_outbox");
            } catch (SQLException | RuntimeException e) {
                // the caller's transaction stays usable: only what the outbox did is undone
                savepoint.execute("ROLLBACK TO SAVEPOINT webhook_outbox");
                lost(what, e);
            }
        }
    }

    private void lost(String what, Exception e) {
        metrics.noticeLost();
        LOG.warnf("webhook notice %s not written (the decision stands): %s", what, e.getMessage());
    }
}
