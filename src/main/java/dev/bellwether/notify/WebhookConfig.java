package dev.bellwether.notify;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Webhooks for rollout events (docs/notifications.md). */
@ConfigMapping(prefix = "bellwether.webhooks")
public interface WebhookConfig {

    /**
     * The AES-256 key (base64 of 32 bytes) that seals webhook URLs and signing secrets at rest (decision 0010).
     * Without it, no webhook can be created and none is sent.
     */
    Optional<String> encryptionKey();

    /** How often a replica's sender looks for due deliveries ("off" in tests, which send when they mean to). */
    @WithDefault("2s")
    String interval();

    /** Webhooks one app may have. */
    @WithDefault("10")
    int maxPerApp();

    /** One post to a receiver waits at most this long for its answer (connecting included). */
    @WithDefault("PT5S")
    Duration timeout();

    /** The first retry waits about this long; each further one twice as long, with jitter. */
    @WithDefault("PT10S")
    Duration retryBase();

    /** Attempts before a delivery is given up. */
    @WithDefault("8")
    int maxAttempts();

    /** A delivery still failing this long after its event is given up, whatever its attempts. */
    @WithDefault("PT6H")
    Duration maxAge();

    /** Deliveries one sender pass claims at most (posted in parallel). */
    @WithDefault("20")
    int batchSize();

    /** A rollout held at a step this long past its bake time, without a verdict to step up, is notified once. */
    @WithDefault("PT1H")
    Duration heldAfter();
}
