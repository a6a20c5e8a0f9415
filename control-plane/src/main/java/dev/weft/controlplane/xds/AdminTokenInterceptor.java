package dev.weft.controlplane.xds;

import dev.weft.controlplane.http.AdminToken;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a call through only with the admin token, as {@code authorization: Bearer <token>} or
 * {@code x-weft-token: <token>}. Missing: UNAUTHENTICATED; wrong: PERMISSION_DENIED. The token is
 * never logged.
 */
final class AdminTokenInterceptor implements ServerInterceptor {
    private static final Logger log = LoggerFactory.getLogger(AdminTokenInterceptor.class);
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> WEFT_TOKEN = Metadata.Key.of("x-weft-token", Metadata.ASCII_STRING_MARSHALLER);
    private static final String BEARER = "bearer ";

    private final AdminToken token;

    AdminTokenInterceptor(AdminToken token) {
        this.token = token;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String presented = presented(headers);
        Status refusal = null;
        if (presented == null) {
            refusal = Status.UNAUTHENTICATED.withDescription(
                    "the admin token is required: send gRPC metadata 'authorization: Bearer <token>' or 'x-weft-token: <token>'");
        } else if (!token.matches(presented)) {
            refusal = Status.PERMISSION_DENIED.withDescription("the admin token presented is not valid");
        }
        if (refusal == null) {
            return next.startCall(call, headers);
        }
        log.warn("xds call refused status={} method={} peer={}", refusal.getCode(),
                call.getMethodDescriptor().getFullMethodName(), call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        call.close(refusal, new Metadata());
        return new ServerCall.Listener<>() {};
    }

    private static String presented(Metadata headers) {
        String auth = headers.get(AUTHORIZATION);
        if (auth != null && auth.length() > BEARER.length()
                && auth.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
            return auth.substring(BEARER.length()).trim();
        }
        String weft = headers.get(WEFT_TOKEN);
        if (weft != null && !weft.isBlank()) {
            return weft.trim();
        }
        // An authorization header in another scheme counts as a wrong token, not a missing one.
        return auth != null && !auth.isBlank() ? auth : null;
    }
}
