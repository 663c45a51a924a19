package dev.bellwether.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.logging.Logger;

/**
 * Posts the outbox's due deliveries. A pass claims a batch (FOR UPDATE SKIP LOCKED, pushing each claimed row's next
 * attempt past the longest post, so that no other replica takes it meanwhile), posts them in parallel with a bounded
 * timeout outside any transaction, then records each outcome: delivered rows are deleted, failed ones retried with
 * exponential backoff and jitter, and given up (deleted, and noted on the webhook) after the last attempt or age.
 * URLs are never logged: a Slack URL holds its token.
 */
@ApplicationScoped
public class WebhookSender {

    private static final Logger LOG = Logger.getLogger(WebhookSender.class);
    /** How much of a receiver's refusal is kept on the webhook for its admin to read. */
    private static final int FAILURE_TEXT_LIMIT = 200;
    /** Days after which a rollout still held at the same step is notified again. */
    static final int HELD_REMINDER_DAYS = 7;

    private final EntityManager entities;
    private final WebhookConfig config;
    private final WebhookService service;
    private final WebhookMetrics metrics;
    private final ObjectMapper json;
    private final Clock clock;
    private final HttpClient http;

    public WebhookSender(EntityManager entities, WebhookConfig config, WebhookService service, WebhookMetrics metrics,
            ObjectMapper json, Clock clock) {
        this.entities = entities;
        this.config = config;
        this.service = service;
        this.metrics = metrics;
        this.json = json;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(config.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Scheduled(every = "${bellwether.webhooks.interval:2s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            sendDue();
        } catch (RuntimeException e) {
            LOG.warnf("webhook sender pass failed, will try again: %s", e.getMessage());
        }
    }

    record Claimed(long id, int attempts, long ageSeconds, String event, long webhookId, String kind, byte[] urlSealed,
            byte[] secretSealed) {
    }

    private record Attempt(Claimed delivery, Optional<String> failure) {
    }

    /** One pass: claims, posts and records a batch of due deliveries; returns how many it posted or gave up. */
    public int sendDue() {
        List<Claimed> claimed = QuarkusTransaction.requiringNew().call(this::claim);
        List<CompletableFuture<Attempt>> posts = new ArrayList<>();
        for (Claimed delivery : claimed) {
            posts.add(post(delivery));
        }
        for (CompletableFuture<Attempt> post : posts) {
            Attempt attempt = post.join();
            QuarkusTransaction.requiringNew().run(() -> record(attempt));
        }
        long depth = QuarkusTransaction.requiringNew().call(() -> {
            // a held step's episode is only needed while the step lasts; one still held after this long is told again
            entities.createNativeQuery("DELETE FROM notification_episode WHERE key LIKE 'held:%'"
                    + " AND opened_at < now() - make_interval(days => ?1)").setParameter(1, HELD_REMINDER_DAYS)
                    .executeUpdate();
            return ((Number) entities.createNativeQuery("SELECT count(*) FROM webhook_delivery").getSingleResult())
                    .longValue();
        });
        metrics.outboxDepth(depth);
        return claimed.size();
    }

    @SuppressWarnings("unchecked")
    private List<Claimed> claim() {
        // the claim outlasts every post of the pass: a replica that dies mid-pass leaves its rows to be retried
        long claimSeconds = config.timeout().multipliedBy(2).toSeconds() + 30;
        List<Object[]> rows = entities.createNativeQuery("""
                UPDATE webhook_delivery d SET attempts = d.attempts + 1,
                       next_attempt_at = now() + make_interval(secs => ?1)
                  FROM webhook w
                 WHERE w.id = d.webhook_id AND d.id IN (
                       SELECT id FROM webhook_delivery WHERE next_attempt_at <= now()
                        ORDER BY next_attempt_at, id LIMIT ?2 FOR UPDATE SKIP LOCKED)
                RETURNING d.id, d.attempts, CAST(extract(epoch FROM now() - d.created_at) AS bigint), CAST(d.event AS text),
                          w.id, w.kind, w.url_sealed, w.secret_sealed""")
                .setParameter(1, claimSeconds).setParameter(2, config.batchSize()).getResultList();
        return rows.stream().map(r -> new Claimed(((Number) r[0]).longValue(), ((Number) r[1]).intValue(),
                ((Number) r[2]).longValue(), (String) r[3], ((Number) r[4]).longValue(), (String) r[5], (byte[]) r[6],
                (byte[]) r[7])).toList();
    }

    private CompletableFuture<Attempt> post(Claimed delivery) {
        HttpRequest request;
        try {
            request = request(delivery);
        } catch (GeneralSecurityException | RuntimeException | JsonProcessingException e) {
            return CompletableFuture.completedFuture(new Attempt(delivery, Optional.of("not sent: " + e.getMessage())));
        }
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .orTimeout(config.timeout().toMillis() + 1000, java.util.concurrent.TimeUnit.MILLISECONDS)
                .handle((response, error) -> {
                    if (error != null) {
                        Throwable cause = error.getCause() != null ? error.getCause() : error;
                        // the URL is a secret (a Slack URL holds its token): never in a stored or logged failure
                        String message = cause.getMessage() == null ? ""
                                : ": " + cause.getMessage().replace(request.uri().toString(), "<webhook url>");
                        return new Attempt(delivery, Optional.of(cause.getClass().getSimpleName() + message));
                    }
                    if (response.statusCode() / 100 == 2) {
                        return new Attempt(delivery, Optional.empty());
                    }
                    String body = response.body() == null ? "" : response.body();
                    return new Attempt(delivery, Optional.of("HTTP " + response.statusCode()
                            + (body.isBlank() ? "" : ": " + body.substring(0, Math.min(body.length(), FAILURE_TEXT_LIMIT)))));
                });
    }

    private HttpRequest request(Claimed delivery) throws GeneralSecurityException, JsonProcessingException {
        SecretBox box = service.box().orElseThrow(() -> new GeneralSecurityException(
                "bellwether.webhooks.encryption-key is not set"));
        URI url = URI.create(box.open(delivery.urlSealed(), Webhook.URL_PURPOSE));
        WebhookEvent event = json.readValue(delivery.event(), WebhookEvent.class);
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(config.timeout())
                .header("Content-Type", "application/json").header("User-Agent", "Bellwether-Webhooks/1");
        String body;
        if (delivery.kind().equals("slack")) {
            body = json.writeValueAsString(SlackBody.of(event));
        } else {
            body = json.writeValueAsString(event);
            String secret = box.open(delivery.secretSealed(), Webhook.SECRET_PURPOSE);
            request.header(WebhookSignature.HEADER, WebhookSignature.header(secret, clock.instant().getEpochSecond(), body))
                    .header("X-Bellwether-Event-Id", event.eventId())
                    .header("X-Bellwether-Event", event.type());
        }
        return request.POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private void record(Attempt attempt) {
        Claimed delivery = attempt.delivery();
        Webhook webhook = Webhook.findById(delivery.webhookId());
        if (attempt.failure().isEmpty()) {
            entities.createNativeQuery("DELETE FROM webhook_delivery WHERE id = ?1").setParameter(1, delivery.id())
                    .executeUpdate();
            if (webhook != null) {
                webhook.lastDeliveredAt = clock.instant().atOffset(java.time.ZoneOffset.UTC);
            }
            metrics.delivery(delivery.kind(), WebhookMetrics.Outcome.DELIVERED);
            return;
        }
        String failure = attempt.failure().get();
        if (webhook != null) {
            webhook.lastFailureAt = clock.instant().atOffset(java.time.ZoneOffset.UTC);
            webhook.lastFailure = failure;
        }
        boolean giveUp = delivery.attempts() >= config.maxAttempts() || delivery.ageSeconds() >= config.maxAge().toSeconds();
        if (giveUp) {
            entities.createNativeQuery("DELETE FROM webhook_delivery WHERE id = ?1").setParameter(1, delivery.id())
                    .executeUpdate();
            if (webhook != null) {
                webhook.lastFailure = "gave up after " + delivery.attempts() + " attempts: " + failure;
            }
            metrics.delivery(delivery.kind(), WebhookMetrics.Outcome.GAVE_UP);
            LOG.warnf("webhook %d: gave up delivery %d after %d attempts: %s", delivery.webhookId(), delivery.id(),
                    delivery.attempts(), failure);
        } else {
            entities.createNativeQuery("UPDATE webhook_delivery SET next_attempt_at = now() + make_interval(secs => ?1)"
                    + " WHERE id = ?2").setParameter(1, backoff(delivery.attempts()).toMillis() / 1000.0)
                    .setParameter(2, delivery.id()).executeUpdate();
            metrics.delivery(delivery.kind(), WebhookMetrics.Outcome.FAILED_ATTEMPT);
            LOG.infof("webhook %d: delivery %d attempt %d failed, will retry: %s", delivery.webhookId(), delivery.id(),
                    delivery.attempts(), failure);
        }
    }

    /** Exponential from the base, with jitter between half and all of it, so that retries of many rows spread out. */
    Duration backoff(int attemptsMade) {
        long base = config.retryBase().toMillis() << Math.min(attemptsMade - 1, 20);
        return Duration.ofMillis(base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1));
    }
}
