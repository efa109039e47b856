package io.kybern.apiserver.node;

import java.io.IOException;
import java.io.InputStream;
import tools.jackson.databind.JsonNode;

/**
 * How the API server reaches a node's agent (kubelet API) for what only the node has: container logs
 * today, and exec, attach and port-forward later.
 */
public interface NodeConnection {

    /**
     * Sends {@code GET pathAndQuery} to the agent of {@code node} (its InternalIP and its published
     * kubelet port) and returns the answer, whose body the caller reads and closes.
     *
     * @throws IOException when the agent cannot be reached
     */
    Response get(JsonNode node, String pathAndQuery) throws IOException, InterruptedException;

    /** An agent's answer: its status and body, streamed. */
    record Response(int status, InputStream body) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /** For a server that reaches no nodes. */
    NodeConnection NONE = (node, path) -> {
        throw new IOException("this API server has no connection to node agents");
    };
}
