package io.kybern.controllers.namespace;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceCondition;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NamespaceConditionsTest {

    private static final String EARLIER = "2026-12-06T01:00:00Z";
    private static final String NOW = "2026-12-06T01:05:00Z";

    private static NamespaceCondition byType(List<NamespaceCondition> conditions, String type) {
        return conditions.stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }

    @Test
    void remainingContentAndFinalizersAreCountedInKubernetesWords() {
        var outcome = new NamespaceConditions(Optional.empty(), List.of(),
                Map.of("pods.", 2, "widgets.example.com", 1), Map.of("example.com/hold", 3));

        List<NamespaceCondition> conditions = outcome.toConditions(List.of(), NOW);

        assertThat(outcome.empty()).isFalse();
        assertThat(conditions).extracting(NamespaceCondition::getType).containsExactly(
                "NamespaceDeletionDiscoveryFailure", "NamespaceDeletionGroupVersionParsingFailure",
                "NamespaceDeletionContentFailure", "NamespaceContentRemaining", "NamespaceFinalizersRemaining");
        NamespaceCondition remaining = byType(conditions, "NamespaceContentRemaining");
        assertThat(remaining.getStatus()).isEqualTo("True");
        assertThat(remaining.getReason()).isEqualTo("SomeResourcesRemain");
        assertThat(remaining.getMessage()).isEqualTo("Some resources are remaining: pods. has 2 resource instances, "
                + "widgets.example.com has 1 resource instances");
        assertThat(byType(conditions, "NamespaceFinalizersRemaining").getMessage()).isEqualTo(
                "Some content in the namespace has finalizers remaining: example.com/hold in 3 resource instances");
        assertThat(byType(conditions, "NamespaceDeletionContentFailure").getReason()).isEqualTo("ContentDeleted");
        assertThat(byType(conditions, "NamespaceDeletionDiscoveryFailure").getStatus()).isEqualTo("False");
    }

    @Test
    void failuresAreReportedAndMakeTheNamespaceNotEmpty() {
        var outcome = new NamespaceConditions(Optional.of("apis/example.com/v1: 503"),
                List.of("widgets.example.com: boom"), Map.of(), Map.of());

        List<NamespaceCondition> conditions = outcome.toConditions(List.of(), NOW);

        assertThat(outcome.empty()).isFalse();
        assertThat(byType(conditions, "NamespaceDeletionDiscoveryFailure").getReason()).isEqualTo("DiscoveryFailed");
        NamespaceCondition content = byType(conditions, "NamespaceDeletionContentFailure");
        assertThat(content.getStatus()).isEqualTo("True");
        assertThat(content.getReason()).isEqualTo("ContentDeletionFailed");
        assertThat(content.getMessage()).isEqualTo(
                "Failed to delete all resource types, 1 remaining: widgets.example.com: boom");
    }

    @Test
    void anEmptiedNamespaceSaysSoAndKeepsTheTimeOfConditionsThatDidNotChange() {
        var emptied = new NamespaceConditions(Optional.empty(), List.of(), Map.of(), Map.of());
        var before = new NamespaceConditions(Optional.empty(), List.of(), Map.of("pods.", 1), Map.of())
                .toConditions(List.of(), EARLIER);

        List<NamespaceCondition> after = emptied.toConditions(before, NOW);

        assertThat(emptied.empty()).isTrue();
        NamespaceCondition remaining = byType(after, "NamespaceContentRemaining");
        assertThat(remaining.getStatus()).isEqualTo("False");
        assertThat(remaining.getReason()).isEqualTo("ContentRemoved");
        assertThat(remaining.getMessage()).isEqualTo("All content successfully removed");
        assertThat(remaining.getLastTransitionTime()).as("it changed status").isEqualTo(NOW);
        assertThat(byType(after, "NamespaceFinalizersRemaining").getReason()).isEqualTo("ContentHasNoFinalizers");
        assertThat(byType(after, "NamespaceDeletionDiscoveryFailure").getLastTransitionTime())
                .as("unchanged since before").isEqualTo(EARLIER);
    }
}
