/**
 * The schema of every built-in kind, walkable field by field: each field's JSON name, value type,
 * patch strategy and merge key, list and map type, and whether it is required.
 *
 * <p>The structure comes from the protobuf descriptors of Kubernetes' own {@code generated.proto}
 * files (the {@code client-java-proto} artifact); what those lack (patch strategies, list types, required
 * fields, enums, the few JSON names that differ from the proto names) comes from a small table of facts,
 * {@code field-facts.yaml} beside this package. {@link io.kybern.api.schema.Schemas} is the entry point;
 * strategic merge patch, server-side apply, strict field validation, the protobuf codec and the OpenAPI
 * documents all read the same schemas.
 */
package io.kybern.api.schema;
