/**
 * Simulated nodes: Nodes that register, heartbeat and run their pods without containers, so controllers,
 * the scheduler and users' operators can be exercised at scale on one machine. Behaviour a test wants
 * from a pod (slow readiness, a run time, an exit code) is asked for by annotation; a node is stopped
 * and started by the {@code sim.kybern.io/stopped} annotation on its Node.
 */
package io.kybern.kubelet.sim;
