package io.kybern.api.schema;

/** How server-side apply treats a map or nested object ({@code x-kubernetes-map-type}). */
public enum MapType {
    /** The map is replaced whole. */
    ATOMIC("atomic"),
    /** Each key is owned on its own (the default). */
    GRANULAR("granular");

    private final String value;

    MapType(String value) {
        this.value = value;
    }

    /** As OpenAPI writes it. */
    public String value() {
        return value;
    }

    static MapType parse(String value) {
        for (MapType t : values()) {
            if (t.value.equals(value)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown map type " + value);
    }
}
