package io.kybern.controllers.endpoints;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * Spreads the endpoints of one port set and address type over EndpointSlices of at most
 * {@value #MAX_ENDPOINTS}, changing as few slices as it can, in the spirit of Kubernetes' endpointslice
 * reconciler: an endpoint stays in the slice that already holds it (updated in place if its conditions
 * changed), slices with room take the new ones (fullest first, so slices stay few), and only what is left
 * goes to new slices. A slice left with nothing is deleted.
 */
final class SlicePacking {

    static final int MAX_ENDPOINTS = 100;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A slice that exists: its name and endpoints. */
    record Slice(String name, List<Endpoint> endpoints) {
    }

    /**
     * What to write: slices to update (by name, with their whole new endpoint list), slices to delete, and
     * the endpoint lists of slices to create.
     */
    record Plan(Map<String, List<Endpoint>> updates, List<String> deletions, List<List<Endpoint>> creations) {
        boolean empty() {
            return updates.isEmpty() && deletions.isEmpty() && creations.isEmpty();
        }
    }

    private SlicePacking() {
    }

    /** The identity of an endpoint across syncs: its pod, or its first address when it has none. */
    static String key(Endpoint endpoint) {
        return endpoint.getTargetRef() != null && endpoint.getTargetRef().getUid() != null
                ? endpoint.getTargetRef().getUid() : endpoint.getAddresses().getFirst();
    }

    static Plan pack(List<Slice> existing, List<Endpoint> desired) {
        Map<String, Endpoint> unplaced = new LinkedHashMap<>();
        desired.stream().sorted(Comparator.comparing(SlicePacking::key)).forEach(e -> unplaced.put(key(e), e));
        Map<String, List<Endpoint>> kept = new LinkedHashMap<>();
        for (Slice slice : existing) {
            List<Endpoint> stays = new ArrayList<>();
            for (Endpoint endpoint : slice.endpoints()) {
                Endpoint wanted = unplaced.remove(key(endpoint));
                if (wanted != null && stays.size() < MAX_ENDPOINTS) {
                    stays.add(wanted);
                }
            }
            kept.put(slice.name(), stays);
        }
        // Fullest first: the new endpoints top up slices that are nearly full before emptier ones.
        List<String> byFullness = new ArrayList<>(kept.keySet());
        byFullness.sort(Comparator.comparing((String name) -> kept.get(name).size()).reversed());
        var rest = new ArrayList<>(unplaced.values());
        for (String name : byFullness) {
            List<Endpoint> slice = kept.get(name);
            if (slice.isEmpty()) {
                continue; // an emptied slice is deleted rather than refilled, as Kubernetes does
            }
            while (slice.size() < MAX_ENDPOINTS && !rest.isEmpty()) {
                slice.add(rest.removeFirst());
            }
        }
        Map<String, List<Endpoint>> updates = new LinkedHashMap<>();
        List<String> deletions = new ArrayList<>();
        for (Slice slice : existing) {
            List<Endpoint> now = kept.get(slice.name());
            if (now.isEmpty()) {
                deletions.add(slice.name());
            } else if (!JSON.valueToTree(now).equals(JSON.valueToTree(slice.endpoints()))) {
                updates.put(slice.name(), now);
            }
        }
        List<List<Endpoint>> creations = new ArrayList<>();
        for (int from = 0; from < rest.size(); from += MAX_ENDPOINTS) {
            creations.add(new ArrayList<>(rest.subList(from, Math.min(rest.size(), from + MAX_ENDPOINTS))));
        }
        return new Plan(updates, deletions, creations);
    }
}
