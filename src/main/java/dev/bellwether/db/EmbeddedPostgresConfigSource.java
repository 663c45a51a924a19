package dev.bellwether.db;

import io.quarkus.runtime.ExecutionMode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;

/**
 * Zero-setup database: when no datasource URL is configured, starts an embedded PostgreSQL whose
 * data lives in {@code BELLWETHER_DATA_DIR} (default {@code ./bellwether-data}) and survives restarts.
 *
 * <p>Its ordinal is low, so a URL given by environment, system property or application.properties wins.
 * PostgreSQL starts lazily, on the first read of the URL at run time.
 *
 * <p>Any local user could otherwise connect as superuser, so PostgreSQL listens on 127.0.0.1 only and asks for a
 * password (scram-sha-256) that is generated on first start and kept, readable by its owner only, in
 * {@code BELLWETHER_DATA_DIR/postgres-password}. A data directory created with trust authentication by an earlier
 * version is converted on its next start: the password is set, then pg_hba.conf is switched to scram-sha-256.
 */
public final class EmbeddedPostgresConfigSource implements ConfigSource {

    static final String URL_KEY = "quarkus.datasource.jdbc.url";
    static final String USER_KEY = "quarkus.datasource.username";
    static final String PASSWORD_KEY = "quarkus.datasource.password";
    static final String SUPERUSER = "postgres";
    static final String PASSWORD_FILE = "postgres-password";
    private static final String AUTH_METHOD = "scram-sha-256";
    /** Remembered across dev-mode reloads, which build a new config but must keep the same database. */
    private static final String STARTED_URL_PROPERTY = "bellwether.embedded-postgres.started-url";
    private static final Logger LOG = Logger.getLogger(EmbeddedPostgresConfigSource.class);
    private static final Object LOCK = new Object();
    private static EmbeddedPostgres postgres;
    /** Not a system property like the URL: those end up in diagnostics such as JMX and thread dumps' headers. */
    private static volatile String password;

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
            case USER_KEY -> SUPERUSER;
            case PASSWORD_KEY -> password();
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
            String url;
            try {
                Files.createDirectories(dataDirectory);
                Path passwordFile = passwordFile();
                String secret = readOrCreatePassword(passwordFile);
                stopOrphan(dataDirectory);
                postgres = EmbeddedPostgres.builder()
                        .setDataDirectory(dataDirectory)
                        .setCleanDataDirectory(false)
                        // initdb options (used only for a new data directory): no trust, the superuser's password from the file
                        .setLocaleConfig("auth", AUTH_METHOD)
                        .setLocaleConfig("pwfile", passwordFile.toString())
                        .setServerConfig("listen_addresses", "127.0.0.1")
                        // zonky turns fsync and synchronous_commit off for test speed; an ack must mean "on disk".
                        .setServerConfig("fsync", "on")
                        .setServerConfig("synchronous_commit", "on")
                        .setServerConfig("max_connections", "100")
                        // zonky's own readiness check connects with these
                        .setConnectConfig("password", secret)
                        .start();
                url = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
                requirePassword(dataDirectory, url, secret);
                password = secret;
            } catch (IOException e) {
                throw new UncheckedIOException("could not start embedded PostgreSQL in " + dataDirectory, e);
            }
            LOG.infof("embedded PostgreSQL on 127.0.0.1:%d, data in %s (set QUARKUS_DATASOURCE_JDBC_URL to use another)",
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

    private static String password() {
        String known = password;
        if (known != null) {
            return known;
        }
        // after a dev-mode reload the URL is remembered but this class may be new: the file has the password
        try {
            return readOrCreatePassword(passwordFile());
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the embedded PostgreSQL password", e);
        }
    }

    /** Created with owner-only permissions from the start, so the password is never readable by others. */
    static String readOrCreatePassword(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        if (!Files.exists(file)) {
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            String generated = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            try {
                Files.writeString(Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY)), generated + "\n");
            } catch (FileAlreadyExistsException raced) {
                // another process created it first: use theirs
            }
        }
        if (!Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        }
        String stored = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (stored.isEmpty()) {
            throw new IOException(file + " is empty; delete it only together with the data directory next to it");
        }
        return stored;
    }

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    /**
     * Converts a data directory made by initdb with trust authentication (earlier versions): while trust still admits
     * the superuser, sets its password, then switches pg_hba.conf to scram-sha-256 and reloads. The password is hashed
     * by the driver, so it never reaches the server's statement log. A no-op when pg_hba.conf has no trust line.
     */
    private static void requirePassword(Path dataDirectory, String url, String secret) throws IOException {
        Path hba = dataDirectory.resolve("pg_hba.conf");
        List<String> lines = Files.readAllLines(hba);
        List<String> converted = lines.stream()
                .map(line -> line.strip().startsWith("#") ? line : line.replaceAll("\\btrust\\s*$", AUTH_METHOD))
                .toList();
        if (converted.equals(lines)) {
            return;
        }
        LOG.infof("embedded PostgreSQL in %s used trust authentication: setting a password and switching to %s",
                dataDirectory, AUTH_METHOD);
        try (Connection connection = DriverManager.getConnection(url, SUPERUSER, secret)) {
            connection.unwrap(PGConnection.class).alterUserPassword(SUPERUSER, secret.toCharArray(), AUTH_METHOD);
            Files.write(hba, converted);
            try (Statement statement = connection.createStatement()) {
                statement.execute("SELECT pg_reload_conf()");
            }
        } catch (SQLException e) {
            throw new IOException("could not set the embedded PostgreSQL password in " + dataDirectory, e);
        }
    }

    static Path dataDirectory() {
        return baseDirectory().resolve("postgres");
    }

    static Path passwordFile() {
        return baseDirectory().resolve(PASSWORD_FILE);
    }

    private static Path baseDirectory() {
        String configured = System.getProperty("bellwether.data-dir", System.getenv("BELLWETHER_DATA_DIR"));
        Path base = configured == null || configured.isBlank() ? Path.of("bellwether-data") : Path.of(configured);
        return base.toAbsolutePath();
    }
}
