package io.kybern.api.patch.apply;

import java.util.LinkedHashMap;
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

    private static String describe(List<Conflict> conflicts) {
        StringBuilder text = new StringBuilder("Apply failed with ").append(conflicts.size())
                .append(conflicts.size() == 1 ? " conflict: " : " conflicts: ");
        if (conflicts.size() == 1) {
            Conflict only = conflicts.getFirst();
            return text.append(only.message()).append(": ").append(only.path()).toString();
        }
        Map<String, StringBuilder> byManager = new LinkedHashMap<>();
        for (Conflict conflict : conflicts) {
            byManager.computeIfAbsent(conflict.manager(), m -> new StringBuilder()).append("\n- ")
                    .append(conflict.path());
        }
        text.append("conflicts with");
        if (byManager.size() == 1) {
            byManager.forEach((manager, paths) -> text.append(' ').append(manager).append(':').append(paths));
        } else {
            byManager.forEach((manager, paths) -> text.append('\n').append(manager).append(':').append(paths));
        }
        return text.toString();
    }
}
