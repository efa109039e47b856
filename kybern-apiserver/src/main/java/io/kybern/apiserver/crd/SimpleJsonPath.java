package io.kybern.apiserver.crd;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The JSON paths of printer columns and the scale subresource: fields ({@code .spec.replicas}), array
 * indexes ({@code .spec.items[0]}), quoted keys ({@code .metadata.labels['app.kubernetes.io/name']}) and
 * the equality filter operators use for conditions ({@code .status.conditions[?(@.type=="Ready")].status}).
 * Missing fields yield nothing, as kubectl's JSONPath with missing keys allowed does.
 */
final class SimpleJsonPath {

    private sealed interface Step permits Field, Index, Filter {
    }

    private record Field(String name) implements Step {
    }

    private record Index(int index) implements Step {
    }

    private record Filter(List<String> fields, String value) implements Step {
    }

    private final List<Step> steps;

    private SimpleJsonPath(List<Step> steps) {
        this.steps = steps;
    }

    static boolean valid(String path) {
        try {
            parse(path);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static SimpleJsonPath parse(String path) {
        String text = path.strip();
        if (text.startsWith("{") && text.endsWith("}")) {
            text = text.substring(1, text.length() - 1);
        }
        if (!text.startsWith(".") && !text.startsWith("[")) {
            throw new IllegalArgumentException("a path starts with a dot: " + path);
        }
        List<Step> steps = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '.') {
                int end = i + 1;
                while (end < text.length() && text.charAt(end) != '.' && text.charAt(end) != '[') {
                    end++;
                }
                if (end == i + 1) {
                    throw new IllegalArgumentException("empty field in " + path);
                }
                steps.add(new Field(text.substring(i + 1, end)));
                i = end;
            } else if (c == '[') {
                int end = closing(text, i);
                steps.add(bracket(text.substring(i + 1, end), path));
                i = end + 1;
            } else {
                throw new IllegalArgumentException("unexpected '" + c + "' in " + path);
            }
        }
        return new SimpleJsonPath(steps);
    }

    private static int closing(String text, int open) {
        boolean quoted = false;
        char quote = 0;
        for (int i = open + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                quoted = c != quote;
            } else if (c == '\'' || c == '"') {
                quoted = true;
                quote = c;
            } else if (c == ']') {
                return i;
            }
        }
        throw new IllegalArgumentException("unclosed [ in " + text);
    }

    private static Step bracket(String inside, String path) {
        String s = inside.strip();
        if (s.matches("\\d+")) {
            return new Index(Integer.parseInt(s));
        }
        if (s.length() >= 2 && (s.startsWith("'") && s.endsWith("'") || s.startsWith("\"") && s.endsWith("\""))) {
            return new Field(s.substring(1, s.length() - 1));
        }
        if (s.startsWith("?(@.") && s.endsWith(")")) {
            String[] parts = s.substring(4, s.length() - 1).split("==", 2);
            if (parts.length == 2) {
                String value = parts[1].strip();
                if (value.length() >= 2 && (value.startsWith("\"") || value.startsWith("'"))) {
                    value = value.substring(1, value.length() - 1);
                }
                return new Filter(List.of(parts[0].strip().split("\\.")), value);
            }
        }
        throw new IllegalArgumentException("unsupported [" + inside + "] in " + path);
    }

    /** The values the path reaches, in order; empty when it reaches nothing. */
    List<JsonNode> find(JsonNode root) {
        List<JsonNode> current = List.of(root);
        for (Step step : steps) {
            List<JsonNode> next = new ArrayList<>();
            for (JsonNode node : current) {
                switch (step) {
                    case Field f -> {
                        JsonNode value = node.get(f.name());
                        if (value != null) {
                            next.add(value);
                        }
                    }
                    case Index ix -> {
                        if (node.isArray() && ix.index() < node.size()) {
                            next.add(node.get(ix.index()));
                        }
                    }
                    case Filter filter -> {
                        for (JsonNode element : node) {
                            JsonNode value = element;
                            for (String field : filter.fields()) {
                                value = value.path(field);
                            }
                            if (value.isValueNode() && value.asString("").equals(filter.value())) {
                                next.add(element);
                            }
                        }
                    }
                }
            }
            current = next;
        }
        return current;
    }

    /** The fields of a path made of fields only ({@code .spec.replicas} is spec, replicas); for writing. */
    List<String> fields() {
        List<String> fields = new ArrayList<>();
        for (Step step : steps) {
            if (!(step instanceof Field f)) {
                throw new IllegalArgumentException("not a path of fields");
            }
            fields.add(f.name());
        }
        return fields;
    }
}
