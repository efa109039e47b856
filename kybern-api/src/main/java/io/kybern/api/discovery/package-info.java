/**
 * The discovery documents kubectl and client libraries read to learn what the server serves: the
 * unaggregated {@code /api}, {@code /apis}, {@code /apis/<group>} and resource lists, and aggregated
 * discovery ({@code apidiscovery.k8s.io/v2} {@code APIGroupDiscoveryList}).
 */
package io.kybern.api.discovery;
