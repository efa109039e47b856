package io.kybern.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.kybern.scheduler.framework.CycleState;
import io.kybern.scheduler.framework.Plugin;
import io.kybern.scheduler.framework.Status;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;

/**
 * Binds the pod by POSTing a Binding to its {@code pods/<name>/binding} subresource, as kube-scheduler
 * does (fabric8 has no call for that subresource, so this goes through the client's own HTTP client,
 * with its credentials). The pod's uid travels in the Binding, so a pod deleted and recreated under the
 * same name meanwhile is not bound by mistake.
 */
public final class DefaultBinder implements Plugin.Bind {

    public static final String NAME = "DefaultBinder";

    private final KubernetesClient client;

    public DefaultBinder(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status bind(CycleState state, Pod pod, String nodeName) {
        String namespace = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        Binding binding = new BindingBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .withUid(pod.getMetadata().getUid()).endMetadata()
                .withNewTarget().withApiVersion("v1").withKind("Node").withName(nodeName).endTarget().build();
        String url = client.getMasterUrl().toString().replaceAll("/+$", "") + "/api/v1/namespaces/"
                + encode(namespace) + "/pods/" + encode(name) + "/binding";
        HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(url)
                .post("application/json", client.getKubernetesSerialization().asJson(binding)).build();
        try {
            HttpResponse<String> response = client.getHttpClient().sendAsync(request, String.class).get();
            if (response.isSuccessful()) {
                return Status.SUCCESS;
            }
            return Status.error("binding rejected: " + response.code() + " " + response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Status.error("interrupted while binding");
        } catch (ExecutionException e) {
            return Status.error("binding failed: " + e.getCause());
        }
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8);
    }
}
