package dev.weft.controlplane.http;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The API's routing table: per path, one handler per method. Dispatch checks the method (405 with
 * {@code Allow}), authorizes writes against the admin token, and turns every failure into the
 * path's dialect of error.
 */
final class Routes {
    /** One endpoint; may throw, or return a response that completes later. */
    interface Handler {
        HttpResponse handle(ServiceRequestContext ctx, HttpRequest req) throws Exception;
    }

    private final Dialect dialect;
    private final AdminToken token;
    private final boolean insecureNoAuth;
    private final Map<String, EnumMap<HttpMethod, Handler>> table = new LinkedHashMap<>();
    /** Paths whose GET is a write too (Consul before 1.0 took GET there, and old clients still send it). */
    private final java.util.Set<String> getWrites = new java.util.HashSet<>();

    Routes(Dialect dialect, AdminToken token, boolean insecureNoAuth) {
        this.dialect = dialect;
        this.token = token;
        this.insecureNoAuth = insecureNoAuth;
    }

    Routes get(String path, Handler h) {
        return add(HttpMethod.GET, path, h);
    }

    Routes put(String path, Handler h) {
        return add(HttpMethod.PUT, path, h);
    }

    /**
     * A write that also answers GET, as Consul 0.x did for agent endpoints; python-consul 0.7
     * (Debian's python3-consul) still sends GET for check pass/warn/fail and deregister. The GET
     * needs the admin token exactly as the PUT does.
     */
    Routes putOrLegacyGet(String path, Handler h) {
        getWrites.add(path);
        add(HttpMethod.GET, path, h);
        return add(HttpMethod.PUT, path, h);
    }

    Routes delete(String path, Handler h) {
        return add(HttpMethod.DELETE, path, h);
    }

    private Routes add(HttpMethod method, String path, Handler h) {
        table.computeIfAbsent(path, p -> new EnumMap<>(HttpMethod.class)).put(method, h);
        return this;
    }

    void bindTo(ServerBuilder sb) {
        table.forEach((path, handlers) -> sb.service(path, dispatcher(Map.copyOf(handlers), getWrites.contains(path))));
    }

    private HttpService dispatcher(Map<HttpMethod, Handler> handlers, boolean getIsWrite) {
        String allow = handlers.keySet().stream().map(Enum::name).sorted().collect(Collectors.joining(", "));
        return (ctx, req) -> {
            Handler h = handlers.get(req.method());
            if (h == null && req.method() == HttpMethod.HEAD) {
                h = handlers.get(HttpMethod.GET);
            }
            if (h == null) {
                HttpResponse r = dialect.error(new ApiException(HttpStatus.METHOD_NOT_ALLOWED, "method_not_allowed", "",
                        req.method() + " is not allowed on " + ctx.path() + "; use " + allow));
                return r.mapHeaders(hdrs -> hdrs.toBuilder().set(HttpHeaderNames.ALLOW, allow).build());
            }
            boolean write = isWrite(req.method()) || (getIsWrite && (req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD));
            if (write && !insecureNoAuth) {
                ApiException denied = authorize(ctx, req.headers());
                if (denied != null) {
                    return dialect.error(denied);
                }
            }
            try {
                return h.handle(ctx, req);
            } catch (Exception e) {
                return dialect.error(e);
            }
        };
    }

    private static boolean isWrite(HttpMethod m) {
        return m == HttpMethod.PUT || m == HttpMethod.POST || m == HttpMethod.DELETE || m == HttpMethod.PATCH;
    }

    /** Null when the request carries the admin token; otherwise why not (401 missing, 403 wrong). */
    private ApiException authorize(ServiceRequestContext ctx, RequestHeaders headers) {
        String presented = presentedToken(ctx, headers);
        if (presented == null) {
            return new ApiException(HttpStatus.UNAUTHORIZED, "unauthorized", "",
                    "this write needs the admin token in X-Weft-Token, X-Consul-Token or Authorization: Bearer"
                            + (dialect == Dialect.CONSUL ? " (or ?token=)" : ""));
        }
        if (!token.matches(presented)) {
            return new ApiException(HttpStatus.FORBIDDEN, "forbidden", "",
                    dialect == Dialect.CONSUL ? "Permission denied: the token is not the admin token" : "the token is not the admin token");
        }
        return null;
    }

    private String presentedToken(ServiceRequestContext ctx, RequestHeaders headers) {
        String t = nonEmpty(headers.get("x-weft-token"));
        if (t == null) {
            t = nonEmpty(headers.get("x-consul-token"));
        }
        if (t == null) {
            String auth = headers.get(HttpHeaderNames.AUTHORIZATION);
            if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
                t = nonEmpty(auth.substring(7).trim());
            }
        }
        if (t == null && dialect == Dialect.CONSUL) {
            t = nonEmpty(ctx.queryParam("token"));
        }
        return t;
    }

    private static String nonEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
