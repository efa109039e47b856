package io.kybern.api.table;

/**
 * One column of a table, as {@code meta.k8s.io/v1 TableColumnDefinition} describes it.
 *
 * @param name        the header, which kubectl prints upper case
 * @param type        an OpenAPI type: {@code string}, {@code integer}, {@code number}, {@code boolean}, {@code date}
 * @param format      an OpenAPI format hint; {@code name} marks the column that names the object
 * @param description what the column shows
 * @param priority    0 for the default view, 1 for columns kubectl shows only with {@code -o wide}
 */
public record TableColumn(String name, String type, String format, String description, int priority) {

    /** Kubernetes' description of {@code metadata.name}, which every table's Name column carries. */
    static final String NAME_DESCRIPTION = "Name must be unique within a namespace. Is required when creating "
            + "resources, although some resources may allow a client to request the generation of an appropriate "
            + "name automatically. Name is primarily intended for creation idempotence and configuration definition. "
            + "Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

    /** Kubernetes' description of {@code metadata.creationTimestamp}, carried by Age and Created At. */
    public static final String CREATION_DESCRIPTION = "CreationTimestamp is a timestamp representing the server time when "
            + "this object was created. It is not guaranteed to be set in happens-before order across separate "
            + "operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\n"
            + "Populated by the system. Read-only. Null for lists. More info: "
            + "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

    public static TableColumn nameColumn() {
        return new TableColumn("Name", "string", "name", NAME_DESCRIPTION, 0);
    }

    static TableColumn ageColumn() {
        return new TableColumn("Age", "string", "", CREATION_DESCRIPTION, 0);
    }

    static TableColumn string(String name, String description) {
        return new TableColumn(name, "string", "", description, 0);
    }

    static TableColumn integer(String name, String description) {
        return new TableColumn(name, "integer", "", description, 0);
    }

    /** The same column, shown only with {@code -o wide}. */
    TableColumn wide() {
        return new TableColumn(name, type, format, description, 1);
    }
}
