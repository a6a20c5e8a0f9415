package dev.weft.proxy.xds.wire;

/** Bytes that are not a valid protobuf encoding of the message being read; the message says where. */
public final class MalformedProtoException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedProtoException(String message) {
        super(message);
    }
}
