package io.kybern.api.structural;

import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.api.validation.FieldError;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** What a definition's schema may say of its lists and maps, with Kubernetes' causes where it says too much. */
class ListTypeRulesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String AT = "spec.versions[0].schema.openAPIV3Schema";
    private static final String SPEC = AT + ".properties[spec].properties";

    /** The causes of a schema whose spec has these properties. */
    private static List<String> causes(String properties) {
        return StructuralCheck.errors(JSON.readTree("{\"type\":\"object\",\"properties\":{\"spec\":{\"type\":\"object\","
                + "\"properties\":" + properties + "}}}"), AT).stream().map(FieldError::describe).toList();
    }

    @Test
    void wellFormedListAndMapTypesPass() {
        assertThat(causes("""
                {"ports": {"type": "array", "x-kubernetes-list-type": "map",
                           "x-kubernetes-list-map-keys": ["name", "protocol"],
                           "items": {"type": "object", "required": ["name"], "properties": {
                             "name": {"type": "string"}, "protocol": {"type": "string", "default": "TCP"}}}},
                 "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
                 "pairs": {"type": "array", "x-kubernetes-list-type": "set",
                           "items": {"type": "object", "x-kubernetes-map-type": "atomic",
                                     "properties": {"a": {"type": "string"}}}},
                 "args": {"type": "array", "x-kubernetes-list-type": "atomic", "items": {"type": "string"}},
                 "labels": {"type": "object", "x-kubernetes-map-type": "granular",
                            "additionalProperties": {"type": "string"}}}
                """)).isEmpty();
    }

    @Test
    void aMapListNeedsKeysThatAreScalarPropertiesAlwaysThere() {
        assertThat(causes("""
                {"ports": {"type": "array", "x-kubernetes-list-type": "map",
                           "x-kubernetes-list-map-keys": ["name", "spec", "gone", "name"],
                           "items": {"type": "object", "properties": {
                             "name": {"type": "string", "nullable": true}, "spec": {"type": "object"}}}}}
                """)).containsExactlyInAnyOrder(
                SPEC + "[ports].items.properties[spec].type: Invalid value: \"object\": must be a scalar type if "
                        + "parent array's x-kubernetes-list-type is map",
                SPEC + "[ports].x-kubernetes-list-map-keys: Invalid value: []string{\"name\", \"spec\", \"gone\", "
                        + "\"name\"}: entries must all be names of item properties",
                SPEC + "[ports].x-kubernetes-list-map-keys: Invalid value: []string{\"name\", \"spec\", \"gone\", "
                        + "\"name\"}: must not contain duplicate entries",
                SPEC + "[ports].items.properties[name].default: Required value: this property is in "
                        + "x-kubernetes-list-map-keys, so it must have a default or be a required property",
                SPEC + "[ports].items.properties[name].nullable: Forbidden: this property is in "
                        + "x-kubernetes-list-map-keys, so it cannot be nullable",
                SPEC + "[ports].items.properties[spec].default: Required value: this property is in "
                        + "x-kubernetes-list-map-keys, so it must have a default or be a required property",
                SPEC + "[ports].items.properties[name].default: Required value: this property is in "
                        + "x-kubernetes-list-map-keys, so it must have a default or be a required property",
                SPEC + "[ports].items.properties[name].nullable: Forbidden: this property is in "
                        + "x-kubernetes-list-map-keys, so it cannot be nullable");
        assertThat(causes("""
                {"a": {"type": "array", "x-kubernetes-list-type": "map", "items": {"type": "string"}},
                 "b": {"type": "array", "x-kubernetes-list-map-keys": ["k"], "items": {"type": "string"}},
                 "c": {"type": "array", "x-kubernetes-list-type": "set", "x-kubernetes-list-map-keys": ["k"],
                       "items": {"type": "string", "nullable": true}}}
                """)).containsExactlyInAnyOrder(
                SPEC + "[a].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type "
                        + "is map",
                SPEC + "[a].items.type: Invalid value: \"string\": must be object if parent array's "
                        + "x-kubernetes-list-type is map",
                SPEC + "[b].x-kubernetes-list-type: Required value: must be map if x-kubernetes-list-map-keys is "
                        + "non-empty",
                SPEC + "[c].x-kubernetes-list-type: Invalid value: \"set\": must be map if x-kubernetes-list-map-keys "
                        + "is non-empty",
                SPEC + "[c].items.nullable: Forbidden: cannot be nullable when x-kubernetes-list-type is set");
    }

    @Test
    void listAndMapTypesBelongOnArraysAndObjectsWithKnownValues() {
        assertThat(causes("""
                {"a": {"type": "string", "x-kubernetes-list-type": "atomic"},
                 "b": {"type": "array", "x-kubernetes-list-type": "bag", "items": {"type": "string"}},
                 "c": {"type": "array", "x-kubernetes-map-type": "atomic", "items": {"type": "string"}},
                 "d": {"type": "object", "x-kubernetes-map-type": "loose"},
                 "e": {"type": "array", "uniqueItems": true, "items": {"type": "string"}}}
                """)).containsExactlyInAnyOrder(
                SPEC + "[a].type: Invalid value: \"string\": must be array if x-kubernetes-list-type is specified",
                SPEC + "[b].x-kubernetes-list-type: Unsupported value: \"bag\": supported values: \"atomic\", \"set\", "
                        + "\"map\"",
                SPEC + "[c].type: Invalid value: \"array\": must be object if x-kubernetes-map-type is specified",
                SPEC + "[d].x-kubernetes-map-type: Unsupported value: \"loose\": supported values: \"atomic\", "
                        + "\"granular\"",
                SPEC + "[e].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity "
                        + "becomes quadratic");
    }

    @Test
    void aSetHoldsScalarsOrItemsThatChangeOnlyWhole() {
        assertThat(causes("""
                {"a": {"type": "array", "x-kubernetes-list-type": "set",
                       "items": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}}},
                 "b": {"type": "array", "x-kubernetes-list-type": "set",
                       "items": {"type": "object", "properties": {"x": {"type": "string"}}}}}
                """)).containsExactlyInAnyOrder(
                SPEC + "[a].items.x-kubernetes-list-type: Invalid value: \"set\": must be atomic as item of a list with "
                        + "x-kubernetes-list-type=set",
                SPEC + "[b].items.x-kubernetes-map-type: Invalid value: null: must be atomic as item of a list with "
                        + "x-kubernetes-list-type=set");
    }
}
