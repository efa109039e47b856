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

    /** The cause as it reads in a Status message: {@code metadata.labels: Invalid value: ...}. */
    public String describe() {
        return field.isEmpty() ? message : field + ": " + message;
    }
}
