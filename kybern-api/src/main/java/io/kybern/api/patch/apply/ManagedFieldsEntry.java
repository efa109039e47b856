package io.kybern.api.patch.apply;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * One entry of {@code metadata.managedFields}: the fields one manager owns through one kind of
 * operation.
 *
 * @param manager     the field manager's name
 * @param operation   {@code Apply} or {@code Update}
 * @param apiVersion  the API version the manager wrote in
 * @param time        when it last changed what it owns, RFC 3339 in seconds
 * @param subresource the subresource written through, or empty
 * @param fields      the paths it owns
 */
public record ManagedFieldsEntry(String manager, String operation, String apiVersion, String time,
        String subresource, Set<FieldPath> fields) {

    public static final String APPLY = "Apply";
    public static final String UPDATE = "Update";

    public ManagedFieldsEntry {
        Objects.requireNonNull(manager, "manager");
        Objects.requireNonNull(operation, "operation");
        apiVersion = apiVersion == null ? "" : apiVersion;
        time = time == null ? "" : time;
        subresource = subresource == null ? "" : subresource;
        fields = Collections.unmodifiableSet(new LinkedHashSet<>(fields));
    }

    /** Whether this entry is the one of {@code manager} through {@code operation} on {@code subresource}. */
    boolean is(String manager, String operation, String subresource) {
        return this.manager.equals(manager) && this.operation.equals(operation)
                && this.subresource.equals(subresource);
    }

    ManagedFieldsEntry withFields(Set<FieldPath> fields) {
        return new ManagedFieldsEntry(manager, operation, apiVersion, time, subresource, fields);
    }

    /** How apply conflicts name the manager: Kubernetes adds the API version for updates. */
    String describe() {
        return operation.equals(UPDATE) ? "\"" + manager + "\" using " + apiVersion : "\"" + manager + "\"";
    }
}
