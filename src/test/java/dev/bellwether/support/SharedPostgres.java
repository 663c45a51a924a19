package dev.bellwether.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

/** A PostgreSQL of the test's own, for several service processes to share as replicas. */
public final class SharedPostgres implements AutoCloseable {

    private final EmbeddedPostgres postgres;

    public SharedPostgres() throws IOException {
        this.postgres = EmbeddedPostgres.builder().start();
    }

    public String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    /** Environment that points a service process at this database. */
    public Map<String, String> environment() {
        return Map.of("QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl(), "QUARKUS_DATASOURCE_USERNAME", "postgres",
                "QUARKUS_DATASOURCE_PASSWORD", "postgres");
    }

    public Connection connect() throws SQLException {
        return postgres.getPostgresDatabase().getConnection();
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
