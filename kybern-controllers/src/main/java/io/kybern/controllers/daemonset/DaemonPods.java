package io.kybern.controllers.daemonset;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.NodeAffinity;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kybern.controllers.history.ControllerHistory;
import io.kybern.controllers.runtime.Owners;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Daemon pods as Kubernetes makes them: the template's pod, owned by its DaemonSet, labelled with the
 * revision's hash and the template generation, completed with {@link DaemonPodTolerations}, and pinned to
 * its node by a required node affinity term {@code matchFields metadata.name In [node]} that replaces the
 * template's required terms (eligibility was already decided); the scheduler binds it.
 */
final class DaemonPods {

    /** The deprecated label Kubernetes still puts on daemon pods: the generation their template came from. */
    static final String TEMPLATE_GENERATION_LABEL = "pod-template-generation";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private DaemonPods() {
    }

    static Pod forNode(DaemonSet ds, String node, String hash) {
        var template = ds.getSpec().getTemplate();
        ObjectMeta metadata = template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
        Map<String, String> labels = new HashMap<>(Objects.requireNonNullElse(metadata.getLabels(), Map.of()));
        labels.put(ControllerHistory.HASH_LABEL, hash);
        if (ds.getMetadata().getGeneration() != null) {
            labels.put(TEMPLATE_GENERATION_LABEL, Long.toString(ds.getMetadata().getGeneration()));
        }
        PodSpec spec = JSON.convertValue(template.getSpec(), PodSpec.class);
        spec.setTolerations(DaemonPodTolerations.completed(spec));
        spec.setAffinity(pinnedTo(spec.getAffinity(), node));
        return new PodBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withGenerateName(ds.getMetadata().getName() + "-")
                        .withNamespace(ds.getMetadata().getNamespace())
                        .withLabels(labels)
                        .withAnnotations(metadata.getAnnotations())
                        .withFinalizers(metadata.getFinalizers())
                        .withOwnerReferences(Owners.controllerReference(ds))
                        .build())
                .withSpec(spec)
                .build();
    }

    /** The affinity with its required node terms replaced by the one term naming the node. */
    static Affinity pinnedTo(Affinity affinity, String node) {
        NodeSelector onlyThisNode = new NodeSelector(List.of(new NodeSelectorTermBuilder()
                .withMatchFields(new NodeSelectorRequirementBuilder().withKey("metadata.name").withOperator("In")
                        .withValues(node).build())
                .build()));
        Affinity pinned = affinity == null ? new Affinity() : affinity;
        if (pinned.getNodeAffinity() == null) {
            pinned.setNodeAffinity(new NodeAffinity());
        }
        pinned.getNodeAffinity().setRequiredDuringSchedulingIgnoredDuringExecution(onlyThisNode);
        return pinned;
    }

    /**
     * The node a daemon pod is for: where it is bound, or, before the scheduler binds it, the node its
     * {@code metadata.name} affinity term names.
     */
    static Optional<String> targetNode(Pod pod) {
        if (pod.getSpec() == null) {
            return Optional.empty();
        }
        if (pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty()) {
            return Optional.of(pod.getSpec().getNodeName());
        }
        var affinity = pod.getSpec().getAffinity();
        if (affinity == null || affinity.getNodeAffinity() == null
                || affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
            return Optional.empty();
        }
        var terms = affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms();
        if (terms == null) {
            return Optional.empty();
        }
        for (var term : terms) {
            for (var field : Objects.requireNonNullElse(term.getMatchFields(), List.<NodeSelectorRequirement>of())) {
                if ("metadata.name".equals(field.getKey()) && "In".equals(field.getOperator())
                        && field.getValues() != null && field.getValues().size() == 1) {
                    return Optional.of(field.getValues().getFirst());
                }
            }
        }
        return Optional.empty();
    }

    /** Whether the pod was made from the revision with this hash. */
    static boolean updated(Pod pod, String hash) {
        return pod.getMetadata().getLabels() != null
                && hash.equals(pod.getMetadata().getLabels().get(ControllerHistory.HASH_LABEL));
    }
}
