package io.kybern.api.table;

import java.time.Duration;
import tools.jackson.databind.JsonNode;

/**
 * What admits and certifies: webhook configurations, validating admission policies and their bindings,
 * and certificate signing requests.
 */
final class AdmissionPrinters {

    private static final String UNSET = "<unset>";

    private AdmissionPrinters() {
    }

    /** Mutating and validating webhook configurations print how many webhooks they hold. */
    static ObjectPrinter webhookConfigurations() {
        return ObjectPrinter.builder()
                .column(TableColumn.integer("Webhooks", "Webhooks is a list of webhooks and the affected resources "
                        + "and operations."), o -> o.count("webhooks"))
                .age().build();
    }

    static ObjectPrinter validatingAdmissionPolicies() {
        return ObjectPrinter.builder()
                .column(TableColumn.integer("Validations", "Validations contain CEL expressions which is used to "
                        + "apply the validation."), o -> o.count("spec", "validations"))
                .column(TableColumn.string("ParamKind", "ParamKind specifies the kind of resources used to "
                        + "parameterize this policy"), AdmissionPrinters::paramKind)
                .age().build();
    }

    private static String paramKind(PrintedObject policy) {
        JsonNode paramKind = policy.path("spec", "paramKind");
        if (!paramKind.isObject()) {
            return UNSET;
        }
        return paramKind.path("apiVersion").asString("") + "/" + paramKind.path("kind").asString("");
    }

    static ObjectPrinter validatingAdmissionPolicyBindings() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("PolicyName", "PolicyName references a ValidatingAdmissionPolicy name "
                        + "which the ValidatingAdmissionPolicyBinding binds to."), o -> o.text("spec", "policyName"))
                .column(TableColumn.string("ParamRef", "ParamRef specifies the parameter resource used to "
                        + "configure the admission control policy."), AdmissionPrinters::paramRef)
                .age().build();
    }

    /**
     * {@code namespace/name}; {@code *}/name when no namespace is given, since the parameter may live in any
     * namespace; a selector when the binding selects parameters instead of naming one.
     */
    private static String paramRef(PrintedObject binding) {
        JsonNode ref = binding.path("spec", "paramRef");
        if (!ref.isObject()) {
            return UNSET;
        }
        String name = ref.path("name").asString("");
        if (!name.isEmpty()) {
            String namespace = ref.path("namespace").asString("");
            return (namespace.isEmpty() ? "*" : namespace) + "/" + name;
        }
        if (ref.path("selector").isObject()) {
            // Kubernetes prints the selector's Go structure here; its label-query form says the same.
            return WorkloadPrinters.selectorText(ref.path("selector"));
        }
        return UNSET;
    }

    static ObjectPrinter certificateSigningRequests() {
        return ObjectPrinter.builder()
                .age()
                .column(TableColumn.string("SignerName", "Requested signer for the request."),
                        o -> o.textOrNone("spec", "signerName"))
                .column(TableColumn.string("Requestor", "Name of the user which created the request."),
                        o -> o.text("spec", "username"))
                .column(TableColumn.string("RequestedDuration", "The requested duration of validity of the "
                        + "issued certificate."), AdmissionPrinters::requestedDuration)
                .column(TableColumn.string("Condition", "The state of the request."),
                        AdmissionPrinters::requestCondition)
                .build();
    }

    private static String requestedDuration(PrintedObject request) {
        JsonNode seconds = request.path("spec", "expirationSeconds");
        return seconds.isNumber() ? HumanDuration.format(Duration.ofSeconds(seconds.asLong())) : "<none>";
    }

    /** Denied over Approved over Pending, then Failed and Issued when they apply: {@code Approved,Issued}. */
    private static String requestCondition(PrintedObject request) {
        boolean approved = false;
        boolean denied = false;
        boolean failed = false;
        for (JsonNode condition : request.path("status", "conditions")) {
            switch (condition.path("type").asString("")) {
                case "Approved" -> approved = true;
                case "Denied" -> denied = true;
                case "Failed" -> failed = true;
                default -> { }
            }
        }
        StringBuilder status = new StringBuilder(denied ? "Denied" : approved ? "Approved" : "Pending");
        if (failed) {
            status.append(",Failed");
        }
        if (!request.text("status", "certificate").isEmpty()) {
            status.append(",Issued");
        }
        return status.toString();
    }
}
