/**
 * Structural schemas of custom resources (the {@code openAPIV3Schema} of a CustomResourceDefinition
 * version), as Kubernetes uses them: the check that a schema is structural, validation of objects with
 * Kubernetes' messages and field paths, pruning of fields the schema does not name, and defaulting.
 * Pure functions over Jackson trees, with no server in sight.
 */
package io.kybern.api.structural;
