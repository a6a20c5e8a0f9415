package dev.weft.controlplane.dns;

import static dev.weft.controlplane.dns.DnsWire.*;

import dev.weft.controlplane.registry.Catalog;
import dev.weft.controlplane.registry.ServiceEntry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers queries for the zone {@code <domain>} from the catalog, writing each response straight
 * into one buffer. Safe from any thread: no locks, the only shared state is the rotation counter
 * and a cache of per-service records keyed by the published {@link ServiceEntry}.
 */
final class DnsResponder {
    private static final Logger log = LoggerFactory.getLogger(DnsResponder.class);
    private static final int TCP_PREFIX = 2;
    private static final int POINTER = 0xC000;
    private static final int MAX_POINTER_OFFSET = 0x3FFF;
    private static final int QUESTION_NAME_POINTER = POINTER | HEADER_LENGTH;
    /** Fixed part of a resource record after a compressed owner: pointer, type, class, TTL, length. */
    private static final int RR_FIXED = 2 + 2 + 2 + 4 + 2;
    private static final int SOA_RDATA = (1 + 2 + 2) + (1 + 10 + 2) + 20;
    private static final byte[] NS_LABEL = label("ns");
    private static final byte[] HOSTMASTER_LABEL = label("hostmaster");
    private static final byte[] ADDR_LABEL = label("addr");
    private static final int MAX_CACHED_VIEWS = 1 << 16;
    private static final long FAILURE_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Catalog catalog;
    private final String domain;
    private final String dotDomain;
    private final int domainWireLength;
    private final int ttl;
    private final int negativeTtl;
    private final byte[] nsAddress;
    private final AtomicInteger rotation = new AtomicInteger();
    private final ConcurrentHashMap<String, ServiceView> views = new ConcurrentHashMap<>();
    private final AtomicLong lastFailureLog = new AtomicLong(System.nanoTime() - FAILURE_LOG_INTERVAL_NANOS);

    DnsResponder(DnsConfig config, Catalog catalog) {
        this.catalog = catalog;
        this.domain = config.domain();
        this.dotDomain = "." + domain;
        this.domainWireLength = domain.length() + 2;
        this.ttl = (int) config.ttl().getSeconds();
        this.negativeTtl = (int) config.negativeTtl().getSeconds();
        this.nsAddress = config.bindAddress().isAnyLocalAddress()
                ? new byte[] {127, 0, 0, 1}
                : config.bindAddress().getAddress();
    }

    /**
     * Answers one request message.
     *
     * @param udp the response goes in a datagram (size limits apply) rather than a TCP frame (gets a
     *     2-byte length prefix)
     * @return the response, or {@code null} when the request is dropped without a reply
     */
    ByteBuf answer(ByteBuf request, ByteBufAllocator alloc, boolean udp) {
        DnsQuery query;
        try {
            query = DnsQueryParser.parse(request);
        } catch (DnsParseException e) {
            return headerOnly(alloc, udp, e.id(), e.flags(), e.rcode());
        }
        if (query == null) {
            return null;
        }
        int limit = udp ? query.udpLimit() : MAX_MESSAGE_LENGTH;
        ByteBuf out = alloc.ioBuffer(udp ? Math.min(limit, 512) : 512);
        if (!udp) {
            out.writeShort(0);
        }
        int base = out.writerIndex();
        try {
            write(query, out, base, limit);
        } catch (RuntimeException e) {
            // The catalog failed: SERVFAIL, never a dropped query nor a dead event loop.
            logFailure(e);
            out.writerIndex(base);
            Response r = startResponse(query, out, base, limit);
            finish(query, r, RCODE_SERVFAIL);
        }
        if (!udp) {
            out.setShort(base - TCP_PREFIX, out.writerIndex() - base);
        }
        return out;
    }

    private void write(DnsQuery q, ByteBuf out, int base, int limit) {
        Response r = startResponse(q, out, base, limit);
        int rcode = q.ednsVersion() != 0 ? RCODE_BADVERS : resolve(q, r);
        finish(q, r, rcode);
    }

    private static Response startResponse(DnsQuery q, ByteBuf out, int base, int limit) {
        out.writeZero(HEADER_LENGTH);
        out.writeBytes(q.wireName());
        out.writeShort(q.qtype());
        out.writeShort(q.qclass());
        return new Response(out, base, base + limit - (q.hasEdns() ? OPT_RECORD_LENGTH : 0));
    }

