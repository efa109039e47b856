package io.kybern.api.table;

/** What each table row carries besides its cells, as the {@code includeObject} parameter asks. */
public enum IncludeObject {
    /** Nothing. */
    NONE,
    /** A {@code PartialObjectMetadata}: enough for clients to name, sort and label rows. The default. */
    METADATA,
    /** The whole object. */
    OBJECT;

    /**
     * Parses the parameter's value ({@code None}, {@code Metadata}, {@code Object}); null or empty means
     * Metadata.
     *
     * @throws IllegalArgumentException for any other value
     */
    public static IncludeObject parse(String value) {
        if (value == null || value.isEmpty()) {
            return METADATA;
        }
        return switch (value) {
            case "None" -> NONE;
            case "Metadata" -> METADATA;
            case "Object" -> OBJECT;
            default -> throw new IllegalArgumentException("includeObject must be one of None, Metadata or Object,"
                    + " not " + value);
        };
    }
}
