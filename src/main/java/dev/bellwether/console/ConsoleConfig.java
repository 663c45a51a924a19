package dev.bellwether.console;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The web console's sessions and sign-in limits (docs/console.md). */
@ConfigMapping(prefix = "bellwether.console")
public interface ConsoleConfig {

    Sessions sessions();

    SignIn signIn();

    interface Sessions {
        /** A session not used for this long ends. */
        @WithDefault("PT30M")
        Duration idleTimeout();

        /** A session ends this long after sign-in, however busy it is. */
        @WithDefault("PT12H")
        Duration absoluteTimeout();

        /** Sessions one API token may hold at once; signing in beyond them ends that token's oldest session. */
        @WithDefault("10")
        int maxPerToken();
    }

    interface SignIn {
        /** Failed sign-ins one client address may make per minute (a burst of this many, refilled over a minute). */
        @WithDefault("10")
        int failuresPerAddressPerMinute();

        /** Failed sign-ins all addresses together may make per minute, so that many addresses cannot add up. */
        @WithDefault("100")
        int failuresPerMinute();
    }
}
