package io.kybern.scheduler.plugins;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/**
 * The matching rules plugins share, as Kubernetes defines them: label selectors (a missing selector
 * matches nothing, an empty one everything), node selector terms (In, NotIn, Exists, DoesNotExist, Gt,
 * Lt; matchFields on metadata.name), and tolerations against taints.
 */
final class Matching {

    private Matching() {
    }

    static Map<String, String> labels(Map<String, String> labels) {
        return labels == null ? Map.of() : labels;
    }

    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        Map<String, String> actual = labels(labels);
        if (selector.getMatchLabels() != null) {
            for (var entry : selector.getMatchLabels().entrySet()) {
                if (!entry.getValue().equals(actual.get(entry.getKey()))) {
                    return false;
                }
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
                String value = actual.get(requirement.getKey());
                List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
                boolean ok = switch (requirement.getOperator()) {
                    case "In" -> value != null && values.contains(value);
                    case "NotIn" -> value == null || !values.contains(value);
                    case "Exists" -> actual.containsKey(requirement.getKey());
                    case "DoesNotExist" -> !actual.containsKey(requirement.getKey());
                    default -> false;
                };
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether the node matches any of the terms (terms are ORed; a term without requirements matches nothing). */
    static boolean matchesAnyTerm(List<NodeSelectorTerm> terms, Node node) {
        for (NodeSelectorTerm term : terms) {
            if (matches(term, node)) {
                return true;
            }
        }
        return false;
    }

    /** A term's requirements are ANDed; an empty term matches no node, as in Kubernetes. */
    static boolean matches(NodeSelectorTerm term, Node node) {
        List<NodeSelectorRequirement> expressions = term.getMatchExpressions() == null ? List.of()
                : term.getMatchExpressions();
        List<NodeSelectorRequirement> fields = term.getMatchFields() == null ? List.of() : term.getMatchFields();
        if (expressions.isEmpty() && fields.isEmpty()) {
            return false;
        }
        Map<String, String> labels = labels(node.getMetadata().getLabels());
        for (NodeSelectorRequirement requirement : expressions) {
            if (!matches(requirement, labels)) {
                return false;
            }
        }
        for (NodeSelectorRequirement requirement : fields) {
            // metadata.name is the only field a node selector may name.
            if (!"metadata.name".equals(requirement.getKey())
                    || !matches(requirement, Map.of("metadata.name", node.getMetadata().getName()))) {
                return false;
            }
        }
        return true;
    }

    static boolean matches(NodeSelectorRequirement requirement, Map<String, String> labels) {
        String value = labels.get(requirement.getKey());
        List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
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

    static boolean tolerates(List<Toleration> tolerations, Taint taint) {
        if (tolerations == null) {
            return false;
        }
        for (Toleration toleration : tolerations) {
            if (tolerates(toleration, taint)) {
                return true;
            }
        }
        return false;
    }

    static boolean tolerates(Toleration toleration, Taint taint) {
        String effect = toleration.getEffect();
        if (effect != null && !effect.isEmpty() && !effect.equals(taint.getEffect())) {
            return false;
        }
        String key = toleration.getKey();
        String operator = toleration.getOperator() == null || toleration.getOperator().isEmpty() ? "Equal"
                : toleration.getOperator();
        if (key == null || key.isEmpty()) {
            return operator.equals("Exists");
        }
        if (!key.equals(taint.getKey())) {
            return false;
        }
        return switch (operator) {
            case "Exists" -> true;
            case "Equal" -> nullToEmpty(toleration.getValue()).equals(nullToEmpty(taint.getValue()));
            default -> false;
        };
    }

    static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
