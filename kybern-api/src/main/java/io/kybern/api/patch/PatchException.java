package io.kybern.api.patch;

/**
 * A patch that could not be applied.
 *
 * @see #malformed() whether the patch itself is unreadable (a 400) rather than inapplicable to the
 *      object (a 422)
 */
public final class PatchException extends RuntimeException {

    private final boolean malformed;

    public PatchException(String message, boolean malformed) {
        super(message);
        this.malformed = malformed;
    }

    public boolean malformed() {
        return malformed;
    }
}
