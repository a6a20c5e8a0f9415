package dev.weft.proxy;

import dev.weft.proxy.config.ProxyConfig;
import dev.weft.proxy.config.UpstreamProtocol;
import dev.weft.proxy.registration.InstanceRegistrar;
import dev.weft.proxy.registration.RegistrarOptions;
import dev.weft.proxy.xds.XdsClient;
import dev.weft.proxy.xds.XdsClientOptions;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole sidecar as `weft proxy` runs it: the data path ({@link Sidecar}), its xDS subscription
 * ({@link XdsClient}) and its instance's registration and health reports ({@link InstanceRegistrar}).
 *
 * <p>Start order matters: the listeners bind first (so the real ports are known, even when 0 was
 * asked for), the last known good configuration is applied if there is one (static stability),
 * then xDS subscribes with those ports in its node metadata, and only once a configuration lets
 * the inbound listener route (from xDS or from that saved copy) is the instance
 * registered, so that callers never learn of an endpoint that cannot yet route.
 */
public final class MeshSidecar implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MeshSidecar.class);

    /**
     * @param service the service this sidecar fronts
     * @param instanceId the registry id of the instance; null for {@code <service>-<address>-<inbound port>}
     * @param address the address other sidecars reach this one at (its instance address)
     * @param appPort the local app's port
     * @param appHealthPath HTTP path probed on the app; null for a TCP connect probe
     * @param controlPlane the control plane's HTTP API (registration)
     * @param xds the control plane's xDS address
     * @param token admin token (or, later, a join token); null when the control plane runs without auth
     * @param stateDir where the last accepted configuration is kept
     * @param drainPropagation on close, how long to keep serving after deregistering, so that callers learn of it
     * @param drainTimeout on close, how long exchanges in flight may take before their connections are force-closed
     * @param appProtocol the HTTP version the local app speaks (HTTP1 or HTTP2), sent as xDS node metadata
     */
    public record Options(
            SidecarOptions sidecar,
            String service,
            String instanceId,
            String address,
            int appPort,
            String appHealthPath,
            String zone,
            List<String> tags,
            URI controlPlane,
            InetSocketAddress xds,
            String token,
            Path stateDir,
            Duration healthInterval,
            Duration drainPropagation,
            Duration drainTimeout,
            UpstreamProtocol appProtocol) {
        public static final Duration DEFAULT_DRAIN_PROPAGATION = Duration.ofSeconds(3);
        public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(15);

        /** With the default drain: 3 s propagation, 15 s timeout. */
        public Options(SidecarOptions sidecar, String service, String instanceId, String address, int appPort, String appHealthPath,
                       String zone, List<String> tags, URI controlPlane, InetSocketAddress xds, String token, Path stateDir,
                       Duration healthInterval) {
            this(sidecar, service, instanceId, address, appPort, appHealthPath, zone, tags, controlPlane, xds, token, stateDir,
                    healthInterval, DEFAULT_DRAIN_PROPAGATION, DEFAULT_DRAIN_TIMEOUT);
        }

        /** For an HTTP/1.1 app. */
        public Options(SidecarOptions sidecar, String service, String instanceId, String address, int appPort, String appHealthPath,
                       String zone, List<String> tags, URI controlPlane, InetSocketAddress xds, String token, Path stateDir,
                       Duration healthInterval, Duration drainPropagation, Duration drainTimeout) {
            this(sidecar, service, instanceId, address, appPort, appHealthPath, zone, tags, controlPlane, xds, token, stateDir,
                    healthInterval, drainPropagation, drainTimeout, UpstreamProtocol.HTTP1);
        }

        public Options {
            Objects.requireNonNull(drainPropagation, "drainPropagation");
            Objects.requireNonNull(drainTimeout, "drainTimeout");
            if (drainPropagation.isNegative() || drainTimeout.isNegative()) {
                throw new IllegalArgumentException("drainPropagation and drainTimeout must not be negative, were "
                        + drainPropagation + " and " + drainTimeout);
            }
            Objects.requireNonNull(sidecar, "sidecar");
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(controlPlane, "controlPlane");
            Objects.requireNonNull(xds, "xds");
            Objects.requireNonNull(stateDir, "stateDir");
            Objects.requireNonNull(appProtocol, "appProtocol"); // HTTP1 or HTTP2: XdsClientOptions refuses DOWNSTREAM
            tags = tags == null ? List.of() : List.copyOf(tags);
        }

        @Override
        public String toString() {
            return "MeshSidecar.Options[service=" + service + ", instance=" + instanceId + ", address=" + address
                    + ", app_port=" + appPort + ", app_protocol=" + appProtocol + ", control_plane=" + controlPlane + ", xds=" + xds
                    + ", token=" + (token == null ? "none" : "<redacted>") + ", state_dir=" + stateDir
                    + ", drain_propagation=" + drainPropagation + ", drain_timeout=" + drainTimeout + "]";
        }
    }

    private final Sidecar sidecar;
    private final String instanceId;
    private final Options options;
    private volatile XdsClient xds;
    /** Started once the inbound listener can route, so that callers never learn of an endpoint that cannot serve them. */
    private final java.util.concurrent.atomic.AtomicReference<InstanceRegistrar> registrar = new java.util.concurrent.atomic.AtomicReference<>();
    private volatile boolean closed;

    private MeshSidecar(Sidecar sidecar, String instanceId, Options options) {
        this.sidecar = sidecar;
        this.instanceId = instanceId;
        this.options = options;
    }

    /** Applies a configuration; the first one that lets the inbound listener route registers the instance. */
    private void apply(ProxyConfig config) {
        sidecar.apply(config);
        if (config.inbound() != null && registrar.get() == null) {
            register();
        }
    }

    private synchronized void register() {
        if (closed || registrar.get() != null) {
            return; // draining, or registered already
        }
        Options o = options;
        InstanceRegistrar r = InstanceRegistrar.start(new RegistrarOptions(o.controlPlane(), o.token(), o.service(),
                instanceId, o.address(), o.appPort(), sidecar.inboundPort(), o.zone(), o.tags(), o.appHealthPath(),
                o.healthInterval()));
        r.addHealthListener(sidecar::setAppHealthy);
        registrar.set(r);
    }

    public static MeshSidecar start(Options o) {
        Sidecar sidecar = Sidecar.start(o.zone() == null ? o.sidecar() : o.sidecar().withZone(o.zone()));
        XdsClient xds = null;
        try {
            String instanceId = o.instanceId() != null ? o.instanceId()
                    : o.service() + "-" + o.address().replace(':', '-') + "-" + sidecar.inboundPort();
            MeshSidecar mesh = new MeshSidecar(sidecar, instanceId, o);
            Optional<ProxyConfig> lastGood = XdsClient.loadLastKnownGood(o.stateDir()).map(c -> rebind(c, sidecar));
            if (lastGood.isPresent()) {
                String problem = sidecar.validate(lastGood.get());
                if (problem == null) {
                    mesh.apply(lastGood.get());
                    log.info("serving the last known good configuration version={} until the control plane answers",
                            lastGood.get().version());
                } else {
                    log.warn("last known good configuration in {} does not fit this sidecar, waiting for the control plane: {}",
                            o.stateDir(), problem);
                }
            }
            xds = new XdsClient(XdsClientOptions.builder(o.xds(), o.service(), instanceId)
                    .nodeAddress(o.address())
                    .bind(o.sidecar().bindAddress().getHostAddress())
                    .outboundPort(sidecar.outboundPort())
                    .inboundPort(sidecar.inboundPort())
                    .appPort(o.appPort())
                    .appProtocol(o.appProtocol())
                    .token(o.token())
                    .stateDir(o.stateDir())
                    .build(), mesh::apply, sidecar.controlGroup(), sidecar.socketChannelType()).start();
            mesh.xds = xds;
            log.info("sidecar ready service={} instance={} outbound={}:{} inbound={}:{} admin={}:{} app_port={} app_protocol={} xds={}",
                    o.service(), instanceId, o.sidecar().bindAddress().getHostAddress(), sidecar.outboundPort(),
                    o.sidecar().bindAddress().getHostAddress(), sidecar.inboundPort(),
                    o.sidecar().bindAddress().getHostAddress(), sidecar.adminPort(), o.appPort(),
                    o.appProtocol().name().toLowerCase(java.util.Locale.ROOT), o.xds());
            return mesh;
        } catch (RuntimeException e) {
            if (xds != null) {
                xds.close();
            }
            sidecar.close();
            throw e;
        }
    }

    /**
     * The saved listeners carry the ports this sidecar had last time, which the control plane built
     * from its node metadata; a restart may have bound other ones (ephemeral ports), so the saved
     * routes and clusters are served on the listeners actually bound now.
     */
    private static ProxyConfig rebind(ProxyConfig saved, Sidecar sidecar) {
        java.net.InetAddress bind = sidecar.options().bindAddress();
        dev.weft.proxy.config.ListenerSpec out = saved.outbound() == null ? null : new dev.weft.proxy.config.ListenerSpec(
                saved.outbound().name(), new InetSocketAddress(bind, sidecar.outboundPort()), saved.outbound().routes());
        dev.weft.proxy.config.ListenerSpec in = saved.inbound() == null ? null : new dev.weft.proxy.config.ListenerSpec(
                saved.inbound().name(), new InetSocketAddress(bind, sidecar.inboundPort()), saved.inbound().routes());
        return new ProxyConfig(saved.version(), saved.clusters(), out, in);
    }

    public Sidecar sidecar() {
        return sidecar;
    }

    public XdsClient xds() {
        return xds;
    }

    public String instanceId() {
        return instanceId;
    }

    /**
     * Graceful drain (what SIGTERM runs): deregisters (waiting, bounded, for the control plane's
     * answer), keeps serving normally for the propagation delay so that callers learn of it through
     * their EDS push, then drains the listeners ({@link Sidecar#drain}) within the drain timeout,
     * and only then stops subscribing and stops the event loops. Blocks the calling thread throughout.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long start = System.nanoTime();
        log.info("drain started instance={} propagation={}ms timeout={}ms", instanceId,
                options.drainPropagation().toMillis(), options.drainTimeout().toMillis());
        InstanceRegistrar r = registrar.getAndSet(null);
        if (r != null) {
            r.close();
        }
        log.info("drain: deregistered, serving for {} ms while callers learn of it instance={}",
                options.drainPropagation().toMillis(), instanceId);
        try {
            Thread.sleep(options.drainPropagation().toMillis());
            // the future completes within the timeout (force-closing what is left); the margin covers the loop tasks
            sidecar.drain(options.drainTimeout()).get(options.drainTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("drain interrupted instance={}, closing now", instanceId);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("drain did not finish instance={}, closing now: {}", instanceId, e.toString());
        }
        xds.close();
        sidecar.close();
        log.info("sidecar stopped instance={} after {} ms", instanceId,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }
}
