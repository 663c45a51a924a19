package dev.bellwether.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The packaged service run as its own process, the way an operator runs it: for restarts, crashes and benchmarks. */
public final class ServiceProcess implements AutoCloseable {

    /** The JVM options that ship with the service (heap, GC): the argument file the README's run command gives java. */
    public static final Path JVM_OPTIONS = Path.of("jvm.options");

    private final Path dataDirectory;
    private final Map<String, String> environment;
    private final int port;
    private final int managementPort;
    private final Path log;
    private String jar = System.getProperty("bellwether.app.jar", "target/quarkus-app/quarkus-run.jar");
    private List<String> jvmOptions = List.of("@" + JVM_OPTIONS.toAbsolutePath());
    private Process process;
    private boolean frozen;

    public ServiceProcess(Path dataDirectory, Map<String, String> environment) throws IOException {
        this.dataDirectory = dataDirectory;
        this.environment = new HashMap<>(environment);
        this.port = freePort();
        this.managementPort = freePort();
        this.log = dataDirectory.resolveSibling(dataDirectory.getFileName() + ".log");
    }

    /** Sets a variable for the next start, e.g. one that names this service's own ports. */
    public ServiceProcess environment(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** Runs another build of the service (its {@code quarkus-run.jar}), e.g. a baseline a benchmark compares with. */
    public ServiceProcess jar(String quarkusRunJar) {
        this.jar = quarkusRunJar;
        return this;
    }

    /** Runs the JVM with these options instead of the shipped ones, e.g. its defaults for a benchmark to compare with. */
    public ServiceProcess jvmOptions(List<String> options) {
        this.jvmOptions = List.copyOf(options);
        return this;
    }

    /** Everything the service wrote to stdout and stderr, across its starts. */
    public Path logFile() {
        return log;
    }

    /** The public port: the API and beacons. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** The management port: {@code /q/health}, {@code /q/metrics}, {@code /q/openapi}. */
    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public void start() throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = new HashMap<>(environment);
        env.put("BELLWETHER_DATA_DIR", dataDirectory.toString());
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
        env.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        builder.environment().putAll(env);
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        process = builder.start();
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the service exited at start; see " + log + ":\n" + Files.readString(log));
            }
            try {
                var ready = http.send(HttpRequest.newBuilder(URI.create(managementUrl() + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the service was not ready within 90 s; see " + log);
    }

    /** SIGTERM: a graceful stop, as an orchestrator sends it. */
    public void stop() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }

    /** SIGKILL: a crash; no shutdown hook runs. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    public long pid() {
        return process.pid();
    }

    /** SIGSTOP: the process halts where it is with its connections open, as in a long pause of the JVM or its host. */
    public void freeze() throws IOException, InterruptedException {
        signal("STOP");
        frozen = true;
    }

    /** SIGCONT: a frozen process goes on from where it halted. */
    public void thaw() throws IOException, InterruptedException {
        signal("CONT");
        frozen = false;
    }

    private void signal(String name) throws IOException, InterruptedException {
        int exit = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " exited with " + exit);
        }
    }

    @Override
    public void close() throws InterruptedException, IOException {
        if (process != null && process.isAlive()) {
            if (frozen) {
                // a stopped process does not act on SIGTERM until it runs again
                thaw();
            }
            stop();
        }
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One API call that must succeed (2xx): JSON with a bearer token, or, without one, text/plain as
     * navigator.sendBeacon sends beacons.
     */
    public static JsonNode call(String baseUrl, String method, String path, String bearer, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", bearer == null ? "text/plain" : "application/json");
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new AssertionError(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
