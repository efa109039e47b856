package io.kybern.api.table;

/** Namespaces and the small configuration kinds of the core group. */
final class CorePrinters {

    private CorePrinters() {
    }

    static ObjectPrinter namespaces() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Status", "The status of the namespace"), o -> o.text("status", "phase"))
                .age().build();
    }

    // Kubernetes declares the count columns of configmaps, secrets and service accounts as strings
    // while their cells are integers; kubectl prints both the same, and clients that read the type see
    // what they would see from Kubernetes.

    static ObjectPrinter configMaps() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Data", "Data contains the configuration data."),
                        o -> o.count("data") + o.count("binaryData"))
                .age().build();
    }

    static ObjectPrinter secrets() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Type", "Used to facilitate programmatic handling of secret data."), o -> o.text("type"))
                .column(TableColumn.string("Data", "Data contains the secret data."), o -> o.count("data"))
                .age().build();
    }

    static ObjectPrinter serviceAccounts() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Secrets", "Secrets is a list of the secrets in the same namespace "
                        + "that pods running using this ServiceAccount are allowed to use."), o -> o.count("secrets"))
                .age().build();
    }
}
