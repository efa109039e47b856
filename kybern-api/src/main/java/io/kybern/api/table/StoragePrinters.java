package io.kybern.api.table;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/** Persistent volumes, their claims, CSI drivers, nodes, capacities and volume attachments, and ingresses. */
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

    /** CSI drivers print their options as Kubernetes defaults them when unset. */
    static ObjectPrinter csiDrivers() {
        return ObjectPrinter.builder()
                .column(bool("AttachRequired", "Whether the driver requires an attach operation."),
                        o -> o.path("spec", "attachRequired").asBoolean(true))
                .column(bool("PodInfoOnMount", "Whether the driver requires pod information on mount."),
                        o -> o.path("spec", "podInfoOnMount").asBoolean(false))
                .column(bool("StorageCapacity", "Whether the driver reports storage capacity."),
                        o -> o.path("spec", "storageCapacity").asBoolean(false))
                .column(TableColumn.string("TokenRequests", "The audiences of the service account tokens the "
                        + "driver receives."), o -> o.path("spec", "tokenRequests").isArray()
                                ? String.join(",", PrintedObject.each(o.path("spec", "tokenRequests"), "audience"))
                                : "<unset>")
                .column(bool("RequiresRepublish", "Whether the driver wants NodePublishVolume called periodically."),
                        o -> o.path("spec", "requiresRepublish").asBoolean(false))
                .column(TableColumn.string("Modes", "The volume lifecycle modes the driver supports."),
                        o -> o.path("spec", "volumeLifecycleModes").isEmpty() ? "<none>"
                                : String.join(",", PrintedObject.strings(o.path("spec", "volumeLifecycleModes"))))
                .age().build();
    }

    private static TableColumn bool(String name, String description) {
        return new TableColumn(name, "boolean", "", description, 0);
    }

    static ObjectPrinter csiNodes() {
        return ObjectPrinter.builder()
                .column(TableColumn.integer("Drivers", "Drivers indicates the number of CSI drivers registered on "
                        + "the node"), o -> o.count("spec", "drivers"))
                .age().build();
    }

    /** Capacities have no Age column: Kubernetes prints none for them. */
    static ObjectPrinter csiStorageCapacities() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("StorageClassName", "The name of the storage class this capacity "
                        + "applies to."), o -> o.text("storageClassName"))
                .column(TableColumn.string("Capacity", "The capacity available in the topology segment."),
                        o -> o.text("capacity").isEmpty() ? "<unset>" : o.text("capacity"))
                .build();
    }

    static ObjectPrinter volumeAttachments() {
        return ObjectPrinter.builder()
                // Kubernetes marks the attacher, too, with the name format.
                .column(new TableColumn("Attacher", "string", "name", "Attacher indicates the name of the volume "
                        + "driver that MUST handle this request.", 0), o -> o.text("spec", "attacher"))
                .column(TableColumn.string("PV", "Name of the persistent volume to attach."),
                        o -> o.text("spec", "source", "persistentVolumeName"))
                .column(TableColumn.string("Node", "The node that the volume should be attached to."),
                        o -> o.text("spec", "nodeName"))
                .column(bool("Attached", "Indicates the volume is successfully attached."),
                        o -> o.path("status", "attached").asBoolean(false))
                .age().build();
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
