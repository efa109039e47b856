/**
 * The resource metrics API ({@code metrics.k8s.io/v1beta1}) of nodes run by real agents, built as
 * metrics-server builds it from each node's kubelet Summary, beside the simulated nodes' own.
 */
package io.kybern.apiserver.metrics;
