package io.kybern.controllers.namespace;

import io.fabric8.kubernetes.api.model.NamespaceCondition;
import io.fabric8.kubernetes.api.model.NamespaceConditionBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The conditions a terminating namespace reports, with Kubernetes' types, reasons and messages: whether
 * discovery worked, whether deleting content failed, what content remains, and which finalizers hold it.
 */
record NamespaceConditions(Optional<String> discoveryFailure, List<String> deletionFailures,
        Map<String, Integer> remainingByResource, Map<String, Integer> remainingByFinalizer) {

    /** The conditions, each with its lastTransitionTime kept from {@code before} while its status stays. */
    List<NamespaceCondition> toConditions(List<NamespaceCondition> before, String now) {
        List<NamespaceCondition> conditions = new ArrayList<>();
        conditions.add(condition(before, now, "NamespaceDeletionDiscoveryFailure", discoveryFailure.isPresent(),
                discoveryFailure.isPresent() ? "DiscoveryFailed" : "ResourcesDiscovered",
                discoveryFailure.map(e -> "Discovery failed for some groups, 1 failing: " + e)
                        .orElse("All resources successfully discovered")));
        conditions.add(condition(before, now, "NamespaceDeletionGroupVersionParsingFailure", false,
                "ParsedGroupVersions", "All legacy kube types successfully parsed"));
        conditions.add(condition(before, now, "NamespaceDeletionContentFailure", !deletionFailures.isEmpty(),
                deletionFailures.isEmpty() ? "ContentDeleted" : "ContentDeletionFailed",
                deletionFailures.isEmpty() ? "All content successfully deleted, may be waiting on finalization"
                        : "Failed to delete all resource types, " + deletionFailures.size() + " remaining: "
                                + String.join(", ", deletionFailures)));
        conditions.add(condition(before, now, "NamespaceContentRemaining", !remainingByResource.isEmpty(),
                remainingByResource.isEmpty() ? "ContentRemoved" : "SomeResourcesRemain",
                remainingByResource.isEmpty() ? "All content successfully removed"
                        : "Some resources are remaining: " + describe(remainingByResource, " has ",
                                " resource instances")));
        conditions.add(condition(before, now, "NamespaceFinalizersRemaining", !remainingByFinalizer.isEmpty(),
                remainingByFinalizer.isEmpty() ? "ContentHasNoFinalizers" : "SomeFinalizersRemain",
                remainingByFinalizer.isEmpty() ? "All content-preserving finalizers finished"
                        : "Some content in the namespace has finalizers remaining: " + describe(remainingByFinalizer,
                                " in ", " resource instances")));
        return conditions;
    }

    boolean empty() {
        return discoveryFailure.isEmpty() && deletionFailures.isEmpty() && remainingByResource.isEmpty();
    }

    private static String describe(Map<String, Integer> counts, String joiner, String unit) {
        return new TreeMap<>(counts).entrySet().stream().map(e -> e.getKey() + joiner + e.getValue() + unit)
                .collect(Collectors.joining(", "));
    }

    private static NamespaceCondition condition(List<NamespaceCondition> before, String now, String type,
            boolean failing, String reason, String message) {
        String status = failing ? "True" : "False";
        String since = before.stream().filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()))
                .map(NamespaceCondition::getLastTransitionTime).findFirst().orElse(now);
        return new NamespaceConditionBuilder().withType(type).withStatus(status).withReason(reason)
                .withMessage(message).withLastTransitionTime(since).build();
    }
}
