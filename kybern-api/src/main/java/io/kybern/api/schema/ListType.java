package io.kybern.api.schema;

/**
 * How server-side apply and strategic merge treat the items of a list
 * ({@code x-kubernetes-list-type}).
 */
public enum ListType {
    /** The list is replaced whole. */
    ATOMIC("atomic"),
    /** Items are scalars, each appearing once, owned one by one. */
    SET("set"),
    /** Items are objects identified by their {@link Field#listMapKeys()}, owned one by one. */
    MAP("map");

    private final String value;

    ListType(String value) {
        this.value = value;
    }

    /** As OpenAPI writes it. */
    public String value() {
        return value;
    }

    static ListType parse(String value) {
        for (ListType t : values()) {
            if (t.value.equals(value)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown list type " + value);
    }
}
