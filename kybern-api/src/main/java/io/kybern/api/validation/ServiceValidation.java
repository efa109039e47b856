package io.kybern.api.validation;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/** A Service's type and ports. Cluster IPs and node ports are checked where they are allocated. */
final class ServiceValidation {

    private static final List<String> TYPES = List.of("ClusterIP", "ExternalName", "LoadBalancer", "NodePort");
    private static final List<String> PROTOCOLS = List.of("SCTP", "TCP", "UDP");
    /** An IANA service name, which a targetPort may be instead of a number. */
    private static final Pattern SERVICE_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");

    private ServiceValidation() {
    }

    static final KindValidation.Rules SERVICE = (service, errors) -> {
        JsonNode spec = service.path("spec");
        String type = spec.path("type").asString("ClusterIP");
        if (!TYPES.contains(type)) {
            errors.add(FieldError.notSupported("spec.type", type, TYPES));
        }
        JsonNode ports = spec.path("ports");
        boolean headless = spec.path("clusterIP").asString("").equals("None");
        if (type.equals("ExternalName")) {
            if (spec.path("externalName").asString("").isEmpty()) {
                errors.add(FieldError.required("spec.externalName"));
            }
        } else if (ports.isEmpty() && !headless) {
            errors.add(FieldError.required("spec.ports"));
        }
        Set<String> names = new HashSet<>();
        Set<String> portsAndProtocols = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            JsonNode port = ports.get(i);
            String at = "spec.ports[" + i + "]";
            String name = port.path("name").asString("");
            if (ports.size() > 1 && name.isEmpty()) {
                errors.add(FieldError.required(at + ".name"));
            } else if (!name.isEmpty()) {
                Names.checkLabel(name).ifPresent(problem -> errors.add(FieldError.invalid(at + ".name", name, problem)));
                if (!names.add(name)) {
                    errors.add(FieldError.duplicate(at + ".name", name));
                }
            }
            long number = port.path("port").asLong(0);
            if (number < 1 || number > 65535) {
                errors.add(FieldError.invalidNumber(at + ".port", number, "must be between 1 and 65535, inclusive"));
            }
            String protocol = port.path("protocol").asString("TCP");
            if (!PROTOCOLS.contains(protocol)) {
                errors.add(FieldError.notSupported(at + ".protocol", protocol, PROTOCOLS));
            }
            if (!portsAndProtocols.add(number + "/" + protocol)) {
                errors.add(FieldError.duplicate(at, number + "/" + protocol));
            }
            JsonNode target = port.get("targetPort");
            if (target != null && target.isNumber() && (target.asLong() < 1 || target.asLong() > 65535)) {
                errors.add(FieldError.invalidNumber(at + ".targetPort", target.asLong(),
                        "must be between 1 and 65535, inclusive"));
            } else if (target != null && target.isString()
                    && (target.asString().length() > 15 || !SERVICE_NAME.matcher(target.asString()).matches())) {
                errors.add(FieldError.invalid(at + ".targetPort", target.asString(), "must contain only "
                        + "alphanumeric characters (a-z, 0-9), and hyphens (-), and be no more than 15 characters"));
            }
        }
    };
}