    private static void finish(DnsQuery q, Response r, int rcode) {
        ByteBuf out = r.out;
        if (q.hasEdns()) {
            out.writeByte(0);
            out.writeShort(TYPE_OPT);
            out.writeShort(MAX_UDP_PAYLOAD);
            out.writeInt(((rcode >>> 4) << 24) | (q.dnssecOk() ? EDNS_DO_BIT : 0));
            out.writeShort(0);
            r.additional++;
        }
        int flags = FLAG_QR
                | (r.authoritative ? FLAG_AA : 0)
                | (r.truncated ? FLAG_TC : 0)
                | (q.flags() & (FLAG_RD | FLAG_CD))
                | (rcode & 0xF);
        out.setShort(r.base, q.id());
        out.setShort(r.base + 2, flags);
        out.setShort(r.base + 4, 1);
        out.setShort(r.base + 6, r.answers);
        out.setShort(r.base + 8, r.authority);
        out.setShort(r.base + 10, r.additional);
    }

    private static ByteBuf headerOnly(ByteBufAllocator alloc, boolean udp, int id, int queryFlags, int rcode) {
        ByteBuf out = alloc.ioBuffer(HEADER_LENGTH + TCP_PREFIX);
        if (!udp) {
            out.writeShort(HEADER_LENGTH);
        }
        out.writeShort(id);
        out.writeShort(FLAG_QR | (queryFlags & (OPCODE_MASK | FLAG_RD | FLAG_CD)) | rcode);
        out.writeLong(0); // QD, AN, NS and AR counts
        return out;
    }

    /** Writes the answer, authority and additional sections; returns the RCODE. */
    private int resolve(DnsQuery q, Response r) {
        int qtype = q.qtype();
        if (q.qclass() != CLASS_IN && q.qclass() != CLASS_ANY) {
            return RCODE_REFUSED;
        }
        String name = q.name();
        String relative;
        if (name.length() == domain.length()) {
            if (!name.equals(domain)) {
                return RCODE_REFUSED;
            }
            relative = "";
        } else if (name.endsWith(dotDomain)) {
            relative = name.substring(0, name.length() - dotDomain.length());
        } else {
            return RCODE_REFUSED;
        }
        if (qtype == TYPE_AXFR || qtype == TYPE_IXFR) {
            return RCODE_REFUSED; // no zone transfers: the zone is generated from the registry
        }
        r.authoritative = true;
        r.domainOffset = HEADER_LENGTH + q.wireName().length - domainWireLength;

        if (relative.isEmpty()) {
            return apex(qtype, r);
        }
        if (relative.equals("ns")) {
            return addressName(nsAddress, qtype, r);
        }
        if (relative.equals("service") || relative.equals("addr")) {
            return negative(r, RCODE_NOERROR); // empty non-terminals: they exist, with no records
        }
        if (relative.endsWith(".service")) {
            return serviceName(relative.substring(0, relative.length() - ".service".length()), qtype, r);
        }
        if (relative.endsWith(".addr")) {
            byte[] address = parseAddressLabel(relative, relative.length() - ".addr".length());
            return address == null ? negative(r, RCODE_NXDOMAIN) : addressName(address, qtype, r);
        }
        return negative(r, RCODE_NXDOMAIN);
    }

    private int apex(int qtype, Response r) {
        if (qtype == TYPE_SOA || qtype == TYPE_ANY) {
            writeSoa(r, ttl);
            r.answers++;
        }
        if (qtype == TYPE_NS || qtype == TYPE_ANY) {
            writeNs(r);
        }
        return r.answers == 0 ? negative(r, RCODE_NOERROR) : RCODE_NOERROR;
    }

    /** {@code <service>}, {@code <tag>.<service>}, {@code _<service>._tcp} or {@code _<service>._<tag>}. */
    private int serviceName(String prefix, int qtype, Response r) {
        String service;
        String tag = null;
        int dot = prefix.indexOf('.');
        if (dot < 0) {
            service = prefix;
        } else if (prefix.indexOf('.', dot + 1) >= 0) {
            return negative(r, RCODE_NXDOMAIN);
        } else if (prefix.charAt(0) == '_' && prefix.length() > dot + 2 && prefix.charAt(dot + 1) == '_') {
            service = prefix.substring(1, dot);
            String protocolOrTag = prefix.substring(dot + 2);
            tag = protocolOrTag.equals("tcp") ? null : protocolOrTag;
        } else {
            tag = prefix.substring(0, dot);
            service = prefix.substring(dot + 1);
        }
        if (!isLabel(service)) {
            return negative(r, RCODE_NXDOMAIN);
        }
        Optional<ServiceEntry> entry = catalog.service(service);
        if (entry.isEmpty()) {
            views.remove(service);
            return negative(r, RCODE_NXDOMAIN);
        }
        ServiceView view = view(entry.get());
        ServiceRecords records = tag == null ? view.all : view.tagged(tag);
        if (records == null || records.isEmpty()) {
            return negative(r, RCODE_NXDOMAIN); // as Consul: no healthy instance, no name
        }
        switch (qtype) {
            case TYPE_A:
                writeAddresses(r, records, records.v4);
                break;
            case TYPE_AAAA:
                writeAddresses(r, records, records.v6);
                break;
            case TYPE_ANY:
                writeAddresses(r, records, records.v4);
                if (!r.truncated) {
                    writeAddresses(r, records, records.v6);
                }
                break;
            case TYPE_SRV:
                writeSrv(r, records);
                break;
            default:
                break;
        }
        return r.answers == 0 && !r.truncated ? negative(r, RCODE_NOERROR) : RCODE_NOERROR;
    }

