package dev.bellwether.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class DatabaseOutageTest {

    @Test
    void connectionFailuresTimeoutsAndAnExhaustedPoolAreOutagesWrappedOrNot() {
        assertThat(DatabaseOutage.causedBy(new SQLException("An I/O error occurred while sending to the backend.", "08006"))).isTrue();
        assertThat(DatabaseOutage.causedBy(new SQLException("Connection to localhost:5432 refused.", "08001"))).isTrue();
        assertThat(DatabaseOutage.causedBy(new SQLTransientConnectionException("no connection"))).isTrue();
        assertThat(DatabaseOutage.causedBy(new SQLTimeoutException("query timed out"))).isTrue();
        assertThat(DatabaseOutage.causedBy(new SQLException("canceling statement due to user request", "57014"))).isTrue();
        assertThat(DatabaseOutage.causedBy(new SQLException("sorry, too many clients already", "53300"))).isTrue();
        assertThat(DatabaseOutage.causedBy(new SQLException("the database system is starting up", "57P03"))).isTrue();
        assertThat(DatabaseOutage.causedBy(new SQLException("Acquisition timeout while waiting for new connection"))).isTrue();
        assertThat(DatabaseOutage.causedBy(new IllegalStateException("could not read rollups",
                new SQLException("An I/O error occurred", "08006", new SocketTimeoutException("Read timed out"))))).isTrue();
    }

    @Test
    void badDataBugsAndOtherFailuresAreNot() {
        assertThat(DatabaseOutage.causedBy(new SQLException("duplicate key value", "23505"))).isFalse();
        assertThat(DatabaseOutage.causedBy(new SQLException("syntax error", "42601"))).isFalse();
        assertThat(DatabaseOutage.causedBy(new SQLException("no state"))).isFalse();
        assertThat(DatabaseOutage.causedBy(new IllegalStateException("bug"))).isFalse();
        assertThat(DatabaseOutage.causedBy(new UncheckedIOException(new SocketTimeoutException("Unleash timed out")))).isFalse();
    }
}
