package dev.bellwether.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real Prometheus (Debian's {@code /usr/bin/prometheus}) that scrapes one target's {@code /q/metrics} and loads the
 * rules {@code alerts/} ships, sending to a real Alertmanager ({@code /usr/bin/prometheus-alertmanager}) configured by
 * {@code alerts/alertmanager.example.yml} with every receiver pointed at a local webhook that records what arrives.
 * Scrape, rule evaluation and Alertmanager's grouping run at {@link #INTERVAL}, so an alert travels in seconds.
 */
public final class AlertingStack implements AutoCloseable {

    /** Scrape, rule evaluation, group_wait and group_interval. */
    public static final String INTERVAL = "1s";
    private static final Duration READY_WITHIN = Duration.ofSeconds(30);
    private static final Duration STOP_WITHIN = Duration.ofSeconds(10);

    /** One alert of one webhook notification, with the receiver it was routed to. */
    public record Notification(String receiver, JsonNode alert) {

        public String status() {
            return alert.path("status").asText();
        }

        public String label(String name) {
            return alert.path("labels").path(name).asText(null);
        }

        public String annotation(String name) {
            return alert.path("annotations").path(name).asText(null);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Path directory;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Notification> notifications = new ArrayList<>();
    private HttpServer webhook;
    private Process alertmanager;
    private Process prometheus;
    private int prometheusPort;

    /** @param directory a fresh directory for configurations, data and the processes' logs */
    public AlertingStack(Path directory) {
        this.directory = directory.toAbsolutePath();
    }

    /**
     * @param metricsTarget host:port of the management interface to scrape
     * @param alerts the directory whose {@code *.rules.yml} Prometheus loads and whose {@code alertmanager.example.yml}
     *               Alertmanager runs
     */
    public void start(String metricsTarget, Path alerts) throws Exception {
        webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webhook.createContext("/", exchange -> {
            String receiver = exchange.getRequestURI().getPath().substring(1);
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            synchronized (notifications) {
                body.path("alerts").forEach(alert -> notifications.add(new Notification(receiver, alert)));
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        webhook.start();
        String webhookUrl = "http://127.0.0.1:" + webhook.getAddress().getPort() + "/";

        ObjectNode config = (ObjectNode) YAML.readTree(alerts.resolve("alertmanager.example.yml").toFile());
        ObjectNode route = (ObjectNode) config.path("route");
        route.put("group_wait", INTERVAL).put("group_interval", INTERVAL);
        for (JsonNode receiver : config.path("receivers")) {
            for (JsonNode webhookConfig : receiver.path("webhook_configs")) {
                ((ObjectNode) webhookConfig).put("url", webhookUrl + receiver.path("name").asText());
            }
        }
        Path alertmanagerConfig = directory.resolve("alertmanager.yml");
        YAML.writeValue(alertmanagerConfig.toFile(), config);
        int alertmanagerPort = freePort();
        alertmanager = start("alertmanager", List.of("/usr/bin/prometheus-alertmanager",
                "--config.file=" + alertmanagerConfig, "--storage.path=" + directory.resolve("alertmanager-data"),
                "--web.listen-address=127.0.0.1:" + alertmanagerPort,
                // no gossip: a single instance, and no fixed cluster port to collide with
                "--cluster.listen-address="));
        awaitReady(alertmanager, "http://127.0.0.1:" + alertmanagerPort + "/-/ready", "alertmanager");

        Path prometheusConfig = directory.resolve("prometheus.yml");
        Files.writeString(prometheusConfig, """
                global:
                  scrape_interval: %1$s
                  evaluation_interval: %1$s
                rule_files:
                  - '%2$s'
                alerting:
                  alertmanagers:
                    - static_configs:
                        - targets: ['127.0.0.1:%3$d']
                scrape_configs:
                  - job_name: bellwether
                    metrics_path: /q/metrics
                    static_configs:
                      - targets: ['%4$s']
                """.formatted(INTERVAL, alerts.toAbsolutePath().resolve("*.rules.yml"), alertmanagerPort, metricsTarget));
        prometheusPort = freePort();
        prometheus = start("prometheus", List.of("/usr/bin/prometheus", "--config.file=" + prometheusConfig,
                "--storage.tsdb.path=" + directory.resolve("prometheus-data"),
                "--web.listen-address=127.0.0.1:" + prometheusPort));
        awaitReady(prometheus, prometheusUrl() + "/-/ready", "prometheus");
    }

    public String prometheusUrl() {
        return "http://127.0.0.1:" + prometheusPort;
    }

    /** The result array of an instant query. */
    public JsonNode query(String promql) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(prometheusUrl() + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("query " + promql + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body()).path("data").path("result");
    }

    /** Every alert the receivers were sent so far, in order of arrival. */
    public List<Notification> notifications() {
        synchronized (notifications) {
            return List.copyOf(notifications);
        }
    }

    /** The first notified alert that matches, waiting up to {@code within}. */
    public Optional<Notification> await(Predicate<Notification> wanted, Duration within) throws InterruptedException {
        Instant deadline = Instant.now().plus(within);
        while (true) {
            Optional<Notification> found = notifications().stream().filter(wanted).findFirst();
            if (found.isPresent() || Instant.now().isAfter(deadline)) {
                return found;
            }
            Thread.sleep(100);
        }
    }

    /** What the process wrote to stdout and stderr: for failure messages. */
    public String log(String name) {
        Path log = directory.resolve(name + ".log");
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(" + log + " unreadable: " + e.getMessage() + ")";
        }
    }

    private Process start(String name, List<String> command) throws IOException {
        return new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(directory.resolve(name + ".log").toFile()).start();
    }

    private void awaitReady(Process process, String url, String name) throws Exception {
        Instant deadline = Instant.now().plus(READY_WITHIN);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited at start:\n" + log(name));
            }
            try {
                int status = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(name + " was not ready within " + READY_WITHIN.toSeconds() + " s:\n" + log(name));
    }

    @Override
    public void close() throws InterruptedException {
        for (Process process : new Process[] {prometheus, alertmanager}) {
            if (process != null && process.isAlive()) {
                process.destroy();
                if (!process.waitFor(STOP_WITHIN.toSeconds(), TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(STOP_WITHIN.toSeconds(), TimeUnit.SECONDS);
                }
            }
        }
        if (webhook != null) {
            webhook.stop(0);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
