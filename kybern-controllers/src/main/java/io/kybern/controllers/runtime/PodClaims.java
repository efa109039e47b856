package io.kybern.controllers.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Which pods a workload controls, as Kubernetes' controller ref manager decides: the pods it is the
 * controller of and that its selector still matches, plus orphans the selector matches, which it adopts
 * (adding itself as controller); owned pods that stopped matching are released. An owner being deleted
 * adopts nothing, and adoption first reads the owner afresh, as a cache may still show an owner that was
 * deleted or replaced under the same name.
 */
public final class PodClaims {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final KubernetesClient client;

    public PodClaims(KubernetesClient client) {
        this.client = client;
    }

    /** The pods among {@code candidates} (one namespace's) that {@code owner} controls after claiming. */
    public List<Pod> claim(HasMetadata owner, Predicate<Map<String, String>> selector, List<Pod> candidates) {
        String uid = owner.getMetadata().getUid();
        List<Pod> owned = new ArrayList<>();
        Boolean mayAdopt = null;
        for (Pod pod : candidates) {
            Optional<OwnerReference> controller = Owners.controllerOf(pod);
            boolean matches = selector.test(pod.getMetadata().getLabels());
            if (controller.isPresent()) {
                if (!uid.equals(controller.get().getUid())) {
                    continue;
                }
                if (matches || Owners.deleting(owner)) {
                    owned.add(pod);
                } else {
                    release(pod, uid);
                }
            } else if (matches && !Owners.deleting(pod)) {
                if (mayAdopt == null) {
                    mayAdopt = stillTheSameAndLive(owner);
                }
                if (mayAdopt && adopt(owner, pod)) {
                    owned.add(pod);
                }
            }
        }
        return owned;
    }

    private boolean stillTheSameAndLive(HasMetadata owner) {
        HasMetadata fresh = client.resource(owner).get();
        return fresh != null && Objects.equals(fresh.getMetadata().getUid(), owner.getMetadata().getUid())
                && !Owners.deleting(fresh);
    }

    private boolean adopt(HasMetadata owner, Pod pod) {
        List<OwnerReference> refs = new ArrayList<>(Owners.references(pod));
        refs.add(Owners.controllerReference(owner));
        return patchOwnerReferences(pod, refs);
    }

    private void release(Pod pod, String ownerUid) {
        List<OwnerReference> refs = Owners.references(pod).stream()
                .filter(ref -> !ownerUid.equals(ref.getUid())).toList();
        patchOwnerReferences(pod, refs);
    }

    /** A merge patch of the pod's ownerReferences, refused if the pod changed since it was read. */
    private boolean patchOwnerReferences(Pod pod, List<OwnerReference> refs) {
        ObjectNode patch = JSON.createObjectNode();
        ObjectNode metadata = patch.putObject("metadata");
        metadata.put("resourceVersion", pod.getMetadata().getResourceVersion());
        ArrayNode array = metadata.putArray("ownerReferences");
        refs.forEach(ref -> array.add(JSON.valueToTree(ref)));
        try {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod)
                    .patch(PatchContext.of(PatchType.JSON_MERGE), JSON.writeValueAsString(patch));
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404 || e.getCode() == 409) {
                return false; // gone or changed: the pod's next event brings the owner back
            }
            throw e;
        }
    }
}
