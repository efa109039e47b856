package io.kybern.api.discovery;

import java.util.Objects;

/**
 * One entry of {@code serverAddressByClientCIDRs}: clients whose address falls in {@code clientCIDR}
 * should reach the server at {@code serverAddress} ({@code host:port}).
 */
public record ServerAddress(String clientCIDR, String serverAddress) {

    public ServerAddress {
        Objects.requireNonNull(clientCIDR, "clientCIDR");
        Objects.requireNonNull(serverAddress, "serverAddress");
    }

    /** The single entry kube-apiserver publishes: every client, one address. */
    public static ServerAddress forAllClients(String serverAddress) {
        return new ServerAddress("0.0.0.0/0", serverAddress);
    }
}
