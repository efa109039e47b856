/**
 * The StatefulSet controller: pods with stable names and ordinals, created in order (OrderedReady) or all
 * at once (Parallel), their PersistentVolumeClaims from volumeClaimTemplates, RollingUpdate with a
 * partition or OnDelete over ControllerRevisions, and the status {@code kubectl rollout status sts} reads.
 */
package io.kybern.controllers.statefulset;
