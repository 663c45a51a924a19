package dev.bellwether.slo;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.quarkus.panache.common.Page;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A change of an SLO's state, as the evaluator recorded it (read-only here). */
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
}
