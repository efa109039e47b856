package io.kybern.kubelet.containerd;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The pods' network on one node, as a CNI configuration list: a Linux bridge with the node's pod CIDR
 * handed out by host-local IPAM (the bridge takes the first address and is the pods' gateway; traffic
 * leaving the node is masqueraded by one rule for the whole CIDR, {@link PodMasquerade}, not by the plugin
 * for each pod) and portmap for hostPort. Each pod's {@code lo} is brought up by
 * containerd itself with the loopback plugin from the same directory, so it is not in this list (in the
 * chain it would be applied to the pod's eth0).
 *
 * @param podCidr    the node's spec.podCIDR, e.g. 10.42.0.0/24
 * @param bridgeName the Linux bridge's name (agents sharing a machine need different ones)
 */
public record CniNetwork(String podCidr, String bridgeName) {

    public static final String NETWORK_NAME = "kybern";
    public static final String DEFAULT_BRIDGE = "kybern0";
    static final String FILE_NAME = "10-kybern.conflist";

    public CniNetwork {
        Objects.requireNonNull(podCidr, "podCidr");
        Objects.requireNonNull(bridgeName, "bridgeName");
        if (bridgeName.isEmpty() || bridgeName.length() > 15) {
            throw new IllegalArgumentException("a bridge name has 1-15 characters: " + bridgeName);
        }
        gateway(podCidr); // validates
    }

    /** The bridge's own address: the CIDR's first host address. */
    public static String gateway(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a CIDR: " + cidr);
        }
        try {
            byte[] address = InetAddress.getByName(cidr.substring(0, slash)).getAddress();
            address[address.length - 1]++;
            return InetAddress.getByAddress(address).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not a CIDR: " + cidr, e);
        }
    }

    public String conflist() {
        return """
                {
                  "cniVersion": "1.0.0",
                  "name": "%s",
                  "plugins": [
                    {
                      "type": "bridge",
                      "bridge": "%s",
                      "isGateway": true,
                      "ipMasq": false,
                      "hairpinMode": true,
                      "ipam": {
                        "type": "host-local",
                        "ranges": [[{"subnet": "%s", "gateway": "%s"}]],
                        "routes": [{"dst": "0.0.0.0/0"}]
                      }
                    },
                    {"type": "portmap", "capabilities": {"portMappings": true}}
                  ]
                }
                """.formatted(NETWORK_NAME, bridgeName, podCidr, gateway(podCidr));
    }

    /** Writes the configuration where containerd's CRI plugin looks for it (it reloads on change). */
    public Path writeTo(Path confDir) throws IOException {
        Files.createDirectories(confDir);
        Path file = confDir.resolve(FILE_NAME);
        Path temporary = confDir.resolve("." + FILE_NAME + ".tmp");
        Files.writeString(temporary, conflist());
        Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return file;
    }
}
