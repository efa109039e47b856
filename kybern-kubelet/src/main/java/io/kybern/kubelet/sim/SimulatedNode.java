package io.kybern.kubelet.sim;

/**
 * A handle on one simulated node. Stopping it is what a crashed or disconnected kubelet looks like from
 * the API: its Lease is no longer renewed, its status no longer posted and its pods no longer looked
 * after (they keep their last status, and pods being deleted stay Terminating). Both calls also write the
 * {@value SimulatedNodes#STOPPED_ANNOTATION} annotation, the way to do the same from outside
 * ({@code kubectl annotate node NAME sim.kybern.io/stopped=true}, or {@code kybern sim stop-node NAME}).
 */
public interface SimulatedNode {

    String name();

    boolean running();

    /** Stops the node's heartbeat and its pods' care. */
    void stop();

    /** Starts them again: status Ready posted, Lease renewed, its pods looked at. */
    void start();
}
