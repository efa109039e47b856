package io.kybern.apiserver.registry;

import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Namespaces as an informer sees them, which creates consult before the store to learn that a namespace
 * exists and is not terminating, as Kubernetes' NamespaceLifecycle admission reads its lister: a store read
 * for every create cost more than the rest of the namespace check. The view may lag the store by its watch's
 * delay, so {@link ObjectStorage} takes only an active namespace on its word and asks the store otherwise.
 */
@FunctionalInterface
public interface NamespaceView {

    /** A view that has seen nothing: every check reads the store. */
    NamespaceView NONE = name -> Optional.empty();

    /** The namespace as last seen, or empty when it was not (absent, created a moment ago, or the view not filled). */
    Optional<JsonNode> namespace(String name);
}
