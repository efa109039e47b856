package io.kybern.api.validation;

/**
 * One thing wrong with one field of an object, as Kubernetes reports it in {@code details.causes}.
 *
 * @param reason  Kubernetes' cause type, such as {@code FieldValueInvalid} or {@code FieldValueForbidden}
 * @param message the whole message, including the {@code Invalid value: "x": } prefix
 * @param field   the field's path, such as {@code metadata.labels}
 */
public record FieldError(String reason, String message, String field) {

    public static FieldError invalid(String field, String value, String detail) {
        return new FieldError("FieldValueInvalid", "Invalid value: \"" + value + "\": " + detail, field);
    }

    public static FieldError forbidden(String field, String detail) {
        return new FieldError("FieldValueForbidden", "Forbidden: " + detail, field);
    }

    public static FieldError tooLong(String field, long limit) {
        return new FieldError("FieldValueTooLong", "Too long: must have at most " + limit + " bytes", field);
    }

    public static FieldError required(String field) {
        return new FieldError("FieldValueRequired", "Required value", field);
    }

    public static FieldError required(String field, String detail) {
        return new FieldError("FieldValueRequired", "Required value: " + detail, field);
    }

    /** A value outside an enum, listing the values that are allowed, quoted, in Kubernetes' order. */
    public static FieldError notSupported(String field, String value, java.util.List<String> supported) {
        return new FieldError("FieldValueNotSupported", "Unsupported value: \"" + value + "\": supported values: "
                + String.join(", ", supported.stream().map(v -> "\"" + v + "\"").toList()), field);
    }

    public static FieldError duplicate(String field, String value) {
        return new FieldError("FieldValueDuplicate", "Duplicate value: \"" + value + "\"", field);
    }

    public static FieldError notFound(String field, String value) {
        return new FieldError("FieldValueNotFound", "Not found: \"" + value + "\"", field);
    }

    /** A number out of its range; numbers are printed bare, as Go prints them. */
    public static FieldError invalidNumber(String field, long value, String detail) {
        return new FieldError("FieldValueInvalid", "Invalid value: " + value + ": " + detail, field);
    }

    /** A field that may not change: {@code value} is the new value as JSON. */
    public static FieldError immutable(String field, String value) {
        return new FieldError("FieldValueInvalid", "Invalid value: " + value + ": field is immutable", field);
    }

    /** The cause as it reads in a Status message: {@code metadata.labels: Invalid value: ...}. */
    public String describe() {
        return field.isEmpty() ? message : field + ": " + message;
    }
}
