package dev.bellwether.apps;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.Optional;

/** An offline-first web app whose clients send beacons. */
@Entity
@Table(name = "app")
public class App extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String name;

    /** Browser origins allowed to post beacons cross-origin; "*" allows any. */
    @Column(name = "allowed_origins")
    public String[] allowedOrigins = new String[0];

    /** Per-key beacon rate; null means the configured default. */
    @Column(name = "beacons_per_second")
    public Integer beaconsPerSecond;

    @Column(name = "created_at", updatable = false)
    public OffsetDateTime createdAt;

    /** A new app, not yet persisted. */
    public static App named(String name) {
        App app = new App();
        app.name = name;
        app.createdAt = OffsetDateTime.now();
        return app;
    }

    public static Optional<App> findByName(String name) {
        return find("name", name).firstResultOptional();
    }
}
