package dev.bellwether.console;

import dev.bellwether.security.Allowed;
import dev.bellwether.security.Caller;
import java.lang.reflect.Method;

/**
 * The API's role rule of an endpoint, read from its {@link Allowed} annotation, so that the console offers and accepts
 * an action for exactly the roles the API does.
 */
final class ApiRules {

    private ApiRules() {
    }

    /** Whether the caller may call the resource's public method of that name (as the access filter decides). */
    static boolean may(Caller caller, Class<?> resource, String method) {
        for (Method candidate : resource.getMethods()) {
            Allowed allowed = candidate.getAnnotation(Allowed.class);
            if (candidate.getName().equals(method) && allowed != null) {
                return caller.mayActAs(allowed.value());
            }
        }
        throw new IllegalArgumentException(resource.getSimpleName() + "." + method + " is no endpoint with an @Allowed rule");
    }
}
