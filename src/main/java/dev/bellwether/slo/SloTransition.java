package dev.bellwether.slo;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.quarkus.panache.common.Page;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A change of an SLO's state, as the evaluator recorded it; its static methods are the store of the {@code slo_transition} table. */
@Entity
@Table(name = "slo_transition")
public class SloTransition extends PanacheEntityBase {

    @Id
    public Long id;

    @Column(name = "slo_id")
    public long sloId;

    public OffsetDateTime at;

    @Column(name = "from_state")
    public String fromState;

    @Column(name = "to_state")
    public String toState;

    public String reason;

    @JdbcTypeCode(SqlTypes.JSON)
    public String evidence;

    public static List<SloTransition> latest(long sloId, int count) {
        return find("sloId = ?1 order by at desc, id desc", sloId).page(Page.ofSize(count)).list();
    }

    /** Records the SLOs whose state changed, on the evaluator's connection. */
    static void record(Connection connection, Instant at, List<SloDefinition.Judged> changed) throws SQLException {
        try (PreparedStatement transition = connection.prepareStatement("INSERT INTO slo_transition "
                + "(slo_id, at, from_state, to_state, reason, evidence) VALUES (?, ?, ?, ?, ?, ?::jsonb)")) {
            Timestamp time = Timestamp.from(at);
            for (SloDefinition.Judged slo : changed) {
                transition.setLong(1, slo.sloId());
                transition.setTimestamp(2, time);
                if (slo.previous() == null) {
                    transition.setNull(3, Types.VARCHAR);
                } else {
                    transition.setString(3, slo.previous().name());
                }
                transition.setString(4, slo.verdict().state().name());
                transition.setString(5, slo.verdict().reason());
                transition.setString(6, slo.evidence());
                transition.addBatch();
            }
            transition.executeBatch();
        }
    }
}
