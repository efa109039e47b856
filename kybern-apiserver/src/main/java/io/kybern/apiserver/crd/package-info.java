/**
 * CustomResourceDefinitions served as Kubernetes serves them: their validation and status (names
 * accepted, established, terminating), the catalog of built-in and custom resources that discovery
 * and routing read, and the rules custom resources are written under (schema validation, pruning,
 * defaulting, one storage version, printer columns, the scale subresource).
 */
package io.kybern.apiserver.crd;
