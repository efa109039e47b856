package io.kybern.api.table;

import java.util.Map;

/**
 * The printer of each built-in resource, by group and resource, as Kubernetes' own printers lay out its
 * table; every other resource (custom resources, their definitions, create-only reviews) gets
 * Kubernetes' default table of name and creation time.
 */
public final class Printers {

    private static final ObjectPrinter DEFAULT = DefaultPrinter.create();

    private static final Map<String, ObjectPrinter> BY_RESOURCE = Map.ofEntries(
            // core
            Map.entry("namespaces", CorePrinters.namespaces()),
            Map.entry("configmaps", CorePrinters.configMaps()),
            Map.entry("secrets", CorePrinters.secrets()),
            Map.entry("serviceaccounts", CorePrinters.serviceAccounts()),
            Map.entry("resourcequotas", CorePrinters.resourceQuotas()),
            // Kubernetes' own printer of limit ranges, like that of roles, shows the default's two columns.
            Map.entry("limitranges", DEFAULT),
            Map.entry("pods", PodPrinter.create()),
            Map.entry("podtemplates", WorkloadPrinters.podTemplates()),
            Map.entry("replicationcontrollers", WorkloadPrinters.replicationControllers()),
            Map.entry("services", ServicePrinter.create()),
            Map.entry("endpoints", ClusterPrinters.endpoints()),
            Map.entry("nodes", ClusterPrinters.nodes()),
            Map.entry("componentstatuses", ClusterPrinters.componentStatuses()),
            Map.entry("events", EventPrinter.create()),
            Map.entry("persistentvolumes", StoragePrinters.persistentVolumes()),
            Map.entry("persistentvolumeclaims", StoragePrinters.persistentVolumeClaims()),
            // apps, batch, autoscaling, policy
            Map.entry("apps/deployments", WorkloadPrinters.deployments()),
            Map.entry("apps/replicasets", WorkloadPrinters.replicaSets()),
            Map.entry("apps/statefulsets", WorkloadPrinters.statefulSets()),
            Map.entry("apps/daemonsets", WorkloadPrinters.daemonSets()),
            Map.entry("apps/controllerrevisions", WorkloadPrinters.controllerRevisions()),
            Map.entry("batch/jobs", WorkloadPrinters.jobs()),
            Map.entry("batch/cronjobs", WorkloadPrinters.cronJobs()),
            Map.entry("autoscaling/horizontalpodautoscalers", AutoscalerPrinter.create()),
            Map.entry("policy/poddisruptionbudgets", WorkloadPrinters.podDisruptionBudgets()),
            // networking and discovery
            Map.entry("networking.k8s.io/ingresses", StoragePrinters.ingresses()),
            Map.entry("networking.k8s.io/ingressclasses", NetworkPrinters.ingressClasses()),
            Map.entry("networking.k8s.io/networkpolicies", NetworkPrinters.networkPolicies()),
            Map.entry("networking.k8s.io/ipaddresses", NetworkPrinters.ipAddresses()),
            Map.entry("networking.k8s.io/servicecidrs", NetworkPrinters.serviceCidrs()),
            Map.entry("discovery.k8s.io/endpointslices", NetworkPrinters.endpointSlices()),
            // events, coordination, scheduling, node, certificates and admission
            Map.entry("events.k8s.io/events", EventPrinter.eventsApi()),
            Map.entry("coordination.k8s.io/leases", ClusterPrinters.leases()),
            Map.entry("scheduling.k8s.io/priorityclasses", ClusterPrinters.priorityClasses()),
            Map.entry("node.k8s.io/runtimeclasses", ClusterPrinters.runtimeClasses()),
            Map.entry("certificates.k8s.io/certificatesigningrequests",
                    AdmissionPrinters.certificateSigningRequests()),
            Map.entry("admissionregistration.k8s.io/mutatingwebhookconfigurations",
                    AdmissionPrinters.webhookConfigurations()),
            Map.entry("admissionregistration.k8s.io/validatingwebhookconfigurations",
                    AdmissionPrinters.webhookConfigurations()),
            Map.entry("admissionregistration.k8s.io/validatingadmissionpolicies",
                    AdmissionPrinters.validatingAdmissionPolicies()),
            Map.entry("admissionregistration.k8s.io/validatingadmissionpolicybindings",
                    AdmissionPrinters.validatingAdmissionPolicyBindings()),
            // storage
            Map.entry("storage.k8s.io/storageclasses", ClusterPrinters.storageClasses()),
            Map.entry("storage.k8s.io/csidrivers", StoragePrinters.csiDrivers()),
            Map.entry("storage.k8s.io/csinodes", StoragePrinters.csiNodes()),
            Map.entry("storage.k8s.io/csistoragecapacities", StoragePrinters.csiStorageCapacities()),
            Map.entry("storage.k8s.io/volumeattachments", StoragePrinters.volumeAttachments()),
            // rbac
            Map.entry("rbac.authorization.k8s.io/roles", DEFAULT),
            Map.entry("rbac.authorization.k8s.io/clusterroles", DEFAULT),
            Map.entry("rbac.authorization.k8s.io/rolebindings", ClusterPrinters.roleBindings("roleBinding")),
            Map.entry("rbac.authorization.k8s.io/clusterrolebindings",
                    ClusterPrinters.roleBindings("clusterRoleBinding")));

    private Printers() {
    }

    /** The printer of a resource; the default table when Kubernetes has no printer of its own for it. */
    public static ObjectPrinter forResource(String group, String resource) {
        return BY_RESOURCE.getOrDefault(key(group, resource), DEFAULT);
    }

    /** Whether Kubernetes has a printer of its own for the resource (which may still look like the default). */
    public static boolean hasOwnPrinter(String group, String resource) {
        return BY_RESOURCE.containsKey(key(group, resource));
    }

    private static String key(String group, String resource) {
        return group.isEmpty() ? resource : group + "/" + resource;
    }

    public static ObjectPrinter defaultPrinter() {
        return DEFAULT;
    }
}
