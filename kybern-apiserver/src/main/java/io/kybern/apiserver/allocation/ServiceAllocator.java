package io.kybern.apiserver.allocation;

import io.kybern.apiserver.registry.WriteHooks;
import io.kybern.apiserver.status.ApiException;
import io.kybern.store.KeyValue;
import io.kybern.store.RangeRequest;
import io.kybern.store.Store;
import io.kybern.store.WriteResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Hands Services their cluster IP and node ports, and takes them back when the Service is gone or no
 * longer uses them. A claim is the store key {@code /registry/ranges/serviceips/<ip>} (or
 * {@code .../servicenodeports/<port>}) holding the owning Service's uid, created only if absent.
 *
 * <p>Safe from any thread: all shared state is in the store.
 */
public final class ServiceAllocator implements WriteHooks {

    private static final Logger log = LoggerFactory.getLogger(ServiceAllocator.class);

    static final String IP_PREFIX = "/registry/ranges/serviceips/";
    static final String PORT_PREFIX = "/registry/ranges/servicenodeports/";
    public static final int NODE_PORT_MIN = 30000;
    public static final int NODE_PORT_MAX = 32767;
    /** Random picks before falling back to a scan of what is taken: a nearly full range still works. */
    private static final int RANDOM_ATTEMPTS = 16;

    private final Store store;
    private final Ipv4Range serviceRange;
    private final RandomGenerator random;

    public ServiceAllocator(Store store, Ipv4Range serviceRange, RandomGenerator random) {
        this.store = store;
        this.serviceRange = serviceRange;
        this.random = random;
    }

    @Override
    public void beforeCreate(ObjectNode service, boolean dryRun) {
        claim(null, service, dryRun);
    }

    @Override
    public void beforeUpdate(ObjectNode existing, ObjectNode updated, boolean dryRun) {
        claim(existing, updated, dryRun);
    }

    @Override
    public void writeFailed(ObjectNode existing, ObjectNode attempted) {
        Set<String> release = held(attempted);
        if (existing != null) {
            release.removeAll(held(existing));
        }
        release(uid(attempted), release);
    }

    @Override
    public void afterUpdate(ObjectNode existing, ObjectNode updated) {
        Set<String> release = held(existing);
        release.removeAll(held(updated));
        release(uid(existing), release);
    }

    @Override
    public void afterDelete(ObjectNode deleted) {
        release(uid(deleted), held(deleted));
    }

    /**
     * Gives back claims whose Service is gone or no longer holds them (what a crash between claiming and
     * storing leaves behind), and records claims for Services stored without them (by a release that did
     * not allocate). Run before the server serves requests, when no claim is in flight; returns how many
     * claims it changed.
     */
    public int repair(List<ObjectNode> services) {
        Set<String> live = new HashSet<>();
        for (ObjectNode service : services) {
            for (String key : held(service)) {
                live.add(key + "=" + uid(service));
            }
        }
        int released = 0;
        for (String prefix : List.of(IP_PREFIX, PORT_PREFIX)) {
            for (KeyValue kv : store.range(RangeRequest.prefix(prefix)).kvs()) {
                if (!live.contains(kv.key() + "=" + kv.valueAsString())) {
                    if (store.delete(kv.key(), kv.modRevision()).succeeded()) {
                        released++;
                    }
                }
            }
        }
        int restored = 0;
        for (String claim : live) {
            int split = claim.lastIndexOf('=');
            String key = claim.substring(0, split);
            if (store.create(key, claim.substring(split + 1).getBytes(StandardCharsets.UTF_8)).succeeded()) {
                restored++;
            }
        }
        if (released > 0 || restored > 0) {
            log.info("repaired service allocations released={} restored={}", released, restored);
        }
        return released + restored;
    }

    private void claim(ObjectNode existing, ObjectNode service, boolean dryRun) {
        List<String> claimed = new ArrayList<>();
        try {
            claimClusterIp(existing, service, dryRun, claimed);
            claimNodePorts(existing, service, dryRun, claimed);
        } catch (RuntimeException e) {
            release(uid(service), new LinkedHashSet<>(claimed));
            throw e;
        }
    }

