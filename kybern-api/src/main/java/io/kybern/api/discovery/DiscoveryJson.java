package io.kybern.api.discovery;

import io.kybern.api.resource.GroupVersion;
import io.kybern.api.resource.GroupVersionKind;
import io.kybern.api.resource.ResourceType;
import io.kybern.api.resource.Subresource;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** What both kinds of discovery document share: ordering, verb lists and the kinds they name. */
final class DiscoveryJson {

    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private DiscoveryJson() {
    }

    /** Resources as kube-apiserver lists them: alphabetically by plural. */
    static List<ResourceType> sortedByName(Collection<ResourceType> types) {
        return types.stream().sorted(Comparator.comparing(t -> t.gvr().resource())).toList();
    }

    /** Subresources alphabetically by name, the order they come out of the sorted path list in. */
    static List<Subresource> sortedSubresources(ResourceType type) {
        return type.subresources().stream().sorted(Comparator.comparing(Subresource::name)).toList();
    }

    /** Verbs are sorted in every discovery document. */
    static void putSortedStrings(ObjectNode target, String field, Collection<String> values) {
        ArrayNode array = target.putArray(field);
        values.stream().sorted().forEach(array::add);
    }

    /** Short names and categories keep their order, and are left out when empty. */
    static void putStringsIfAny(ObjectNode target, String field, List<String> values) {
        if (!values.isEmpty()) {
            ArrayNode array = target.putArray(field);
            values.forEach(array::add);
        }
    }

    /** Whether a kind belongs to another group-version than the one its resource is served in. */
    static boolean isForeign(GroupVersionKind kind, GroupVersion servedIn) {
        return !kind.groupVersion().equals(servedIn);
    }
}
