package dev.bellwether.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP proxy on loopback in front of the service that writes down each request as it went over the wire (method,
 * content type, whether the key came in the query or in a header) and the answer, for what a browser's requests
 * cannot be asked about afterwards: how a closed page's beacon was sent, and when a client came back after a 429.
 * Everything is passed on unchanged; the key itself is not kept.
 */
public final class RecordingProxy implements AutoCloseable {

    /** A request and its answer; times are when the proxy received the request and when it sent the answer back. */
    public record Exchange(Instant received, Instant answered, String method, String path, String contentType,
                           boolean keyInQuery, boolean authorization, int status, String retryAfter) {
    }

    private static final Set<String> REQUEST_HEADERS = Set.of("origin", "content-type", "content-encoding", "authorization",
            "access-control-request-method", "access-control-request-headers");
    private static final Set<String> HOP_BY_HOP = Set.of("content-length", "transfer-encoding", "connection", "keep-alive");
    private static final Duration UPSTREAM_TIMEOUT = Duration.ofSeconds(10);

    private final HttpServer server;
    private final String upstream;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(UPSTREAM_TIMEOUT).build();
    private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();

    private RecordingProxy(String upstream) throws IOException {
        this.upstream = upstream;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::relay);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    /** A proxy to {@code upstream}, e.g. {@code http://127.0.0.1:8080}. */
    public static RecordingProxy to(String upstream) throws IOException {
        return new RecordingProxy(upstream);
    }

    /** The proxy's origin, to give a client as the service's URL. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** What went through so far, in the order the answers were sent. */
    public List<Exchange> exchanges() {
        return List.copyOf(exchanges);
    }

    private void relay(HttpExchange exchange) throws IOException {
        try (exchange) {
            Instant received = Instant.now();
            URI uri = exchange.getRequestURI();
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(upstream + uri.getRawPath()
                            + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())))
                    .timeout(UPSTREAM_TIMEOUT)
                    .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (REQUEST_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(value -> request.header(name, value));
                }
            });
            HttpResponse<byte[]> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(502, -1);
                return;
            } catch (IOException unreachable) {
                exchange.sendResponseHeaders(502, -1);
                return;
            }
            response.headers().map().forEach((name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                    exchange.getResponseHeaders().put(name, values);
                }
            });
            byte[] answer = response.body();
            exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
            String query = uri.getRawQuery();
            exchanges.add(new Exchange(received, Instant.now(), exchange.getRequestMethod(), uri.getPath(),
                    exchange.getRequestHeaders().getFirst("Content-Type"),
                    query != null && (query.startsWith("key=") || query.contains("&key=")),
                    exchange.getRequestHeaders().containsKey("Authorization"), response.statusCode(),
                    response.headers().firstValue("Retry-After").orElse(null)));
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }
}
