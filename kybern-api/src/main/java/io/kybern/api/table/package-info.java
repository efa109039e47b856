/**
 * Server-side tables: the columns and cells {@code kubectl get} prints for each kind, computed on the
 * server as Kubernetes' printers do, and the {@code meta.k8s.io/v1} Table documents that carry them.
 */
package io.kybern.api.table;
