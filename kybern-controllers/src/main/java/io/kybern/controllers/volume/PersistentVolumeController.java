package io.kybern.controllers.volume;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kybern.controllers.runtime.EventRecorder;
import io.kybern.controllers.runtime.ObjectKey;
import io.kybern.controllers.runtime.Reconciler;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes' persistent volume controller, binding part: pairs each pending PersistentVolumeClaim with a
 * PersistentVolume ({@link VolumeMatching}), or has one provisioned for it, and keeps both phases.
 *
 * <ul>
 *   <li>Claims: a claim without a class gets the default class (as Kubernetes' retroactive default class
 *       assignment does). A claim of a {@code WaitForFirstConsumer} class waits for the scheduler's
 *       {@value #SELECTED_NODE} annotation. Binding writes the volume's {@code claimRef} (annotated
 *       {@value #BOUND_BY_CONTROLLER}) first, then the claim's {@code volumeName} (annotated
 *       {@value #BIND_COMPLETED} and {@value #BOUND_BY_CONTROLLER}), then both statuses: volume Bound, claim
 *       Bound with the volume's capacity and access modes. A bound claim whose volume is gone is Lost.</li>
 *   <li>Volumes: unclaimed ones are Available; one whose claim is gone is Released, then deleted with its
 *       storage (reclaim policy Delete, when this server provisioned it), kept (Retain), or Failed (Delete or
 *       Recycle of storage it cannot remove).</li>
 * </ul>
 * Keys of volumes have no namespace, keys of claims have one. Meant for one worker: two claims never race
 * for the same volume in this process, and the volume's resourceVersion guards against any other writer.
 */
public final class PersistentVolumeController implements Reconciler<ObjectKey> {

    public static final String COMPONENT = "persistentvolume-controller";
    public static final String SELECTED_NODE = "volume.kubernetes.io/selected-node";
    public static final String BIND_COMPLETED = "pv.kubernetes.io/bind-completed";
    public static final String BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller";
    static final String STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner";
    static final String BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner";
    private static final Logger log = LoggerFactory.getLogger(PersistentVolumeController.class);

    private final KubernetesClient client;
    private final SharedIndexInformer<PersistentVolumeClaim> claims;
    private final SharedIndexInformer<PersistentVolume> volumes;
    private final SharedIndexInformer<StorageClass> classes;
    private final Optional<LocalPathProvisioner> provisioner;
    private final EventRecorder events;
    private final EventRecorder provisionerEvents;

    public PersistentVolumeController(KubernetesClient client, SharedIndexInformer<PersistentVolumeClaim> claims,
            SharedIndexInformer<PersistentVolume> volumes, SharedIndexInformer<StorageClass> classes,
            Optional<LocalPathProvisioner> provisioner, InstantSource clock) {
        this.client = client;
        this.claims = claims;
        this.volumes = volumes;
        this.classes = classes;
        this.provisioner = provisioner;
        this.events = new EventRecorder(client, COMPONENT, clock);
        this.provisionerEvents = new EventRecorder(client, LocalPathProvisioner.PROVISIONER, clock);
    }

    /** Creates the default {@code local-path} class when the provisioner is on and no class has that name. */
    public void ensureDefaultClass() {
        if (provisioner.isEmpty()) {
            return;
        }
        StorageClass wanted = LocalPathProvisioner.defaultClass();
        if (client.storage().v1().storageClasses().withName(wanted.getMetadata().getName()).get() == null) {
            try {
                client.storage().v1().storageClasses().resource(wanted).create();
                log.info("default storage class created name={}", wanted.getMetadata().getName());
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
            }
        }
    }

    /** Registers the handlers that enqueue claim and volume keys; call before the informers start. */
    public void watch(Consumer<ObjectKey> enqueue) {
        claims.addEventHandler(handler(claim -> {
            enqueue.accept(ObjectKey.of(claim));
            if (claim.getSpec().getVolumeName() != null && !claim.getSpec().getVolumeName().isEmpty()) {
                enqueue.accept(ObjectKey.clusterScoped(claim.getSpec().getVolumeName()));
            }
        }));
        volumes.addEventHandler(handler(volume -> {
            enqueue.accept(ObjectKey.of(volume));
            var ref = volume.getSpec().getClaimRef();
            if (ref != null) {
                enqueue.accept(new ObjectKey(ref.getNamespace(), ref.getName()));
            } else {
                pendingClaims().forEach(enqueue); // a volume free to take may end a claim's wait
            }
        }));
        classes.addEventHandler(handler(storageClass -> pendingClaims().forEach(enqueue)));
    }

    private List<ObjectKey> pendingClaims() {
        return claims.getStore().list().stream().filter(c -> c.getSpec().getVolumeName() == null
                || c.getSpec().getVolumeName().isEmpty()).map(ObjectKey::of).toList();
    }

    private static <T> ResourceEventHandler<T> handler(Consumer<T> changed) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                changed.accept(object);
            }

            @Override
            public void onUpdate(T before, T after) {
                changed.accept(after);
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                changed.accept(object);
            }
        };
    }

    @Override
    public Result reconcile(ObjectKey key) {
        if (key.namespace().isEmpty()) {
            PersistentVolume volume = volumes.getStore().getByKey(key.name());
            if (volume != null) {
                syncVolume(volume);
            }
        } else {
            PersistentVolumeClaim claim = claims.getStore().getByKey(key.cacheKey());
            if (claim != null && claim.getMetadata().getDeletionTimestamp() == null) {
                syncClaim(claim);
            }
        }
        return Result.done();
    }

    // --- claims ---

    private void syncClaim(PersistentVolumeClaim claim) {
        String volumeName = claim.getSpec().getVolumeName();
        if (volumeName == null || volumeName.isEmpty()) {
            syncUnboundClaim(claim);
            return;
        }
        PersistentVolume volume = volumes.getStore().getByKey(volumeName);
        if (volume == null) {
            if (!"Lost".equals(phase(claim))) {
                claimStatus(claim, "Lost", null);
                events.warning(claim, "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume "
                        + "is lost!");
            }
            return;
        }
        if (volume.getSpec().getClaimRef() == null) {
            // Bound by its user through volumeName: the volume still has to be reserved for it.
            if (VolumeMatching.fits(claim, volume, Optional.empty(), true)) {
                bind(claim, reserve(volume, claim));
            } else {
                events.warning(claim, "FailedBinding", "Cannot bind to requested volume \"" + volumeName
                        + "\": requested PV is too small or does not match the claim");
            }
            return;
        }
        if (VolumeMatching.reservedFor(volume, claim)) {
            bind(claim, volume);
        } else if (!"Lost".equals(phase(claim))) {
            claimStatus(claim, "Lost", null);
            events.warning(claim, "ClaimMisbound", "Two claims are bound to the same volume, this one is bound "
                    + "incorrectly");
        }
    }

    private void syncUnboundClaim(PersistentVolumeClaim claim) {
        if (claim.getSpec().getStorageClassName() == null) {
            Optional<StorageClass> defaultClass = defaultClass();
            if (defaultClass.isPresent()) {
                client.persistentVolumeClaims().inNamespace(claim.getMetadata().getNamespace())
                        .resource(new PersistentVolumeClaimBuilder(claim).editSpec()
                                .withStorageClassName(defaultClass.get().getMetadata().getName()).endSpec().build())
                        .update();
                return; // the update brings the claim back
            }
        }
        if (!"Pending".equals(phase(claim))) {
            claimStatus(claim, "Pending", null);
        }
        String className = VolumeMatching.className(claim);
        StorageClass storageClass = className.isEmpty() ? null : classes.getStore().getByKey(className);
        String selectedNode = annotation(claim, SELECTED_NODE);
        boolean delayed = storageClass != null && "WaitForFirstConsumer".equals(storageClass.getVolumeBindingMode());
        if (delayed && selectedNode == null) {
            events.normal(claim, "WaitForFirstConsumer", "waiting for first consumer to be created before binding");
            return;
        }
        Optional<Node> node = Optional.empty();
        if (selectedNode != null) {
            node = Optional.ofNullable(client.nodes().withName(selectedNode).get());
        }
        Optional<PersistentVolume> match = VolumeMatching.bestMatch(claim, volumes.getStore().list(), node);
        if (match.isPresent()) {
            PersistentVolume volume = match.get();
            bind(claim, VolumeMatching.reservedFor(volume, claim) ? volume : reserve(volume, claim));
            return;
        }
        if (className.isEmpty()) {
            events.normal(claim, "FailedBinding", "no persistent volumes available for this claim and no storage "
                    + "class is set");
        } else if (storageClass == null) {
            events.warning(claim, "ProvisioningFailed", "storageclass.storage.k8s.io \"" + className
                    + "\" not found");
        } else {
            provision(claim, storageClass, selectedNode);
        }
    }

    private void provision(PersistentVolumeClaim claim, StorageClass storageClass, String selectedNode) {
        String name = storageClass.getProvisioner();
        if (!name.equals(annotation(claim, STORAGE_PROVISIONER))) {
            client.persistentVolumeClaims().inNamespace(claim.getMetadata().getNamespace())
                    .resource(new PersistentVolumeClaimBuilder(claim).editMetadata()
                            .addToAnnotations(STORAGE_PROVISIONER, name).addToAnnotations(BETA_STORAGE_PROVISIONER, name)
                            .endMetadata().build()).update();
            return; // the update brings the claim back
        }
        if (!LocalPathProvisioner.PROVISIONER.equals(name) || provisioner.isEmpty()) {
            events.normal(claim, "ExternalProvisioning", "waiting for a volume to be created, either by external "
                    + "provisioner \"" + name + "\" or manually created by system administrator");
            return;
        }
        String claimName = claim.getMetadata().getNamespace() + "/" + claim.getMetadata().getName();
        if (selectedNode == null) {
            provisionerEvents.warning(claim, "ProvisioningFailed", "failed to provision volume with StorageClass \""
                    + storageClass.getMetadata().getName() + "\": configuration error, no node was specified");
            return;
        }
        if (claim.getSpec().getResources() == null || claim.getSpec().getResources().getRequests() == null
                || claim.getSpec().getResources().getRequests().get("storage") == null) {
            provisionerEvents.warning(claim, "ProvisioningFailed", "failed to provision volume with StorageClass \""
                    + storageClass.getMetadata().getName() + "\": claim has no storage request");
            return;
        }
        provisionerEvents.normal(claim, "Provisioning", "External provisioner is provisioning volume for claim \""
                + claimName + "\"");
        PersistentVolume volume = provisioner.get().provision(claim, storageClass, selectedNode);
        try {
            client.persistentVolumes().resource(volume).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                provisionerEvents.warning(claim, "ProvisioningFailed", "failed to provision volume with "
                        + "StorageClass \"" + storageClass.getMetadata().getName() + "\": " + e.getMessage());
                throw e;
            }
            return; // made on an earlier try: its event binds the claim
        }
        provisionerEvents.normal(claim, "ProvisioningSucceeded", "Successfully provisioned volume "
                + volume.getMetadata().getName());
    }

    /** Writes the volume's claimRef (the first half of a binding); the volume returned carries it. */
    private PersistentVolume reserve(PersistentVolume volume, PersistentVolumeClaim claim) {
        PersistentVolume reserved = new PersistentVolumeBuilder(volume).editMetadata()
                .addToAnnotations(BOUND_BY_CONTROLLER, "yes").endMetadata().editSpec()
                .withClaimRef(new ObjectReferenceBuilder().withKind("PersistentVolumeClaim").withApiVersion("v1")
                        .withNamespace(claim.getMetadata().getNamespace()).withName(claim.getMetadata().getName())
                        .withUid(claim.getMetadata().getUid())
                        .withResourceVersion(claim.getMetadata().getResourceVersion()).build())
                .endSpec().build();
        return client.persistentVolumes().resource(reserved).update();
    }

    /** Completes a binding whose volume is reserved for the claim: the claim's half, then both statuses. */
    private void bind(PersistentVolumeClaim claim, PersistentVolume volume) {
        if (volume.getSpec().getClaimRef().getUid() == null || volume.getSpec().getClaimRef().getUid().isEmpty()) {
            volume = reserve(volume, claim); // reserved by name only (pre-bound by a user): add the uid
        }
        if (!"Bound".equals(volume.getStatus() == null ? null : volume.getStatus().getPhase())) {
            volumeStatus(volume, "Bound", null);
        }
        Map<String, String> annotations = claim.getMetadata().getAnnotations();
        boolean complete = volume.getMetadata().getName().equals(claim.getSpec().getVolumeName())
                && annotations != null && "yes".equals(annotations.get(BIND_COMPLETED));
        if (!complete) {
            var builder = new PersistentVolumeClaimBuilder(claim).editMetadata().addToAnnotations(BIND_COMPLETED, "yes");
            if (claim.getSpec().getVolumeName() == null || claim.getSpec().getVolumeName().isEmpty()) {
                builder.addToAnnotations(BOUND_BY_CONTROLLER, "yes");
            }
            claim = client.persistentVolumeClaims().inNamespace(claim.getMetadata().getNamespace())
                    .resource(builder.endMetadata().editSpec().withVolumeName(volume.getMetadata().getName())
                            .endSpec().build()).update();
        }
        if (!"Bound".equals(phase(claim)) || claim.getStatus().getCapacity() == null
                || claim.getStatus().getCapacity().isEmpty()) {
            claimStatus(claim, "Bound", volume);
        }
    }

    private Optional<StorageClass> defaultClass() {
        return classes.getStore().list().stream()
                .filter(c -> "true".equals(annotationOf(c.getMetadata().getAnnotations(),
                        LocalPathProvisioner.DEFAULT_CLASS_ANNOTATION)))
                .max(Comparator.comparing((StorageClass c) -> c.getMetadata().getCreationTimestamp())
                        .thenComparing(c -> c.getMetadata().getName()));
    }

    // --- volumes ---

    private void syncVolume(PersistentVolume volume) {
        var ref = volume.getSpec().getClaimRef();
        String phase = volume.getStatus() == null ? null : volume.getStatus().getPhase();
        if (ref == null || ref.getUid() == null || ref.getUid().isEmpty()) {
            if (!"Available".equals(phase) && !"Failed".equals(phase)) {
                volumeStatus(volume, "Available", null);
            }
            return;
        }
        PersistentVolumeClaim claim = claims.getStore().getByKey(ref.getNamespace() + "/" + ref.getName());
        if (claim == null) {
            // The cache may lag behind a claim just created: ask the server before releasing anything.
            claim = client.persistentVolumeClaims().inNamespace(ref.getNamespace()).withName(ref.getName()).get();
        }
        if (claim != null && claim.getMetadata().getUid().equals(ref.getUid())) {
            if (volume.getMetadata().getName().equals(claim.getSpec().getVolumeName()) && !"Bound".equals(phase)) {
                volumeStatus(volume, "Bound", null);
            }
            return; // else the claim's sync finishes the binding
        }
        // The claim is gone: release the volume, then reclaim it.
        if ("Failed".equals(phase)) {
            return;
        }
        if (!"Released".equals(phase)) {
            volume = volumeStatus(volume, "Released", null);
        }
        String policy = volume.getSpec().getPersistentVolumeReclaimPolicy();
        if ("Retain".equals(policy)) {
            return;
        }
        if ("Delete".equals(policy) && LocalPathProvisioner.provisioned(volume) && provisioner.isPresent()) {
            provisioner.get().delete(volume);
            client.persistentVolumes().withName(volume.getMetadata().getName()).delete();
            return;
        }
        String message = "Delete".equals(policy)
                ? "error getting deleter volume plugin for volume \"" + volume.getMetadata().getName()
                        + "\": no deletable volume plugin matched"
                : "No recycler plugin found for the volume!";
        volumeStatus(volume, "Failed", message);
        events.warning(volume, "Delete".equals(policy) ? "VolumeFailedDelete" : "VolumeFailedRecycle", message);
    }

    // --- status writes ---

    private PersistentVolume volumeStatus(PersistentVolume volume, String phase, String message) {
        PersistentVolume updated = new PersistentVolumeBuilder(volume).editOrNewStatus().withPhase(phase)
                .withMessage(message).endStatus().build();
        return client.persistentVolumes().resource(updated).updateStatus();
    }

    private void claimStatus(PersistentVolumeClaim claim, String phase, PersistentVolume volume) {
        var status = new PersistentVolumeClaimBuilder(claim).editOrNewStatus().withPhase(phase);
        if (volume != null) {
            status.withCapacity(volume.getSpec().getCapacity()).withAccessModes(volume.getSpec().getAccessModes());
        }
        client.persistentVolumeClaims().inNamespace(claim.getMetadata().getNamespace()).resource(status.endStatus()
                .build()).updateStatus();
    }

    private static String phase(PersistentVolumeClaim claim) {
        return claim.getStatus() == null ? null : claim.getStatus().getPhase();
    }

    private static String annotation(PersistentVolumeClaim claim, String name) {
        return annotationOf(claim.getMetadata().getAnnotations(), name);
    }

    private static String annotationOf(Map<String, String> annotations, String name) {
        return annotations == null ? null : annotations.get(name);
    }

}
