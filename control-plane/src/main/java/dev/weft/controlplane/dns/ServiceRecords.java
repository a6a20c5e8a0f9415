package dev.weft.controlplane.dns;

import dev.weft.api.registry.Instance;
import dev.weft.api.registry.IpLiterals;
import dev.weft.controlplane.registry.InstanceEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The records one selection of instances (a service, or a service and a tag) serves, in wire form,
 * computed once per service change so that a query only copies bytes.
 *
 * <p>Identical A/AAAA records are served once (an RRset holds no duplicates, RFC 2181 5); SRV
 * records are one per distinct (address, port, weight).
 */
final class ServiceRecords {
    /** Distinct addresses, v4 and v6, in instance order. */
    final byte[][] addresses;
    /** For each address, its {@code .addr.} label in wire form: length byte and hex digits. */
    final byte[][] addressLabels;
    /** Indexes into {@link #addresses} of the IPv4 and of the IPv6 ones. */
    final int[] v4;
    final int[] v6;
    final int[] srvWeight;
    final int[] srvPort;
    final int[] srvAddress;
    /** Some SRV records share an address: the additional section must skip repeats. */
    final boolean srvSharesAddresses;

    private ServiceRecords(List<byte[]> addresses, int[] srvWeight, int[] srvPort, int[] srvAddress) {
        this.addresses = addresses.toArray(new byte[0][]);
        this.addressLabels = new byte[this.addresses.length][];
        int v4Count = 0;
        for (int i = 0; i < this.addresses.length; i++) {
            addressLabels[i] = addressLabel(this.addresses[i]);
            if (this.addresses[i].length == 4) {
                v4Count++;
            }
        }
        this.v4 = new int[v4Count];
        this.v6 = new int[this.addresses.length - v4Count];
        for (int i = 0, a = 0, b = 0; i < this.addresses.length; i++) {
            if (this.addresses[i].length == 4) {
                v4[a++] = i;
            } else {
                v6[b++] = i;
            }
        }
        this.srvWeight = srvWeight;
        this.srvPort = srvPort;
        this.srvAddress = srvAddress;
        this.srvSharesAddresses = srvAddress.length > this.addresses.length;
    }

    static ServiceRecords of(List<InstanceEntry> instances) {
        Map<String, Integer> addressIndex = new LinkedHashMap<>();
        List<byte[]> addresses = new ArrayList<>();
        Map<String, Boolean> srvSeen = new LinkedHashMap<>();
        int[] weight = new int[instances.size()];
        int[] port = new int[instances.size()];
        int[] address = new int[instances.size()];
        int srv = 0;
        for (InstanceEntry entry : instances) {
            Instance instance = entry.instance();
            Integer index = addressIndex.get(instance.address());
            if (index == null) {
                index = addresses.size();
                addressIndex.put(instance.address(), index);
                addresses.add(IpLiterals.parse("address", instance.address()).getAddress());
            }
            int w = Math.min(Math.max(instance.weight(), 0), 65535);
            if (srvSeen.putIfAbsent(index + "/" + instance.port() + "/" + w, Boolean.TRUE) == null) {
                weight[srv] = w;
                port[srv] = instance.port();
                address[srv] = index;
                srv++;
            }
        }
        return new ServiceRecords(addresses, java.util.Arrays.copyOf(weight, srv),
                java.util.Arrays.copyOf(port, srv), java.util.Arrays.copyOf(address, srv));
    }

    boolean isEmpty() {
        return addresses.length == 0;
    }

    /** {@code 7f000001} for 127.0.0.1, 32 hex digits for an IPv6 address, as Consul names them. */
    static byte[] addressLabel(byte[] address) {
        byte[] hex = HEX;
        byte[] label = new byte[1 + address.length * 2];
        label[0] = (byte) (address.length * 2);
        for (int i = 0; i < address.length; i++) {
            label[1 + 2 * i] = hex[(address[i] >> 4) & 0xF];
            label[2 + 2 * i] = hex[address[i] & 0xF];
        }
        return label;
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
}
