package io.kybern.api.validation;

import static io.kybern.api.validation.KindValidation.immutable;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/** ConfigMaps and Secrets (keys, sizes, immutability, typed secrets' required keys) and claims. */
final class ConfigDataValidation {

    private static final String CONFIG_KEY = "[-._a-zA-Z0-9]+";
    private static final Pattern CONFIG_KEY_PATTERN = Pattern.compile(CONFIG_KEY);
    /** What etcd's default request size leaves for one object's data. */
    static final int MAX_DATA_BYTES = 1024 * 1024;

    private ConfigDataValidation() {
    }

    static final KindValidation.Rules CONFIG_MAP = new KindValidation.Rules() {
        @Override
        public void onCreate(JsonNode configMap, List<FieldError> errors) {
            long size = keys(configMap, "data", false, errors) + keys(configMap, "binaryData", true, errors);
            configMap.path("binaryData").propertyNames().forEach(key -> {
                if (configMap.path("data").has(key)) {
                    errors.add(FieldError.duplicate("data[" + key + "]", key));
                }
            });
            if (size > MAX_DATA_BYTES) {
                errors.add(FieldError.tooLong("", MAX_DATA_BYTES));
            }
        }

        @Override
        public void onUpdate(JsonNode existing, JsonNode updated, List<FieldError> errors) {
            immutableData(existing, updated, List.of("data", "binaryData"), errors);
        }
    };

    static final KindValidation.Rules SECRET = new KindValidation.Rules() {
        @Override
        public void onCreate(JsonNode secret, List<FieldError> errors) {
            long size = keys(secret, "data", true, errors);
            if (size > MAX_DATA_BYTES) {
                errors.add(FieldError.tooLong("data", MAX_DATA_BYTES));
            }
            List<String> required = switch (secret.path("type").asString("Opaque")) {
                case "kubernetes.io/tls" -> List.of("tls.crt", "tls.key");
                case "kubernetes.io/dockerconfigjson" -> List.of(".dockerconfigjson");
                case "kubernetes.io/dockercfg" -> List.of(".dockercfg");
                case "kubernetes.io/basic-auth", "kubernetes.io/ssh-auth" -> List.of();
                default -> List.of();
            };
            for (String key : required) {
                if (!secret.path("data").has(key)) {
                    errors.add(FieldError.required("data[" + key + "]"));
                }
            }
        }

        @Override
        public void onUpdate(JsonNode existing, JsonNode updated, List<FieldError> errors) {
            immutable(existing, updated, "/type", "type", errors);
            immutableData(existing, updated, List.of("data"), errors);
        }
    };

    /** A claim's spec is fixed once made, but for the storage it requests (which may grow). */
    static final KindValidation.Rules CLAIM = new KindValidation.Rules() {
        @Override
        public void onCreate(JsonNode claim, List<FieldError> errors) {
            JsonNode spec = claim.path("spec");
            if (spec.path("accessModes").isEmpty()) {
                errors.add(FieldError.required("spec.accessModes", "at least 1 access mode is required"));
            }
            if (spec.path("resources").path("requests").path("storage").isMissingNode()
                    && spec.path("dataSourceRef").isMissingNode()) {
                errors.add(FieldError.required("spec.resources[storage]"));
            }
        }

        @Override
        public void onUpdate(JsonNode existing, JsonNode updated, List<FieldError> errors) {
            var before = (tools.jackson.databind.node.ObjectNode) existing.path("spec").deepCopy();
            var after = (tools.jackson.databind.node.ObjectNode) updated.path("spec").deepCopy();
            before.remove(List.of("resources", "volumeAttributesClassName", "volumeName"));
            after.remove(List.of("resources", "volumeAttributesClassName", "volumeName"));
            // An unbound claim without a class may be given one (Kubernetes' retroactive default class).
            if (!before.has("storageClassName") && existing.path("spec").path("volumeName").asString("").isEmpty()) {
                after.remove("storageClassName");
            }
            if (!before.equals(after)) {
                errors.add(FieldError.forbidden("spec", "spec is immutable after creation except resources.requests "
                        + "and volumeAttributesClassName for bound claims"));
            }
        }
    };

    /** Checks the keys of a data map and returns the size of its values (decoded when base64). */
    private static long keys(JsonNode object, String field, boolean base64, List<FieldError> errors) {
        long size = 0;
        for (var entry : object.path(field).properties()) {
            String key = entry.getKey();
            if (key.length() > 253 || !CONFIG_KEY_PATTERN.matcher(key).matches()) {
                errors.add(FieldError.invalid(field + "[" + key + "]", key, "a valid config key must consist of "
                        + "alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or "
                        + "'key-name', regex used for validation is '" + CONFIG_KEY + "')"));
            }
            String value = entry.getValue().asString("");
            if (base64) {
                try {
                    size += Base64.getDecoder().decode(value).length;
                } catch (IllegalArgumentException e) {
                    // Kubernetes' decoder refuses this before validation; the message is the same idea.
                    throw new IllegalArgumentException("illegal base64 data in " + field + "[" + key + "]: "
                            + e.getMessage());
                }
            } else {
                size += value.getBytes(StandardCharsets.UTF_8).length;
            }
        }
        return size;
    }

    /** Once {@code immutable: true} is set, neither the data nor the flag may change. */
    private static void immutableData(JsonNode existing, JsonNode updated, List<String> fields,
            List<FieldError> errors) {
        if (!existing.path("immutable").asBoolean(false)) {
            return;
        }
        for (String field : fields) {
            if (!existing.path(field).equals(updated.path(field))) {
                errors.add(FieldError.forbidden(field, "field is immutable when `immutable` is set"));
            }
        }
        if (!updated.path("immutable").asBoolean(false)) {
            errors.add(FieldError.forbidden("immutable", "field is immutable when `immutable` is set"));
        }
    }
}
