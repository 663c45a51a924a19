package dev.bellwether.rollout;

import dev.bellwether.apps.App;
import dev.bellwether.judge.Verdict;
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
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A rollout as stored: its plan, where it stands, and the last verdict on its canary. */
@Entity
@Table(name = "rollout")
public class Rollout extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @ManyToOne(optional = false)
    @JoinColumn(name = "app_id")
    public App app;

    public String project;

    public String environment;

    public String flag;

    public Integer[] steps;

    @Column(name = "bake_seconds")
    public long bakeSeconds;

    @Column(name = "min_sample_per_cohort")
    public long minSamplePerCohort;

    @JdbcTypeCode(SqlTypes.JSON)
    public List<GuardSpec> guards;

    @Column(name = "dry_run")
    public boolean dryRun;

    @Enumerated(EnumType.STRING)
    public RolloutState state;

    public int step;

    @Column(name = "step_started_at")
    public OffsetDateTime stepStartedAt;

    @Column(name = "pending_actuation")
    @JdbcTypeCode(SqlTypes.JSON)
    public Actuation pendingActuation;

    /** The judge's last verdict on the canary, with its numbers. */
    @JdbcTypeCode(SqlTypes.JSON)
    public Verdict verdict;

    @Column(name = "created_by")
    public String createdBy;

    @Column(name = "created_at")
    public OffsetDateTime createdAt;

    @Column(name = "updated_at")
    public OffsetDateTime updatedAt;

    public List<Integer> stepList() {
        return Arrays.asList(steps);
    }

    /** Whether the current step gives every client the flag. */
    public boolean atOneHundredPercent() {
        return steps[step] == 100;
    }

    public FlagRef flagRef() {
        return new FlagRef(project, environment, flag);
    }

    public RolloutMachine.Position position() {
        return new RolloutMachine.Position(state, step);
    }
}
