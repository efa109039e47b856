package io.kybern.scheduler.plugins;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.kybern.api.selector.NodeSelectors;
import io.kybern.controllers.volume.PersistentVolumeController;
import io.kybern.controllers.volume.VolumeMatching;
import io.kybern.scheduler.framework.CycleState;
import io.kybern.scheduler.framework.NodeInfo;
import io.kybern.scheduler.framework.Plugin;
import io.kybern.scheduler.framework.Status;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A pod's PersistentVolumeClaims: a missing or deleted claim keeps it off every node, an unbound claim of an
 * Immediate class makes it wait until the volume controller binds it, and a bound volume's node affinity
 * limits the pod to the nodes it matches.
 *
 * <p>An unbound claim of a {@code WaitForFirstConsumer} class is this plugin's to place, as in Kubernetes: a
 * node passes if its class can provision there (any provisioner but {@value #NO_PROVISIONER}) or a free
 * volume that fits the claim can be reached from it; once a node is chosen, binding (run on a binder thread)
 * writes the {@value #SELECTED_NODE} annotation on the claim and waits for the volume controller to bind it
 * before the pod itself is bound.
 */
public final class VolumeBinding implements Plugin.PreFilter, Plugin.Filter, Plugin.Bind {

    public static final String NAME = "VolumeBinding";
    static final String UNBOUND = "pod has unbound immediate PersistentVolumeClaims";
    static final String CONFLICT = "node(s) had volume node affinity conflict";
    static final String NO_VOLUMES = "node(s) didn't find available persistent volumes to bind";
    static final String SELECTED_NODE = PersistentVolumeController.SELECTED_NODE;
    static final String NO_PROVISIONER = "kubernetes.io/no-provisioner";
    private static final Object BOUND = new Object();
    private static final Object DELAYED = new Object();

    /**
     * What delayed binding needs beyond the claims and volumes by name.
     *
     * @param classes     a StorageClass by name (null when there is none)
     * @param allVolumes  every PersistentVolume
     * @param selectNode  writes the selected-node annotation on a claim
     * @param bindTimeout how long binding waits for the claims to be bound
     */
    public record Delayed(Function<String, StorageClass> classes, Supplier<List<PersistentVolume>> allVolumes,
            BiConsumer<PersistentVolumeClaim, String> selectNode,
            Duration bindTimeout) {
    }

    private final BiFunction<String, String, PersistentVolumeClaim> claims;
    private final Function<String, PersistentVolume> volumes;
    private final Optional<Delayed> delayed;

    /**
     * Without delayed binding: every unbound claim waits for the volume controller.
     *
     * @param claims  a claim by namespace and name (null when there is none)
     * @param volumes a volume by name (null when there is none)
     */
    public VolumeBinding(BiFunction<String, String, PersistentVolumeClaim> claims,
            Function<String, PersistentVolume> volumes) {
        this(claims, volumes, null);
    }

    public VolumeBinding(BiFunction<String, String, PersistentVolumeClaim> claims,
            Function<String, PersistentVolume> volumes, Delayed delayed) {
        this.claims = claims;
        this.volumes = volumes;
        this.delayed = Optional.ofNullable(delayed);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status preFilter(CycleState state, Pod pod, List<NodeInfo> nodes) {
        List<Volume> podVolumes = pod.getSpec().getVolumes();
        if (podVolumes == null) {
            return Status.SKIP;
        }
        List<PersistentVolume> bound = new ArrayList<>();
        List<PersistentVolumeClaim> waiting = new ArrayList<>();
        boolean any = false;
        for (Volume volume : podVolumes) {
            if (volume.getPersistentVolumeClaim() == null) {
                continue;
            }
            any = true;
            String claimName = volume.getPersistentVolumeClaim().getClaimName();
            PersistentVolumeClaim claim = claims.apply(pod.getMetadata().getNamespace(), claimName);
            if (claim == null) {
                return Status.unresolvable("persistentvolumeclaim \"" + claimName + "\" not found");
            }
            if (claim.getMetadata().getDeletionTimestamp() != null) {
                return Status.unresolvable("persistentvolumeclaim \"" + claimName + "\" is being deleted");
            }
            String volumeName = claim.getSpec() == null ? null : claim.getSpec().getVolumeName();
            if (volumeName == null || volumeName.isEmpty()) {
                if (!delayedBinding(claim)) {
                    return Status.unresolvable(UNBOUND);
                }
                waiting.add(claim);
                continue;
            }
            PersistentVolume persistentVolume = volumes.apply(volumeName);
            if (persistentVolume == null) {
                return Status.unresolvable("persistentvolume \"" + volumeName + "\" not found");
            }
            bound.add(persistentVolume);
        }
        if (!any) {
            return Status.SKIP;
        }
        state.write(BOUND, bound);
        state.write(DELAYED, waiting);
        return Status.SUCCESS;
    }

    /** Whether the claim's class binds only once a pod using it is scheduled. */
    private boolean delayedBinding(PersistentVolumeClaim claim) {
        String className = claim.getSpec().getStorageClassName();
        if (delayed.isEmpty() || className == null || className.isEmpty()) {
            return false;
        }
        StorageClass storageClass = delayed.get().classes().apply(className);
        return storageClass != null && "WaitForFirstConsumer".equals(storageClass.getVolumeBindingMode());
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo node) {
        List<PersistentVolume> bound = state.read(BOUND);
        if (bound == null) {
            return Status.SUCCESS;
        }
        for (PersistentVolume volume : bound) {
            var affinity = volume.getSpec().getNodeAffinity();
            if (affinity == null || affinity.getRequired() == null) {
                continue;
            }
            if (!NodeSelectors.matchesAnyTerm(affinity.getRequired().getNodeSelectorTerms(), node.node())) {
                return Status.unresolvable(CONFLICT);
            }
        }
        List<PersistentVolumeClaim> waiting = state.read(DELAYED);
        for (PersistentVolumeClaim claim : waiting == null ? List.<PersistentVolumeClaim>of() : waiting) {
            String selected = claim.getMetadata().getAnnotations() == null ? null
                    : claim.getMetadata().getAnnotations().get(SELECTED_NODE);
            if (selected != null) {
                if (!selected.equals(node.node().getMetadata().getName())) {
                    return Status.unresolvable(CONFLICT);
                }
                continue;
            }
            StorageClass storageClass = delayed.orElseThrow().classes().apply(claim.getSpec().getStorageClassName());
            if (storageClass == null) {
                return Status.unresolvable("storageclass.storage.k8s.io \"" + claim.getSpec().getStorageClassName()
                        + "\" not found");
            }
            if (storageClass.getProvisioner() != null && !NO_PROVISIONER.equals(storageClass.getProvisioner())) {
                continue;
            }
            if (VolumeMatching.bestMatch(claim, delayed.get().allVolumes().get(), Optional.of(node.node()))
                    .isEmpty()) {
                return Status.unresolvable(NO_VOLUMES);
            }
        }
        return Status.SUCCESS;
    }

    /**
     * Binds nothing itself (SKIP, so the default binder binds the pod): first selects the node for the pod's
     * delayed claims and waits, on this binder thread, until the volume controller has bound them.
     */
    @Override
    public Status bind(CycleState state, Pod pod, String nodeName) {
        List<PersistentVolumeClaim> waiting = state.read(DELAYED);
        if (waiting == null || waiting.isEmpty()) {
            return Status.SKIP;
        }
        Delayed storage = delayed.orElseThrow();
        for (PersistentVolumeClaim claim : waiting) {
            Map<String, String> annotations = claim.getMetadata().getAnnotations();
            if (annotations == null || !nodeName.equals(annotations.get(SELECTED_NODE))) {
                storage.selectNode().accept(claim, nodeName);
            }
        }
        long deadline = System.nanoTime() + storage.bindTimeout().toNanos();
        for (PersistentVolumeClaim claim : waiting) {
            while (true) {
                PersistentVolumeClaim now = claims.apply(claim.getMetadata().getNamespace(),
                        claim.getMetadata().getName());
                if (now == null || now.getMetadata().getDeletionTimestamp() != null) {
                    return Status.error("persistentvolumeclaim \"" + claim.getMetadata().getName()
                            + "\" was deleted while binding");
                }
                String volumeName = now.getSpec().getVolumeName();
                if (volumeName != null && !volumeName.isEmpty() && volumes.apply(volumeName) != null) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    return Status.error("binding volumes: timed out waiting for the condition");
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Status.error("binding volumes: interrupted");
                }
            }
        }
        return Status.SKIP;
    }
}
