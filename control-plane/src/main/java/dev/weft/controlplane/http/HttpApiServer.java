package dev.weft.controlplane.http;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.weft.controlplane.registry.Registry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's HTTP server: the native discovery API ({@code /api/v1}) and the
 * Consul-compatible subset ({@code /v1}) on one port, bound to the configured address only.
 * Other control-plane services (xDS over gRPC, the dashboard) join the same server through
 * {@link #start(HttpApiConfig, Registry, AdminToken, List)}.
 */
public final class HttpApiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpApiServer.class);
    /** Longer than the longest blocking query (10 min + jitter), so that none is cut short. */
    static final Duration REQUEST_TIMEOUT = BlockingQuery.LONGEST.plusMinutes(1);

    private final Server server;

    private HttpApiServer(Server server) {
        this.server = server;
    }

    public static HttpApiServer start(HttpApiConfig config, Registry registry, AdminToken token) {
        return start(config, registry, token, List.of());
    }

    /**
     * Starts the server with the API routes plus whatever {@code extensions} add (each receives the
     * builder after the API routes are bound). Blocks until the port is bound.
     */
    public static HttpApiServer start(HttpApiConfig config, Registry registry, AdminToken token,
            List<Consumer<ServerBuilder>> extensions) {
        Objects.requireNonNull(registry, "registry");
        if (!config.insecureNoAuth()) {
            Objects.requireNonNull(token, "token (or insecureNoAuth)");
        }
        ServerBuilder sb = Server.builder()
                .port(new InetSocketAddress(config.bind(), config.port()), SessionProtocol.HTTP)
                .requestTimeout(REQUEST_TIMEOUT)
                .maxRequestLength(config.maxBodyBytes())
                .gracefulShutdownTimeout(Duration.ZERO, Duration.ofMillis(500))
                .errorHandler(new ApiErrorHandler());
        QuickStopBossGroup.factory().ifPresent(sb::bossGroupFactory);
        new NativeApi(registry).routes(token, config.insecureNoAuth()).bindTo(sb);
        new ConsulApi(registry, config).routes(token, config.insecureNoAuth()).bindTo(sb);
        extensions.forEach(e -> e.accept(sb));
        Server server = sb.build();
        try {
            server.start().join();
        } catch (CompletionException e) {
            server.closeAsync();
            throw new IllegalStateException("cannot listen on " + config.bind().getHostAddress() + ":" + config.port()
                    + ": " + (e.getCause() == null ? e : e.getCause()).getMessage(), e.getCause());
        }
        HttpApiServer s = new HttpApiServer(server);
        log.info("http api listening address={} port={} auth={} datacenter={}", config.bind().getHostAddress(), s.port(),
                config.insecureNoAuth() ? "off" : "admin-token", config.datacenter());
        return s;
    }

    /** The bound port (the ephemeral one when the config said 0). */
    public int port() {
        return server.activeLocalPort(SessionProtocol.HTTP);
    }

    @Override
    public void close() {
        server.close();
    }

    /** Errors Armeria produces itself (no route, body too large) in the dialect of the API path. */
    private static final class ApiErrorHandler implements ServerErrorHandler {
        @Override
        public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
            if (!isApiPath(ctx.path())) {
                return null;
            }
            if (cause instanceof com.linecorp.armeria.common.ContentTooLargeException
                    || (cause instanceof com.linecorp.armeria.server.HttpStatusException h && h.httpStatus() == HttpStatus.REQUEST_ENTITY_TOO_LARGE)) {
                return Dialect.forPath(ctx.path()).error(Dialect.tooLarge(ctx.maxRequestLength()));
            }
            return Dialect.forPath(ctx.path()).error(cause);
        }

        @Override
        public AggregatedHttpResponse onProtocolViolation(ServiceConfig config, RequestHeaders headers, HttpStatus status,
                String description, Throwable cause) {
            return render(config, headers, status, description);
        }

        @Override
        public AggregatedHttpResponse renderStatus(ServiceRequestContext ctx, ServiceConfig config, RequestHeaders headers,
                HttpStatus status, String description, Throwable cause) {
            return render(config, headers, status, description);
        }

        private static AggregatedHttpResponse render(ServiceConfig config, RequestHeaders headers, HttpStatus status, String description) {
            String path = headers == null ? null : headers.path();
            if (path == null || !isApiPath(path)) {
                return null;
            }
            Dialect d = Dialect.forPath(path);
            ApiException e;
            if (status == HttpStatus.REQUEST_ENTITY_TOO_LARGE) {
                e = Dialect.tooLarge(config == null ? -1 : config.maxRequestLength());
            } else if (status == HttpStatus.NOT_FOUND) {
                e = new ApiException(status, "not_found", "", "no such endpoint: " + headers.method() + " " + stripQuery(path));
            } else {
                e = new ApiException(status, status.reasonPhrase().toLowerCase(java.util.Locale.ROOT).replace(' ', '_'), "",
                        description == null ? status.reasonPhrase() : description);
            }
            return AggregatedHttpResponse.of(status, d.mediaType(), d.errorBody(e));
        }

        private static boolean isApiPath(String path) {
            return path.startsWith("/api/") || path.startsWith("/v1/");
        }

        private static String stripQuery(String path) {
            int q = path.indexOf('?');
            return q < 0 ? path : path.substring(0, q);
        }
    }
}
