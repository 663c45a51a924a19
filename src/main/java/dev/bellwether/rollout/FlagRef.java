package dev.bellwether.rollout;

/** A feature flag in one project and environment of the flag service. */
public record FlagRef(String project, String environment, String flag) {

    @Override
    public String toString() {
        return project + "/" + environment + "/" + flag;
    }
}
