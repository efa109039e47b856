package io.kybern.apiserver.registry;

import io.kybern.api.resource.ResourceType;
import io.kybern.api.validation.FieldError;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * Rules for kinds the server learns while it runs (custom resources), beyond what every kind shares:
 * defaulting and validation from their schemas, a generation kept for every one of them, and the form
 * they are stored in (one storage version, whatever version a client reads or writes).
 *
 * <p>Called on request threads; implementations must be safe from any thread.
 */
public interface KindRules {

    /** Readies a new object before it is defaulted (a status the client may not set is dropped). */
    default void prepareForCreate(ResourceType type, ObjectNode object) {
    }

    /** Fills in defaults of an object about to be written (created, updated, or its status changed). */
    default void prepare(ResourceType type, ObjectNode object) {
    }

    /** What is wrong with an object about to be written; nothing is stored when this is not empty. */
    default List<FieldError> validate(ResourceType type, ObjectNode object) {
        return List.of();
    }

    /** Whether objects of the type count their changes of intent in {@code metadata.generation}. */
    default boolean tracksGeneration(ResourceType type) {
        return false;
    }

    /** The object as it is stored; may be the object itself when nothing changes. */
    default ObjectNode toStorage(ResourceType type, ObjectNode object) {
        return object;
    }

    /** A stored object as a reader of {@code type} sees it; may change and return the object given. */
    default ObjectNode fromStorage(ResourceType type, ObjectNode stored) {
        return stored;
    }

    KindRules NONE = new KindRules() {
    };
}
