package dev.bellwether.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One transition of a rollout: who or what moved it, why, with which evidence, and what the flag service answered. */
@Entity
@Table(name = "rollout_decision")
public class RolloutDecision extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "rollout_id")
    public long rolloutId;

    public OffsetDateTime at;

    public String actor;

    public String trigger;

    public String reason;

    @Column(name = "from_state")
    public String fromState;

    @Column(name = "from_step")
    public int fromStep;

    @Column(name = "to_state")
    public String toState;

    @Column(name = "to_step")
    public int toStep;

    @JdbcTypeCode(SqlTypes.JSON)
    public Actuation actuation;

    /** What the move rests on: a verdict, or the flag's actual state; shown as stored. */
    @JdbcTypeCode(SqlTypes.JSON)
    public JsonNode evidence;

    public String answer;

    @Column(name = "dry_run")
    public boolean dryRun;

    public static List<RolloutDecision> of(long rolloutId) {
        return list("rolloutId = ?1 order by at, id", rolloutId);
    }

    public static RolloutDecision latest(long rolloutId) {
        return find("rolloutId = ?1 order by at desc, id desc", rolloutId).firstResult();
    }
}
