package io.kybern.api.structural;

import io.kybern.api.validation.FieldError;
import io.kybern.api.validation.GoFormat;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import tools.jackson.databind.JsonNode;

/**
 * Validates a custom resource against its structural schema, with the causes Kubernetes reports
 * (kube-openapi's wording inside field errors): {@code spec.replicas: Invalid value: "string":
 * spec.replicas in body must be of type integer: "string"}, {@code spec.size: Required value},
 * {@code spec.color: Unsupported value: "pink": supported values: "red", "blue"}.
 *
 * <p>The root's {@code apiVersion}, {@code kind} and {@code metadata} are the server's to check and
 * are skipped here, as Kubernetes skips them.
 */
public final class SchemaValidation {

    private static final Set<String> OBJECT_ROOT = Set.of("apiVersion", "kind", "metadata");
    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");
    private static final Pattern HOSTNAME = Pattern.compile(
            "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
    private static final Pattern IPV4 = Pattern.compile(
            "^((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)$");
    private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

    private SchemaValidation() {
    }

    /**
     * Every cause of an object that breaks its schema, then those of its lists that repeat what their
     * {@code x-kubernetes-list-type} says is unique ({@link ListTypeValidation}); empty when it is valid.
     */
    public static List<FieldError> validate(StructuralSchema schema, JsonNode object) {
        List<FieldError> errors = new ArrayList<>();
        validateObject(schema, object, "", true, errors);
        errors.addAll(ListTypeValidation.validate(schema, object));
        return errors;
    }

    /** The causes of one value at {@code path} of an object (a default, say) that breaks its schema. */
    public static List<FieldError> validateValue(StructuralSchema schema, JsonNode value, String path) {
        List<FieldError> errors = new ArrayList<>();
        validate(schema, value, path, errors);
        return errors;
    }

    private static void validate(StructuralSchema schema, JsonNode value, String path, List<FieldError> errors) {
        if (schema == StructuralSchema.UNCONSTRAINED) {
            return;
        }
        if (value.isNull()) {
            if (!schema.nullable() && !schema.type().isEmpty()) {
                errors.add(typeError(path, "null", schema.type()));
            }
            return;
        }
        if (schema.intOrString()) {
            if (!value.isIntegralNumber() && !value.isString()) {
                errors.add(typeError(path, jsonType(value), "integer or string"));
                return;
            }
        } else if (!schema.type().isEmpty() && !hasType(value, schema.type())) {
            errors.add(typeError(path, jsonType(value), schema.type()));
            return;
        }
        checkEnum(schema, value, path, errors);
        if (value.isString()) {
            checkString(schema, value.asString(), path, errors);
        } else if (value.isNumber()) {
            checkNumber(schema, value, path, errors);
        } else if (value.isArray()) {
            checkArray(schema, value, path, errors);
        } else if (value.isObject()) {
            validateObject(schema, value, path, false, errors);
        }
    }

    private static void validateObject(StructuralSchema schema, JsonNode object, String path, boolean root,
            List<FieldError> errors) {
        for (JsonNode required : schema.node().path("required")) {
            String name = required.asString("");
            if (!object.has(name) && !(root && OBJECT_ROOT.contains(name))) {
                errors.add(FieldError.required(child(path, name)));
            }
        }
        JsonNode minProperties = schema.node().get("minProperties");
        if (minProperties != null && object.size() < minProperties.asInt()) {
            errors.add(invalidShape(path, displayPath(path) + " in body should have at least "
                    + minProperties.asInt() + " properties", object));
        }
        JsonNode maxProperties = schema.node().get("maxProperties");
        if (maxProperties != null && object.size() > maxProperties.asInt()) {
            errors.add(invalidShape(path, displayPath(path) + " in body should have at most "
                    + maxProperties.asInt() + " properties", object));
        }
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            String name = field.getKey();
            if (root && OBJECT_ROOT.contains(name)) {
                continue;
            }
            var property = schema.property(name);
            if (property.isPresent()) {
                validate(property.get(), field.getValue(), child(path, name), errors);
            } else if (schema.additionalProperties().isPresent()) {
                validate(schema.additionalProperties().get(), field.getValue(), path + "[" + name + "]", errors);
            }
        }
        if (schema.embeddedResource()) {
            for (String required : List.of("apiVersion", "kind")) {
                if (object.path(required).asString("").isEmpty()) {
                    errors.add(FieldError.required(child(path, required), "must not be empty"));
                }
            }
        }
    }

