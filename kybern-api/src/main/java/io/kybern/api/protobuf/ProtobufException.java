package io.kybern.api.protobuf;

/**
 * A body that cannot be converted: malformed protobuf, a kind without a protobuf message, or a value
 * that does not fit its field. Clients' bodies that fail so are refused with 400; a response that
 * fails so is sent as JSON instead (see {@link #unmappable()}).
 */
public final class ProtobufException extends RuntimeException {

    private final boolean unmappable;

    ProtobufException(String message) {
        this(message, false);
    }

    private ProtobufException(String message, boolean unmappable) {
        super(message);
        this.unmappable = unmappable;
    }

    /** A JSON field that has no protobuf counterpart, so protobuf cannot carry the object whole. */
    static ProtobufException unmappable(String path) {
        return new ProtobufException("the field " + path + " has no protobuf counterpart", true);
    }

    /**
     * Whether the failure is a JSON field (or kind) that protobuf cannot carry, as opposed to bytes
     * that are not a valid encoding.
     */
    public boolean unmappable() {
        return unmappable;
    }

    static ProtobufException noMessage(String apiVersion, String kind) {
        return new ProtobufException("no protobuf message is known for " + kind + " in " + apiVersion, true);
    }
}
