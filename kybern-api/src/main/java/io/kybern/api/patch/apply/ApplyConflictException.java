package io.kybern.api.patch.apply;

import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.List;
import java.util.Map;

/**
 * An apply that would change fields other managers own. The message is Kubernetes' own:
 * {@code Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas}.
 */
public final class ApplyConflictException extends RuntimeException {

    /** One conflicting field and the manager that owns it, as Kubernetes describes them. */
    public record Conflict(String manager, FieldPath path) {

        /** The {@code details.causes[].message} of this conflict. */
        public String message() {
            return "conflict with " + manager;
        }
    }

    private final List<Conflict> conflicts;

    public ApplyConflictException(List<Conflict> conflicts) {
        super(describe(conflicts));
        this.conflicts = List.copyOf(conflicts);
    }

    public List<Conflict> conflicts() {
        return conflicts;
    }

    /** One conflict on one line; several grouped by manager, managers sorted, one path per line. */
    private static String describe(List<Conflict> conflicts) {
        if (conflicts.size() == 1) {
            Conflict only = conflicts.getFirst();
            return "Apply failed with 1 conflict: " + only.message() + ": " + only.path();
        }
        Map<String, Set<String>> byManager = new TreeMap<>();
        for (Conflict conflict : conflicts) {
            byManager.computeIfAbsent(conflict.manager(), m -> new TreeSet<>()).add(conflict.path().toString());
        }
        StringJoiner lines = new StringJoiner("\n");
        byManager.forEach((manager, paths) -> {
            lines.add("conflicts with " + manager + ":");
            paths.forEach(path -> lines.add("- " + path));
        });
        return "Apply failed with " + conflicts.size() + " conflicts: " + lines;
    }
}
