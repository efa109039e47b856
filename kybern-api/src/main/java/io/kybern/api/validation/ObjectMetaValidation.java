package io.kybern.api.validation;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The rules every kind's {@code metadata} obeys: label keys and values, annotation keys and their total
 * size, finalizer names, and the finalizers an object being deleted may no longer gain. Messages use
 * Kubernetes' wording, so kubectl users read what they already know.
 *
 * <p>A field of the wrong JSON type is not a validation error but a decoding one, reported as
 * {@link IllegalArgumentException} with the message Kubernetes' decoder gives.
 */
public final class ObjectMetaValidation {

    private static final String QUALIFIED_NAME = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private static final String LABEL_VALUE = "(" + QUALIFIED_NAME + ")?";
    private static final Pattern QUALIFIED_NAME_PATTERN = Pattern.compile(QUALIFIED_NAME);
    private static final Pattern LABEL_VALUE_PATTERN = Pattern.compile(LABEL_VALUE);
    private static final int NAME_PART_MAX = 63;
    /** Kubernetes caps the annotations of one object at 256 KiB, keys and values together. */
    public static final int ANNOTATIONS_MAX_BYTES = 256 * 1024;
    /**
     * Finalizers Kubernetes itself defines, the only ones allowed without a domain prefix; the last is the
     * one every CustomResourceDefinition holds until its objects are deleted.
     */
    private static final Set<String> STANDARD_FINALIZERS = Set.of("kubernetes", "orphan", "foregroundDeletion",
            "customresourcecleanup.apiextensions.k8s.io");

    private ObjectMetaValidation() {
    }

    /** Everything wrong with {@code metadata}, in field order; empty when it is valid. */
    public static List<FieldError> validate(JsonNode metadata) {
        List<FieldError> errors = new ArrayList<>();
        Map<String, String> labels = stringMap(metadata, "labels");
        labels.forEach((key, value) -> {
            checkQualifiedName(key).ifPresent(problem ->
                    errors.add(FieldError.invalid("metadata.labels", key, problem)));
            checkLabelValue(value).ifPresent(problem ->
                    errors.add(FieldError.invalid("metadata.labels", value, problem)));
        });
        Map<String, String> annotations = stringMap(metadata, "annotations");
        long size = 0;
        for (Map.Entry<String, String> annotation : annotations.entrySet()) {
            String key = annotation.getKey();
            checkQualifiedName(key.toLowerCase(Locale.ROOT)).ifPresent(problem ->
                    errors.add(FieldError.invalid("metadata.annotations", key, problem)));
            size += key.getBytes(StandardCharsets.UTF_8).length
                    + annotation.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        if (size > ANNOTATIONS_MAX_BYTES) {
            errors.add(FieldError.tooLong("metadata.annotations", ANNOTATIONS_MAX_BYTES));
        }
        for (String finalizer : finalizers(metadata)) {
            var problem = checkQualifiedName(finalizer);
            if (problem.isPresent()) {
                errors.add(FieldError.invalid("metadata.finalizers", finalizer, problem.get()));
            } else if (!finalizer.contains("/") && !STANDARD_FINALIZERS.contains(finalizer)) {
                errors.add(FieldError.invalid("metadata.finalizers", finalizer,
                        "name is neither a standard finalizer name nor is it fully qualified"));
            }
        }
        return errors;
    }

    /**
     * What an update may not do to metadata beyond {@link #validate}: an object that is being deleted
     * may lose finalizers but never gain one, or it could be kept forever.
     */
    public static List<FieldError> validateUpdate(JsonNode metadata, JsonNode oldMetadata) {
        List<FieldError> errors = new ArrayList<>(validate(metadata));
        if (oldMetadata.hasNonNull("deletionTimestamp")) {
            Set<String> added = new LinkedHashSet<>(finalizers(metadata));
            added.removeAll(finalizers(oldMetadata));
            if (!added.isEmpty()) {
                errors.add(FieldError.forbidden("metadata.finalizers", "no new finalizers can be added if the object "
                        + "is being deleted, found new finalizers []string{" + String.join(", ",
                                added.stream().map(f -> "\"" + f + "\"").toList()) + "}"));
            }
        }
        return errors;
    }

    /** The object's finalizers, in order; empty when it has none. */
    public static List<String> finalizers(JsonNode metadata) {
        JsonNode node = metadata.get("finalizers");
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException("json: cannot unmarshal " + jsonType(node)
                    + " into Go struct field ObjectMeta.metadata.finalizers of type []string");
        }
        List<String> names = new ArrayList<>();
        for (JsonNode name : node) {
            if (!name.isString()) {
                throw new IllegalArgumentException("json: cannot unmarshal " + jsonType(name)
                        + " into Go struct field ObjectMeta.metadata.finalizers of type string");
            }
            names.add(name.asString());
        }
        return names;
    }

