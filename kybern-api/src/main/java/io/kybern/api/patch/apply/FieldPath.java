package io.kybern.api.patch.apply;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The path of one field in an object, as a list of the path elements managedFields' {@code FieldsV1}
 * format uses: {@code f:<name>} for a field, {@code k:<json>} for the element of a keyed list with
 * those key values, {@code v:<json>} for the element of a set with that value.
 */
public record FieldPath(List<String> elements) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public static final FieldPath ROOT = new FieldPath(List.of());

    public FieldPath {
        elements = List.copyOf(elements);
    }

    public FieldPath child(String element) {
        List<String> longer = new ArrayList<>(elements);
        longer.add(element);
        return new FieldPath(longer);
    }

    public FieldPath field(String name) {
        return child("f:" + name);
    }

    /** Whether this path is {@code prefix} or lies below it. */
    public boolean startsWith(FieldPath prefix) {
        return elements.size() >= prefix.elements.size()
                && elements.subList(0, prefix.elements.size()).equals(prefix.elements);
    }

    public boolean isRoot() {
        return elements.isEmpty();
    }

    /**
     * As Kubernetes prints paths in apply conflicts: {@code .spec.replicas},
     * {@code .spec.containers[name="app"].image}, {@code .metadata.finalizers[="x"]}.
     */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (String element : elements) {
            String rest = element.substring(2);
            switch (element.charAt(0)) {
                case 'f' -> text.append('.').append(rest);
                case 'k' -> {
                    text.append('[');
                    boolean first = true;
                    for (Map.Entry<String, JsonNode> key : JSON.readTree(rest).properties()) {
                        if (!first) {
                            text.append(',');
                        }
                        first = false;
                        text.append(key.getKey()).append('=').append(key.getValue());
                    }
                    text.append(']');
                }
                case 'v' -> text.append("[=").append(rest).append(']');
                default -> text.append('[').append(rest).append(']');
            }
        }
        return text.toString();
    }
}
