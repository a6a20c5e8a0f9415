package dev.weft.controlplane.store;

/**
 * @param succeeded whether the compares held and the operations ran
 * @param revision the revision the transaction created, or the current one if it changed nothing
 */
public record TxnResult(boolean succeeded, long revision) {}
