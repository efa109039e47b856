package io.kybern.apiserver.node;

import io.netty.channel.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * How the API server reaches a node's agent (kubelet API) for what only the node has: container logs, and
 * the upgraded connections of exec, attach and port-forward.
 */
public interface NodeConnection {

    /**
     * Sends {@code GET pathAndQuery} to the agent of {@code node} (its InternalIP and its published
     * kubelet port) and returns the answer, whose body the caller reads and closes.
     *
     * @throws IOException when the agent cannot be reached
     */
    Response get(JsonNode node, String pathAndQuery) throws IOException, InterruptedException;

    /**
     * Opens a connection to the agent of {@code node} and sends it the head of an upgrade request (SPDY or
     * WebSocket) with the client's {@code headers}. Returns the connection, not reading yet, for the caller to
     * join to its client's: the agent's answer to the upgrade, and everything after it, is the client's to read.
     *
     * @throws IOException when the agent cannot be reached
     */
    Channel upgrade(JsonNode node, String method, String pathAndQuery, Map<String, List<String>> headers)
            throws IOException, InterruptedException;

    /** An agent's answer: its status and body, streamed. */
    record Response(int status, InputStream body) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /** For a server that reaches no nodes. */
    NodeConnection NONE = new NodeConnection() {
        @Override
        public Response get(JsonNode node, String pathAndQuery) throws IOException {
            throw new IOException("this API server has no connection to node agents");
        }

        @Override
        public Channel upgrade(JsonNode node, String method, String pathAndQuery,
                Map<String, List<String>> headers) throws IOException {
            throw new IOException("this API server has no connection to node agents");
        }
    };
}
