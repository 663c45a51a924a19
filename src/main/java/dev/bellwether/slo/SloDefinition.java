package dev.bellwether.slo;

import dev.bellwether.apps.App;
import dev.bellwether.journey.AppJourneys;
import dev.bellwether.journey.Criticality;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * An SLO as stored, with the outcome of its last evaluation; its static methods are the store of the {@code slo}
 * table. The API side goes through Panache; the evaluator (inside its locked transaction) and the metrics use plain
 * JDBC on a connection they hand in. Updates write only changed columns, so that changing the spec never puts back a
 * state the evaluator has since replaced.
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

    @Enumerated(EnumType.STRING)
    public Source source;

    /** The journey whose replays alone the SLO counts ({@code other} included); null for the whole app. */
    public String journey;

    /** What a fast burn raises when the SLO says; null for the default ({@link AlertSeverity#ofFastBurn}). */
    public String severity;

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
        return new SloSpec(name, Sli.fromWireName(sli), objective, Duration.ofSeconds(periodSeconds), threshold, minEvents,
                journey, severity == null ? null : AlertSeverity.fromWire(severity));
    }

    public void apply(SloSpec spec) {
        name = spec.name();
        sli = spec.sli().wireName();
        objective = spec.objective();
        periodSeconds = spec.period().toSeconds();
        threshold = spec.threshold();
        minEvents = spec.minEvents();
        journey = spec.journey();
        severity = spec.severity() == null ? null : spec.severity().wireName();
    }

    public static Optional<SloDefinition> find(App app, String name) {
        return find("app = ?1 and name = ?2", app, name).firstResultOptional();
    }

    public static List<SloDefinition> ofApp(App app) {
        return list("app = ?1 order by name", app);
    }

    /**
     * An SLO as the evaluator reads it; {@code journeyId} is the rollups' journey its replays are counted in (0 for
     * {@code other}), null for an app-wide SLO.
     */
    record Stored(long id, long appId, String appName, SloSpec spec, SloState state, Long journeyId, Counted counted) {

        /**
         * What the SLO's per-bucket counts depend on, as one text: a change of the SLI, threshold, journey or period
         * makes the counts stored or kept for it wrong, a change of the objective or the name does not.
         */
        String countedAs() {
            return spec.sli().wireName() + " threshold=" + spec.threshold() + " journey=" + journeyId + " period="
                    + spec.period().toSeconds() + "s";
        }
    }

    /** What the stored counts of an SLO count ({@link Stored#countedAs}) and as of when; null where none are stored. */
    record Counted(String as, Instant at) {
    }

    /** The outcome of one evaluation of an SLO; {@code evidence} is {@link Evidence} as JSON. */
    record Judged(long sloId, SloState previous, SloVerdict verdict, String evidence, String countedAs) {
    }

    /**
     * The last stored verdict of an SLO, with its journey (null for the whole app) and what its fast burn raises;
     * {@code evidence} is {@link Evidence} as JSON.
     */
    record StoredVerdict(String appName, String sloName, String journey, AlertSeverity fastBurnSeverity, String evidence) {
    }

    static List<Stored> readAll(Connection connection) throws SQLException {
        List<Stored> slos = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT s.id, s.app_id, a.name, s.name, s.sli, s.objective, "
                + "s.period_seconds, s.threshold, s.min_events, s.state, s.journey, s.severity, j.id, s.counted_as, s.counted_at"
                + " FROM slo s JOIN app a ON a.id = s.app_id "
                + "LEFT JOIN journey j ON j.app_id = s.app_id AND j.name = s.journey ORDER BY s.id");
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                double threshold = rows.getDouble(8);
                Double thresholdOrNull = rows.wasNull() ? null : threshold;
                long minEvents = rows.getLong(9);
                Long minEventsOrNull = rows.wasNull() ? null : minEvents;
                String state = rows.getString(10);
                String severity = rows.getString(12);
                long declaredJourneyId = rows.getLong(13);
                Long declaredJourneyIdOrNull = rows.wasNull() ? null : declaredJourneyId;
                String countedAs = rows.getString(14);
                Timestamp countedAt = rows.getTimestamp(15);
                SloSpec spec = new SloSpec(rows.getString(4), Sli.fromWireName(rows.getString(5)), rows.getDouble(6),
                        Duration.ofSeconds(rows.getLong(7)), thresholdOrNull, minEventsOrNull, rows.getString(11),
                        severity == null ? null : AlertSeverity.fromWire(severity));
                slos.add(new Stored(rows.getLong(1), rows.getLong(2), rows.getString(3), spec,
                        state == null ? null : SloState.valueOf(state), AppJourneys.rollupId(spec.journey(), declaredJourneyIdOrNull),
                        countedAs == null || countedAt == null ? null : new Counted(countedAs, countedAt.toInstant())));
            }
        }
        return slos;
    }

    /**
     * Stores each SLO's verdict, and that its stored counts are as of {@code countedAt}; its state's start moves to
     * {@code at} only when the state changed.
     */
    static void saveVerdicts(Connection connection, Instant at, Instant countedAt, List<Judged> judged) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE slo SET state = ?, reason = ?, evaluated_at = ?, "
                + "verdict = ?::jsonb, state_since = CASE WHEN state IS DISTINCT FROM ? THEN ? ELSE state_since END, "
                + "counted_as = ?, counted_at = ? WHERE id = ?")) {
            Timestamp time = Timestamp.from(at);
            Timestamp counted = Timestamp.from(countedAt);
            for (Judged slo : judged) {
                update.setString(1, slo.verdict().state().name());
                update.setString(2, slo.verdict().reason());
                update.setTimestamp(3, time);
                update.setString(4, slo.evidence());
                update.setString(5, slo.verdict().state().name());
                update.setTimestamp(6, time);
                update.setString(7, slo.countedAs());
                update.setTimestamp(8, counted);
                update.setLong(9, slo.sloId());
                update.addBatch();
            }
            update.executeBatch();
        }
    }

    static List<StoredVerdict> verdicts(Connection connection) throws SQLException {
        List<StoredVerdict> verdicts = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT a.name, s.name, s.journey, s.severity, j.criticality, s.verdict FROM slo s JOIN app a ON a.id = s.app_id "
                        + "LEFT JOIN journey j ON j.app_id = s.app_id AND j.name = s.journey AND j.removed_at IS NULL "
                        + "WHERE s.verdict IS NOT NULL");
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                String journey = rows.getString(3);
                String severity = rows.getString(4);
                String criticality = rows.getString(5);
                AlertSeverity fastBurn = AlertSeverity.ofFastBurn(severity == null ? null : AlertSeverity.fromWire(severity),
                        journey, criticality == null ? null : Criticality.fromWire(criticality));
                verdicts.add(new StoredVerdict(rows.getString(1), rows.getString(2), journey, fastBurn, rows.getString(6)));
            }
        }
        return verdicts;
    }
}
