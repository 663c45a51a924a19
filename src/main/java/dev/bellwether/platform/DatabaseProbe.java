package dev.bellwether.platform;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code bellwether_database_up}: 1 while PostgreSQL answers a query within 5 s, checked every 15 s, so that an
 * alert can tell "the database is gone" from "no traffic" (commit failures need traffic to show).
 */
@ApplicationScoped
public class DatabaseProbe {

    private final AgroalDataSource dataSource;
    private final AtomicInteger up = new AtomicInteger(1);

    public DatabaseProbe(AgroalDataSource dataSource, MeterRegistry registry) {
        this.dataSource = dataSource;
        Gauge.builder("bellwether.database.up", up, AtomicInteger::get)
                .description("1 while PostgreSQL answers, 0 when it does not").register(registry);
    }

    @Scheduled(every = "15s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void probe() {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(5);
            statement.execute("SELECT 1");
            up.set(1);
        } catch (Exception e) {
            up.set(0);
        }
    }
}
