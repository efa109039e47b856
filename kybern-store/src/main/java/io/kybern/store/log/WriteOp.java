package io.kybern.store.log;

import io.kybern.store.Store;

/** A write request as the embedded backends queue and apply it. */
public sealed interface WriteOp {

    String key();

    /** Writes the key only if it does not exist. */
    record Create(String key, byte[] value, long lease) implements WriteOp {
        public Create {
            Store.checkValueSize(key, value);
        }
    }

    /** Writes the key only if its modRevision equals {@code expected}. */
    record Update(String key, byte[] value, long expected, long lease) implements WriteOp {
        public Update {
            Store.checkValueSize(key, value);
            requirePositive(expected);
        }
    }

    /** Writes the key unconditionally. */
    record Put(String key, byte[] value, long lease) implements WriteOp {
        public Put {
            Store.checkValueSize(key, value);
        }
    }

    /** Deletes the key, only if its modRevision equals {@code expected} unless that is {@code ANY}. */
    record Delete(String key, long expected) implements WriteOp {
        public static final long ANY = 0;

        /** A compare-and-swap delete. */
        public static Delete of(String key, long expected) {
            return new Delete(key, requirePositive(expected));
        }
    }

    static long requirePositive(long expectedModRevision) {
        if (expectedModRevision <= 0) {
            throw new IllegalArgumentException("expected modRevision must be positive: " + expectedModRevision);
        }
        return expectedModRevision;
    }
}
