package io.kybern.apiserver.registry;

import tools.jackson.databind.node.ObjectNode;

/**
 * What one kind needs done around the generic storage's writes, beyond defaulting and validation:
 * resources outside the object itself that must be claimed when it is written and given back when it is
 * gone (a Service's cluster IP and node ports). Claims are made before the object is stored and released
 * if storing fails, so a crash in between can only leak a claim, never give one out twice; a repair pass
 * finds leaks.
 *
 * <p>Called on the request's thread; implementations must be safe from any thread.
 */
public interface WriteHooks {

    /** Claims what a new object needs, filling it in; throws ApiException when a claim cannot be made. */
    default void beforeCreate(ObjectNode object, boolean dryRun) {
    }

    /** Claims what an updated object newly needs and keeps what it still uses; see {@link #beforeCreate}. */
    default void beforeUpdate(ObjectNode existing, ObjectNode updated, boolean dryRun) {
    }

    /** The object {@code attempted} was not stored: gives back what {@code before*} claimed for it. */
    default void writeFailed(ObjectNode existing, ObjectNode attempted) {
    }

    /** The update was stored: gives back what {@code existing} used and {@code updated} no longer does. */
    default void afterUpdate(ObjectNode existing, ObjectNode updated) {
    }

    /** The object is gone: gives back everything it held. */
    default void afterDelete(ObjectNode deleted) {
    }

    WriteHooks NONE = new WriteHooks() {
    };
}
