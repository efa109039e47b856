package io.kybern.kubelet.server;

import java.net.URI;
import java.util.List;

/**
 * Where the node agent prepares exec, attach and port-forward sessions: the part of the agent the kubelet API
 * asks for a runtime streaming URL, which it then proxies the client's upgraded connection to. Called on a
 * virtual thread per request; may block on CRI calls.
 */
public interface ContainerStreams {

    /**
     * A one-time URL on the runtime's streaming server that runs {@code command} in the running container.
     *
     * @throws java.util.NoSuchElementException with the message to answer (a 404) when the pod or container
     *                                          is not running here
     */
    URI exec(String namespace, String pod, String container, List<String> command, Streams streams);

    /** A one-time URL that attaches to the running container's main process; as {@link #exec}. */
    URI attach(String namespace, String pod, String container, Streams streams);

    /** A one-time URL that forwards connections to the pod's network namespace; the ports may be empty. */
    URI portForward(String namespace, String pod, List<Integer> ports);

    /** Which of the process's streams the client asked for (kubelet's {@code input/output/error/tty}). */
    record Streams(boolean stdin, boolean stdout, boolean stderr, boolean tty) {
    }
}
