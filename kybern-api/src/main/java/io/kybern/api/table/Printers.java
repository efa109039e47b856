package io.kybern.api.table;

import java.util.Map;

/**
 * The printer of each built-in resource, by group and resource; every other resource (custom
 * resources, roles, definitions) gets Kubernetes' default table of name and creation time.
 */
public final class Printers {

    private static final ObjectPrinter DEFAULT = DefaultPrinter.create();

    private static final Map<String, ObjectPrinter> BY_RESOURCE = Map.ofEntries(
            Map.entry("namespaces", CorePrinters.namespaces()),
            Map.entry("configmaps", CorePrinters.configMaps()),
            Map.entry("secrets", CorePrinters.secrets()),
            Map.entry("serviceaccounts", CorePrinters.serviceAccounts()),
            Map.entry("resourcequotas", CorePrinters.resourceQuotas()),
            Map.entry("pods", PodPrinter.create()),
            Map.entry("services", ServicePrinter.create()),
            Map.entry("endpoints", ClusterPrinters.endpoints()),
            Map.entry("nodes", ClusterPrinters.nodes()),
            Map.entry("events", EventPrinter.create()),
            Map.entry("persistentvolumes", StoragePrinters.persistentVolumes()),
            Map.entry("persistentvolumeclaims", StoragePrinters.persistentVolumeClaims()),
            Map.entry("networking.k8s.io/ingresses", StoragePrinters.ingresses()),
            Map.entry("apps/deployments", WorkloadPrinters.deployments()),
            Map.entry("apps/replicasets", WorkloadPrinters.replicaSets()),
            Map.entry("apps/statefulsets", WorkloadPrinters.statefulSets()),
            Map.entry("apps/daemonsets", WorkloadPrinters.daemonSets()),
            Map.entry("batch/jobs", WorkloadPrinters.jobs()),
            Map.entry("batch/cronjobs", WorkloadPrinters.cronJobs()),
            Map.entry("policy/poddisruptionbudgets", WorkloadPrinters.podDisruptionBudgets()),
            Map.entry("coordination.k8s.io/leases", ClusterPrinters.leases()),
            Map.entry("scheduling.k8s.io/priorityclasses", ClusterPrinters.priorityClasses()),
            Map.entry("storage.k8s.io/storageclasses", ClusterPrinters.storageClasses()),
            Map.entry("rbac.authorization.k8s.io/rolebindings", ClusterPrinters.roleBindings("roleBinding")),
            Map.entry("rbac.authorization.k8s.io/clusterrolebindings",
                    ClusterPrinters.roleBindings("clusterRoleBinding")));

    private Printers() {
    }

    /** The printer of a resource; the default table when Kubernetes has no printer of its own for it. */
    public static ObjectPrinter forResource(String group, String resource) {
        String key = group.isEmpty() ? resource : group + "/" + resource;
        return BY_RESOURCE.getOrDefault(key, DEFAULT);
    }

    public static ObjectPrinter defaultPrinter() {
        return DEFAULT;
    }
}
