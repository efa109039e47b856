/**
 * The Deployment controller: ReplicaSets named after the pod template's hash, rolling and recreate
 * rollouts, revisions, proportional scaling and the status {@code kubectl rollout} reads.
 */
package io.kybern.controllers.deployment;
