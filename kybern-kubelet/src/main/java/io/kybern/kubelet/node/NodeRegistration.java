package io.kybern.kubelet.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A node agent's own Node object: created with its status at registration, as kubelet does, or taken over
 * when it exists already (a restarted agent), and its status posted afterwards.
 */
public final class NodeRegistration {

    private final KubernetesClient client;

    public NodeRegistration(KubernetesClient client) {
        this.client = client;
    }

    /**
     * Registers the node: creates it, or, when a Node of that name exists, sets the labels the agent owns
     * and posts the new status, keeping what others wrote (taints, other labels). Returns the Node as
     * stored, with its uid.
     */
    public Node register(Node desired) {
        try {
            return client.nodes().resource(desired).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
        String name = desired.getMetadata().getName();
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("labels", desired.getMetadata().getLabels());
        client.nodes().resource(named(name)).patch(PatchContext.of(PatchType.JSON_MERGE),
                client.getKubernetesSerialization().asJson(Map.of("metadata", metadata)));
        return postStatus(name, desired.getStatus());
    }

    /**
     * Replaces the status fields the agent reports (a merge patch of the status subresource: conditions,
     * capacity, addresses... whole, the rest left alone).
     */
    public Node postStatus(String nodeName, NodeStatus status) {
        return client.nodes().resource(named(nodeName)).subresource("status").patch(
                PatchContext.of(PatchType.JSON_MERGE), client.getKubernetesSerialization().asJson(Map.of("status",
                        status)));
    }

    /**
     * A Node with only its name, to patch by: fabric8 reads the whole object from the server first when a patch
     * is made by name ({@code withName}), a request per patch that a merge patch does not need.
     */
    public static Node named(String name) {
        return new NodeBuilder().withNewMetadata().withName(name).endMetadata().build();
    }
}
