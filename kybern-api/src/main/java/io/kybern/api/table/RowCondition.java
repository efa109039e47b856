package io.kybern.api.table;

/**
 * A condition of a table row ({@code meta.k8s.io/v1 TableRowCondition}); Kubernetes marks the rows of
 * finished pods {@code Completed} so that clients may hide or dim them.
 */
public record RowCondition(String type, String status, String reason, String message) {
}
