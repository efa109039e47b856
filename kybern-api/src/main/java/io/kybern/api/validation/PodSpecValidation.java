package io.kybern.api.validation;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Rules of a pod spec, in a Pod or a workload's template: containers named, imaged and unique, ports in
 * range, enums from their sets, volumes named once and mounted only if they exist, environment names
 * valid. Paths are relative to where the spec sits ({@code spec} or {@code spec.template.spec}).
 */
final class PodSpecValidation {

    static final List<String> RESTART_POLICIES = List.of("Always", "OnFailure", "Never");
    private static final List<String> DNS_POLICIES = List.of("ClusterFirstWithHostNet", "ClusterFirst", "Default",
            "None");
    private static final List<String> PULL_POLICIES = List.of("Always", "IfNotPresent", "Never");
    private static final List<String> PROTOCOLS = List.of("SCTP", "TCP", "UDP");
    private static final String ENV_NAME = "[-._a-zA-Z][-._a-zA-Z0-9]*";
    private static final Pattern ENV_NAME_PATTERN = Pattern.compile(ENV_NAME);

    private PodSpecValidation() {
    }

    static void validate(JsonNode spec, String path, List<FieldError> errors) {
        if (!spec.path("containers").isArray() || spec.path("containers").isEmpty()) {
            errors.add(FieldError.required(path + ".containers"));
        }
        Set<String> volumes = new HashSet<>();
        JsonNode volumeList = spec.path("volumes");
        for (int i = 0; i < volumeList.size(); i++) {
            String name = volumeList.get(i).path("name").asString("");
            String at = path + ".volumes[" + i + "].name";
            if (name.isEmpty()) {
                errors.add(FieldError.required(at));
            } else if (!volumes.add(name)) {
                errors.add(FieldError.duplicate(at, name));
            } else {
                Names.checkLabel(name).ifPresent(problem -> errors.add(FieldError.invalid(at, name, problem)));
            }
        }
        Set<String> containerNames = new HashSet<>();
        for (String list : List.of("initContainers", "containers")) {
            JsonNode containers = spec.path(list);
            for (int i = 0; i < containers.size(); i++) {
                container(containers.get(i), path + "." + list + "[" + i + "]", containerNames, volumes, errors);
            }
        }
        enumField(spec, "restartPolicy", path, RESTART_POLICIES, errors);
        enumField(spec, "dnsPolicy", path, DNS_POLICIES, errors);
        JsonNode grace = spec.get("terminationGracePeriodSeconds");
        if (grace != null && grace.isNumber() && grace.asLong() < 0) {
            errors.add(FieldError.invalidNumber(path + ".terminationGracePeriodSeconds", grace.asLong(),
                    "must be greater than or equal to 0"));
        }
    }

    private static void container(JsonNode container, String path, Set<String> names, Set<String> volumes,
            List<FieldError> errors) {
        String name = container.path("name").asString("");
        if (name.isEmpty()) {
            errors.add(FieldError.required(path + ".name"));
        } else if (!names.add(name)) {
            errors.add(FieldError.duplicate(path + ".name", name));
        } else {
            Names.checkLabel(name).ifPresent(problem -> errors.add(FieldError.invalid(path + ".name", name, problem)));
        }
        if (container.path("image").asString("").isBlank()) {
            errors.add(FieldError.required(path + ".image"));
        }
        enumField(container, "imagePullPolicy", path, PULL_POLICIES, errors);
        JsonNode ports = container.path("ports");
        for (int i = 0; i < ports.size(); i++) {
            JsonNode port = ports.get(i);
            String at = path + ".ports[" + i + "]";
            JsonNode number = port.get("containerPort");
            if (number == null || number.isNull()) {
                errors.add(FieldError.required(at + ".containerPort"));
            } else if (!number.isIntegralNumber() || number.asLong() < 1 || number.asLong() > 65535) {
                errors.add(FieldError.invalidNumber(at + ".containerPort", number.asLong(),
                        "must be between 1 and 65535, inclusive"));
            }
            enumField(port, "protocol", at, PROTOCOLS, errors);
        }
        JsonNode env = container.path("env");
        for (int i = 0; i < env.size(); i++) {
            String envName = env.get(i).path("name").asString("");
            String at = path + ".env[" + i + "].name";
            if (envName.isEmpty()) {
                errors.add(FieldError.required(at));
            } else if (!ENV_NAME_PATTERN.matcher(envName).matches()) {
                errors.add(FieldError.invalid(at, envName, "a valid environment variable name must consist of "
                        + "alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. "
                        + "'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '"
                        + ENV_NAME + "')"));
            }
        }
        JsonNode mounts = container.path("volumeMounts");
        for (int i = 0; i < mounts.size(); i++) {
            String volume = mounts.get(i).path("name").asString("");
            String at = path + ".volumeMounts[" + i + "]";
            if (volume.isEmpty()) {
                errors.add(FieldError.required(at + ".name"));
            } else if (!volumes.contains(volume)) {
                errors.add(FieldError.notFound(at + ".name", volume));
            }
            if (mounts.get(i).path("mountPath").asString("").isEmpty()) {
                errors.add(FieldError.required(at + ".mountPath"));
            }
        }
    }

    static void enumField(JsonNode node, String field, String path, List<String> allowed, List<FieldError> errors) {
        JsonNode value = node.get(field);
        if (value != null && !value.isNull() && !allowed.contains(value.asString(""))) {
            errors.add(FieldError.notSupported(path + "." + field, value.asString(""), allowed));
        }
    }
}
