package dev.bellwether.notify;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/** A webhook receiver on loopback that records what it is posted and answers as told (or hangs until released). */
final class Receiver implements AutoCloseable {

    record Received(Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    final CountDownLatch firstRequest = new CountDownLatch(1);
    /** Requests answered so far (a hanging one is answered only once released). */
    final AtomicInteger answered = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);
    private final HttpServer server;

    /** @param status the answer to the n-th request (from 1); 0 hangs until {@link #close} */
    Receiver(IntUnaryOperator status) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> handle(exchange, status));
        server.start();
    }

    private void handle(HttpExchange exchange, IntUnaryOperator status) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        received.add(new Received(Map.copyOf(exchange.getRequestHeaders()), body));
        firstRequest.countDown();
        int answer = status.applyAsInt(received.size());
        if (answer == 0) {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answer = 200;
        }
        byte[] text = (answer == 200 ? "ok" : "no").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(answer, text.length);
        exchange.getResponseBody().write(text);
        exchange.close();
        answered.incrementAndGet();
    }

    /** A URL on this receiver whose path holds a token, as a Slack URL does. */
    String url(String token) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/services/T0/B0/" + token;
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
    }
}
