package io.kybern.apiserver;

import io.kybern.api.resource.ResourceType;
import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.http.ApiResponder;
import io.kybern.apiserver.http.ResponseStream;
import io.kybern.apiserver.node.NodeConnection;
import io.kybern.apiserver.registry.ObjectStorage;
import io.kybern.apiserver.request.RequestInfo;
import io.kybern.apiserver.status.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;

/**
 * The {@code pods/proxy}, {@code services/proxy} and {@code nodes/proxy} subresources: an HTTP request
 * passed on to a pod's IP, to a ready endpoint of a service's port, or to a node's kubelet API, its answer
 * streamed back. The name may carry a port and a scheme as Kubernetes has it: {@code web:8080},
 * {@code http:web:http}.
 */
final class ResourceProxy {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Request headers the API server passes on; its own credentials and hop-by-hop headers stay. */
    private static final Set<String> FORWARDED_HEADERS = Set.of("accept", "content-type", "user-agent",
            "accept-encoding");

    private final ObjectStorage storage;
    private final ResourceType endpointSlices;
    private final Supplier<NodeConnection> nodeConnection;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();

    ResourceProxy(ObjectStorage storage, ResourceType endpointSlices, Supplier<NodeConnection> nodeConnection) {
        this.storage = storage;
        this.endpointSlices = endpointSlices;
        this.nodeConnection = nodeConnection;
    }

    /** {@code [scheme:]name[:port]}, as the proxy subresources' names are written. */
    record Target(String scheme, String name, String port) {
        static Target parse(String name) {
            String[] parts = name.split(":", -1);
            return switch (parts.length) {
                case 1 -> new Target("", parts[0], "");
                case 2 -> new Target("", parts[0], parts[1]);
                case 3 -> new Target(parts[0], parts[1], parts[2]);
                default -> throw ApiException.badRequest("invalid resource name \"" + name + "\"");
            };
        }
    }

    void serve(ResourceType type, RequestInfo info, ApiRequest request, ApiResponder responder) {
        Target target = Target.parse(info.name());
        String path = remainder(request.path(), info.name()) + query(request);
        String resource = type.gvr().resource();
        switch (resource) {
            case "pods" -> forward(podLocation(type, info.namespace(), target), path, request, responder);
            case "services" -> forward(serviceLocation(type, info.namespace(), target), path, request, responder);
            case "nodes" -> nodeProxy(type, target, path, request, responder);
            default -> throw ApiException.methodNotAllowed(type.gvr().groupResource() + "/proxy is not served");
        }
    }

    /** The path after {@code .../{name}/proxy}, "/" when there is none. */
    static String remainder(String path, String name) {
        String marker = "/" + name + "/proxy";
        int at = path.indexOf(marker);
        String rest = at < 0 ? "" : path.substring(at + marker.length());
        return rest.isEmpty() ? "/" : rest;
    }

    /** A pod's IP and the port asked for, or its first container's first port. */
    private URI podLocation(ResourceType pods, String namespace, Target target) {
        JsonNode pod = storage.get(pods, namespace, target.name());
        String port = target.port();
        if (port.isEmpty()) {
            for (JsonNode container : pod.path("spec").path("containers")) {
                JsonNode ports = container.path("ports");
                if (!ports.isEmpty()) {
                    port = String.valueOf(ports.get(0).path("containerPort").asInt());
                    break;
                }
            }
        }
        String ip = pod.path("status").path("podIP").asString("");
        if (ip.isEmpty()) {
            throw ApiException.badRequest("address not allowed");
        }
        return location(target.scheme(), ip, port);
    }

