package dev.weft.controlplane.xds;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.weft.api.ValidationException;
import dev.weft.api.registry.IpLiterals;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the control plane needs to know about an xDS client, parsed once from its {@code Node}
 * (id and metadata, see docs/xds.md). A sidecar with bad metadata gets the defaults for the bad
 * keys and one log line; it is never refused, so a typo cannot take a proxy off the mesh.
 *
 * @param service the service a sidecar fronts ({@code weft.service}), empty when not given
 * @param appPort the local app's port, 0 when unknown (then there is no inbound listener)
 * @param appProtocol the HTTP version the local app speaks ({@code weft.app_protocol}), HTTP/1.1 when not given
 */
record NodeInfo(Kind kind, String id, String service, String bind, int outboundPort, int inboundPort, int appPort,
                AppProtocol appProtocol) {
    private static final Logger log = LoggerFactory.getLogger(NodeInfo.class);

    static final String SIDECAR_PREFIX = "sidecar~";
    static final String DEFAULT_BIND = "127.0.0.1";
    static final int DEFAULT_OUTBOUND_PORT = 15001;
    static final int DEFAULT_INBOUND_PORT = 15006;

    static final String KEY_SERVICE = "weft.service";
    static final String KEY_BIND = "weft.bind";
    static final String KEY_OUTBOUND_PORT = "weft.outbound_port";
    static final String KEY_INBOUND_PORT = "weft.inbound_port";
    static final String KEY_APP_PORT = "weft.app_port";
    static final String KEY_APP_PROTOCOL = "weft.app_protocol";

    enum Kind { SIDECAR, PROXYLESS }

    /** What the local app speaks; {@link #wireName} is the value of {@code weft.app_protocol}. */
    enum AppProtocol {
        HTTP1("http1"), HTTP2("http2");

        final String wireName;

        AppProtocol(String wireName) {
            this.wireName = wireName;
        }
    }

    /** The part of a node its resources depend on: nodes with equal profiles share one snapshot. */
    record Profile(Kind kind, String bind, int outboundPort, int inboundPort, int appPort, AppProtocol appProtocol) {}

    Profile profile() {
        return kind == Kind.PROXYLESS ? new Profile(Kind.PROXYLESS, "", 0, 0, 0, AppProtocol.HTTP1)
                : new Profile(kind, bind, outboundPort, inboundPort, appPort, appProtocol);
    }

    boolean hasInbound() {
        return kind == Kind.SIDECAR && appPort != 0;
    }

    /** Parses the node; logs one warning line naming every bad metadata key. */
    static NodeInfo parse(Node node) {
        List<String> problems = new ArrayList<>();
        NodeInfo info = parse(node, problems);
        if (!problems.isEmpty()) {
            log.warn("xds node metadata invalid, using defaults for the bad keys node={} problems=\"{}\"",
                    node.getId(), String.join("; ", problems));
        }
        return info;
    }

    /** Parses the node, appending a description of each bad metadata key to {@code problems}. */
    static NodeInfo parse(Node node, List<String> problems) {
        String id = node.getId();
        if (!id.startsWith(SIDECAR_PREFIX)) {
            return new NodeInfo(Kind.PROXYLESS, id, "", "", 0, 0, 0, AppProtocol.HTTP1);
        }
        if (id.split("~", -1).length != 4) {
            problems.add("node id: expected sidecar~<address>~<instance-id>~<namespace>");
        }
        Struct md = node.getMetadata();
        String service = string(md, KEY_SERVICE, "", problems);
        String bind = string(md, KEY_BIND, DEFAULT_BIND, problems);
        try {
            bind = IpLiterals.canonical(KEY_BIND, bind);
        } catch (ValidationException e) {
            problems.add(e.getMessage());
            bind = DEFAULT_BIND;
        }
        int outbound = port(md, KEY_OUTBOUND_PORT, DEFAULT_OUTBOUND_PORT, problems);
        int inbound = port(md, KEY_INBOUND_PORT, DEFAULT_INBOUND_PORT, problems);
        int app = port(md, KEY_APP_PORT, 0, problems);
        AppProtocol appProtocol = appProtocol(md, problems);
        return new NodeInfo(Kind.SIDECAR, id, service, bind, outbound, inbound, app, appProtocol);
    }

    private static AppProtocol appProtocol(Struct md, List<String> problems) {
        String name = string(md, KEY_APP_PROTOCOL, AppProtocol.HTTP1.wireName, problems);
        for (AppProtocol p : AppProtocol.values()) {
            if (p.wireName.equals(name)) {
                return p;
            }
        }
        problems.add(KEY_APP_PROTOCOL + ": must be 'http1' or 'http2', was " + describe(md.getFieldsOrThrow(KEY_APP_PROTOCOL)));
        return AppProtocol.HTTP1;
    }

    private static String string(Struct md, String key, String dflt, List<String> problems) {
        Value v = md.getFieldsMap().get(key);
        if (v == null || v.getKindCase() == Value.KindCase.NULL_VALUE) {
            return dflt;
        }
        if (v.getKindCase() != Value.KindCase.STRING_VALUE) {
            problems.add(key + ": must be a string, was " + describe(v));
            return dflt;
        }
        return v.getStringValue();
    }

    /** A port given as a number (the documented type) or, leniently, as a decimal string. */
    private static int port(Struct md, String key, int dflt, List<String> problems) {
        Value v = md.getFieldsMap().get(key);
        if (v == null || v.getKindCase() == Value.KindCase.NULL_VALUE) {
            return dflt;
        }
        double d;
        if (v.getKindCase() == Value.KindCase.NUMBER_VALUE) {
            d = v.getNumberValue();
        } else if (v.getKindCase() == Value.KindCase.STRING_VALUE && v.getStringValue().matches("\\d{1,5}")) {
            d = Integer.parseInt(v.getStringValue());
        } else {
            problems.add(key + ": must be a port number, was " + describe(v));
            return dflt;
        }
        if (d != Math.rint(d) || d < 1 || d > 65535) {
            problems.add(key + ": must be between 1 and 65535, was " + describe(v));
            return dflt;
        }
        return (int) d;
    }

    private static String describe(Value v) {
        return switch (v.getKindCase()) {
            case STRING_VALUE -> "'" + (v.getStringValue().length() > 64 ? v.getStringValue().substring(0, 64) + "..." : v.getStringValue()) + "'";
            case NUMBER_VALUE -> Double.toString(v.getNumberValue());
            case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
            case STRUCT_VALUE -> "an object";
            case LIST_VALUE -> "a list";
            default -> "null";
        };
    }
}
