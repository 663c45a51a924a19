package dev.bellwether.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DatabaseOutageTest {

    @ParameterizedTest(name = "{0} ({1}) is an outage: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            08006 | An I/O error occurred while sending to the backend.           | true
            08001 | Connection to localhost:5432 refused.                         | true
            08003 | This connection has been closed.                              | true
            57014 | canceling statement due to user request                       | true
            57P01 | terminating connection due to administrator command           | true
            57P02 | terminating connection due to crash of another server process | true
            57P03 | the database system is starting up                            | true
            53000 | insufficient resources                                        | true
            53100 | could not extend file: No space left on device                | true
            53200 | out of memory                                                 | true
            53300 | sorry, too many clients already                               | true
            53400 | configuration limit exceeded                                  | true
            25006 | cannot execute INSERT in a read-only transaction              | true
            23505 | duplicate key value violates unique constraint                | false
            23503 | insert or update violates foreign key constraint              | false
            22001 | value too long for type character varying                     | false
            25P02 | current transaction is aborted                                | false
            40001 | could not serialize access                                    | false
            42601 | syntax error                                                  | false
            42501 | permission denied for table event                             | false
            57P04 | database dropped                                              | false
            """)
    void eachSqlStateIsAnOutageOrNot(String state, String message, boolean outage) {
        assertThat(DatabaseOutage.causedBy(new SQLException(message, state))).isEqualTo(outage);
        assertThat(DatabaseOutage.causedBy(new IllegalStateException("wrapped", new SQLException(message, state))))
                .as("wrapped in what the caller threw").isEqualTo(outage);
    }

    @Test
    void timeoutsAndAnExhaustedPoolAreOutagesWithoutASqlState() {
        assertThat(DatabaseOutage.causedBy(new SQLTransientConnectionException("no connection"))).isTrue();
        assertThat(DatabaseOutage.causedBy(new SQLTimeoutException("query timed out"))).isTrue();
        assertThat(DatabaseOutage.causedBy(new SQLException("Acquisition timeout while waiting for new connection"))).isTrue();
        assertThat(DatabaseOutage.causedBy(new IllegalStateException("could not read rollups",
                new SQLException("An I/O error occurred", "08006", new SocketTimeoutException("Read timed out"))))).isTrue();
    }

    @Test
    void bugsAndOtherFailuresAreNot() {
        assertThat(DatabaseOutage.causedBy(new SQLException("no state"))).isFalse();
        assertThat(DatabaseOutage.causedBy(new IllegalStateException("bug"))).isFalse();
        assertThat(DatabaseOutage.causedBy(new UncheckedIOException(new SocketTimeoutException("Unleash timed out")))).isFalse();
    }
}
