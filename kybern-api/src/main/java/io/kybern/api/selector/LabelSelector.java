package io.kybern.api.selector;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A label selector in Kubernetes' string form: requirements joined by commas, each one of
 * {@code key=value}, {@code key==value}, {@code key!=value}, {@code key in (a,b)},
 * {@code key notin (a,b)}, {@code key} (exists) or {@code !key} (does not exist). All must hold.
 */
public record LabelSelector(List<Requirement> requirements) {

    public enum Operator { EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, DOES_NOT_EXIST }

    public record Requirement(String key, Operator operator, Set<String> values) {

        boolean matches(Map<String, String> labels) {
            String value = labels.get(key);
            return switch (operator) {
                case EQUALS, IN -> value != null && values.contains(value);
                // As in Kubernetes, a missing label satisfies != and notin.
                case NOT_EQUALS, NOT_IN -> value == null || !values.contains(value);
                case EXISTS -> value != null;
                case DOES_NOT_EXIST -> value == null;
            };
        }
    }

    public static final LabelSelector EVERYTHING = new LabelSelector(List.of());

    public LabelSelector {
        requirements = List.copyOf(requirements);
    }

    public boolean matches(Map<String, String> labels) {
        return requirements.stream().allMatch(r -> r.matches(labels));
    }

    /** @throws IllegalArgumentException with a message saying what is wrong */
    public static LabelSelector parse(String selector) {
        if (selector == null || selector.isBlank()) {
            return EVERYTHING;
        }
        List<Requirement> requirements = new ArrayList<>();
        for (String part : splitTopLevel(selector)) {
            requirements.add(requirement(part.strip(), selector));
        }
        return new LabelSelector(requirements);
    }

    private static Requirement requirement(String part, String whole) {
        if (part.isEmpty()) {
            throw new IllegalArgumentException("unable to parse requirement: empty requirement in '" + whole + "'");
        }
        String[] words = part.split("\\s+", 3);
        if (words.length >= 2 && (words[1].equals("in") || words[1].equals("notin"))) {
            String rest = part.substring(part.indexOf(words[1]) + words[1].length()).strip();
            if (!rest.startsWith("(") || !rest.endsWith(")")) {
                throw new IllegalArgumentException("unable to parse requirement: found '" + rest
                        + "', expected: '(' and ')' around the values");
            }
            Set<String> values = Set.copyOf(splitValues(rest.substring(1, rest.length() - 1)));
            return new Requirement(checkKey(words[0]), words[1].equals("in") ? Operator.IN : Operator.NOT_IN, values);
        }
        int ne = part.indexOf("!=");
        if (ne > 0) {
            return new Requirement(checkKey(part.substring(0, ne).strip()), Operator.NOT_EQUALS,
                    Set.of(part.substring(ne + 2).strip()));
        }
        int eq = part.indexOf('=');
        if (eq > 0) {
            int valueStart = part.startsWith("==", eq) ? eq + 2 : eq + 1;
            return new Requirement(checkKey(part.substring(0, eq).strip()), Operator.EQUALS,
                    Set.of(part.substring(valueStart).strip()));
        }
        if (part.startsWith("!")) {
            return new Requirement(checkKey(part.substring(1).strip()), Operator.DOES_NOT_EXIST, Set.of());
        }
        return new Requirement(checkKey(part), Operator.EXISTS, Set.of());
    }

    private static String checkKey(String key) {
        if (key.isEmpty() || key.contains(" ") || key.contains("(") || key.contains(")")) {
            throw new IllegalArgumentException("unable to parse requirement: invalid label key '" + key + "'");
        }
        return key;
    }

    private static List<String> splitValues(String values) {
        List<String> out = new ArrayList<>();
        for (String v : values.split(",")) {
            out.add(v.strip());
        }
        return out;
    }

    /** Splits on commas that are not inside parentheses. */
    private static List<String> splitTopLevel(String s) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }
}
