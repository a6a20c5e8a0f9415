package dev.weft.controlplane.dns;

/**
 * A query the server answers with an error and no question: FORMERR for a malformed one, NOTIMP for
 * an opcode other than QUERY. Carries what the error response echoes. No stack trace: malformed
 * packets are routine input, not bugs.
 */
final class DnsParseException extends Exception {
    private final int id;
    private final int flags;
    private final int rcode;

    DnsParseException(int id, int flags, int rcode, String reason) {
        super(reason, null, false, false);
        this.id = id;
        this.flags = flags;
        this.rcode = rcode;
    }

    int id() {
        return id;
    }

    /** The query's header flags word, for the RD and opcode echo. */
    int flags() {
        return flags;
    }

    int rcode() {
        return rcode;
    }
}
