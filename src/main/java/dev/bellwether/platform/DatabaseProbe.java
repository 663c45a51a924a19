package dev.bellwether.platform;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.Driver;

/**
 * Does PostgreSQL answer within the probe timeout, and would it take a write? Exported as
 * {@code bellwether_database_up} (checked on a schedule, so that an alert can tell "the database is gone" from "no
 * traffic") and asked by readiness.
 *
 * <p>A database that answers but refuses writes (a standby after a failover, {@code default_transaction_read_only}
 * switched on) counts as down: beacons cannot be stored and admin changes fail, so the replica is of no use to a
 * load balancer. The probe asks whether a new transaction would be read-only, which reflects both causes without
 * writing anything. A full disk is not seen here, as reading still works; commits fail and are answered 503.
 *
 * <p>A hung database must read as down, not as a hung probe: the query runs on one thread of its own, on a
 * connection of its own (not the pool's, which a hang may have exhausted) whose socket and login timeouts are the
 * probe timeout, and callers wait for it at most that long. While a query is in flight, callers wait on that one
 * instead of starting another, so a hung server cannot pile up probe threads or connections.
 */
// created at start, so that its gauges are exported before the first probe or evaluation, as alerts expect
@Startup
@ApplicationScoped
public class DatabaseProbe {

    private static final Logger LOG = Logger.getLogger(DatabaseProbe.class);

    private final String url;
    private final Optional<String> user;
    private final Optional<String> password;
    private final Duration timeout;
    private final AtomicInteger up = new AtomicInteger(1);
    private final MeterRegistry registry;
    private final Gauge upGauge;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "database-probe");
        thread.setDaemon(true);
        return thread;
    });
    /** Guarded by this. */
    private Future<Boolean> inFlight;
    /** Only the runner thread touches it. */
    private Connection connection;

    public DatabaseProbe(MeterRegistry registry, @ConfigProperty(name = "quarkus.datasource.jdbc.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") Optional<String> user,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password,
            @ConfigProperty(name = "bellwether.database-probe.timeout") Duration timeout) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.timeout = timeout;
        this.registry = registry;
        this.upGauge = Gauge.builder("bellwether.database.up", up, AtomicInteger::get)
                .description("1 while PostgreSQL answers and takes writes, 0 when it does not").register(registry);
    }

    @Scheduled(every = "${bellwether.database-probe.interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void probe() {
        answers();
    }

    /** True if PostgreSQL answered within the probe timeout and takes writes; the gauge follows every answer. */
    public boolean answers() {
        Future<Boolean> attempt;
        synchronized (this) {
            if (inFlight == null || inFlight.isDone()) {
                inFlight = runner.submit(this::query);
            }
            attempt = inFlight;
        }
        boolean answered;
        try {
            answered = attempt.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            answered = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answered = false;
        }
        if (up.getAndSet(answered ? 1 : 0) == 1 && !answered) {
            LOG.warnf("PostgreSQL did not answer the probe within %d ms, or refuses writes", timeout.toMillis());
        }
        return answered;
    }

    private boolean query() {
        try {
            if (connection == null) {
                connection = connect();
            }
            try (Statement statement = connection.createStatement()) {
                statement.setQueryTimeout(timeoutSeconds());
                // autocommit: each statement is a new transaction, which takes the server's current default
                try (ResultSet readOnly = statement.executeQuery("SELECT current_setting('transaction_read_only')")) {
                    boolean writable = readOnly.next() && "off".equals(readOnly.getString(1));
                    if (!writable) {
                        LOG.debug("database probe: PostgreSQL refuses writes");
                    }
                    return writable;
                }
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("database probe failed: %s", e.getMessage());
            closeConnection();
            return false;
        }
    }

    private Connection connect() throws SQLException {
        Properties properties = new Properties();
        user.ifPresent(u -> properties.setProperty("user", u));
        password.ifPresent(p -> properties.setProperty("password", p));
        String seconds = String.valueOf(timeoutSeconds());
        properties.setProperty("connectTimeout", seconds);
        properties.setProperty("loginTimeout", seconds);
        properties.setProperty("socketTimeout", seconds);
        properties.setProperty("ApplicationName", "bellwether-database-probe");
        Connection opened = new Driver().connect(url, properties);
        if (opened == null) {
            throw new SQLException("not a PostgreSQL JDBC URL");
        }
        return opened;
    }

    private int timeoutSeconds() {
        return (int) Math.max(1, (timeout.toMillis() + 999) / 1000);
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException alreadyBroken) {
                // nothing to release
            }
            connection = null;
        }
    }

    /** The gauge goes with this bean: a registry that outlives the application would keep it reading a dead value. */
    void stop(@Observes ShutdownEvent shutdown) {
        registry.remove(upGauge);
        runner.submit(this::closeConnection);
        runner.shutdown();
    }
}
