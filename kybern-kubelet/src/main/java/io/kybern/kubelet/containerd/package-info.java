/**
 * The containerd an agent runs for itself: its generated configuration under the agent's data directory,
 * the CNI network its pods join, and the supervision of the process (started, waited for, restarted when
 * it dies, stopped with the agent).
 */
package io.kybern.kubelet.containerd;
