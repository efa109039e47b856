package io.kybern.api.selector;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A field selector: {@code field=value}, {@code field==value} or {@code field!=value}, joined by
 * commas. Which fields may be used depends on the kind; the caller supplies how to read them.
 */
public record FieldSelector(List<Term> terms) {

    public record Term(String field, boolean equal, String value) {
    }

    public static final FieldSelector EVERYTHING = new FieldSelector(List.of());

    public FieldSelector {
        terms = List.copyOf(terms);
    }

    public static FieldSelector parse(String selector) {
        if (selector == null || selector.isBlank()) {
            return EVERYTHING;
        }
        List<Term> terms = new ArrayList<>();
        for (String part : selector.split(",")) {
            String p = part.strip();
            int ne = p.indexOf("!=");
            int eq = p.indexOf('=');
            if (ne > 0) {
                terms.add(new Term(p.substring(0, ne).strip(), false, p.substring(ne + 2).strip()));
            } else if (eq > 0) {
                int valueStart = p.startsWith("==", eq) ? eq + 2 : eq + 1;
                terms.add(new Term(p.substring(0, eq).strip(), true, p.substring(valueStart).strip()));
            } else {
                throw new IllegalArgumentException("invalid selector: '" + selector
                        + "'; can't understand '" + p + "'");
            }
        }
        return new FieldSelector(terms);
    }

    /** Whether an object matches, reading each field with {@code fields} (null for an absent field). */
    public boolean matches(Function<String, String> fields) {
        for (Term term : terms) {
            String actual = fields.apply(term.field());
            String value = actual == null ? "" : actual;
            if (term.equal() != value.equals(term.value())) {
                return false;
            }
        }
        return true;
    }
}
