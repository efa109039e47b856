package io.kybern.images.registry;

/**
 * The error codes of the OCI distribution spec, with the HTTP status and message the reference registry
 * (distribution) answers them with. The body is {@code {"errors":[{"code","message","detail"}]}}.
 */
public enum RegistryError {
    BLOB_UNKNOWN(404, "blob unknown to registry"),
    BLOB_UPLOAD_INVALID(400, "blob upload invalid"),
    BLOB_UPLOAD_UNKNOWN(404, "blob upload unknown to registry"),
    DIGEST_INVALID(400, "provided digest did not match uploaded content"),
    MANIFEST_BLOB_UNKNOWN(400, "blob unknown to registry"),
    MANIFEST_INVALID(400, "manifest invalid"),
    MANIFEST_UNKNOWN(404, "manifest unknown"),
    NAME_INVALID(400, "invalid repository name"),
    NAME_UNKNOWN(404, "repository name not known to registry"),
    SIZE_INVALID(400, "provided length did not match content length"),
    UNSUPPORTED(405, "The operation is unsupported."),
    /** Not one of the spec's codes, but its answer for a chunk that does not continue the upload. */
    RANGE_INVALID(416, "invalid content range");

    private final int status;
    private final String message;

    RegistryError(int status, String message) {
        this.status = status;
        this.message = message;
    }

    public int status() {
        return status;
    }

    public String message() {
        return message;
    }

    /** This error as an exception carrying a detail for the client. */
    public Failure failure(Object detail) {
        return new Failure(this, detail);
    }

    /** Thrown inside the request handling to answer with an error. */
    public static final class Failure extends RuntimeException {
        private final RegistryError error;
        private final transient Object detail;

        Failure(RegistryError error, Object detail) {
            super(error.name() + ": " + detail, null, false, false);
            this.error = error;
            this.detail = detail;
        }

        public RegistryError error() {
            return error;
        }

        public Object detail() {
            return detail;
        }
    }
}
