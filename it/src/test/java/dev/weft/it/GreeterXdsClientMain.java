package dev.weft.it;

import dev.weft.proxy.Utf8Marshaller;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A plain grpc-java xDS client, run in its own JVM by {@link ProxylessGrpcTest}: nothing here knows about Weft. grpc-java
 * finds its bootstrap the standard way (the {@code GRPC_XDS_BOOTSTRAP_CONFIG} environment variable the parent sets) and
 * resolves the target given as the only argument (e.g. {@code xds:///greeter}) with its own {@code xds} resolver.
 *
 * <p>Commands, one per line on stdin:
 * <ul>
 *   <li>{@code call N}: N unary calls one after another, then one line on stdout,
 *       {@code result n=N one=120 two=80} (the count per answering server; a failed call stops the batch and is
 *       counted as {@code error:<CODE>=1}, its status printed on stderr);
 *   <li>{@code quit} (or the end of stdin): shuts the channel down and exits.
 * </ul>
 * Diagnostics go to stderr. The first line on stdout is {@code ready} once the channel is built.
 */
public final class GreeterXdsClientMain {
    /** weft.it.Greeter/Hello: any string in, the answering server's name out. */
    static final MethodDescriptor<String, String> HELLO = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("weft.it.Greeter/Hello")
            .setRequestMarshaller(Utf8Marshaller.INSTANCE)
            .setResponseMarshaller(Utf8Marshaller.INSTANCE)
            .build();

    private GreeterXdsClientMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: GreeterXdsClientMain xds:///<service>");
            System.exit(2);
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        ManagedChannel channel = Grpc.newChannelBuilder(args[0], InsecureChannelCredentials.create()).build();
        try {
            out.println("ready");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                line = line.strip();
                if (line.equals("quit")) {
                    break;
                }
                if (line.startsWith("call ")) {
                    int n = Integer.parseInt(line.substring(5).strip());
                    out.println(call(channel, n));
                } else if (!line.isEmpty()) {
                    System.err.println("unknown command: " + line);
                    out.println("error unknown command");
                }
            }
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static String call(ManagedChannel channel, int n) {
        Map<String, Integer> byServer = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            String who;
            try {
                who = ClientCalls.blockingUnaryCall(channel, HELLO,
                        CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), "hi");
            } catch (StatusRuntimeException e) {
                System.err.println("call " + (i + 1) + " of " + n + " failed, batch stopped: " + e.getStatus());
                byServer.merge("error:" + e.getStatus().getCode(), 1, Integer::sum);
                break;
            }
            byServer.merge(who, 1, Integer::sum);
        }
        StringBuilder sb = new StringBuilder("result n=").append(n);
        byServer.forEach((who, count) -> sb.append(' ').append(who).append('=').append(count));
        return sb.toString();
    }
}