    /** A ready endpoint of the service's port (by name or number; the only port when none is named). */
    private URI serviceLocation(ResourceType services, String namespace, Target target) {
        JsonNode service = storage.get(services, namespace, target.name());
        JsonNode servicePort = null;
        JsonNode ports = service.path("spec").path("ports");
        for (JsonNode port : ports) {
            String name = port.path("name").asString("");
            String number = String.valueOf(port.path("port").asInt());
            if (target.port().isEmpty() ? ports.size() == 1 : target.port().equals(name)
                    || target.port().equals(number)) {
                servicePort = port;
                break;
            }
        }
        if (servicePort == null) {
            throw ApiException.unavailable("no service port \"" + target.port() + "\" found for service \""
                    + target.name() + "\"");
        }
        String portName = servicePort.path("name").asString("");
        var slices = storage.list(endpointSlices, namespace, 0, null, "").path("items");
        for (JsonNode slice : slices) {
            if (!target.name().equals(slice.path("metadata").path("labels").path("kubernetes.io/service-name")
                    .asString(""))) {
                continue;
            }
            int number = 0;
            for (JsonNode port : slice.path("ports")) {
                if (port.path("name").asString("").equals(portName)) {
                    number = port.path("port").asInt();
                }
            }
            for (JsonNode endpoint : slice.path("endpoints")) {
                boolean ready = endpoint.path("conditions").path("ready").asBoolean(true);
                JsonNode addresses = endpoint.path("addresses");
                if (number > 0 && ready && !addresses.isEmpty()) {
                    return location(target.scheme(), addresses.get(0).asString(), String.valueOf(number));
                }
            }
        }
        throw ApiException.unavailable("no endpoints available for service \"" + target.name() + "\"");
    }

    private static URI location(String scheme, String host, String port) {
        String bracketed = host.contains(":") ? "[" + host + "]" : host;
        return URI.create((scheme.isEmpty() ? "http" : scheme) + "://" + bracketed + (port.isEmpty() ? "" : ":" + port));
    }

    private void forward(URI base, String path, ApiRequest request, ApiResponder responder) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path))
                .method(request.method(), request.body().length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        request.headers().forEach((name, values) -> {
            if (FORWARDED_HEADERS.contains(name)) {
                values.forEach(value -> builder.header(name, value));
            }
        });
        HttpResponse<InputStream> response;
        try {
            response = http.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw ApiException.unavailable("error trying to reach service: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.internal("interrupted");
        }
        String contentType = response.headers().firstValue("content-type").orElse("application/octet-stream");
        copy(response.body(), responder.stream(response.statusCode(), contentType));
    }

    /** Only the kubelet API's own port, and only reads: what the node agent's connection carries. */
    private void nodeProxy(ResourceType nodes, Target target, String path, ApiRequest request,
            ApiResponder responder) {
        JsonNode node = storage.get(nodes, "", target.name());
        if (!request.method().equals("GET")) {
            throw ApiException.methodNotAllowed(request.method() + " is not supported on nodes/proxy");
        }
        int kubeletPort = node.path("status").path("daemonEndpoints").path("kubeletEndpoint").path("Port").asInt(0);
        if (!target.port().isEmpty() && !target.port().equals(String.valueOf(kubeletPort))) {
            throw ApiException.badRequest("only the kubelet port " + kubeletPort + " of node " + target.name()
                    + " is proxied");
        }
        NodeConnection.Response response;
        try {
            response = nodeConnection.get().get(node, path);
        } catch (IOException e) {
            throw ApiException.unavailable("error trying to reach service: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.internal("interrupted");
        }
        copy(response.body(), responder.stream(response.status(), "text/plain; charset=utf-8"));
    }

    private static void copy(InputStream in, ResponseStream out) {
        try (in; out) {
            byte[] buffer = new byte[16 * 1024];
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (read > 0 && !out.write(Arrays.copyOf(buffer, read))) {
                    return;
                }
            }
        } catch (IOException e) {
            // The backend or the client went away mid-answer: the client sees the body end.
        }
    }

    private static String query(ApiRequest request) {
        StringBuilder query = new StringBuilder();
        request.query().forEach((name, values) -> {
            for (String value : values) {
                query.append(query.isEmpty() ? '?' : '&').append(encode(name)).append('=').append(encode(value));
            }
        });
        return query.toString();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
