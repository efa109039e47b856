package io.kybern.api.selector;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeSelectorsTest {

    private final Node node = new NodeBuilder().withNewMetadata().withName("n1")
            .withLabels(Map.of("zone", "a", "cores", "8")).endMetadata().build();

    private static NodeSelectorRequirement requirement(String key, String operator, String... values) {
        return new NodeSelectorRequirement(key, operator, List.of(values));
    }

    private static NodeSelectorTerm expressions(NodeSelectorRequirement... requirements) {
        return new NodeSelectorTermBuilder().withMatchExpressions(requirements).build();
    }

    @Test
    void everyOperatorAgainstPresentAndAbsentLabels() {
        assertTrue(NodeSelectors.matches(expressions(requirement("zone", "In", "a", "b")), node));
        assertFalse(NodeSelectors.matches(expressions(requirement("zone", "In", "b")), node));
        assertFalse(NodeSelectors.matches(expressions(requirement("zone", "NotIn", "a")), node));
        assertTrue(NodeSelectors.matches(expressions(requirement("rack", "NotIn", "r1")), node));
        assertTrue(NodeSelectors.matches(expressions(requirement("zone", "Exists")), node));
        assertFalse(NodeSelectors.matches(expressions(requirement("rack", "Exists")), node));
        assertTrue(NodeSelectors.matches(expressions(requirement("rack", "DoesNotExist")), node));
        assertTrue(NodeSelectors.matches(expressions(requirement("cores", "Gt", "4")), node));
        assertFalse(NodeSelectors.matches(expressions(requirement("cores", "Lt", "4")), node));
        assertFalse(NodeSelectors.matches(expressions(requirement("zone", "Gt", "4")), node), "not a number");
        assertFalse(NodeSelectors.matches(expressions(requirement("cores", "Gt", "4", "5")), node), "two bounds");
        assertFalse(NodeSelectors.matches(expressions(requirement("zone", "Near", "a")), node), "unknown operator");
    }

    @Test
    void requirementsOfATermAreAndedAndTermsOred() {
        NodeSelectorTerm both = expressions(requirement("zone", "In", "a"), requirement("cores", "Lt", "4"));
        NodeSelectorTerm zoneOnly = expressions(requirement("zone", "In", "a"));
        assertFalse(NodeSelectors.matches(both, node));
        assertTrue(NodeSelectors.matchesAnyTerm(List.of(both, zoneOnly), node));
        assertFalse(NodeSelectors.matchesAnyTerm(List.of(both), node));
    }

    @Test
    void emptyTermsAndNoTermsMatchNoNode() {
        assertFalse(NodeSelectors.matches(new NodeSelectorTerm(), node));
        assertFalse(NodeSelectors.matchesAnyTerm(List.of(), node));
        assertFalse(NodeSelectors.matchesAnyTerm(null, node));
    }

    @Test
    void fieldsMayNameOnlyTheNodesName() {
        NodeSelectorTerm byName = new NodeSelectorTermBuilder()
                .withMatchFields(requirement("metadata.name", "In", "n1")).build();
        NodeSelectorTerm otherName = new NodeSelectorTermBuilder()
                .withMatchFields(requirement("metadata.name", "In", "n2")).build();
        NodeSelectorTerm otherField = new NodeSelectorTermBuilder()
                .withMatchFields(requirement("spec.unschedulable", "DoesNotExist")).build();
        assertTrue(NodeSelectors.matches(byName, node));
        assertFalse(NodeSelectors.matches(otherName, node));
        assertFalse(NodeSelectors.matches(otherField, node));
    }

    @Test
    void aNodeWithoutLabelsMeetsOnlyAbsenceRequirements() {
        Node bare = new NodeBuilder().withNewMetadata().withName("bare").endMetadata().build();
        assertTrue(NodeSelectors.matches(expressions(requirement("zone", "DoesNotExist")), bare));
        assertFalse(NodeSelectors.matches(expressions(requirement("zone", "In", "a")), bare));
    }
}
