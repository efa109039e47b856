/**
 * What every node agent does whatever runs its pods: registering its Node and keeping its Lease in
 * {@code kube-node-lease} renewed. The simulated nodes use it today; the containerd agent will too.
 */
package io.kybern.kubelet.node;
