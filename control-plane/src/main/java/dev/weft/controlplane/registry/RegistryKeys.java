package dev.weft.controlplane.registry;

/**
 * Where the registry keeps its state in the store. Instances are keyed by service so that a
 * prefix read of one service is cheap; check status has its own small key so that a status
 * change rewrites a few bytes, not the whole registration.
 */
final class RegistryKeys {
    static final String ROOT = "/weft/registry/";
    static final String INSTANCES = ROOT + "instances/";
    static final String STATUS = ROOT + "status/";
    /** Touched on every change to a service, so its index survives the removal of its last instance. */
    static final String SERVICE_INDEX = ROOT + "service-index/";

    private RegistryKeys() {}

    static String instance(String service, String instanceId) {
        return INSTANCES + service + "/" + instanceId;
    }

    static String status(String checkId) {
        return STATUS + checkId;
    }

    static String serviceIndex(String service) {
        return SERVICE_INDEX + service;
    }
}
