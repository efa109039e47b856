package io.kybern.controllers.statefulset;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.kybern.controllers.history.ControllerHistory;
import io.kybern.controllers.runtime.Owners;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import tools.jackson.databind.json.JsonMapper;

/**
 * A StatefulSet's pods and claims as Kubernetes names and makes them: pod {@code <set>-<ordinal>} with
 * hostname its own name and subdomain the set's serviceName, labelled {@code statefulset.kubernetes.io/pod-name},
 * {@code apps.kubernetes.io/pod-index} and {@code controller-revision-hash} (the revision's name); a volume
 * per volumeClaimTemplate backed by the claim {@code <template>-<set>-<ordinal>}.
 */
final class StatefulPods {

    static final String POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
    static final String POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private StatefulPods() {
    }

    static String podName(StatefulSet set, int ordinal) {
        return set.getMetadata().getName() + "-" + ordinal;
    }

    /** The ordinal in a pod's name, if it is {@code <set>-<number>}. */
    static OptionalInt ordinal(StatefulSet set, Pod pod) {
        String prefix = set.getMetadata().getName() + "-";
        String name = pod.getMetadata().getName();
        if (!name.startsWith(prefix)) {
            return OptionalInt.empty();
        }
        String digits = name.substring(prefix.length());
        if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit) || digits.length() > 9
                || (digits.length() > 1 && digits.startsWith("0"))) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(Integer.parseInt(digits));
    }

    static String claimName(String template, StatefulSet set, int ordinal) {
        return template + "-" + podName(set, ordinal);
    }

    /** The pod of {@code ordinal} made from {@code template}, the template of revision {@code revisionName}. */
    static Pod newPod(StatefulSet set, PodTemplateSpec template, String revisionName, int ordinal) {
        ObjectMeta metadata = template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
        String name = podName(set, ordinal);
        Map<String, String> labels = new HashMap<>(Objects.requireNonNullElse(metadata.getLabels(), Map.of()));
        labels.put(POD_NAME_LABEL, name);
        labels.put(POD_INDEX_LABEL, Integer.toString(ordinal));
        labels.put(ControllerHistory.HASH_LABEL, revisionName);
        PodSpec spec = JSON.convertValue(template.getSpec(), PodSpec.class);
        spec.setHostname(name);
        String service = set.getSpec().getServiceName();
        if (service != null && !service.isEmpty()) {
            spec.setSubdomain(service);
        }
        List<Volume> volumes = new ArrayList<>();
        List<String> claimVolumes = new ArrayList<>();
        for (PersistentVolumeClaim claim : claimTemplates(set)) {
            String volume = claim.getMetadata().getName();
            claimVolumes.add(volume);
            volumes.add(new VolumeBuilder().withName(volume).withNewPersistentVolumeClaim()
                    .withClaimName(claimName(volume, set, ordinal)).endPersistentVolumeClaim().build());
        }
        // A template volume of the same name as a claim template gives way to the claim, as in Kubernetes.
        for (Volume volume : Objects.requireNonNullElse(spec.getVolumes(), List.<Volume>of())) {
            if (!claimVolumes.contains(volume.getName())) {
                volumes.add(volume);
            }
        }
        spec.setVolumes(volumes);
        return new PodBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withName(name)
                        .withNamespace(set.getMetadata().getNamespace())
                        .withLabels(labels)
                        .withAnnotations(metadata.getAnnotations())
                        .withFinalizers(metadata.getFinalizers())
                        .withOwnerReferences(Owners.controllerReference(set))
                        .build())
                .withSpec(spec)
                .build();
    }

    /**
     * The claims the pod of {@code ordinal} needs: each template's, named for the ordinal, labelled with the
     * template's labels and the set's matchLabels; owned by the set when its retention policy deletes claims
     * with the set ({@code whenDeleted: Delete}), so the garbage collector takes them with it.
     */
    static List<PersistentVolumeClaim> claims(StatefulSet set, int ordinal) {
        List<PersistentVolumeClaim> claims = new ArrayList<>();
        for (PersistentVolumeClaim template : claimTemplates(set)) {
            Map<String, String> labels = new HashMap<>(Objects.requireNonNullElse(template.getMetadata().getLabels(),
                    Map.of()));
            if (set.getSpec().getSelector() != null && set.getSpec().getSelector().getMatchLabels() != null) {
                labels.putAll(set.getSpec().getSelector().getMatchLabels());
            }
            var metadata = new ObjectMetaBuilder()
                    .withName(claimName(template.getMetadata().getName(), set, ordinal))
                    .withNamespace(set.getMetadata().getNamespace())
                    .withLabels(labels)
                    .withAnnotations(template.getMetadata().getAnnotations());
            if (retention(set, "whenDeleted").equals("Delete")) {
                var owner = Owners.controllerReference(set);
                owner.setController(null);
                metadata.withOwnerReferences(owner);
            }
            claims.add(new PersistentVolumeClaimBuilder().withMetadata(metadata.build())
                    .withSpec(template.getSpec()).build());
        }
        return claims;
    }

    /** {@code Retain} or {@code Delete}: what becomes of claims when the set is deleted or scaled down. */
    static String retention(StatefulSet set, String when) {
        var policy = set.getSpec().getPersistentVolumeClaimRetentionPolicy();
        if (policy == null) {
            return "Retain";
        }
        String value = when.equals("whenDeleted") ? policy.getWhenDeleted() : policy.getWhenScaled();
        return value == null ? "Retain" : value;
    }

    private static List<PersistentVolumeClaim> claimTemplates(StatefulSet set) {
        return Objects.requireNonNullElse(set.getSpec().getVolumeClaimTemplates(), List.of());
    }

    /** The revision (its name) a pod was made from. */
    static String revision(Pod pod) {
        return Objects.requireNonNullElse(pod.getMetadata().getLabels(), Map.<String, String>of())
                .getOrDefault(ControllerHistory.HASH_LABEL, "");
    }
}
