package io.kybern.kubelet.agent;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimVolumeSource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;

/**
 * persistentVolumeClaim volumes: the claim must be bound (and not being deleted) to a volume that claims it
 * back, as kubelet's volume manager checks before it mounts; the volumes this node can mount are those on
 * its own disk, hostPath (what the default {@code local-path} class provisions) and {@code local}.
 */
final class ClaimVolumes {

    /** Where a claim's volume is on this node, and the hostPath type it is checked with. */
    record Source(Path path, String hostPathType) {
    }

    private ClaimVolumes() {
    }

    /**
     * Finds the volume bound to the pod's claim.
     *
     * @throws VolumeFiles.MountFailed the claim is missing, not bound or being deleted, or its volume is missing
     *                                 or bound elsewhere: the pod waits, as kubelet's does, with a FailedMount event
     * @throws PodVolumes.Unsupported  the volume is of a type this node cannot mount
     */
    static Source resolve(String namespace, String volume, PersistentVolumeClaimVolumeSource source,
            KubernetesClient client) throws VolumeFiles.MountFailed, PodVolumes.Unsupported {
        String claimName = source.getClaimName();
        PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(namespace).withName(claimName).get();
        String volumeName = claim == null || claim.getSpec() == null ? null : claim.getSpec().getVolumeName();
        PersistentVolume bound = volumeName == null || volumeName.isEmpty() ? null
                : client.persistentVolumes().withName(volumeName).get();
        return of(namespace, volume, claimName, claim, bound);
    }

    /** The source of a claim as the API has it and of the volume its spec names (either may be null). */
    static Source of(String namespace, String volume, String claimName, PersistentVolumeClaim claim,
            PersistentVolume bound) throws VolumeFiles.MountFailed, PodVolumes.Unsupported {
        String processing = "error processing PVC " + namespace + "/" + claimName + ": ";
        if (claim == null) {
            throw VolumeFiles.MountFailed.unprocessed(volume, processing + "failed to fetch PVC from API server: "
                    + "persistentvolumeclaims \"" + claimName + "\" not found");
        }
        if (claim.getMetadata().getDeletionTimestamp() != null) {
            throw VolumeFiles.MountFailed.unprocessed(volume, processing + "PVC is being deleted");
        }
        String volumeName = claim.getSpec() == null ? null : claim.getSpec().getVolumeName();
        if (claim.getStatus() == null || !"Bound".equals(claim.getStatus().getPhase()) || volumeName == null
                || volumeName.isEmpty()) {
            throw VolumeFiles.MountFailed.unprocessed(volume, processing + "PVC is not bound");
        }
        if (bound == null) {
            throw VolumeFiles.MountFailed.unprocessed(volume, processing + "failed to fetch PV " + volumeName
                    + " from API server: persistentvolumes \"" + volumeName + "\" not found");
        }
        var claimRef = bound.getSpec().getClaimRef();
        if (claimRef == null || !claim.getMetadata().getUid().equals(claimRef.getUid())) {
            throw VolumeFiles.MountFailed.unprocessed(volume, processing + "PV " + volumeName
                    + " is not bound to this PVC");
        }
        if (bound.getSpec().getHostPath() != null) {
            var hostPath = bound.getSpec().getHostPath();
            return new Source(Path.of(hostPath.getPath()), hostPath.getType());
        }
        if (bound.getSpec().getLocal() != null) {
            // A local volume is a directory that must exist: kubelet does not make it.
            return new Source(Path.of(bound.getSpec().getLocal().getPath()), "Directory");
        }
        throw new PodVolumes.Unsupported("volume \"" + volume + "\": persistent volume " + volumeName
                + " is of a type this node cannot mount (hostPath and local are)");
    }
}
