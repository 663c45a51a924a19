package dev.bellwether.slo;

import dev.bellwether.apps.App;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * An SLO as stored, with the outcome of its last evaluation. Updates write only changed columns, so that changing
 * the spec never puts back a state the evaluator has since replaced.
 */
@Entity
@org.hibernate.annotations.DynamicUpdate
@Table(name = "slo")
public class SloDefinition extends PanacheEntityBase {

    public enum Source { catalog, api }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @ManyToOne(optional = false)
    @JoinColumn(name = "app_id")
    public App app;

    public String name;

    public String sli;

    public double objective;

    @Column(name = "period_seconds")
    public long periodSeconds;

    public Double threshold;

    @Column(name = "min_events")
    public Long minEvents;

    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    public Source source;

    @Column(name = "updated_at")
    public OffsetDateTime updatedAt;

    public String state;

    @Column(name = "state_since")
    public OffsetDateTime stateSince;

    public String reason;

    @Column(name = "evaluated_at")
    public OffsetDateTime evaluatedAt;

    @JdbcTypeCode(SqlTypes.JSON)
    public String verdict;

    public SloSpec spec() {
        return new SloSpec(name, Sli.fromWireName(sli), objective, Duration.ofSeconds(periodSeconds), threshold, minEvents);
    }

    public void apply(SloSpec spec) {
        name = spec.name();
        sli = spec.sli().wireName();
        objective = spec.objective();
        periodSeconds = spec.period().toSeconds();
        threshold = spec.threshold();
        minEvents = spec.minEvents();
    }

    public static Optional<SloDefinition> find(App app, String name) {
        return find("app = ?1 and name = ?2", app, name).firstResultOptional();
    }

    public static List<SloDefinition> ofApp(App app) {
        return list("app = ?1 order by name", app);
    }
}
