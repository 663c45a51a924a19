package dev.bellwether.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The example app {@code examples/field-notes} run by its own {@code server.mjs} with Node, on a loopback port that
 * stays the same across {@link #stop()} and {@link #start(String, int)}, so the browser sees one origin go away and
 * come back (as a new release, with the notes kept in a data file). Its npm packages are installed on first use
 * ({@code npm ci}); without Node and npm it fails with a message saying so.
 */
public final class FieldNotesServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final Path directory;
    private final Map<String, String> options;
    private final int port;
    private final Path data;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;

    /**
     * @param options server.mjs's options without their dashes and other than port, release, schema and data, e.g.
     *     {@code bellwether}, {@code key}, {@code unleash}, {@code unleash-token}
     */
    public FieldNotesServer(Map<String, String> options) throws IOException {
        this.directory = Path.of(System.getProperty("bellwether.field-notes.dir", "examples/field-notes")).toAbsolutePath()
                .normalize();
        this.options = new LinkedHashMap<>(options);
        this.port = freePort();
        Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        Path work = Files.createTempDirectory(target, "field-notes-");
        this.data = work.resolve("notes.json");
        this.log = work.resolve("server.log");
    }

    /** Sets one of server.mjs's options (e.g. {@code key}) for the next {@link #start(String, int)}. */
    public void option(String name, String value) {
        options.put(name, value);
    }

    /** The app's origin, e.g. {@code http://127.0.0.1:41234}: what the Bellwether app's {@code allowedOrigins} lists. */
    public String origin() {
        return "http://127.0.0.1:" + port;
    }

    public String url(String path) {
        return origin() + path;
    }

    public Path log() {
        return log;
    }

    /** Starts server.mjs serving this release, whose pages open IndexedDB at {@code schema}; waits until it answers. */
    public synchronized void start(String release, int schema) throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("server.mjs is already running");
        }
        UnleashServer.ensureInstalled(directory, "unleash-proxy-client");
        List<String> command = new ArrayList<>(List.of(UnleashServer.executable("node"), "server.mjs",
                "--port", String.valueOf(port), "--release", release, "--schema", String.valueOf(schema),
                "--data", data.toString()));
        options.forEach((name, value) -> command.addAll(List.of("--" + name, value)));
        Files.writeString(log, "---- " + Instant.now() + " server.mjs release " + release + "\n", StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("server.mjs exited at start (exit " + process.exitValue() + "): "
                        + Files.readString(log));
            }
            try {
                HttpResponse<Void> config = http.send(HttpRequest.newBuilder(URI.create(url("/config.js")))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (config.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        stop();
        throw new IllegalStateException("server.mjs did not answer within " + START_TIMEOUT.toSeconds() + " s: "
                + Files.readString(log));
    }

    /** SIGTERM, then waits for the process to end (SIGKILL after 10 s); the notes stay in the data file. */
    public synchronized void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
        process = null;
    }

    /** A note update as another device sends it: {@code PUT /api/notes/{id}}; returns the answer's status and body. */
    public HttpResponse<String> putNote(String id, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url("/api/notes/" + id))).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
