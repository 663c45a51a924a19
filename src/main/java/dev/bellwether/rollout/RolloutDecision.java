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
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
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

    /** False for a decision recorded while automation was off or unknown: what would have been done; nothing moved. */
    public boolean applied = true;

    public static List<RolloutDecision> of(long rolloutId) {
        return list("rolloutId = ?1 order by at, id", rolloutId);
    }

    public static RolloutDecision latest(long rolloutId) {
        return find("rolloutId = ?1 order by at desc, id desc", rolloutId).firstResult();
    }

    /** What a list of rollouts shows of a decision: without its evidence and actuation, the JSON that costs to read. */
    public record Summary(long rolloutId, String trigger, String actor, OffsetDateTime at, String reason) {
    }

    /**
     * The latest decision (as {@link #latest}) of each of these rollouts that has one, by rollout id: two reads
     * however many rollouts, each rollout's found by walking its index from the newest end.
     */
    public static Map<Long, Summary> latestOf(Collection<Long> rolloutIds) {
        if (rolloutIds.isEmpty()) {
            return Map.of();
        }
        String ids = rolloutIds.stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}"));
        @SuppressWarnings("unchecked")
        List<Number> latest = getEntityManager().createNativeQuery("SELECT d.id FROM unnest(CAST(?1 AS bigint[])) AS r (id)"
                        + " CROSS JOIN LATERAL (SELECT id FROM rollout_decision WHERE rollout_id = r.id"
                        + " ORDER BY at DESC, id DESC LIMIT 1) AS d")
                .setParameter(1, ids).getResultList();
        if (latest.isEmpty()) {
            return Map.of();
        }
        return getEntityManager().createQuery("select new dev.bellwether.rollout.RolloutDecision$Summary(d.rolloutId,"
                        + " d.trigger, d.actor, d.at, d.reason) from RolloutDecision d where d.id in ?1", Summary.class)
                .setParameter(1, latest.stream().map(Number::longValue).toList()).getResultStream()
                .collect(Collectors.toMap(Summary::rolloutId, summary -> summary));
    }

    /** At most {@code limit} decisions, newest first, older than {@code beforeId} (null: from the newest). */
    public static List<RolloutDecision> newest(long rolloutId, Long beforeId, int limit) {
        return (beforeId == null ? find("rolloutId = ?1 order by id desc", rolloutId)
                : find("rolloutId = ?1 and id < ?2 order by id desc", rolloutId, beforeId)).page(0, limit).list();
    }

    /** The id of the rollout's newest decision, or 0 when it has none: what changes whenever the rollout moves. */
    public static long newestId(long rolloutId) {
        Long id = getEntityManager().createQuery("select max(d.id) from RolloutDecision d where d.rolloutId = ?1", Long.class)
                .setParameter(1, rolloutId).getSingleResult();
        return id == null ? 0 : id;
    }

    /** The id of the newest decision of any rollout, or 0. */
    public static long newestId() {
        Long id = getEntityManager().createQuery("select max(d.id) from RolloutDecision d", Long.class).getSingleResult();
        return id == null ? 0 : id;
    }

    /** The applied decisions that began a step (start, advance), oldest first: at most one per step and a promotion. */
    public static List<RolloutDecision> stepStarts(long rolloutId) {
        return list("rolloutId = ?1 and applied = true and trigger in ?2 order by id", rolloutId,
                List.of(Trigger.START.wireName(), Trigger.ADVANCE.wireName()));
    }
}
