package dev.bellwether.unleash;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import jakarta.annotation.Priority;

/**
 * Points the Unleash client SDK (quarkus-unleash) at Bellwether's own settings, so that one set of variables
 * configures both: {@code quarkus.unleash.url} and {@code .token} follow {@code bellwether.unleash.url} and
 * {@code .client-token}, and the SDK is active only when both are set (otherwise it would poll nothing and warn
 * every ten seconds). An explicit {@code quarkus.unleash.*} setting still wins.
 */
@Priority(100)
public class UnleashClientSettings implements ConfigSourceInterceptor {

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue own = context.proceed(name);
        // an explicit setting wins; the extension's own defaults (lowest ordinal) do not
        boolean explicit = own != null && own.getConfigSourceOrdinal() > Integer.MIN_VALUE;
        if (explicit || !name.startsWith("quarkus.unleash.")) {
            return own;
        }
        return switch (name) {
            case "quarkus.unleash.url" -> {
                ConfigValue url = derived(context, name, "bellwether.unleash.url");
                // the SDK requires a URL even when inactive
                yield url != null ? url : ConfigValue.builder().withName(name).withValue("http://unleash.invalid/api").build();
            }
            case "quarkus.unleash.token" -> derived(context, name, "bellwether.unleash.client-token");
            case "quarkus.unleash.active" -> {
                boolean configured = present(context, "bellwether.unleash.url") && present(context, "bellwether.unleash.client-token");
                yield ConfigValue.builder().withName(name).withValue(String.valueOf(configured)).build();
            }
            default -> own;
        };
    }

    private static ConfigValue derived(ConfigSourceInterceptorContext context, String name, String from) {
        ConfigValue value = context.proceed(from);
        return value == null || value.getValue() == null || value.getValue().isBlank() ? null
                : value.withName(name);
    }

    private static boolean present(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.proceed(name);
        return value != null && value.getValue() != null && !value.getValue().isBlank();
    }
}
