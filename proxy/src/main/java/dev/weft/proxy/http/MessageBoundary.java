package dev.weft.proxy.http;

import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * Where Netty's HTTP/1.1 decoder stands in the byte stream, seen from outside it: at the start of a
 * message (the raw path may take the next head), inside a head Netty has begun to consume (Netty
 * must finish that head), or inside a message. Fed with what each call of Netty's decode emitted.
 */
final class MessageBoundary {
    private boolean inHead = true;
    private boolean headBegun;

    /** Between messages, nothing of the next head consumed: a raw head may be taken here. */
    boolean atMessageStart() {
        return inHead && !headBegun;
    }

    /** In a head (possibly begun by Netty), not in a body. */
    boolean inHead() {
        return inHead;
    }

    /** True when Netty holds the first lines of the current head. */
    boolean headBegun() {
        return headBegun;
    }

    /** After Netty's decode: {@code out} from {@code emitted} on is what it produced; {@code consumed}, whether it took bytes. */
    void afterDecode(List<Object> out, int emitted, boolean consumed) {
        for (int i = emitted; i < out.size(); i++) {
            Object o = out.get(i);
            if (o instanceof HttpMessage) {
                inHead = false;
                headBegun = false;
            }
            if (o instanceof LastHttpContent) {
                inHead = true;
                headBegun = false;
            }
        }
        if (inHead && out.size() == emitted && consumed) {
            headBegun = true;
        }
    }
}
