package dev.bellwether.platform;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while PostgreSQL answers the probe. Replaces the datasource check Quarkus brings, which validates a
 * pooled connection without a bound of its own and so hangs with a hung database instead of answering DOWN.
 */
@Readiness
@ApplicationScoped
public class DatabaseReadiness implements HealthCheck {

    private final DatabaseProbe probe;

    public DatabaseReadiness(DatabaseProbe probe) {
        this.probe = probe;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("database").status(probe.answers()).build();
    }
}
