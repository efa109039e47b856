package io.kybern.controllers.endpoints;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.EndpointSubsetBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Packs addresses into the fewest Endpoints subsets, as Kubernetes' RepackSubsets does: every address
 * with the same set of ports shares a subset, ready ones under {@code addresses} and the rest under
 * {@code notReadyAddresses}. Addresses are sorted by IP and ports by name, so the same pods always give
 * the same object (and an unchanged Service is never written again).
 */
final class Subsets {

    private static final Comparator<EndpointAddress> BY_IP = Comparator.comparing(EndpointAddress::getIp)
            .thenComparing(a -> a.getTargetRef() == null ? "" : a.getTargetRef().getUid());
    private static final Comparator<EndpointPort> BY_NAME = Comparator
            .comparing((EndpointPort p) -> p.getName() == null ? "" : p.getName())
            .thenComparing(EndpointPort::getPort).thenComparing(EndpointPort::getProtocol);

    /** One pod's address, whether it is ready, and the ports it serves (possibly none). */
    record Entry(EndpointAddress address, boolean ready, List<EndpointPort> ports) {
    }

    private Subsets() {
    }

    static List<EndpointSubset> pack(List<Entry> entries) {
        // Keyed by the port set's sorted text, which identifies it; each holds ready and not-ready addresses.
        Map<String, EndpointSubsetBuilder> byPorts = new LinkedHashMap<>();
        Map<String, List<EndpointAddress>> ready = new LinkedHashMap<>();
        Map<String, List<EndpointAddress>> notReady = new LinkedHashMap<>();
        for (Entry entry : entries) {
            Set<EndpointPort> ports = new TreeSet<>(BY_NAME);
            ports.addAll(entry.ports());
            String key = ports.stream().map(p -> p.getName() + "/" + p.getPort() + "/" + p.getProtocol()).toList()
                    .toString();
            byPorts.computeIfAbsent(key, k -> new EndpointSubsetBuilder().withPorts(ports.isEmpty() ? null
                    : new ArrayList<>(ports)));
            (entry.ready() ? ready : notReady).computeIfAbsent(key, k -> new ArrayList<>()).add(entry.address());
        }
        List<EndpointSubset> subsets = new ArrayList<>();
        byPorts.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(group -> {
            List<EndpointAddress> readyHere = ready.getOrDefault(group.getKey(), new ArrayList<>());
            List<EndpointAddress> notReadyHere = notReady.getOrDefault(group.getKey(), new ArrayList<>());
            readyHere.sort(BY_IP);
            notReadyHere.sort(BY_IP);
            subsets.add(group.getValue().withAddresses(readyHere.isEmpty() ? null : readyHere)
                    .withNotReadyAddresses(notReadyHere.isEmpty() ? null : notReadyHere).build());
        });
        return subsets;
    }
}