    private ServiceView view(ServiceEntry entry) {
        ServiceView view = views.get(entry.name());
        if (view != null && view.shows(entry)) {
            return view;
        }
        view = ServiceView.of(entry);
        if (views.size() >= MAX_CACHED_VIEWS) {
            views.clear(); // only names the catalog knows get here; this bounds services removed long ago
        }
        views.put(entry.name(), view);
        return view;
    }

    private int addressName(byte[] address, int qtype, Response r) {
        int type = address.length == 4 ? TYPE_A : TYPE_AAAA;
        if (qtype == type || qtype == TYPE_ANY) {
            if (r.fits(RR_FIXED + address.length)) {
                writeAddressRecord(r.out, QUESTION_NAME_POINTER, address, ttl);
                r.answers++;
            } else {
                r.truncated = true;
            }
            return RCODE_NOERROR;
        }
        return negative(r, RCODE_NOERROR);
    }

    private void writeAddresses(Response r, ServiceRecords records, int[] family) {
        int n = family.length;
        int start = rotate(n);
        for (int i = 0; i < n; i++) {
            byte[] address = records.addresses[family[(start + i) % n]];
            if (!r.fits(RR_FIXED + address.length)) {
                r.truncated = true;
                return;
            }
            writeAddressRecord(r.out, QUESTION_NAME_POINTER, address, ttl);
            r.answers++;
        }
    }

    /**
     * One SRV record per distinct instance endpoint, target {@code <hex>.addr.<domain>}, and the
     * target's address in the additional section as far as it fits (that never sets TC, RFC 2181 9).
     */
    private void writeSrv(Response r, ServiceRecords records) {
        ByteBuf out = r.out;
        int n = records.srvPort.length;
        int start = rotate(n);
        int[] targetOffsets = new int[n];
        int addrLabelOffset = -1;
        int written = 0;
        for (; written < n; written++) {
            int k = (start + written) % n;
            byte[] label = records.addressLabels[records.srvAddress[k]];
            int targetLength = label.length + (addrLabelOffset < 0 ? ADDR_LABEL.length + 2 : 2);
            if (!r.fits(RR_FIXED + 6 + targetLength)) {
                r.truncated = true;
                return; // a truncated response carries no additional records
            }
            out.writeShort(QUESTION_NAME_POINTER);
            out.writeShort(TYPE_SRV);
            out.writeShort(CLASS_IN);
            out.writeInt(ttl);
            out.writeShort(6 + targetLength);
            out.writeShort(1);
            out.writeShort(records.srvWeight[k]);
            out.writeShort(records.srvPort[k]);
            targetOffsets[written] = out.writerIndex() - r.base;
            out.writeBytes(label);
            if (addrLabelOffset < 0) {
                addrLabelOffset = out.writerIndex() - r.base;
                out.writeBytes(ADDR_LABEL);
                out.writeShort(POINTER | r.domainOffset);
            } else {
                out.writeShort(POINTER | addrLabelOffset);
            }
            r.answers++;
        }
        boolean[] done = records.srvSharesAddresses ? new boolean[records.addresses.length] : null;
        for (int j = 0; j < written; j++) {
            int a = records.srvAddress[(start + j) % n];
            if (done != null) {
                if (done[a]) {
                    continue;
                }
                done[a] = true;
            }
            byte[] address = records.addresses[a];
            int offset = targetOffsets[j];
            if (offset <= MAX_POINTER_OFFSET) {
                if (!r.fits(RR_FIXED + address.length)) {
                    return;
                }
                writeAddressRecord(out, POINTER | offset, address, ttl);
            } else {
                // Past the reach of a pointer (large TCP answers): spell the first label out.
                byte[] label = records.addressLabels[a];
                if (!r.fits(RR_FIXED + label.length + address.length)) {
                    return;
                }
                out.writeBytes(label);
                writeAddressRecord(out, POINTER | addrLabelOffset, address, ttl);
            }
            r.additional++;
        }
    }

