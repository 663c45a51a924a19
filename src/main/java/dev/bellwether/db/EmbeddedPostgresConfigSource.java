package dev.bellwether.db;

import io.quarkus.runtime.ExecutionMode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.jboss.logging.Logger;

/**
 * Zero-setup database: when no datasource URL is configured, starts an embedded PostgreSQL whose
 * data lives in {@code BELLWETHER_DATA_DIR} (default {@code ./bellwether-data}) and survives restarts.
 *
 * <p>Its ordinal is low, so a URL given by environment, system property or application.properties wins.
 * PostgreSQL starts lazily, on the first read of the URL at run time.
 */
public final class EmbeddedPostgresConfigSource implements ConfigSource {

    static final String URL_KEY = "quarkus.datasource.jdbc.url";
    static final String USER_KEY = "quarkus.datasource.username";
    static final String PASSWORD_KEY = "quarkus.datasource.password";
    /** Remembered across dev-mode reloads, which build a new config but must keep the same database. */
    private static final String STARTED_URL_PROPERTY = "bellwether.embedded-postgres.started-url";
    private static final Logger LOG = Logger.getLogger(EmbeddedPostgresConfigSource.class);
    private static final Object LOCK = new Object();
    private static EmbeddedPostgres postgres;

    @Override
    public Set<String> getPropertyNames() {
        return configuredElsewhere() ? Set.of() : Set.of(URL_KEY, USER_KEY, PASSWORD_KEY);
    }

    @Override
    public String getValue(String propertyName) {
        if (configuredElsewhere()) {
            return null;
        }
        return switch (propertyName) {
            case URL_KEY -> startedUrl();
            case USER_KEY -> "postgres";
            case PASSWORD_KEY -> "postgres";
            default -> null;
        };
    }

    @Override
    public int getOrdinal() {
        return 50;
    }

    @Override
    public String getName() {
        return "bellwether-embedded-postgres";
    }

    /**
     * Also true while Quarkus builds the application (no execution mode yet): the build reads datasource settings
     * but must not start a database, least of all one in the project folder.
     */
    private static boolean configuredElsewhere() {
        return System.getenv("QUARKUS_DATASOURCE_JDBC_URL") != null || System.getProperty(URL_KEY) != null
                || ExecutionMode.current() == ExecutionMode.UNSET;
    }

    private static String startedUrl() {
        synchronized (LOCK) {
            String remembered = System.getProperty(STARTED_URL_PROPERTY);
            if (remembered != null) {
                return remembered;
            }
            Path dataDirectory = dataDirectory();
            try {
                Files.createDirectories(dataDirectory);
                stopOrphan(dataDirectory);
                postgres = EmbeddedPostgres.builder()
                        .setDataDirectory(dataDirectory)
                        .setCleanDataDirectory(false)
                        // zonky turns fsync and synchronous_commit off for test speed; an ack must mean "on disk".
                        .setServerConfig("fsync", "on")
                        .setServerConfig("synchronous_commit", "on")
                        .setServerConfig("max_connections", "100")
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start embedded PostgreSQL in " + dataDirectory, e);
            }
            String url = postgres.getJdbcUrl("postgres", "postgres");
            LOG.infof("embedded PostgreSQL on port %d, data in %s (set QUARKUS_DATASOURCE_JDBC_URL to use another)",
                    postgres.getPort(), dataDirectory);
            System.setProperty(STARTED_URL_PROPERTY, url);
            return url;
        }
    }

    /**
     * A JVM killed without its shutdown hooks (kill -9, OOM killer) leaves its PostgreSQL running on the data
     * directory, which would refuse a second server. Its sessions died with the JVM, so a smart shutdown is quick.
     */
    private static void stopOrphan(Path dataDirectory) throws IOException {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.isEmpty() || lines.get(0).isBlank()) {
            return;
        }
        Optional<ProcessHandle> orphan = ProcessHandle.of(Long.parseLong(lines.get(0).trim()));
        if (orphan.isEmpty() || !orphan.get().isAlive()
                || !orphan.get().info().command().map(c -> c.endsWith("postgres")).orElse(false)) {
            return;
        }
        LOG.warnf("stopping PostgreSQL (pid %d) left running on %s by an earlier run", orphan.get().pid(), dataDirectory);
        orphan.get().destroy();
        try {
            orphan.get().onExit().get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping an earlier PostgreSQL", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("an earlier PostgreSQL (pid " + orphan.get().pid() + ") on " + dataDirectory
                    + " did not stop; stop it and start again", e);
        }
    }

    static Path dataDirectory() {
        String configured = System.getProperty("bellwether.data-dir", System.getenv("BELLWETHER_DATA_DIR"));
        Path base = configured == null || configured.isBlank() ? Path.of("bellwether-data") : Path.of(configured);
        return base.toAbsolutePath().resolve("postgres");
    }
}
