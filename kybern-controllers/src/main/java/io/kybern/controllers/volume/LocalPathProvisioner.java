package io.kybern.controllers.volume;

import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The default StorageClass {@value #CLASS_NAME} and its provisioner, {@value #PROVISIONER}: a claim's volume
 * is a directory under this server's data directory, {@code <root>/<pv-name>_<namespace>_<claim>}, offered as
 * a hostPath PersistentVolume pinned (node affinity) to the node the scheduler chose for the claim's first
 * pod, as k3s's local-path provisioner does. Deleting such a volume deletes its directory.
 */
public final class LocalPathProvisioner {

    public static final String CLASS_NAME = "local-path";
    public static final String PROVISIONER = "kybern.io/local-path";
    public static final String DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
    static final String PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";

    private final Path root;

    public LocalPathProvisioner(Path root) {
        this.root = root;
    }

    /** The class created at start when no class of that name exists. */
    public static StorageClass defaultClass() {
        return new StorageClassBuilder().withNewMetadata().withName(CLASS_NAME)
                .addToAnnotations(DEFAULT_CLASS_ANNOTATION, "true").endMetadata().withProvisioner(PROVISIONER)
                .withReclaimPolicy("Delete").withVolumeBindingMode("WaitForFirstConsumer").build();
    }

    /** Creates the claim's directory and returns its volume, reserved for the claim (to be created by the caller). */
    PersistentVolume provision(PersistentVolumeClaim claim, StorageClass storageClass, String node) {
        String name = "pvc-" + claim.getMetadata().getUid();
        Path directory = root.resolve(name + "_" + claim.getMetadata().getNamespace() + "_"
                + claim.getMetadata().getName());
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + directory.getFileName(), e);
        }
        Quantity size = claim.getSpec().getResources().getRequests().get("storage");
        return new PersistentVolumeBuilder().withNewMetadata().withName(name)
                .addToAnnotations(PROVISIONED_BY, PROVISIONER).endMetadata()
                .withNewSpec().addToCapacity("storage", size).withAccessModes(claim.getSpec().getAccessModes())
                .withVolumeMode(claim.getSpec().getVolumeMode())
                .withPersistentVolumeReclaimPolicy(storageClass.getReclaimPolicy() == null ? "Delete"
                        : storageClass.getReclaimPolicy())
                .withStorageClassName(storageClass.getMetadata().getName())
                .withMountOptions(storageClass.getMountOptions())
                .withNewHostPath().withPath(directory.toAbsolutePath().toString()).withType("DirectoryOrCreate")
                .endHostPath()
                .withNewNodeAffinity().withNewRequired().addNewNodeSelectorTerm().addNewMatchExpression()
                .withKey("kubernetes.io/hostname").withOperator("In").withValues(node).endMatchExpression()
                .endNodeSelectorTerm().endRequired().endNodeAffinity()
                .withClaimRef(new ObjectReferenceBuilder().withKind("PersistentVolumeClaim").withApiVersion("v1")
                        .withNamespace(claim.getMetadata().getNamespace()).withName(claim.getMetadata().getName())
                        .withUid(claim.getMetadata().getUid())
                        .withResourceVersion(claim.getMetadata().getResourceVersion()).build())
                .endSpec().build();
    }

    /** Whether this provisioner made the volume (and so may delete it). */
    static boolean provisioned(PersistentVolume volume) {
        var annotations = volume.getMetadata().getAnnotations();
        return annotations != null && PROVISIONER.equals(annotations.get(PROVISIONED_BY));
    }

    /** Deletes the volume's directory (only ever one under this provisioner's root). */
    void delete(PersistentVolume volume) {
        if (volume.getSpec().getHostPath() == null) {
            return;
        }
        Path directory = Path.of(volume.getSpec().getHostPath().getPath()).toAbsolutePath().normalize();
        if (!directory.startsWith(root.toAbsolutePath().normalize()) || !Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + directory.getFileName(), e);
        }
    }
}
