package dev.bellwether.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Static files served on a loopback origin of their own, as a web app is served from somewhere other than
 * Bellwether: each URL prefix maps to a directory. Nothing is cached ({@code Cache-Control: no-store}), so a reload
 * fetches what a test just wrote.
 *
 * <pre>
 * try (StaticSite site = StaticSite.start(Map.of("/", Path.of("src/test/resources/browser"),
 *         "/sdk/", Path.of("target/classes/META-INF/resources/sdk")))) {
 *     browser.driver().get(site.url("/index.html"));
 * }
 * </pre>
 */
public final class StaticSite implements AutoCloseable {

    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "mjs", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "json", "application/json",
            "webmanifest", "application/manifest+json",
            "svg", "image/svg+xml",
            "png", "image/png");

    /**
     * What makes a page cross-origin isolated, so that {@code performance.now()} has its fine resolution rather than
     * the coarse one browsers give other pages: for measurements.
     */
    public static final Map<String, String> CROSS_ORIGIN_ISOLATED = Map.of("Cross-Origin-Opener-Policy", "same-origin",
            "Cross-Origin-Embedder-Policy", "require-corp");

    private final HttpServer server;

    private StaticSite(HttpServer server) {
        this.server = server;
    }

    /** Serves each prefix (ending in {@code /}) from its directory; the longest matching prefix wins. */
    public static StaticSite start(Map<String, Path> directories) throws IOException {
        return start(directories, Map.of());
    }

    /** The same, with {@code headers} added to every answer. */
    public static StaticSite start(Map<String, Path> directories, Map<String, String> headers) throws IOException {
        Map<String, Path> byPrefix = new LinkedHashMap<>();
        directories.entrySet().stream().sorted((a, b) -> b.getKey().length() - a.getKey().length())
                .forEach(entry -> byPrefix.put(entry.getKey(), entry.getValue().toAbsolutePath().normalize()));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> serve(exchange, byPrefix, headers));
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        return new StaticSite(server);
    }

    /** The site's origin, e.g. {@code http://127.0.0.1:40123}: what the app's {@code allowedOrigins} must list. */
    public String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public String url(String path) {
        return origin() + path;
    }

    private static void serve(HttpExchange exchange, Map<String, Path> byPrefix, Map<String, String> headers) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            Path file = null;
            for (Map.Entry<String, Path> entry : byPrefix.entrySet()) {
                if (path.startsWith(entry.getKey())) {
                    Path candidate = entry.getValue().resolve(path.substring(entry.getKey().length())).normalize();
                    if (candidate.startsWith(entry.getValue()) && Files.isRegularFile(candidate)) {
                        file = candidate;
                    }
                    break;
                }
            }
            if (file == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            String name = file.getFileName().toString();
            String extension = name.substring(name.lastIndexOf('.') + 1);
            byte[] body = Files.readAllBytes(file);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPES.getOrDefault(extension, "application/octet-stream"));
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            headers.forEach(exchange.getResponseHeaders()::set);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }
}