    private static void checkEnum(StructuralSchema schema, JsonNode value, String path, List<FieldError> errors) {
        JsonNode allowed = schema.node().get("enum");
        if (allowed == null || !allowed.isArray()) {
            return;
        }
        for (JsonNode candidate : allowed) {
            if (candidate.equals(value) || candidate.isNumber() && value.isNumber()
                    && candidate.decimalValue().compareTo(value.decimalValue()) == 0) {
                return;
            }
        }
        List<String> supported = new ArrayList<>();
        allowed.forEach(v -> supported.add(v.isString() ? v.asString() : v.toString()));
        errors.add(FieldError.notSupported(path, value.isString() ? value.asString() : value.toString(), supported));
    }

    private static void checkString(StructuralSchema schema, String text, String path, List<FieldError> errors) {
        JsonNode node = schema.node();
        long length = text.codePointCount(0, text.length());
        if (node.has("maxLength") && length > node.get("maxLength").asLong()) {
            errors.add(new FieldError("FieldValueTooLong", "Too long: may not be more than "
                    + node.get("maxLength").asLong() + " bytes", path));
        }
        if (node.has("minLength") && length < node.get("minLength").asLong()) {
            errors.add(FieldError.invalid(path, text, displayPath(path) + " in body should be at least "
                    + node.get("minLength").asLong() + " chars long"));
        }
        if (node.has("pattern")) {
            String pattern = node.get("pattern").asString("");
            Pattern compiled = compiled(pattern);
            if (compiled != null && !compiled.matcher(text).find()) {
                errors.add(FieldError.invalid(path, text, displayPath(path) + " in body should match '" + pattern
                        + "'"));
            }
        }
        String format = node.path("format").asString("");
        if (!format.isEmpty() && !schema.intOrString() && !matchesFormat(format, text)) {
            errors.add(FieldError.invalid(path, text, displayPath(path) + " in body must be of type " + format
                    + ": \"" + text + "\""));
        }
    }

    private static void checkNumber(StructuralSchema schema, JsonNode value, String path, List<FieldError> errors) {
        JsonNode node = schema.node();
        BigDecimal number = value.decimalValue();
        String shown = value.isIntegralNumber() ? value.asString() : value.toString();
        if (node.has("minimum")) {
            BigDecimal minimum = node.get("minimum").decimalValue();
            boolean exclusive = node.path("exclusiveMinimum").asBoolean(false);
            int compared = number.compareTo(minimum);
            if (exclusive ? compared <= 0 : compared < 0) {
                errors.add(invalidNumber(path, shown, displayPath(path) + " in body should be greater than "
                        + (exclusive ? "" : "or equal to ") + plain(node.get("minimum"))));
            }
        }
        if (node.has("maximum")) {
            BigDecimal maximum = node.get("maximum").decimalValue();
            boolean exclusive = node.path("exclusiveMaximum").asBoolean(false);
            int compared = number.compareTo(maximum);
            if (exclusive ? compared >= 0 : compared > 0) {
                errors.add(invalidNumber(path, shown, displayPath(path) + " in body should be less than "
                        + (exclusive ? "" : "or equal to ") + plain(node.get("maximum"))));
            }
        }
        if (node.has("multipleOf")) {
            BigDecimal factor = node.get("multipleOf").decimalValue();
            if (factor.signum() != 0 && number.remainder(factor).signum() != 0) {
                errors.add(invalidNumber(path, shown, displayPath(path) + " in body should be a multiple of "
                        + plain(node.get("multipleOf"))));
            }
        }
    }

