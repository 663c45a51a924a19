package dev.bellwether.rollout;

import dev.bellwether.security.Role;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What moves a rollout: a person's command (with the roles that may give it) or the controller's own finding. */
public enum Trigger {
    START(EnumSet.of(Role.RELEASE_MANAGER)),
    PAUSE(EnumSet.of(Role.RELEASE_MANAGER, Role.ON_CALL)),
    RESUME(EnumSet.of(Role.RELEASE_MANAGER)),
    PROMOTE(EnumSet.of(Role.RELEASE_MANAGER)),
    ROLLBACK(EnumSet.of(Role.RELEASE_MANAGER)),
    KILL(EnumSet.of(Role.ON_CALL)),
    /** The canary passed its step: go to the next one. */
    ADVANCE(EnumSet.noneOf(Role.class)),
    /** A guard failed; its action decides which. */
    GUARD_KILL(EnumSet.noneOf(Role.class)),
    GUARD_ROLLBACK(EnumSet.noneOf(Role.class)),
    GUARD_FREEZE(EnumSet.noneOf(Role.class)),
    /** The flag service no longer holds what Bellwether set: someone changed it by hand. */
    DRIFT(EnumSet.noneOf(Role.class));

    private final Set<Role> roles;

    Trigger(Set<Role> roles) {
        this.roles = roles;
    }

    /** A command a person gives through the API (the others are the controller's). */
    public boolean human() {
        return !roles.isEmpty();
    }

    /** Admin may give every command; the others only those listed. */
    public boolean allows(Role role) {
        return human() && (role == Role.ADMIN || roles.contains(role));
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
