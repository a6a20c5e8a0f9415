package dev.weft.proxy.xds;

import java.util.Map;

/**
 * Counters for metrics and the admin page.
 *
 * @param connected an ADS stream is open (its transport is ready); false while reconnecting
 * @param updatesAccepted responses ACKed since start
 * @param nacks responses rejected since start
 * @param lastNackError the last rejection's error detail, empty if none
 * @param streamsOpened ADS streams opened (first connect plus reconnects)
 * @param configsDelivered ProxyConfig values handed to the listener
 * @param versions accepted version per type ("cds", "eds", "lds", "rds")
 */
public record XdsClientStats(boolean connected, long updatesAccepted, long nacks, String lastNackError,
                             long streamsOpened, long configsDelivered, Map<String, String> versions) {
    public XdsClientStats {
        versions = Map.copyOf(versions);
    }
}
