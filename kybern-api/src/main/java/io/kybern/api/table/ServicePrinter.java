package io.kybern.api.table;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/** Services: type, addresses and ports; the selector with {@code -o wide}. */
final class ServicePrinter {

    private ServicePrinter() {
    }

    static ObjectPrinter create() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Type", "The type of the service."), o -> o.text("spec", "type"))
                // The first of the service's addresses (clusterIPs lists one per IP family).
                .column(TableColumn.string("Cluster-IP", "The IP address of the service."),
                        o -> PrintedObject.orNone(o.path("spec", "clusterIPs").path(0).asString("")))
                .column(TableColumn.string("External-IP", "The addresses the service is reachable at from outside."),
                        ServicePrinter::externalIp)
                .column(TableColumn.string("Port(s)", "The ports the service exposes."), ServicePrinter::ports)
                .age()
                .column(TableColumn.string("Selector", "The labels of the pods the service routes to.").wide(),
                        o -> PrintedObject.labels(o.path("spec", "selector")))
                .build();
    }

    private static String externalIp(PrintedObject service) {
        List<String> externalIps = new ArrayList<>();
        service.path("spec", "externalIPs").forEach(ip -> externalIps.add(ip.asString("")));
        return switch (service.text("spec", "type")) {
            case "ClusterIP", "NodePort" -> externalIps.isEmpty() ? "<none>" : String.join(",", externalIps);
            case "LoadBalancer" -> {
                // Sorted and without repeats, as Kubernetes collects load balancer addresses.
                TreeSet<String> addresses = new TreeSet<>();
                for (JsonNode ingress : service.path("status", "loadBalancer", "ingress")) {
                    String ip = ingress.path("ip").asString("");
                    String hostname = ingress.path("hostname").asString("");
                    if (!ip.isEmpty()) {
                        addresses.add(ip);
                    } else if (!hostname.isEmpty()) {
                        addresses.add(hostname);
                    }
                }
                if (addresses.isEmpty() && externalIps.isEmpty()) {
                    yield "<pending>"; // the cloud has not given it an address yet
                }
                List<String> all = new ArrayList<>(addresses);
                all.addAll(externalIps);
                yield String.join(",", all);
            }
            case "ExternalName" -> service.text("spec", "externalName");
            default -> "<unknown>";
        };
    }

    /** {@code 80/TCP}, or {@code 80:30080/TCP} with a node port, comma separated; {@code <none>} if none. */
    private static String ports(PrintedObject service) {
        List<String> ports = new ArrayList<>();
        for (JsonNode port : service.path("spec", "ports")) {
            // Kubernetes stores the protocol defaulted to TCP; objects stored here may lack it.
            String protocol = port.path("protocol").asString("TCP");
            long nodePort = port.path("nodePort").asLong(0);
            ports.add(nodePort != 0 ? port.path("port").asLong(0) + ":" + nodePort + "/" + protocol
                    : port.path("port").asLong(0) + "/" + protocol);
        }
        return ports.isEmpty() ? "<none>" : String.join(",", ports);
    }
}
