package dev.weft.controlplane.dns;

/**
 * One parsed query: the header fields a response echoes, its single question and its EDNS record.
 *
 * @param id the query id
 * @param flags the query's header flags word (RD and CD are echoed)
 * @param wireName the question name in wire format as received (case kept), uncompressed, ending
 *     with the root label
 * @param name the question name in lower case, labels joined by '.', no trailing dot, "" for the
 *     root; a '.' byte inside a label becomes NUL so that it can never match a name of ours
 * @param qtype the question type
 * @param qclass the question class
 * @param udpPayloadSize the EDNS payload size the client advertised, or -1 without EDNS
 * @param ednsVersion the EDNS version asked for (0 when there is no EDNS)
 * @param dnssecOk the EDNS DO bit, echoed as RFC 3225 asks
 */
record DnsQuery(
        int id,
        int flags,
        byte[] wireName,
        String name,
        int qtype,
        int qclass,
        int udpPayloadSize,
        int ednsVersion,
        boolean dnssecOk) {

    boolean hasEdns() {
        return udpPayloadSize >= 0;
    }

    /** The most bytes a UDP response may take: 512 without EDNS, else the advertised size within [512, 1232]. */
    int udpLimit() {
        if (!hasEdns()) {
            return DnsWire.CLASSIC_UDP_LIMIT;
        }
        return Math.min(Math.max(udpPayloadSize, DnsWire.CLASSIC_UDP_LIMIT), DnsWire.MAX_UDP_PAYLOAD);
    }
}
