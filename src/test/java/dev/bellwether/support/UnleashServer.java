package dev.bellwether.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real Unleash (unleash-server from {@code tools/unleash}, run with Node 20) on loopback, for integration tests.
 *
 * <p>It keeps its data in a database {@code unleash_<random>} of its own, created on the PostgreSQL given by JDBC URL;
 * {@link #stop()} and {@link #start()} again keep that database, so a test can stop Unleash in the middle of a
 * rollout. The npm packages are installed on first use ({@code npm ci} in {@code tools/unleash}, about half a minute);
 * without Node and npm the test fails with a message saying so, it is never skipped.
 *
 * <pre>
 * try (SharedPostgres pg = new SharedPostgres(); UnleashServer unleash = new UnleashServer(pg.jdbcUrl(), "postgres", "postgres")) {
 *     unleash.start();
 *     unleash.createFlag("new-sync-engine");
 * }
 * </pre>
 */
public final class UnleashServer implements AutoCloseable {

    public static final String PROJECT = "default";
    public static final String ENVIRONMENT = "development";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path directory;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final String database;
    private final int port;
    private final String adminToken;
    private final String clientToken;
    private final String frontendToken;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private boolean databaseCreated;
    private Process process;
    private Thread shutdownHook;

    /**
     * @param jdbcUrl any database of the PostgreSQL to use, e.g. {@code jdbc:postgresql://localhost:5432/postgres}
     * @param user a user allowed to create databases (for Unleash's own database)
     */
    public UnleashServer(String jdbcUrl, String user, String password) throws IOException {
        this.directory = Path.of(System.getProperty("bellwether.unleash.dir", "tools/unleash")).toAbsolutePath().normalize();
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password == null ? "" : password;
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        this.database = "unleash_" + id;
        this.port = freePort();
        this.adminToken = "*:*." + "bellwether-test-admin-" + id;
        this.clientToken = PROJECT + ":" + ENVIRONMENT + ".bellwether-test-client-" + id;
        this.frontendToken = PROJECT + ":" + ENVIRONMENT + ".bellwether-test-frontend-" + id;
        Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        this.log = target.resolve(database + ".log");
    }

    public static UnleashServer on(SharedPostgres postgres) throws IOException {
        return new UnleashServer(postgres.jdbcUrl(), "postgres", "postgres");
    }

    /** The loopback port Unleash listens on, the same across {@link #stop()} and {@link #start()}. */
    public int port() {
        return port;
    }

    /** The server root, e.g. {@code http://127.0.0.1:41234}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** The API base that Bellwether is configured with ({@code BELLWETHER_UNLEASH_URL}). */
    public String apiUrl() {
        return baseUrl() + "/api";
    }

    /** An admin token ({@code *:*.…}) created at start. */
    public String adminToken() {
        return adminToken;
    }

    /** A client (backend) token for project {@value #PROJECT}, environment {@value #ENVIRONMENT}. */
    public String clientToken() {
        return clientToken;
    }

    /**
     * A frontend token for project {@value #PROJECT}, environment {@value #ENVIRONMENT}: what a browser's
     * {@code unleash-proxy-client} sends to {@code /api/frontend} (any origin is allowed there).
     */
    public String frontendToken() {
        return frontendToken;
    }

    public String database() {
        return database;
    }

    public Path log() {
        return log;
    }

    public boolean running() {
        return process != null && process.isAlive();
    }

    /** Starts Unleash (installing it first if needed) and waits until {@code /health} says GOOD. */
    public synchronized void start() throws IOException, InterruptedException {
        if (running()) {
            return;
        }
        ensureInstalled(directory);
        createDatabase();
        URI jdbc = URI.create(jdbcUrl.substring("jdbc:".length()));
        List<String> command = List.of(executable("node"), "start.js");
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(key -> key.startsWith("DATABASE_") || key.startsWith("INIT_") || key.startsWith("PG")
                || key.startsWith("UNLEASH_"));
        env.put("PGHOST", jdbc.getHost() == null ? "127.0.0.1" : jdbc.getHost());
        env.put("PGPORT", String.valueOf(jdbc.getPort() < 0 ? 5432 : jdbc.getPort()));
        env.put("PGUSER", user);
        env.put("PGPASSWORD", password);
        env.put("PGDATABASE", database);
        env.put("UNLEASH_PORT", String.valueOf(port));
        env.put("UNLEASH_ADMIN_TOKEN", adminToken);
        env.put("UNLEASH_CLIENT_TOKEN", clientToken);
        env.put("UNLEASH_FRONTEND_TOKEN", frontendToken);
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Files.writeString(log, "---- " + Instant.now() + " node start.js (port " + port + ", database " + database + ")\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        process = builder.start();
        if (shutdownHook == null) {
            shutdownHook = new Thread(this::destroyQuietly, "unleash-server-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Unleash exited at start (exit " + process.exitValue() + "); its log "
                        + log + ":\n" + tail(log));
            }
            try {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200 && "GOOD".equals(JSON.readTree(health.body()).path("health").asText())) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        destroyQuietly();
        throw new IllegalStateException("Unleash did not report GOOD health within " + START_TIMEOUT.toSeconds()
                + " s; its log " + log + ":\n" + tail(log));
    }

    /** SIGTERM, then waits for the process to end (SIGKILL after 20 s). The database is kept for {@link #start()}. */
    public synchronized void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
        process = null;
    }

    /** Creates a release flag in project {@value #PROJECT} (it exists in every environment, turned off). */
    public void createFlag(String flag) throws IOException, InterruptedException {
        expect(admin("POST", "/admin/projects/" + PROJECT + "/features",
                "{\"name\":" + JSON.writeValueAsString(flag) + ",\"type\":\"release\"}"), 201, 200);
    }

    /**
     * Deletes a flag from Unleash for good: archived, then deleted from the archive. Unleash records a new flag's
     * lifecycle in the background after it has answered the creation, and that write ends the server (a foreign-key
     * violation nothing handles) if the flag is gone by then; so this first waits, bounded, for that record.
     */
    public void deleteFlag(String flag) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plusSeconds(10);
        String lifecycle = "/admin/projects/" + PROJECT + "/features/" + encode(flag) + "/lifecycle";
        while (JSON.readTree(expect(admin("GET", lifecycle, null), 200).body()).isEmpty()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("Unleash did not record the lifecycle of flag " + flag + " within 10 s");
            }
            Thread.sleep(50);
        }
        expect(admin("DELETE", "/admin/projects/" + PROJECT + "/features/" + encode(flag), null), 202);
        expect(admin("DELETE", "/admin/archive/" + encode(flag), null), 200);
    }

    /** The raw JSON of {@code GET /api/admin/projects/default/features/{flag}}. */
    public String featureJson(String flag) throws IOException, InterruptedException {
        return expect(admin("GET", "/admin/projects/" + PROJECT + "/features/" + encode(flag), null), 200).body();
    }

    public JsonNode feature(String flag) throws IOException, InterruptedException {
        return JSON.readTree(featureJson(flag));
    }

    /** The strategies of the flag in environment {@value #ENVIRONMENT}, as Unleash returns them. */
    public JsonNode strategies(String flag) throws IOException, InterruptedException {
        return environment(flag).path("strategies");
    }

    /** Whether the flag is on in environment {@value #ENVIRONMENT}: false once its kill switch is pulled. */
    public boolean enabled(String flag) throws IOException, InterruptedException {
        return environment(flag).path("enabled").asBoolean();
    }

    private JsonNode environment(String flag) throws IOException, InterruptedException {
        for (JsonNode environment : feature(flag).path("environments")) {
            if (ENVIRONMENT.equals(environment.path("name").asText())) {
                return environment;
            }
        }
        throw new IllegalStateException("flag " + flag + " has no environment " + ENVIRONMENT);
    }

    /** The audit events of a flag, newest first ({@code GET /api/admin/search/events?feature=IS:{flag}}). */
    public JsonNode events(String flag) throws IOException, InterruptedException {
        return JSON.readTree(expect(admin("GET", "/admin/search/events?feature=" + encode("IS:" + flag), null), 200).body())
                .path("events");
    }

    /** How many times a strategy of the flag was added or updated, by Unleash's event log: each is one rollout write. */
    public int strategyWrites(String flag) throws IOException, InterruptedException {
        int writes = 0;
        for (JsonNode event : events(flag)) {
            String type = event.get("type").asText();
            if (type.equals("feature-strategy-add") || type.equals("feature-strategy-update")) {
                writes++;
            }
        }
        return writes;
    }

    /** Any Admin API call with the admin token: {@code path} is relative to {@link #apiUrl()}, {@code json} may be null. */
    public HttpResponse<String> admin(String method, String path, String json) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(apiUrl() + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", adminToken).header("Accept", "application/json");
        if (json == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Stops Unleash and drops its database. */
    @Override
    public void close() throws InterruptedException {
        stop();
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
            shutdownHook = null;
        }
        if (databaseCreated) {
            try (Connection connection = DriverManager.getConnection(jdbcUrl, user, password);
                    Statement statement = connection.createStatement()) {
                statement.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            } catch (SQLException ignored) {
                // the PostgreSQL may already be gone (a test's own); nothing to clean then
            }
        }
    }

    private HttpResponse<String> expect(HttpResponse<String> response, int... statuses) {
        for (int status : statuses) {
            if (response.statusCode() == status) {
                return response;
            }
        }
        throw new IllegalStateException(response.request().method() + " " + response.uri() + " answered "
                + response.statusCode() + ": " + response.body());
    }

    private void createDatabase() throws IOException {
        if (databaseCreated) {
            return;
        }
        try (Connection connection = DriverManager.getConnection(jdbcUrl, user, password);
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + database);
            databaseCreated = true;
        } catch (SQLException e) {
            throw new IOException("could not create database " + database + " for Unleash at " + jdbcUrl, e);
        }
    }

    private void destroyQuietly() {
        Process running = process;
        if (running != null && running.isAlive()) {
            running.destroy();
            try {
                if (!running.waitFor(10, TimeUnit.SECONDS)) {
                    running.destroyForcibly();
                }
            } catch (InterruptedException e) {
                running.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    // --- installation ---

    private static final Object INSTALL_LOCK = new Object();

    static void ensureInstalled(Path directory) throws IOException, InterruptedException {
        ensureInstalled(directory, "unleash-server");
    }

    /**
     * Makes sure {@code node_modules/<dependency>} holds the version that package.json pins, running
     * {@code npm ci --no-audit --no-fund} otherwise. A file lock in target/ keeps parallel test JVMs from installing
     * at the same time.
     */
    static void ensureInstalled(Path directory, String dependency) throws IOException, InterruptedException {
        synchronized (INSTALL_LOCK) {
            if (!Files.isRegularFile(directory.resolve("package.json"))) {
                throw new IllegalStateException("no package.json in " + directory
                        + " (run the tests from the project directory, or set -Dbellwether.unleash.dir)");
            }
            checkNode();
            if (installedVersionMatches(directory, dependency)) {
                return;
            }
            Path target = Path.of("target").toAbsolutePath();
            Files.createDirectories(target);
            try (FileChannel channel = FileChannel.open(target.resolve(directory.getFileName() + "-npm.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = channel.lock()) {
                if (installedVersionMatches(directory, dependency)) {
                    return;
                }
                Path npmLog = target.resolve(directory.getFileName() + "-npm-ci.log");
                List<String> command = new ArrayList<>(List.of(executable("npm"), "ci", "--no-audit", "--no-fund"));
                Process npm = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                        .redirectOutput(npmLog.toFile()).start();
                if (!npm.waitFor(INSTALL_TIMEOUT.toMinutes(), TimeUnit.MINUTES)) {
                    npm.destroyForcibly();
                    throw new IllegalStateException("npm ci in " + directory + " took longer than "
                            + INSTALL_TIMEOUT.toMinutes() + " minutes; its output " + npmLog + ":\n" + tail(npmLog));
                }
                if (npm.exitValue() != 0 || !installedVersionMatches(directory, dependency)) {
                    throw new IllegalStateException("npm ci in " + directory + " failed (exit " + npm.exitValue()
                            + "); its output " + npmLog + ":\n" + tail(npmLog));
                }
            }
        }
    }

    private static boolean installedVersionMatches(Path directory, String dependency) throws IOException {
        Path installed = directory.resolve("node_modules/" + dependency + "/package.json");
        if (!Files.isRegularFile(installed)) {
            return false;
        }
        String pinned = JSON.readTree(directory.resolve("package.json").toFile()).path("dependencies")
                .path(dependency).asText();
        return pinned.equals(JSON.readTree(installed.toFile()).path("version").asText());
    }

    private static void checkNode() throws InterruptedException {
        String help = "The Unleash integration tests need Node.js 20 or newer and npm on the PATH"
                + " (https://nodejs.org, or e.g. `apt-get install nodejs npm`)";
        String version;
        try {
            Process node = new ProcessBuilder(executable("node"), "--version").redirectErrorStream(true).start();
            version = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (node.waitFor() != 0) {
                throw new IllegalStateException(help + "; `node --version` failed: " + version);
            }
            Process npm = new ProcessBuilder(executable("npm"), "--version").redirectErrorStream(true).start();
            npm.getInputStream().readAllBytes();
            if (npm.waitFor() != 0) {
                throw new IllegalStateException(help + "; `npm --version` failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException(help + ": " + e.getMessage(), e);
        }
        int major;
        try {
            major = Integer.parseInt(version.replaceFirst("^v", "").split("\\.")[0]);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(help + "; `node --version` said " + version);
        }
        if (major < 20) {
            throw new IllegalStateException(help + "; found Node " + version);
        }
    }

    static String executable(String name) {
        boolean windows = System.getProperty("os.name", "").toLowerCase().contains("win");
        return windows && name.equals("npm") ? "npm.cmd" : name;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 200), lines.size()));
        } catch (IOException e) {
            return "(could not read " + file + ": " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
