package dev.bellwether.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bellwether.support.ServiceProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The embedded PostgreSQL admits only the service: password required, loopback only, password file private. */
class EmbeddedPostgresAuthIT {

    @Test
    void aNewDataDirectoryRequiresTheGeneratedPassword() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target"), "auth-data");
        try (ServiceProcess service = new ServiceProcess(data, Map.of("BELLWETHER_ADMIN_TOKEN", "auth-admin"))) {
            service.start();
            assertLockedDown(data);
            assertThat(Files.readString(service.logFile())).doesNotContain(password(data));
        }
    }

    /** An earlier version made the data directory with trust authentication; its data must survive the switch. */
    @Test
    void aTrustDataDirectoryIsConvertedAndKeepsItsData() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target"), "auth-upgrade-data");
        try (EmbeddedPostgres earlier = EmbeddedPostgres.builder().setDataDirectory(data.resolve("postgres"))
                .setCleanDataDirectory(false).start();
                Connection connection = earlier.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA earlier; CREATE TABLE earlier.kept (value int); INSERT INTO earlier.kept VALUES (42)");
        }
        try (ServiceProcess service = new ServiceProcess(data, Map.of("BELLWETHER_ADMIN_TOKEN", "auth-admin"))) {
            service.start();
            assertLockedDown(data);
            service.stop();
            service.start();
            assertLockedDown(data);
            try (Connection connection = connect(data, password(data));
                    ResultSet kept = connection.createStatement().executeQuery("SELECT value FROM earlier.kept")) {
                assertThat(kept.next()).isTrue();
                assertThat(kept.getInt(1)).isEqualTo(42);
            }
            assertThat(Files.readString(service.logFile())).doesNotContain(password(data));
        }
    }

    private static void assertLockedDown(Path data) throws Exception {
        assertThatThrownBy(() -> connect(data, null).close()).as("no password").isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> connect(data, "wrong").close()).as("a wrong password").isInstanceOf(SQLException.class);
        Path passwordFile = data.resolve("postgres-password");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile))).isEqualTo("rw-------");
        try (Connection connection = connect(data, password(data));
                ResultSet listen = connection.createStatement().executeQuery("SHOW listen_addresses")) {
            listen.next();
            assertThat(listen.getString(1)).isEqualTo("127.0.0.1");
        }
    }

    static String password(Path data) throws Exception {
        return Files.readString(data.resolve("postgres-password")).trim();
    }

    private static Connection connect(Path data, String password) throws Exception {
        String port = Files.readAllLines(data.resolve("postgres").resolve("postmaster.pid")).get(3).trim();
        Properties properties = new Properties();
        properties.setProperty("user", "postgres");
        if (password != null) {
            properties.setProperty("password", password);
        }
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", properties);
    }
}
