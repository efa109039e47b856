package io.kybern.apiserver;

import io.kybern.api.resource.ResourceType;
import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.http.ApiResponder;
import io.kybern.apiserver.http.ResponseStream;
import io.kybern.apiserver.node.NodeConnection;
import io.kybern.apiserver.registry.ObjectStorage;
import io.kybern.apiserver.status.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code pods/log} subresource: checks the request against the pod as kube-apiserver and kubelet do
 * (which container, whether it has a log yet), then streams the log from the pod's node agent.
 */
final class PodLogs {

    /** The PodLogOptions the agent's {@code /containerLogs} understands; the rest are the API server's. */
    private static final Set<String> FORWARDED = Set.of("follow", "previous", "tailLines", "sinceSeconds",
            "sinceTime", "timestamps", "limitBytes");

    private final ObjectStorage storage;
    private final ResourceType nodes;
    private final Supplier<NodeConnection> nodeConnection;

    PodLogs(ObjectStorage storage, ResourceType nodes, Supplier<NodeConnection> nodeConnection) {
        this.storage = storage;
        this.nodes = nodes;
        this.nodeConnection = nodeConnection;
    }

    void serve(ResourceType pods, String namespace, String name, ApiRequest request, ApiResponder responder) {
        ObjectNode pod = storage.get(pods, namespace, name);
        String container = container(pod, name, request.param("container"));
        String nodeName = pod.path("spec").path("nodeName").asString("");
        if (nodeName.isEmpty()) {
            throw ApiException.badRequest("pod " + name + " does not have a host assigned");
        }
        JsonNode node = storage.get(nodes, "", nodeName);
        // Kubelet's checks, made here on the status it posted (the same answer without a round trip).
        checkStatus(pod, name, container, truthy(request.param("previous")));
        String path = "/containerLogs/" + encode(namespace) + "/" + encode(name) + "/" + encode(container)
                + query(request);
        NodeConnection.Response response;
        try {
            response = nodeConnection.get().get(node, path);
        } catch (IOException e) {
            throw ApiException.internal("Get \"" + path + "\" on node " + nodeName + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.internal("interrupted");
        }
        try (response) {
            if (response.status() != 200) {
                String message = new String(response.body().readAllBytes(), StandardCharsets.UTF_8).strip();
                throw new ApiException(response.status() == 404 ? 404 : 400,
                        response.status() == 404 ? "NotFound" : "BadRequest", message, ApiException.Details.none());
            }
            copy(response.body(), responder.stream(200, "text/plain"));
        } catch (IOException e) {
            // The agent went away mid-stream: the client sees the log end, as with kube-apiserver.
        }
    }

    private static void copy(InputStream in, ResponseStream out) throws IOException {
        try (out) {
            byte[] buffer = new byte[16 * 1024];
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (read > 0 && !out.write(Arrays.copyOf(buffer, read))) {
                    return;
                }
            }
        }
    }

    /** The container asked for, or the only one; Kubernetes' messages when that is not clear. */
    static String container(JsonNode pod, String podName, String asked) {
        List<String> containers = names(pod.path("spec").path("containers"));
        List<String> init = names(pod.path("spec").path("initContainers"));
        if (asked == null || asked.isEmpty()) {
            if (containers.size() == 1) {
                return containers.get(0);
            }
            if (containers.isEmpty()) {
                throw ApiException.badRequest("a container name must be specified for pod " + podName);
            }
            String message = "a container name must be specified for pod " + podName + ", choose one of: ["
                    + String.join(" ", containers) + "]";
            if (!init.isEmpty()) {
                message += " or one of the init containers: [" + String.join(" ", init) + "]";
            }
            throw ApiException.badRequest(message);
        }
        if (!containers.contains(asked) && !init.contains(asked)
                && !names(pod.path("spec").path("ephemeralContainers")).contains(asked)) {
            throw ApiException.badRequest("container " + asked + " is not valid for pod " + podName);
        }
        return asked;
    }

    /** Kubelet's checks of the container's state before it opens a log. */
    static void checkStatus(JsonNode pod, String podName, String container, boolean previous) {
        JsonNode status = null;
        for (String list : List.of("containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses")) {
            for (JsonNode candidate : pod.path("status").path(list)) {
                if (candidate.path("name").asString("").equals(container)) {
                    status = candidate;
                }
            }
        }
        String quoted = "container \"" + container + "\" in pod \"" + podName + "\"";
        JsonNode lastTerminated = status == null ? null : status.path("lastState").get("terminated");
        if (previous) {
            if (lastTerminated == null || lastTerminated.path("containerID").asString("").isEmpty()) {
                throw ApiException.badRequest("previous terminated " + quoted + " not found");
            }
            return;
        }
        if (status == null) {
            // What kubelet reports for a container it has not created yet.
            throw ApiException.badRequest(quoted + " is waiting to start: ContainerCreating");
        }
        JsonNode state = status.path("state");
        if (state.has("running") || state.has("terminated") || lastTerminated != null) {
            return;
        }
        String reason = state.path("waiting").path("reason").asString("");
        throw ApiException.badRequest(quoted + " is waiting to start: " + switch (reason) {
            case "ErrImagePull" -> "image can't be pulled";
            case "ImagePullBackOff" -> "trying and failing to pull image";
            default -> reason;
        });
    }

    private static List<String> names(JsonNode containers) {
        List<String> names = new ArrayList<>();
        for (JsonNode container : containers) {
            names.add(container.path("name").asString(""));
        }
        return names;
    }

    private static boolean truthy(String value) {
        return value != null && (value.isEmpty() || value.equalsIgnoreCase("true") || value.equals("1"));
    }

    private static String query(ApiRequest request) {
        StringBuilder query = new StringBuilder();
        request.query().forEach((name, values) -> {
            if (FORWARDED.contains(name)) {
                for (String value : values) {
                    query.append(query.isEmpty() ? '?' : '&').append(encode(name)).append('=').append(encode(value));
                }
            }
        });
        return query.toString();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
