package dev.bellwether.api;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import io.quarkus.arc.Arc;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.inject.Singleton;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Keeps the {@code uri} tag of the HTTP server metrics to the service's own routes, whatever paths clients send.
 *
 * <p>Quarkus tags a request that matched a resource method with the route's template, but a response given without
 * one (a wrong method's 405, an automatic OPTIONS answer, a refusal before routing) carries the raw path, which a
 * client chooses. Enough made-up paths would fill Micrometer's limit of distinct uri values and real endpoints would
 * stop being recorded, so any value that is neither a route template nor one of Quarkus's fixed values becomes
 * {@code UNKNOWN}.
 */
@Singleton
public class HttpMetricsUriTags {

    static final String UNKNOWN = "UNKNOWN";
    private static final String HTTP_SERVER_REQUESTS = "http.server.requests";
    private static final Set<String> QUARKUS_FIXED_VALUES = Set.of("NOT_FOUND", "REDIRECTION", "root", UNKNOWN);

    @Produces
    @Singleton
    MeterFilter routesOnly(@ConfigProperty(name = "quarkus.micrometer.binder.http-server.match-patterns")
            Optional<List<String>> matchPatterns) {
        Set<String> patternReplacements = matchPatterns.orElse(List.of()).stream()
                .map(pattern -> pattern.substring(pattern.lastIndexOf('=') + 1).trim())
                .collect(Collectors.toSet());
        return new MeterFilter() {
            private volatile Set<String> routes;

            @Override
            public Meter.Id map(Meter.Id id) {
                String uri = id.getTag("uri");
                if (!HTTP_SERVER_REQUESTS.equals(id.getName()) || uri == null || QUARKUS_FIXED_VALUES.contains(uri)
                        || patternReplacements.contains(uri) || routes().contains(uri)) {
                    return id;
                }
                List<Tag> tags = id.getTags().stream()
                        .map(tag -> tag.getKey().equals("uri") ? Tag.of("uri", UNKNOWN) : tag)
                        .toList();
                return id.replaceTags(tags);
            }

            /** Read on first use: the beans are all known by the time a request is measured. */
            private Set<String> routes() {
                Set<String> known = routes;
                if (known == null) {
                    known = serverRoutes();
                    routes = known;
                }
                return known;
            }
        };
    }

    /** The path templates of the JAX-RS resource classes, as Quarkus writes them in the uri tag. */
    static Set<String> serverRoutes() {
        Set<String> routes = new HashSet<>();
        for (Bean<?> bean : Arc.container().beanManager().getBeans(Object.class, Any.Literal.INSTANCE)) {
            Class<?> type = bean.getBeanClass();
            Path classPath = type.getAnnotation(Path.class);
            if (classPath == null || type.isInterface()) {
                continue; // REST client interfaces also carry @Path but are not served here
            }
            for (Method method : type.getMethods()) {
                Path methodPath = method.getAnnotation(Path.class);
                if (methodPath != null || isHttpMethod(method)) {
                    routes.add(join(classPath.value(), methodPath == null ? "" : methodPath.value()));
                }
            }
            routes.add(join(classPath.value(), ""));
        }
        return Set.copyOf(routes);
    }

    private static boolean isHttpMethod(Method method) {
        for (Annotation annotation : method.getAnnotations()) {
            if (annotation.annotationType().isAnnotationPresent(HttpMethod.class)) {
                return true;
            }
        }
        return false;
    }

    static String join(String classPath, String methodPath) {
        String joined = ("/" + classPath + "/" + methodPath).replaceAll("/+", "/");
        return joined.length() > 1 && joined.endsWith("/") ? joined.substring(0, joined.length() - 1) : joined;
    }
}
