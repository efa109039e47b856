/**
 * The disruption controller: keeps each PodDisruptionBudget's status (how many pods are expected, healthy
 * and needed, and how many evictions are allowed now), which the API server's eviction subresource spends.
 */
package io.kybern.controllers.disruption;
