package dev.weft.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;

/** Helpers for pipelines under test on an {@link EmbeddedChannel}. */
final class EmbeddedChannels {
    private EmbeddedChannels() {
    }

    /** Everything written so far, as ISO-8859-1 text; the buffers are released. */
    static String outbound(EmbeddedChannel ch) {
        StringBuilder b = new StringBuilder();
        ByteBuf buf;
        while ((buf = ch.readOutbound()) != null) {
            b.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return b.toString();
    }
}
