package io.kybern.api.aggregation;

import io.kybern.api.resource.ResourceType;
import java.util.List;
import java.util.Optional;

/**
 * A read-only API group served by something beside the API server's storage, the way kube-apiserver's
 * aggregation layer serves {@code metrics.k8s.io} from metrics-server: registered with the API server, it
 * appears in discovery and answers get and list under its group's path, and disappears when closed. Its
 * objects are computed when asked, never stored. Kybern's in-process counterpart of an APIService.
 *
 * <p>Threading: called on the API server's request threads, concurrently.
 */
public interface AggregatedApi {

    /** The resources it serves (verbs {@code get} and {@code list}), all of one group-version. */
    List<ResourceType> resources();

    /** The object's JSON, or empty when there is none of that name. */
    Optional<String> get(ResourceType type, String namespace, String name);

    /**
     * The JSON of a list of every object of {@code type} in {@code namespace} (every namespace when empty); the
     * API server applies the request's label and field selectors to its items.
     */
    String list(ResourceType type, String namespace);
}
