package io.kybern.scheduler.plugins;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.kybern.scheduler.framework.CycleState;
import io.kybern.scheduler.framework.NodeInfo;
import io.kybern.scheduler.framework.Plugin;
import io.kybern.scheduler.framework.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A pod's PersistentVolumeClaims: a missing or deleted claim keeps it off every node, an unbound one makes
 * it wait until the volume controller binds it (Kubernetes would bind WaitForFirstConsumer claims itself;
 * we wait for them too), and a bound volume's node affinity limits the pod to the nodes it matches.
 */
public final class VolumeBinding implements Plugin.PreFilter, Plugin.Filter {

    public static final String NAME = "VolumeBinding";
    static final String UNBOUND = "pod has unbound immediate PersistentVolumeClaims";
    static final String CONFLICT = "node(s) had volume node affinity conflict";
    private static final Object BOUND = new Object();

    private final BiFunction<String, String, PersistentVolumeClaim> claims;
    private final Function<String, PersistentVolume> volumes;

    /**
     * @param claims  a claim by namespace and name (null when there is none)
     * @param volumes a volume by name (null when there is none)
     */
    public VolumeBinding(BiFunction<String, String, PersistentVolumeClaim> claims,
            Function<String, PersistentVolume> volumes) {
        this.claims = claims;
        this.volumes = volumes;
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
                return Status.unresolvable(UNBOUND);
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
        return Status.SUCCESS;
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
            if (!Matching.matchesAnyTerm(affinity.getRequired().getNodeSelectorTerms(), node.node())) {
                return Status.unresolvable(CONFLICT);
            }
        }
        return Status.SUCCESS;
    }
}
