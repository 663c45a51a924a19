package dev.bellwether.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The JavaScript SDK at /sdk/ is a static resource whose URL names no version, so it must not be cached as
 * immutable, as Quarkus marks static resources: a page picks up a new SDK within this max-age after a deploy.
 */
@ApplicationScoped
public class SdkScriptCaching {

    static final String CACHE_CONTROL = "public, max-age=3600";

    void install(@Observes Router router) {
        router.route("/sdk/*").order(-1).handler(this::cacheBriefly);
    }

    private void cacheBriefly(RoutingContext context) {
        // Set as the headers are written, after the static handler has set its own.
        context.addHeadersEndHandler(written -> {
            int status = context.response().getStatusCode();
            if (status == 200 || status == 304) {
                context.response().headers().set(HttpHeaders.CACHE_CONTROL, CACHE_CONTROL);
            }
        });
        context.next();
    }
}
