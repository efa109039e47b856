package io.kybern.kubelet.agent;

import io.fabric8.kubernetes.api.model.Node;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * The pod CIDR of a node without one: the first /24 of the cluster CIDR that no other Node holds. Nothing
 * in Kybern allocates pod CIDRs centrally yet (kube-controller-manager's node IPAM does in Kubernetes), so
 * each agent takes one when it registers; two agents registering at the same instant could pick the same
 * range, which a central allocator will fix.
 */
final class PodCidrs {

    static final int NODE_PREFIX = 24;

    private PodCidrs() {
    }

    static String firstFree(String clusterCidr, Collection<Node> nodes) {
        int slash = clusterCidr.indexOf('/');
        int prefix = Integer.parseInt(clusterCidr.substring(slash + 1));
        if (prefix > NODE_PREFIX) {
            throw new IllegalArgumentException("the cluster CIDR must be a /24 or larger: " + clusterCidr);
        }
        byte[] base;
        try {
            base = InetAddress.getByName(clusterCidr.substring(0, slash)).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not a CIDR: " + clusterCidr, e);
        }
        if (base.length != 4) {
            throw new IllegalArgumentException("only IPv4 cluster CIDRs are supported: " + clusterCidr);
        }
        Set<String> taken = new HashSet<>();
        for (Node node : nodes) {
            if (node.getSpec() != null && node.getSpec().getPodCIDR() != null) {
                taken.add(node.getSpec().getPodCIDR());
            }
        }
        long start = toLong(base) & (0xffffffffL << (32 - prefix));
        long count = 1L << (NODE_PREFIX - prefix);
        for (long i = 0; i < count; i++) {
            String candidate = toAddress(start + (i << (32 - NODE_PREFIX))) + "/" + NODE_PREFIX;
            if (!taken.contains(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("every /24 of the cluster CIDR " + clusterCidr + " is taken");
    }

    private static long toLong(byte[] address) {
        long value = 0;
        for (byte b : address) {
            value = (value << 8) | (b & 0xff);
        }
        return value;
    }

    private static String toAddress(long value) {
        return ((value >> 24) & 255) + "." + ((value >> 16) & 255) + "." + ((value >> 8) & 255) + "." + (value & 255);
    }
}
