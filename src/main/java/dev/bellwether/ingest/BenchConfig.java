package dev.bellwether.ingest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The ingest benchmark's reference endpoints. */
@ConfigMapping(prefix = "bellwether.bench")
public interface BenchConfig {

    /** Serves {@link BenchResource}; off in production. */
    @WithDefault("false")
    boolean ceilingEndpoint();
}
