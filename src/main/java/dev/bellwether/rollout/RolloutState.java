package dev.bellwether.rollout;

public enum RolloutState {
    /** Created, nothing actuated yet. */
    DRAFT,
    /** Stepping the gradual rollout up while the canary stays healthy. */
    RUNNING,
    /** Held at its step by a person or by drift; guards do not act until it resumes. */
    PAUSED,
    /** At 100 %: done. */
    PROMOTED,
    /** Percentage set to 0: done. */
    ROLLED_BACK,
    /** Flag turned off in the environment (kill switch): done. */
    KILLED,
    /** Held at its percentage after a guard failed on a change that cannot be undone safely; someone was paged. */
    FROZEN;

    public boolean finished() {
        return this == PROMOTED || this == ROLLED_BACK || this == KILLED;
    }
}
