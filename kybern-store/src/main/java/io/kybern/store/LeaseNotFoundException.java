package io.kybern.store;

/** The lease does not exist: it never did, it expired or it was revoked. */
public final class LeaseNotFoundException extends StoreException {

    public LeaseNotFoundException(long lease) {
        super("lease " + lease + " not found");
    }
}
