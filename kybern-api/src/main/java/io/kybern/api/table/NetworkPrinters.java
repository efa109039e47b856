package io.kybern.api.table;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;

/** Network policies, ingress classes, endpoint slices, IP addresses and service CIDRs. */
final class NetworkPrinters {

    /** Endpoint slices list this many ports and addresses before summing up the rest. */
    private static final int SHOWN = 3;

    private NetworkPrinters() {
    }

    static ObjectPrinter networkPolicies() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Pod-Selector", "Selects the pods to which this NetworkPolicy object "
                        + "applies."), o -> WorkloadPrinters.selectorText(o.path("spec", "podSelector")))
                .age().build();
    }

    static ObjectPrinter ingressClasses() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Controller", "Controller that is responsible for handling this class"),
                        o -> o.text("spec", "controller"))
                .column(TableColumn.string("Parameters", "A reference to a resource with additional parameters"),
                        NetworkPrinters::ingressClassParameters)
                .age().build();
    }

    /** {@code Kind.group/name}, or {@code Kind/name} for the core group; {@code <none>} without parameters. */
    private static String ingressClassParameters(PrintedObject ingressClass) {
        JsonNode parameters = ingressClass.path("spec", "parameters");
        if (!parameters.isObject()) {
            return "<none>";
        }
        String kind = parameters.path("kind").asString("");
        if (parameters.path("apiGroup").isString()) {
            kind = kind + "." + parameters.path("apiGroup").asString();
        }
        return kind + "/" + parameters.path("name").asString("");
    }

    static ObjectPrinter endpointSlices() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("AddressType", "The type of address carried by this EndpointSlice."),
                        o -> o.text("addressType"))
                .column(TableColumn.string("Ports", "Enumerated ports available on the endpoints."),
                        NetworkPrinters::slicePorts)
                .column(TableColumn.string("Endpoints", "A list of unique endpoints in this EndpointSlice."),
                        NetworkPrinters::sliceAddresses)
                .age().build();
    }

    /** Port numbers; a port without a number by its name, or {@code *} with neither. */
    private static String slicePorts(PrintedObject slice) {
        List<String> ports = new ArrayList<>();
        for (JsonNode port : slice.path("ports")) {
            if (port.path("port").isNumber()) {
                ports.add(Long.toString(port.path("port").asLong()));
            } else if (port.path("name").isString()) {
                ports.add(port.path("name").asString());
            } else {
                ports.add("*");
            }
        }
        return firstFewOrUnset(ports);
    }

    private static String sliceAddresses(PrintedObject slice) {
        List<String> addresses = new ArrayList<>();
        for (JsonNode endpoint : slice.path("endpoints")) {
            endpoint.path("addresses").forEach(address -> addresses.add(address.asString("")));
        }
        return firstFewOrUnset(addresses);
    }

    /** The first three, and how many more there are; {@code <unset>} when there are none. */
    private static String firstFewOrUnset(List<String> values) {
        if (values.isEmpty()) {
            return "<unset>";
        }
        String joined = String.join(",", values.subList(0, Math.min(SHOWN, values.size())));
        return values.size() > SHOWN ? joined + " + " + (values.size() - SHOWN) + " more..." : joined;
    }

    /**
     * IP addresses have no Age column. Kubernetes' own rows carry an age cell beyond the declared columns,
     * which kubectl drops; these rows hold just the cells of the columns.
     */
    static ObjectPrinter ipAddresses() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("ParentRef", "ParentRef references the resource that an IPAddress is "
                        + "attached to."), NetworkPrinters::parentRef)
                .build();
    }

    /** {@code resource.group/namespace/name}, lower case, the namespace only when there is one. */
    private static String parentRef(PrintedObject address) {
        JsonNode parent = address.path("spec", "parentRef");
        if (!parent.isObject()) {
            return "<none>";
        }
        String group = parent.path("group").asString("");
        String resource = parent.path("resource").asString("");
        String printed = (group.isEmpty() ? resource : resource + "." + group).toLowerCase(Locale.ROOT);
        String namespace = parent.path("namespace").asString("");
        if (!namespace.isEmpty()) {
            printed += "/" + namespace;
        }
        return printed + "/" + parent.path("name").asString("");
    }

    static ObjectPrinter serviceCidrs() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("CIDRs", "The IP ranges of the service CIDR."),
                        o -> String.join(",", PrintedObject.strings(o.path("spec", "cidrs"))))
                .age().build();
    }
}
