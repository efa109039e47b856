package io.kybern.controllers.runtime;

import io.kybern.api.selector.LabelSelector;
import io.kybern.api.selector.LabelSelectors;
import java.util.Map;
import java.util.function.Predicate;
import tools.jackson.databind.json.JsonMapper;

/**
 * fabric8's label selectors as predicates over labels, matched by kybern-api's selector so controllers
 * select exactly as the API server lists. A controller without a selector selects nothing: it must not
 * claim every pod of its namespace.
 */
public final class Selectors {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Selectors() {
    }

    /** A structured selector ({@code matchLabels}, {@code matchExpressions}). */
    public static Predicate<Map<String, String>> of(io.fabric8.kubernetes.api.model.LabelSelector selector) {
        if (selector == null || ((selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
                && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty()))) {
            return labels -> false;
        }
        return matcher(LabelSelectors.of(JSON.valueToTree(selector)));
    }

    /** A plain map selector (ReplicationController, Service). */
    public static Predicate<Map<String, String>> ofMap(Map<String, String> selector) {
        if (selector == null || selector.isEmpty()) {
            return labels -> false;
        }
        return matcher(LabelSelector.parse(LabelSelectors.mapToText(JSON.valueToTree(selector))));
    }

    private static Predicate<Map<String, String>> matcher(LabelSelector selector) {
        return labels -> selector.matches(labels == null ? Map.of() : labels);
    }
}
