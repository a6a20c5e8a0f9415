package dev.weft.proxy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/1.1 app on 127.0.0.1:0. Paths: anything echoes a line naming the backend, method,
 * path and Host; /upload answers the SHA-256 and length of the body; /download?n=N streams N
 * deterministic bytes (chunked); /slow answers after 2 s.
 */
final class TestBackend implements AutoCloseable {
    static {
        // the JDK server writes headers and body separately; without this, Nagle and delayed ACKs add 40 ms a response
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    final String name;
    final HttpServer server;
    final AtomicInteger requests = new AtomicInteger();
    final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    TestBackend(String name) throws IOException {
        this.name = name;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port());
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        clientPorts.add(ex.getRemoteAddress().getPort());
        String path = ex.getRequestURI().getPath();
        try (ex) {
            if (path.startsWith("/upload")) {
                MessageDigest md = sha256();
                long n = 0;
                byte[] buf = new byte[64 * 1024];
                try (InputStream in = ex.getRequestBody()) {
                    int r;
                    while ((r = in.read(buf)) > 0) {
                        md.update(buf, 0, r);
                        n += r;
                    }
                }
                send(ex, 200, HexFormat.of().formatHex(md.digest()) + " " + n);
            } else if (path.startsWith("/download")) {
                long n = Long.parseLong(ex.getRequestURI().getQuery().substring(2));
                ex.sendResponseHeaders(200, 0);
                try (OutputStream out = ex.getResponseBody()) {
                    byte[] buf = new byte[64 * 1024];
                    long sent = 0;
                    while (sent < n) {
                        int len = (int) Math.min(buf.length, n - sent);
                        fill(buf, sent, len);
                        out.write(buf, 0, len);
                        sent += len;
                    }
                }
            } else if (path.startsWith("/slow")) {
                ex.getRequestBody().readAllBytes();
                try {
                    Thread.sleep(2000); // the app being slow is the point of this path
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                send(ex, 200, "slow " + name);
            } else {
                ex.getRequestBody().readAllBytes();
                if (path.startsWith("/close")) {
                    ex.getResponseHeaders().set("Connection", "close");
                }
                send(ex, 200, "backend=" + name + " method=" + ex.getRequestMethod() + " path=" + ex.getRequestURI()
                        + " host=" + ex.getRequestHeaders().getFirst("Host")
                        + " proxy-connection=" + ex.getRequestHeaders().getFirst("Proxy-Connection"));
            }
        }
    }

    /** Byte i of every download is (i * 31 + 7) mod 251: the client can check each one. */
    static void fill(byte[] buf, long offset, int len) {
        for (int i = 0; i < len; i++) {
            buf[i] = (byte) (((offset + i) * 31 + 7) % 251);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void send(HttpExchange ex, int code, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        ex.sendResponseHeaders(code, b.length);
        ex.getResponseBody().write(b);
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
