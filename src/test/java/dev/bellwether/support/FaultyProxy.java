package dev.bellwether.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP proxy on loopback in front of a real dependency, for faults the dependency cannot be told to produce on cue
 * while the test still reaches it directly: {@link #refuse()} (every connection reset, as if the dependency were
 * down), {@link #delay(Duration)} (every chunk of every answer held back, as a slow dependency answers) and
 * {@link #pass()}. The mode applies at once to open connections too, so a client's pooled keep-alive connections do
 * not escape it.
 */
public final class FaultyProxy implements AutoCloseable {

    private enum Mode { PASS, REFUSE, DELAY }

    private final ServerSocket listener;
    private final InetSocketAddress upstream;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "faulty-proxy");
        thread.setDaemon(true);
        return thread;
    });
    private volatile Mode mode = Mode.PASS;
    private volatile Duration delay = Duration.ZERO;

    private FaultyProxy(int upstreamPort) throws IOException {
        this.upstream = new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort);
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    /** A proxy on a free loopback port to {@code 127.0.0.1:upstreamPort}, passing everything. */
    public static FaultyProxy to(int upstreamPort) throws IOException {
        return new FaultyProxy(upstreamPort);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Relays both ways as they come. */
    public void pass() {
        mode = Mode.PASS;
    }

    /** Resets every open connection and every new one: to a client, the dependency is down. */
    public void refuse() {
        mode = Mode.REFUSE;
        open.forEach(this::reset);
    }

    /** Requests go through at once; each chunk of an answer is held back {@code by} before it is relayed. */
    public void delay(Duration by) {
        delay = by;
        mode = Mode.DELAY;
    }

    @Override
    public void close() throws IOException {
        listener.close();
        open.forEach(this::reset);
        threads.shutdownNow();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException closed) {
                return;
            }
            if (mode == Mode.REFUSE) {
                reset(client);
                continue;
            }
            threads.execute(() -> connect(client));
        }
    }

    private void connect(Socket client) {
        Socket server = new Socket();
        try {
            server.connect(upstream, 2000);
        } catch (IOException unreachable) {
            reset(client);
            reset(server);
            return;
        }
        open.add(client);
        open.add(server);
        threads.execute(() -> relay(client, server, false));
        threads.execute(() -> relay(server, client, true));
    }

    private void relay(Socket from, Socket to, boolean answers) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (answers && mode == Mode.DELAY) {
                    Thread.sleep(delay.toMillis());
                }
                if (mode == Mode.REFUSE) {
                    break;
                }
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException | InterruptedException ended) {
            // either side closed, was reset, or the proxy is closing
        } finally {
            reset(from);
            reset(to);
        }
    }

    private void reset(Socket socket) {
        open.remove(socket);
        try {
            if (!socket.isClosed()) {
                socket.setSoLinger(true, 0);
            }
        } catch (SocketException alreadyGone) {
            // closing is all that is left to do
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
