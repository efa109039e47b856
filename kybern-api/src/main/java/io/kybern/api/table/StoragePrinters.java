package io.kybern.api.table;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/** Persistent volumes, their claims and ingresses. */
final class StoragePrinters {

    /** Access modes in the order and abbreviations Kubernetes prints them. */
    private static final List<Map.Entry<String, String>> ACCESS_MODES = List.of(
            Map.entry("ReadWriteOnce", "RWO"), Map.entry("ReadOnlyMany", "ROX"),
            Map.entry("ReadWriteMany", "RWX"), Map.entry("ReadWriteOncePod", "RWOP"));
    private static final String BETA_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class";

    private StoragePrinters() {
    }

    static ObjectPrinter persistentVolumes() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Capacity", "The capacity of the volume."),
                        o -> quantity(o.path("spec", "capacity", "storage")))
                .column(TableColumn.string("Access Modes", "The ways the volume can be mounted."),
                        o -> accessModes(o.path("spec", "accessModes")))
                .column(TableColumn.string("Reclaim Policy", "What happens to the volume when released from "
                        + "its claim."), o -> o.text("spec", "persistentVolumeReclaimPolicy"))
                .column(TableColumn.string("Status", "The phase of the volume."),
                        o -> o.deleting() ? "Terminating" : o.text("status", "phase"))
                .column(TableColumn.string("Claim", "The claim bound to the volume."), StoragePrinters::claim)
                .column(TableColumn.string("StorageClass", "StorageClass of the pv"), StoragePrinters::storageClass)
                .column(TableColumn.string("VolumeAttributesClass", "VolumeAttributesClass of the pv"),
                        o -> unset(o.path("spec", "volumeAttributesClassName")))
                .column(TableColumn.string("Reason", "Why the volume is in its phase."), o -> o.text("status", "reason"))
                .age()
                .column(TableColumn.string("VolumeMode", "Whether the volume is a filesystem or a block device.")
                        .wide(), o -> unset(o.path("spec", "volumeMode")))
                .build();
    }

    static ObjectPrinter persistentVolumeClaims() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Status", "The phase of the claim."),
                        o -> o.deleting() ? "Terminating" : o.text("status", "phase"))
                .column(TableColumn.string("Volume", "The volume bound to the claim."),
                        o -> o.text("spec", "volumeName"))
                // Capacity and access modes are the bound volume's, so empty until the claim is bound.
                .column(TableColumn.string("Capacity", "The capacity of the bound volume."),
                        o -> bound(o) ? quantity(o.path("status", "capacity", "storage")) : "")
                .column(TableColumn.string("Access Modes", "The access modes of the bound volume."),
                        o -> bound(o) ? accessModes(o.path("status", "accessModes")) : "")
                .column(TableColumn.string("StorageClass", "StorageClass of the pvc"), StoragePrinters::storageClass)
                .column(TableColumn.string("VolumeAttributesClass", "VolumeAttributesClass of the pvc"),
                        o -> unset(o.path("spec", "volumeAttributesClassName")))
                .age()
                .column(TableColumn.string("VolumeMode", "Whether the volume is a filesystem or a block device.")
                        .wide(), o -> unset(o.path("spec", "volumeMode")))
                .build();
    }

    static ObjectPrinter ingresses() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Class", "The name of the IngressClass resource that should be used for "
                        + "additional configuration"), o -> o.textOrNone("spec", "ingressClassName"))
                .column(TableColumn.string("Hosts", "Hosts that incoming requests are matched against before the "
                        + "ingress rule"), StoragePrinters::hosts)
                .column(TableColumn.string("Address", "Address is a list containing ingress points for the "
                        + "load-balancer"), StoragePrinters::ingressAddress)
                .column(TableColumn.string("Ports", "Ports of TLS configurations that open"),
                        o -> o.path("spec", "tls").isEmpty() ? "80" : "80, 443")
                .age().build();
    }

    private static boolean bound(PrintedObject claim) {
        return !claim.text("spec", "volumeName").isEmpty();
    }

    /** The quantity as stored; "0" when absent, as Kubernetes prints an empty quantity. */
    private static String quantity(JsonNode quantity) {
        String text = quantity.asString("");
        return text.isEmpty() ? "0" : text;
    }

    static String accessModes(JsonNode modes) {
        List<String> present = new ArrayList<>();
        modes.forEach(mode -> present.add(mode.asString("")));
        List<String> abbreviated = new ArrayList<>();
        for (Map.Entry<String, String> mode : ACCESS_MODES) {
            if (present.contains(mode.getKey())) {
                abbreviated.add(mode.getValue());
            }
        }
        return String.join(",", abbreviated);
    }

    private static String storageClass(PrintedObject volume) {
        String beta = volume.text("metadata", "annotations", BETA_CLASS_ANNOTATION);
        return beta.isEmpty() ? volume.text("spec", "storageClassName") : beta;
    }

    private static String claim(PrintedObject volume) {
        JsonNode ref = volume.path("spec", "claimRef");
        return ref.isObject() ? ref.path("namespace").asString("") + "/" + ref.path("name").asString("") : "";
    }

    private static String unset(JsonNode value) {
        String text = value.asString("");
        return text.isEmpty() ? "<unset>" : text;
    }

    /** Up to three hosts and how many more rules there are; {@code *} when no rule names a host. */
    private static String hosts(PrintedObject ingress) {
        JsonNode rules = ingress.path("spec", "rules");
        final int shown = 3;
        List<String> hosts = new ArrayList<>();
        boolean more = false;
        for (JsonNode rule : rules) {
            if (hosts.size() == shown) {
                more = true;
            }
            String host = rule.path("host").asString("");
            if (!more && !host.isEmpty()) {
                hosts.add(host);
            }
        }
        if (hosts.isEmpty()) {
            return "*";
        }
        return more ? String.join(",", hosts) + " + " + (rules.size() - shown) + " more..." : String.join(",", hosts);
    }

    /** Load balancer addresses, sorted and without repeats. */
    private static String ingressAddress(PrintedObject ingress) {
        TreeSet<String> addresses = new TreeSet<>();
        for (JsonNode point : ingress.path("status", "loadBalancer", "ingress")) {
            String ip = point.path("ip").asString("");
            addresses.add(ip.isEmpty() ? point.path("hostname").asString("") : ip);
        }
        addresses.removeIf(String::isEmpty);
        return String.join(",", addresses);
    }
}
