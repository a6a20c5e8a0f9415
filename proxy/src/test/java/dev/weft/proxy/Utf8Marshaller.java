package dev.weft.proxy;

import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * gRPC messages as plain UTF-8 strings, so the gRPC tests (here and in module it, through the
 * test jar) define their services by hand without generated code.
 */
public final class Utf8Marshaller implements MethodDescriptor.Marshaller<String> {
    public static final Utf8Marshaller INSTANCE = new Utf8Marshaller();

    private Utf8Marshaller() {
    }

    @Override
    public InputStream stream(String value) {
        return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
        try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