    private static void checkArray(StructuralSchema schema, JsonNode array, String path, List<FieldError> errors) {
        JsonNode node = schema.node();
        if (node.has("maxItems") && array.size() > node.get("maxItems").asInt()) {
            errors.add(new FieldError("FieldValueTooMany", "Too many: " + array.size() + ": must have at most "
                    + node.get("maxItems").asInt() + " items", path));
        }
        if (node.has("minItems") && array.size() < node.get("minItems").asInt()) {
            errors.add(invalidShape(path, displayPath(path) + " in body should have at least "
                    + node.get("minItems").asInt() + " items", array));
        }
        if (node.path("uniqueItems").asBoolean(false)) {
            for (int i = 0; i < array.size(); i++) {
                for (int j = 0; j < i; j++) {
                    if (array.get(i).equals(array.get(j))) {
                        errors.add(new FieldError("FieldValueDuplicate", "Duplicate value: "
                                + GoFormat.shown(array.get(i)), path + "[" + i + "]"));
                        break;
                    }
                }
            }
        }
        StructuralSchema items = schema.items();
        for (int i = 0; i < array.size(); i++) {
            validate(items, array.get(i), path + "[" + i + "]", errors);
        }
    }

    private static boolean hasType(JsonNode value, String type) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isString();
            case "integer" -> value.isIntegralNumber()
                    || value.isNumber() && value.decimalValue().stripTrailingZeros().scale() <= 0;
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            default -> true;
        };
    }

    private static boolean matchesFormat(String format, String text) {
        try {
            return switch (format) {
                case "int32", "int64", "float", "double", "byte", "password", "" -> true;
                case "date" -> LocalDate.parse(text) != null;
                case "date-time", "datetime" -> OffsetDateTime.parse(text) != null;
                case "uuid" -> UUID.fromString(text) != null && text.length() == 36;
                case "email" -> EMAIL.matcher(text).matches();
                case "hostname" -> HOSTNAME.matcher(text).matches() && text.length() <= 253;
                case "ipv4" -> IPV4.matcher(text).matches();
                default -> true;
            };
        } catch (DateTimeParseException | IllegalArgumentException e) {
            return false;
        }
    }

    private static Pattern compiled(String pattern) {
        try {
            return PATTERNS.computeIfAbsent(pattern, Pattern::compile);
        } catch (PatternSyntaxException e) {
            // The definition was validated when stored; a pattern Java cannot read is not enforced.
            return null;
        }
    }

    /** JSON's name for a value's type, as the messages name it. */
    static String jsonType(JsonNode value) {
        if (value.isNull()) {
            return "null";
        }
        if (value.isIntegralNumber()) {
            return "integer";
        }
        if (value.isNumber()) {
            return "number";
        }
        if (value.isString()) {
            return "string";
        }
        if (value.isBoolean()) {
            return "boolean";
        }
        return value.isArray() ? "array" : "object";
    }

    private static FieldError typeError(String path, String actual, String expected) {
        return new FieldError("FieldValueTypeInvalid", "Invalid value: \"" + actual + "\": " + displayPath(path)
                + " in body must be of type " + expected + ": \"" + actual + "\"", path);
    }

    private static FieldError invalidNumber(String path, String shown, String detail) {
        return new FieldError("FieldValueInvalid", "Invalid value: " + shown + ": " + detail, path);
    }

    /** A container that breaks a rule about its size: kube-openapi shows its JSON type as the value. */
    private static FieldError invalidShape(String path, String detail, JsonNode value) {
        return new FieldError("FieldValueInvalid", "Invalid value: \"" + jsonType(value) + "\": " + detail, path);
    }

    private static String plain(JsonNode number) {
        return number.isIntegralNumber() ? number.asString() : number.decimalValue().stripTrailingZeros()
                .toPlainString();
    }

    private static String child(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** The path as kube-openapi names it in its sentences; the root is {@code body}'s own name. */
    private static String displayPath(String path) {
        return path.isEmpty() ? "<root>" : path;
    }
}
