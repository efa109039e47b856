package io.kybern.api.selector;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Node selector terms as Kubernetes evaluates them wherever they appear (a pod's required node affinity,
 * a PersistentVolume's node affinity, a DaemonSet's eligible nodes): terms are ORed, a term's requirements
 * ANDed, a term without requirements matches no node; {@code matchExpressions} read the node's labels
 * (In, NotIn, Exists, DoesNotExist, and Gt/Lt comparing integers) and {@code matchFields} may name only
 * {@code metadata.name}.
 */
public final class NodeSelectors {

    private static final String NAME_FIELD = "metadata.name";

    private NodeSelectors() {
    }

    /** Whether the node matches any of the terms; no terms at all match no node. */
    public static boolean matchesAnyTerm(List<NodeSelectorTerm> terms, Node node) {
        return terms != null && terms.stream().anyMatch(term -> matches(term, node));
    }

    /** Whether the node meets every requirement of the term (and the term has at least one). */
    public static boolean matches(NodeSelectorTerm term, Node node) {
        List<NodeSelectorRequirement> expressions = Objects.requireNonNullElse(term.getMatchExpressions(), List.of());
        List<NodeSelectorRequirement> fields = Objects.requireNonNullElse(term.getMatchFields(), List.of());
        if (expressions.isEmpty() && fields.isEmpty()) {
            return false;
        }
        Map<String, String> labels = Objects.requireNonNullElse(node.getMetadata().getLabels(), Map.of());
        for (NodeSelectorRequirement requirement : expressions) {
            if (!satisfies(requirement, labels.get(requirement.getKey()))) {
                return false;
            }
        }
        for (NodeSelectorRequirement requirement : fields) {
            if (!NAME_FIELD.equals(requirement.getKey())
                    || !satisfies(requirement, node.getMetadata().getName())) {
                return false;
            }
        }
        return true;
    }

    /** Whether a label's (or field's) value, null when absent, meets the requirement. */
    public static boolean satisfies(NodeSelectorRequirement requirement, String value) {
        List<String> values = Objects.requireNonNullElse(requirement.getValues(), List.of());
        return switch (requirement.getOperator()) {
            case "In" -> value != null && values.contains(value);
            case "NotIn" -> value == null || !values.contains(value);
            case "Exists" -> value != null;
            case "DoesNotExist" -> value == null;
            case "Gt", "Lt" -> {
                if (value == null || values.size() != 1) {
                    yield false;
                }
                try {
                    long actual = Long.parseLong(value);
                    long bound = Long.parseLong(values.getFirst());
                    yield requirement.getOperator().equals("Gt") ? actual > bound : actual < bound;
                } catch (NumberFormatException e) {
                    yield false;
                }
            }
            default -> false;
        };
    }
}
