/**
 * The node's resource usage as kubelet reports it on {@code /stats/summary} (the {@code stats/v1alpha1}
 * Summary): the machine's figures from {@code /proc}, the pods' and containers' from the container runtime's
 * CRI stats, CPU rates from two samples.
 */
package io.kybern.kubelet.stats;
