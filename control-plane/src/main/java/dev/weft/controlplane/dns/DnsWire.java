package dev.weft.controlplane.dns;

/** Numbers from RFC 1035, 2782, 3596 and 6891 that the server reads or writes. */
final class DnsWire {
    static final int HEADER_LENGTH = 12;
    static final int MAX_NAME_LENGTH = 255;
    static final int MAX_LABEL_LENGTH = 63;
    static final int MAX_MESSAGE_LENGTH = 65535;
    /** UDP limit without EDNS (RFC 1035 4.2.1). */
    static final int CLASSIC_UDP_LIMIT = 512;
    /** The payload size this server advertises and the most it sends over UDP (DNS Flag Day 2020). */
    static final int MAX_UDP_PAYLOAD = 1232;
    static final int OPT_RECORD_LENGTH = 11;

    // Header flag bits (second 16-bit word).
    static final int FLAG_QR = 0x8000;
    static final int FLAG_AA = 0x0400;
    static final int FLAG_TC = 0x0200;
    static final int FLAG_RD = 0x0100;
    static final int FLAG_CD = 0x0010;
    static final int OPCODE_MASK = 0x7800;
    static final int OPCODE_SHIFT = 11;

    static final int OPCODE_QUERY = 0;

    static final int RCODE_NOERROR = 0;
    static final int RCODE_FORMERR = 1;
    static final int RCODE_SERVFAIL = 2;
    static final int RCODE_NXDOMAIN = 3;
    static final int RCODE_NOTIMP = 4;
    static final int RCODE_REFUSED = 5;
    /** Extended (12-bit) RCODE, RFC 6891: upper 8 bits travel in the OPT record. */
    static final int RCODE_BADVERS = 16;

    static final int TYPE_A = 1;
    static final int TYPE_NS = 2;
    static final int TYPE_SOA = 6;
    static final int TYPE_AAAA = 28;
    static final int TYPE_SRV = 33;
    static final int TYPE_OPT = 41;
    static final int TYPE_IXFR = 251;
    static final int TYPE_AXFR = 252;
    static final int TYPE_ANY = 255;

    static final int CLASS_IN = 1;
    static final int CLASS_ANY = 255;

    static final int EDNS_DO_BIT = 0x8000;

    private DnsWire() {}
}
