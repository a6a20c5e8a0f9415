/**
 * The sidecar proxy: outbound, inbound and admin listeners configured over xDS.
 * The data plane arrives with the data-plane issues; this module holds its place in the build
 * so that the dependency direction (cli -> proxy -> api, never proxy -> control-plane) is
 * fixed from the start.
 */
package dev.weft.proxy;
