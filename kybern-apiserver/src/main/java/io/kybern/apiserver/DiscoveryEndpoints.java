package io.kybern.apiserver;

import io.kybern.api.discovery.AggregatedDiscoveryVersion;
import io.kybern.api.discovery.Discovery;
import io.kybern.api.discovery.ServerAddress;
import io.kybern.api.resource.GroupVersion;
import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.http.ApiResponder;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Serves discovery: {@code /api}, {@code /apis} (aggregated when the client's Accept asks for it, as
 * kubectl 1.27+ does), {@code /apis/<group>} and the resource lists of each group-version.
 */
public final class DiscoveryEndpoints implements ApiServer.NonResourceHandler {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Discovery discovery;
    private final Supplier<List<ServerAddress>> serverAddresses;

    /**
     * @param serverAddresses where clients reach this server; asked per request, since the port is
     *                        known only once the listener is bound
     */
    public DiscoveryEndpoints(Discovery discovery, Supplier<List<ServerAddress>> serverAddresses) {
        this.discovery = discovery;
        this.serverAddresses = serverAddresses;
    }

    @Override
    public boolean handle(ApiRequest request, ApiResponder responder) {
        if (!request.method().equals("GET")) {
            return false;
        }
        String[] parts = request.path().replaceAll("/+$", "").split("/");
        // parts[0] is the empty string before the leading slash.
        Optional<AggregatedDiscoveryVersion> aggregated = AggregatedDiscoveryVersion.fromAccept(request.header("accept"));
        if (parts.length == 2 && parts[1].equals("api")) {
            if (aggregated.isPresent()) {
                respond(responder, aggregated.get().mediaType(), discovery.aggregatedCore(aggregated.get()));
            } else {
                respond(responder, "application/json", discovery.apiVersions(serverAddresses.get()));
            }
            return true;
        }
        if (parts.length == 2 && parts[1].equals("apis")) {
            if (aggregated.isPresent()) {
                respond(responder, aggregated.get().mediaType(), discovery.aggregatedGroups(aggregated.get()));
            } else {
                respond(responder, "application/json", discovery.apiGroupList());
            }
            return true;
        }
        Optional<ObjectNode> document = Optional.empty();
        if (parts.length == 3 && parts[1].equals("api")) {
            document = discovery.apiResourceList(new GroupVersion("", parts[2]));
        } else if (parts.length == 3 && parts[1].equals("apis")) {
            document = discovery.apiGroup(parts[2]);
        } else if (parts.length == 4 && parts[1].equals("apis")) {
            document = discovery.apiResourceList(new GroupVersion(parts[2], parts[3]));
        } else {
            return false;
        }
        if (document.isEmpty()) {
            return false;
        }
        respond(responder, "application/json", document.get());
        return true;
    }

    private static void respond(ApiResponder responder, String contentType, ObjectNode body) {
        responder.respond(200, contentType, JSON.writeValueAsBytes(body));
    }
}
