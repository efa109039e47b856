/**
 * Node lifecycle: nodes whose agent fell silent are marked Unknown and tainted, nodes that are not ready
 * are tainted, and pods that do not tolerate a node's NoExecute taints are evicted from it, as
 * kube-controller-manager's node lifecycle and taint eviction controllers do.
 */
package io.kybern.controllers.nodelifecycle;