    private void claimClusterIp(ObjectNode existing, ObjectNode service, boolean dryRun, List<String> claimed) {
        ObjectNode spec = (ObjectNode) service.get("spec");
        String type = spec.path("type").asString("ClusterIP");
        String requested = clusterIp(spec);
        String current = existing == null ? "" : clusterIp(existing.path("spec"));
        if (type.equals("ExternalName")) {
            spec.remove(List.of("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"));
            return;
        }
        if (!current.isEmpty() && requested.isEmpty()) {
            // An update that does not mention the address keeps it, as kubectl apply expects.
            requested = current;
        }
        if (!current.isEmpty() && !requested.equals(current)) {
            throw invalid(service, "FieldValueInvalid", "spec.clusterIPs[0]",
                    "Invalid value: []string{\"" + requested + "\"}: may not change once set");
        }
        if (requested.equals("None")) {
            spec.put("clusterIP", "None");
            spec.putArray("clusterIPs").add("None");
        } else if (!current.isEmpty() && requested.equals(current)) {
            setAddress(spec, requested);
        } else if (!requested.isEmpty()) {
            if (!isIpv4(requested)) {
                throw invalid(service, "FieldValueInvalid", "spec.clusterIPs[0]", "Invalid value: \"" + requested
                        + "\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
            }
            if (!serviceRange.contains(requested)) {
                throw invalid(service, "FieldValueInvalid", "spec.clusterIPs", "Invalid value: []string{\""
                        + requested + "\"}: failed to allocate IP " + requested + ": provided IP (" + requested
                        + ") is not in the valid range. The range of valid IPs is " + serviceRange);
            }
            if (!tryClaim(IP_PREFIX + requested, uid(service), dryRun, claimed)) {
                throw invalid(service, "FieldValueInvalid", "spec.clusterIPs", "Invalid value: []string{\""
                        + requested + "\"}: failed to allocate IP " + requested + ": provided IP is already allocated");
            }
            setAddress(spec, requested);
        } else {
            setAddress(spec, allocateAddress(uid(service), dryRun, claimed));
        }
        spec.putArray("ipFamilies").add("IPv4");
        spec.put("ipFamilyPolicy", "SingleStack");
    }

    private void claimNodePorts(ObjectNode existing, ObjectNode service, boolean dryRun, List<String> claimed) {
        String type = service.path("spec").path("type").asString("ClusterIP");
        boolean wantsNodePorts = type.equals("NodePort") || (type.equals("LoadBalancer")
                && service.path("spec").path("allocateLoadBalancerNodePorts").asBoolean(true));
        JsonNode ports = service.path("spec").path("ports");
        for (int i = 0; i < ports.size(); i++) {
            if (!(ports.get(i) instanceof ObjectNode port)) {
                continue;
            }
            int requested = port.path("nodePort").asInt(0);
            if (!wantsNodePorts) {
                if (requested != 0 && existing != null && nodePorts(existing).contains(requested)) {
                    // Left over from before the type changed: it goes back to the range.
                    port.remove("nodePort");
                } else if (requested != 0 && !type.equals("LoadBalancer")) {
                    throw invalid(service, "FieldValueForbidden", "spec.ports[" + i + "].nodePort",
                            "Forbidden: may not be used when `type` is '" + type + "'");
                }
                continue;
            }
            Set<Integer> current = existing == null ? Set.of() : nodePorts(existing);
            if (requested == 0 && existing != null) {
                requested = previousNodePort(existing, port);
            }
            if (requested != 0) {
                if (requested < NODE_PORT_MIN || requested > NODE_PORT_MAX) {
                    throw invalid(service, "FieldValueInvalid", "spec.ports[" + i + "].nodePort", "Invalid value: "
                            + requested + ": provided port is not in the valid range. The range of valid ports is "
                            + NODE_PORT_MIN + "-" + NODE_PORT_MAX);
                }
                if (!current.contains(requested)
                        && !tryClaim(PORT_PREFIX + requested, uid(service), dryRun, claimed)) {
                    throw invalid(service, "FieldValueInvalid", "spec.ports[" + i + "].nodePort", "Invalid value: "
                            + requested + ": provided port is already allocated");
                }
                port.put("nodePort", requested);
            } else {
                port.put("nodePort", allocatePort(uid(service), dryRun, claimed));
            }
        }
    }

    /** The node port the stored Service gave the same port (by name, else by number and protocol). */
    private static int previousNodePort(ObjectNode existing, ObjectNode port) {
        for (JsonNode old : existing.path("spec").path("ports")) {
            boolean sameName = !port.path("name").asString("").isEmpty()
                    && port.path("name").asString("").equals(old.path("name").asString(""));
            boolean samePort = port.path("port").asInt() == old.path("port").asInt()
                    && port.path("protocol").asString("TCP").equals(old.path("protocol").asString("TCP"));
            if ((sameName || samePort) && old.path("nodePort").asInt(0) != 0) {
                return old.path("nodePort").asInt();
            }
        }
        return 0;
    }

    private String allocateAddress(String owner, boolean dryRun, List<String> claimed) {
        // Kubernetes measures the band on the whole CIDR, network and broadcast addresses included.
        long band = staticBand(serviceRange.size() + 2, 16, 256);
        long index = allocate(serviceRange.size(), band, i -> IP_PREFIX + serviceRange.address(i), IP_PREFIX,
                owner, dryRun, claimed);
        if (index < 0) {
            throw ApiException.internal("failed to allocate a serviceIP: range is full");
        }
        return serviceRange.address(index);
    }

    private int allocatePort(String owner, boolean dryRun, List<String> claimed) {
        int size = NODE_PORT_MAX - NODE_PORT_MIN + 1;
        long index = allocate(size, staticBand(size, 32, 128), i -> PORT_PREFIX + (NODE_PORT_MIN + i), PORT_PREFIX,
                owner, dryRun, claimed);
        if (index < 0) {
            throw ApiException.internal("failed to allocate a nodePort: range is full");
        }
        return NODE_PORT_MIN + (int) index;
    }

    /**
     * How many values at the bottom of a range Kubernetes keeps for those a user asks for by number:
     * {@code min(max(16, size / step), max)}, none in a range of 16 or fewer. Values handed out
     * without being asked for come from above it while any are free, so a chosen well-known value
     * (a DNS service's address, a node port in a firewall rule) is seldom taken already.
     */
    static long staticBand(long rangeSize, long step, long max) {
        if (rangeSize <= 16) {
            return 0;
        }
        return Math.min(Math.max(16, rangeSize / step), max);
    }

    /**
     * Claims a free index of {@code [0, size)}: random picks above the static band, then a scan of the
     * band above, then of the static band; -1 when every index is taken.
     */
    private long allocate(long size, long band, LongFunction<String> keyAt, String prefix, String owner,
            boolean dryRun, List<String> claimed) {
        long upper = size - band;
        for (int attempt = 0; attempt < RANDOM_ATTEMPTS; attempt++) {
            long index = band + random.nextLong(upper);
            if (tryClaim(keyAt.apply(index), owner, dryRun, claimed)) {
                return index;
            }
        }
        Set<String> taken = takenKeys(prefix);
        long upperStart = random.nextLong(upper);
        for (long i = 0; i < upper; i++) {
            long index = band + (upperStart + i) % upper;
            if (!taken.contains(keyAt.apply(index)) && tryClaim(keyAt.apply(index), owner, dryRun, claimed)) {
                return index;
            }
        }
        long lowerStart = band == 0 ? 0 : random.nextLong(band);
        for (long i = 0; i < band; i++) {
            long index = (lowerStart + i) % band;
            if (!taken.contains(keyAt.apply(index)) && tryClaim(keyAt.apply(index), owner, dryRun, claimed)) {
                return index;
            }
        }
        return -1;
    }

    private Set<String> takenKeys(String prefix) {
        Set<String> taken = new HashSet<>();
        store.range(RangeRequest.prefix(prefix)).kvs().forEach(kv -> taken.add(kv.key()));
        return taken;
    }

    /** Claims a key for {@code owner}; true if it is now (or already was) the owner's. */
    private boolean tryClaim(String key, String owner, boolean dryRun, List<String> claimed) {
        if (dryRun) {
            return store.get(key).map(kv -> kv.valueAsString().equals(owner)).orElse(true);
        }
        WriteResult result = store.create(key, owner.getBytes(StandardCharsets.UTF_8));
        if (result.succeeded()) {
            claimed.add(key);
            return true;
        }
        // Taken: ours already (an update keeping its address), or another Service's.
        return result.current() != null && result.current().valueAsString().equals(owner);
    }

    /** Deletes the claims that are still {@code owner}'s; another's claim on the same key is left alone. */
    private void release(String owner, Set<String> keys) {
        for (String key : keys) {
            store.get(key).ifPresent(kv -> {
                if (kv.valueAsString().equals(owner)) {
                    store.delete(key, kv.modRevision());
                }
            });
        }
    }

    /** The claim keys a Service's spec uses. */
    private static Set<String> held(JsonNode service) {
        Set<String> keys = new LinkedHashSet<>();
        String address = clusterIp(service.path("spec"));
        if (!address.isEmpty() && !address.equals("None")) {
            keys.add(IP_PREFIX + address);
        }
        for (int port : nodePorts(service)) {
            keys.add(PORT_PREFIX + port);
        }
        return keys;
    }

    private static Set<Integer> nodePorts(JsonNode service) {
        Set<Integer> ports = new LinkedHashSet<>();
        for (JsonNode port : service.path("spec").path("ports")) {
            int nodePort = port.path("nodePort").asInt(0);
            if (nodePort != 0) {
                ports.add(nodePort);
            }
        }
        return ports;
    }

    private static String clusterIp(JsonNode spec) {
        String address = spec.path("clusterIP").asString("");
        if (address.isEmpty() && spec.path("clusterIPs").isArray() && !spec.path("clusterIPs").isEmpty()) {
            address = spec.path("clusterIPs").get(0).asString("");
        }
        return address;
    }

    private static void setAddress(ObjectNode spec, String address) {
        spec.put("clusterIP", address);
        spec.putArray("clusterIPs").add(address);
    }

    private static boolean isIpv4(String address) {
        try {
            Ipv4Range.toNumber(address);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String uid(JsonNode service) {
        return service.path("metadata").path("uid").asString("");
    }

    private static ApiException invalid(ObjectNode service, String reason, String field, String message) {
        return ApiException.invalid("Service", "", service.path("metadata").path("name").asString(""),
                List.of(new ApiException.Cause(reason, message, field)));
    }
}
