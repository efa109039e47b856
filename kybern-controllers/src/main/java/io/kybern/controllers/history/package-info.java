/**
 * ControllerRevisions, the history DaemonSets and StatefulSets keep of their pod templates (what
 * {@code kubectl rollout history|undo} reads): the data Kubernetes stores (a patch replacing
 * {@code spec.template}), revision numbers, names with a hash and collision count, adoption and release
 * by selector, and pruning to {@code revisionHistoryLimit}.
 */
package io.kybern.controllers.history;
