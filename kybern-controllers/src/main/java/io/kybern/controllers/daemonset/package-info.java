/**
 * The DaemonSet controller: one pod per eligible node, pinned to it by node affinity, with Kubernetes'
 * automatic tolerations, RollingUpdate (maxUnavailable, maxSurge) and OnDelete updates over
 * ControllerRevisions, and the status {@code kubectl rollout status ds} reads.
 */
package io.kybern.controllers.daemonset;
