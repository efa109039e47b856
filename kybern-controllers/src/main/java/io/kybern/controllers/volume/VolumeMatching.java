package io.kybern.controllers.volume;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kybern.api.selector.NodeSelectors;
import io.kybern.controllers.runtime.Selectors;
import java.math.BigDecimal;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which PersistentVolume a claim may take, as Kubernetes' binder chooses: a volume already reserved for
 * the claim (its {@code claimRef} names it) first; else an unclaimed volume of the same class, volume mode
 * and (when the claim has one) selector, offering every access mode the claim asks for, with at least the
 * storage it requests, and reachable from the claim's selected node: the smallest such. Pure.
 */
public final class VolumeMatching {

    private VolumeMatching() {
    }

    public static Optional<PersistentVolume> bestMatch(PersistentVolumeClaim claim, List<PersistentVolume> volumes,
            Optional<Node> node) {
        for (PersistentVolume volume : volumes) {
            if (reservedFor(volume, claim) && fits(claim, volume, node, true)) {
                return Optional.of(volume);
            }
        }
        return volumes.stream().filter(volume -> volume.getSpec().getClaimRef() == null)
                .filter(volume -> fits(claim, volume, node, false))
                .min(Comparator.comparing(VolumeMatching::capacity));
    }

    /** Whether the volume's claimRef names this claim (by namespace and name, and uid when it has one). */
    public static boolean reservedFor(PersistentVolume volume, PersistentVolumeClaim claim) {
        var ref = volume.getSpec().getClaimRef();
        return ref != null && claim.getMetadata().getName().equals(ref.getName())
                && claim.getMetadata().getNamespace().equals(ref.getNamespace())
                && (ref.getUid() == null || ref.getUid().isEmpty() || ref.getUid().equals(claim.getMetadata().getUid()));
    }

    static boolean fits(PersistentVolumeClaim claim, PersistentVolume volume, Optional<Node> node, boolean reserved) {
        if (volume.getMetadata().getDeletionTimestamp() != null) {
            return false;
        }
        if (!className(volume).equals(className(claim))) {
            return false;
        }
        if (!volumeMode(volume.getSpec().getVolumeMode()).equals(volumeMode(claim.getSpec().getVolumeMode()))) {
            return false;
        }
        if (!reserved && claim.getSpec().getSelector() != null
                && !Selectors.of(claim.getSpec().getSelector()).test(volume.getMetadata().getLabels())) {
            return false;
        }
        List<String> offered = volume.getSpec().getAccessModes() == null ? List.of()
                : volume.getSpec().getAccessModes();
        if (claim.getSpec().getAccessModes() != null && !offered.containsAll(claim.getSpec().getAccessModes())) {
            return false;
        }
        if (capacity(volume).compareTo(request(claim)) < 0) {
            return false;
        }
        return node.map(n -> reachableFrom(volume, n)).orElse(true);
    }

    /** Whether the volume's node affinity admits the node (a volume without one is reachable everywhere). */
    public static boolean reachableFrom(PersistentVolume volume, Node node) {
        var affinity = volume.getSpec().getNodeAffinity();
        if (affinity == null || affinity.getRequired() == null
                || affinity.getRequired().getNodeSelectorTerms() == null) {
            return true;
        }
        return NodeSelectors.matchesAnyTerm(affinity.getRequired().getNodeSelectorTerms(), node);
    }

    public static String className(PersistentVolume volume) {
        return volume.getSpec().getStorageClassName() == null ? "" : volume.getSpec().getStorageClassName();
    }

    public static String className(PersistentVolumeClaim claim) {
        return claim.getSpec().getStorageClassName() == null ? "" : claim.getSpec().getStorageClassName();
    }

    private static String volumeMode(String mode) {
        return mode == null ? "Filesystem" : mode;
    }

    static BigDecimal capacity(PersistentVolume volume) {
        Map<String, Quantity> capacity = volume.getSpec().getCapacity();
        Quantity storage = capacity == null ? null : capacity.get("storage");
        return storage == null ? BigDecimal.ZERO : storage.getNumericalAmount();
    }

    static BigDecimal request(PersistentVolumeClaim claim) {
        var resources = claim.getSpec().getResources();
        Quantity storage = resources == null || resources.getRequests() == null ? null
                : resources.getRequests().get("storage");
        return storage == null ? BigDecimal.ZERO : storage.getNumericalAmount();
    }
}
