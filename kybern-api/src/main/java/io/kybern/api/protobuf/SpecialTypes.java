package io.kybern.api.protobuf;

import java.util.Set;

/** Messages whose JSON form is not an object of their fields: Go gives them their own spelling. */
final class SpecialTypes {

    static final String TIME = KindMessages.META + ".Time";
    static final String MICRO_TIME = KindMessages.META + ".MicroTime";
    static final String DURATION = KindMessages.META + ".Duration";
    static final String FIELDS_V1 = KindMessages.META + ".FieldsV1";
    static final String QUANTITY = "k8s.io.apimachinery.pkg.api.resource.Quantity";
    static final String INT_OR_STRING = "k8s.io.apimachinery.pkg.util.intstr.IntOrString";
    static final String RAW_EXTENSION = "k8s.io.apimachinery.pkg.runtime.RawExtension";
    /** Any JSON value, embedded as bytes (defaults and examples in custom resource schemas). */
    static final String JSON = KindMessages.APIEXTENSIONS + ".JSON";
    /** A schema, or an array of schemas. */
    static final String SCHEMA_OR_ARRAY = KindMessages.APIEXTENSIONS + ".JSONSchemaPropsOrArray";
    /** A schema, or a boolean. */
    static final String SCHEMA_OR_BOOL = KindMessages.APIEXTENSIONS + ".JSONSchemaPropsOrBool";
    /** A schema, or an array of strings. */
    static final String SCHEMA_OR_STRINGS = KindMessages.APIEXTENSIONS + ".JSONSchemaPropsOrStringArray";

    private static final Set<String> ALL = Set.of(TIME, MICRO_TIME, DURATION, FIELDS_V1, QUANTITY, INT_OR_STRING,
            RAW_EXTENSION, JSON, SCHEMA_OR_ARRAY, SCHEMA_OR_BOOL, SCHEMA_OR_STRINGS);

    private SpecialTypes() {
    }

    static boolean is(String messageFullName) {
        return ALL.contains(messageFullName);
    }
}
