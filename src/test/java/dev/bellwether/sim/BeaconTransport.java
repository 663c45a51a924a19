package dev.bellwether.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Posts a fleet's beacons to Bellwether over HTTP the way browser SDKs do: navigator.sendBeacon style (text/plain,
 * {@code ?key=}) or fetch (JSON, bearer header). A 202 delivers a beacon; a network error, 429 or 5xx leaves its
 * events queued on the client, to be sent again; any other answer is the simulator's fault, counted as refused.
 */
public final class BeaconTransport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final String app;
    private final String key;
    private final Semaphore concurrency;

    private final AtomicLong posts = new AtomicLong();
    private final AtomicLong eventsRepeated = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong rejectedEvents = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile String lastRefusal;

    public BeaconTransport(String baseUrl, String app, String key, int maxConcurrentPosts) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.app = app;
        this.key = key;
        this.concurrency = new Semaphore(maxConcurrentPosts);
    }

    /** Posts every beacon (twice when it says so) and waits for all answers; tells the fleet what was delivered. */
    public void deliver(Fleet fleet, List<OutgoingBeacon> beacons) {
        List<CompletableFuture<Void>> pending = beacons.stream().map(beacon -> {
            String body = beacon.body(app);
            CompletableFuture<Boolean> first = post(beacon, body);
            CompletableFuture<Boolean> answer = !beacon.sendTwice() ? first : first.thenCompose(ok -> post(beacon, body)
                    .thenApply(again -> {
                        if (ok && again) {
                            eventsRepeated.addAndGet(beacon.events().size());
                        }
                        return ok || again;
                    }));
            return answer.thenAccept(ok -> {
                synchronized (fleet) {
                    if (ok) {
                        fleet.delivered(beacon);
                    } else {
                        fleet.undelivered(beacon);
                    }
                }
            });
        }).toList();
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
    }

    private CompletableFuture<Boolean> post(OutgoingBeacon beacon, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder().timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (beacon.sendBeacon()) {
            request.uri(URI.create(baseUrl + "/v1/beacons?key=" + URLEncoder.encode(key, StandardCharsets.UTF_8)))
                    .header("Content-Type", "text/plain;charset=UTF-8");
        } else {
            request.uri(URI.create(baseUrl + "/v1/beacons")).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + key);
        }
        concurrency.acquireUninterruptibly();
        posts.incrementAndGet();
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).handle((response, error) -> {
            concurrency.release();
            if (error != null || response.statusCode() == 429 || response.statusCode() >= 500) {
                retried.incrementAndGet();
                return false;
            }
            if (response.statusCode() != 202) {
                refused.incrementAndGet();
                lastRefusal = response.statusCode() + " " + response.body();
                return true; // resending a beacon Bellwether refuses would not help: drop it, and count it
            }
            try {
                JsonNode answer = JSON.readTree(response.body());
                accepted.addAndGet(answer.path("accepted").asLong());
                duplicates.addAndGet(answer.path("duplicates").asLong());
                rejectedEvents.addAndGet(answer.path("rejected").size());
            } catch (IOException e) {
                refused.incrementAndGet();
                lastRefusal = "202 with an unreadable answer: " + response.body();
            }
            return true;
        });
    }

    public long posts() {
        return posts.get();
    }

    /** Events posted again after Bellwether had acknowledged them: each must come back as a duplicate. */
    public long eventsRepeated() {
        return eventsRepeated.get();
    }

    public long accepted() {
        return accepted.get();
    }

    public long duplicates() {
        return duplicates.get();
    }

    public long rejectedEvents() {
        return rejectedEvents.get();
    }

    /** Posts answered with a network error, 429 or 5xx, whose events were sent again later. */
    public long retried() {
        return retried.get();
    }

    public long refused() {
        return refused.get();
    }

    public String lastRefusal() {
        return lastRefusal;
    }
}
