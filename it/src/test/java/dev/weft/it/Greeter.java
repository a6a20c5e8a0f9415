package dev.weft.it;

import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** A grpc-java server of weft.it.Greeter on 127.0.0.1:0 whose Hello answers with the server's name. */
final class Greeter {
    private Greeter() {
    }

    static Server start(String name) throws IOException {
        ServerServiceDefinition service = ServerServiceDefinition.builder("weft.it.Greeter")
                .addMethod(GreeterXdsClientMain.HELLO, ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext(name);
                    response.onCompleted();
                }))
                .build();
        return NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(service).build().start();
    }
}