    private static void writeAddressRecord(ByteBuf out, int ownerPointer, byte[] address, int ttl) {
        out.writeShort(ownerPointer);
        out.writeShort(address.length == 4 ? TYPE_A : TYPE_AAAA);
        out.writeShort(CLASS_IN);
        out.writeInt(ttl);
        out.writeShort(address.length);
        out.writeBytes(address);
    }

    /** NXDOMAIN or NODATA: the zone's SOA in the authority section (RFC 2308). */
    private int negative(Response r, int rcode) {
        if (r.fits(RR_FIXED + SOA_RDATA)) {
            writeSoa(r, negativeTtl);
            r.authority++;
        }
        return rcode;
    }

    private void writeSoa(Response r, int recordTtl) {
        ByteBuf out = r.out;
        int domainPointer = POINTER | r.domainOffset;
        out.writeShort(domainPointer);
        out.writeShort(TYPE_SOA);
        out.writeShort(CLASS_IN);
        out.writeInt(recordTtl);
        out.writeShort(SOA_RDATA);
        out.writeBytes(NS_LABEL);
        out.writeShort(domainPointer);
        out.writeBytes(HOSTMASTER_LABEL);
        out.writeShort(domainPointer);
        out.writeInt((int) catalog.index());
        out.writeInt(3600);
        out.writeInt(600);
        out.writeInt(86400);
        out.writeInt(negativeTtl);
    }

    private void writeNs(Response r) {
        ByteBuf out = r.out;
        if (!r.fits(RR_FIXED + NS_LABEL.length + 2)) {
            r.truncated = true;
            return;
        }
        out.writeShort(POINTER | r.domainOffset);
        out.writeShort(TYPE_NS);
        out.writeShort(CLASS_IN);
        out.writeInt(ttl);
        out.writeShort(NS_LABEL.length + 2);
        int nsOffset = out.writerIndex() - r.base;
        out.writeBytes(NS_LABEL);
        out.writeShort(POINTER | r.domainOffset);
        r.answers++;
        if (r.fits(RR_FIXED + nsAddress.length)) {
            writeAddressRecord(out, POINTER | nsOffset, nsAddress, ttl);
            r.additional++;
        }
    }

    private int rotate(int n) {
        return n <= 1 ? 0 : Math.floorMod(rotation.getAndIncrement(), n);
    }

    /** The address a {@code <hex>.addr} label names: 8 hex digits for IPv4, 32 for IPv6; else null. */
    static byte[] parseAddressLabel(String text, int end) {
        if (end != 8 && end != 32) {
            return null;
        }
        byte[] address = new byte[end / 2];
        for (int i = 0; i < end; i += 2) {
            int hi = Character.digit(text.charAt(i), 16);
            int lo = Character.digit(text.charAt(i + 1), 16);
            if (hi < 0 || lo < 0) {
                return null;
            }
            address[i / 2] = (byte) (hi << 4 | lo);
        }
        return address;
    }

    /** A service name as the registry allows it: lower-case letters, digits and inner '-'. */
    private static boolean isLabel(String s) {
        int n = s.length();
        if (n == 0 || n > MAX_LABEL_LENGTH || s.charAt(0) == '-' || s.charAt(n - 1) == '-') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private static byte[] label(String text) {
        byte[] ascii = text.getBytes(StandardCharsets.US_ASCII);
        byte[] label = new byte[ascii.length + 1];
        label[0] = (byte) ascii.length;
        System.arraycopy(ascii, 0, label, 1, ascii.length);
        return label;
    }

    private void logFailure(RuntimeException e) {
        long now = System.nanoTime();
        long last = lastFailureLog.get();
        if (now - last >= FAILURE_LOG_INTERVAL_NANOS && lastFailureLog.compareAndSet(last, now)) {
            log.warn("dns catalog lookup failed, answering SERVFAIL (logged at most once a minute)", e);
        }
    }

    /** The state of one response being written. */
    private static final class Response {
        final ByteBuf out;
        final int base;
        /** Where records must end: the size limit less room kept for the OPT record. */
        final int end;
        int domainOffset;
        int answers;
        int authority;
        int additional;
        boolean authoritative;
        boolean truncated;

        Response(ByteBuf out, int base, int end) {
            this.out = out;
            this.base = base;
            this.end = end;
        }

        boolean fits(int bytes) {
            return out.writerIndex() + bytes <= end;
        }
    }
}
