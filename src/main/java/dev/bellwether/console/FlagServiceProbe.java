package dev.bellwether.console;

import dev.bellwether.rollout.FlagControl;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;

/**
 * Whether Unleash answers its health check, asked in the background so that a page never waits on a slow Unleash
 * (the check itself is bounded by the adapter's request timeout).
 */
@ApplicationScoped
public class FlagServiceProbe {

    public enum Reachability { REACHABLE, UNREACHABLE, NOT_CONFIGURED, NOT_CHECKED_YET }

    public record Status(Reachability reachability, Instant checkedAt) {
    }

    private final FlagControl flags;
    private final Clock clock;
    private volatile Status last = new Status(Reachability.NOT_CHECKED_YET, null);

    public FlagServiceProbe(FlagControl flags, Clock clock) {
        this.flags = flags;
        this.clock = clock;
    }

    public Status last() {
        return last;
    }

    @Scheduled(every = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void check() {
        Reachability reachability;
        if (!flags.configured()) {
            reachability = Reachability.NOT_CONFIGURED;
        } else {
            reachability = flags.isOnline() ? Reachability.REACHABLE : Reachability.UNREACHABLE;
        }
        last = new Status(reachability, clock.instant());
    }
}
