package io.kybern.kubelet.server;

import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/** Where the node agent finds a container's log: the part of the agent the kubelet API reads. */
public interface ContainerLogs {

    /**
     * The log file of a container of a pod on this node: the current instance's, or with {@code previous}
     * the last terminated one's.
     *
     * @throws java.util.NoSuchElementException with the message to answer (a 404) when there is none
     */
    Source find(String namespace, String pod, String container, boolean previous);

    /**
     * @param file    the CRI log file
     * @param running whether that instance still runs (a followed log ends once it does not)
     */
    record Source(Path file, BooleanSupplier running) {
    }
}