    /**
     * A qualified name ({@code [prefix/]name}) as label keys, annotation keys and finalizers use; empty
     * when valid, otherwise Kubernetes' message.
     */
    public static Optional<String> checkQualifiedName(String value) {
        String[] parts = value.split("/", -1);
        String name;
        if (parts.length == 1) {
            name = parts[0];
        } else if (parts.length == 2) {
            if (parts[0].isEmpty()) {
                return Optional.of("prefix part must be non-empty");
            }
            var prefixProblem = Names.checkSubdomain(parts[0]);
            if (prefixProblem.isPresent()) {
                return Optional.of("prefix part " + prefixProblem.get());
            }
            name = parts[1];
        } else {
            return Optional.of("a qualified name must consist of alphanumeric characters, '-', '_' or '.', "
                    + "and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
                    + "'123-abc', regex used for validation is '" + QUALIFIED_NAME + "') with an optional DNS "
                    + "subdomain prefix and '/' (e.g. 'example.com/MyName')");
        }
        if (name.isEmpty()) {
            return Optional.of("name part must be non-empty");
        }
        if (name.length() > NAME_PART_MAX) {
            return Optional.of("name part must be no more than " + NAME_PART_MAX + " characters");
        }
        if (!QUALIFIED_NAME_PATTERN.matcher(name).matches()) {
            return Optional.of("name part must consist of alphanumeric characters, '-', '_' or '.', and "
                    + "must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
                    + "'123-abc', regex used for validation is '" + QUALIFIED_NAME + "')");
        }
        return Optional.empty();
    }

    /** A label value: empty, or up to 63 name characters; empty when valid, otherwise the message. */
    public static Optional<String> checkLabelValue(String value) {
        if (value.length() > NAME_PART_MAX) {
            return Optional.of("must be no more than " + NAME_PART_MAX + " characters");
        }
        if (!LABEL_VALUE_PATTERN.matcher(value).matches()) {
            return Optional.of("a valid label must be an empty string or consist of alphanumeric "
                    + "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
                    + "'MyValue',  or 'my_value',  or '12345', regex used for validation is '" + LABEL_VALUE + "')");
        }
        return Optional.empty();
    }

    private static Map<String, String> stringMap(JsonNode metadata, String field) {
        JsonNode node = metadata.get(field);
        Map<String, String> values = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return values;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("json: cannot unmarshal " + jsonType(node)
                    + " into Go struct field ObjectMeta.metadata." + field + " of type map[string]string");
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            JsonNode value = entry.getValue();
            if (value.isNull()) {
                values.put(entry.getKey(), "");
            } else if (!value.isString()) {
                throw new IllegalArgumentException("json: cannot unmarshal " + jsonType(value)
                        + " into Go struct field ObjectMeta.metadata." + field + " of type string");
            } else {
                values.put(entry.getKey(), value.asString());
            }
        }
        return values;
    }

    /** The JSON type's name as Go's decoder words it. */
    private static String jsonType(JsonNode node) {
        if (node.isNumber()) {
            return "number";
        }
        if (node.isBoolean()) {
            return "bool";
        }
        if (node.isArray()) {
            return "array";
        }
        if (node.isObject()) {
            return "object";
        }
        return "string";
    }
}
