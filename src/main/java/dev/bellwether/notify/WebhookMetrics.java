package dev.bellwether.notify;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicLong;

/** Webhook deliveries by kind and outcome, notices that could not be written, and the outbox's depth. */
@ApplicationScoped
public class WebhookMetrics {

    enum Outcome {
        DELIVERED("delivered"), FAILED_ATTEMPT("failed_attempt"), GAVE_UP("gave_up");

        final String tag;

        Outcome(String tag) {
            this.tag = tag;
        }
    }

    private final MeterRegistry registry;
    private final Counter noticesLost;
    private final AtomicLong outboxDepth = new AtomicLong();

    public WebhookMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.noticesLost = Counter.builder("bellwether.webhook.notices.lost")
                .description("Events whose outbox rows could not be written (the decision stood; the notification was lost)")
                .register(registry);
        Gauge.builder("bellwether.webhook.outbox.depth", outboxDepth, AtomicLong::get)
                .description("Deliveries waiting in the outbox (due now or waiting for a retry), as of the sender's last pass")
                .register(registry);
        for (String kind : new String[] {"slack", "json"}) {
            for (Outcome outcome : Outcome.values()) {
                counter(kind, outcome);
            }
        }
    }

    void delivery(String kind, Outcome outcome) {
        counter(kind, outcome).increment();
    }

    void noticeLost() {
        noticesLost.increment();
    }

    void outboxDepth(long depth) {
        outboxDepth.set(depth);
    }

    private Counter counter(String kind, Outcome outcome) {
        return Counter.builder("bellwether.webhook.deliveries").tag("kind", kind).tag("outcome", outcome.tag)
                .description("Webhook posts by kind and outcome: delivered, a failed attempt (retried), or given up")
                .register(registry);
    }
}
