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

    private static final Set<String> ALL = Set.of(TIME, MICRO_TIME, DURATION, FIELDS_V1, QUANTITY, INT_OR_STRING,
            RAW_EXTENSION);

    private SpecialTypes() {
    }

    static boolean is(String messageFullName) {
        return ALL.contains(messageFullName);
    }
}
