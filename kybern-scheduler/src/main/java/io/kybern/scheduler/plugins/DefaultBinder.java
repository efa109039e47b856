package io.kybern.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kybern.controllers.runtime.JsonPost;
import io.kybern.scheduler.framework.CycleState;
import io.kybern.scheduler.framework.Plugin;
import io.kybern.scheduler.framework.Status;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Binds the pod by POSTing a Binding to its {@code pods/<name>/binding} subresource, as kube-scheduler
 * does (fabric8 has no call for that subresource, so this goes through the client's own HTTP client,
 * with its credentials). The pod's uid travels in the Binding, so a pod deleted and recreated under the
 * same name meanwhile is not bound by mistake.
 */
public final class DefaultBinder implements Plugin.Bind {

    public static final String NAME = "DefaultBinder";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JsonPost post;

    public DefaultBinder(KubernetesClient client) {
        this.post = new JsonPost(client);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status bind(CycleState state, Pod pod, String nodeName) {
        String namespace = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        ObjectNode binding = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Binding");
        binding.putObject("metadata").put("name", name).put("namespace", namespace)
                .put("uid", pod.getMetadata().getUid());
        binding.putObject("target").put("apiVersion", "v1").put("kind", "Node").put("name", nodeName);
        try {
            JsonPost.Answer answer = post.post("/api/v1/namespaces/" + JsonPost.segment(namespace) + "/pods/"
                    + JsonPost.segment(name) + "/binding", JSON.writeValueAsBytes(binding));
            return answer.isSuccessful() ? Status.SUCCESS
                    : Status.error("binding rejected: " + answer.code() + " " + answer.body());
        } catch (JsonPost.ApiUnreachable e) {
            return Status.error("binding failed: " + e.getMessage());
        }
    }
}
