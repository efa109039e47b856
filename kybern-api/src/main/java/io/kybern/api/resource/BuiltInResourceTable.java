package io.kybern.api.resource;

import static io.kybern.api.resource.BuiltInGroupVersions.ADMISSIONREGISTRATION_V1;
import static io.kybern.api.resource.BuiltInGroupVersions.APIEXTENSIONS_V1;
import static io.kybern.api.resource.BuiltInGroupVersions.APPS_V1;
import static io.kybern.api.resource.BuiltInGroupVersions.AUTHENTICATION_V1;
import static io.kybern.api.resource.BuiltInGroupVersions.AUTHORIZATION_V1;
import static io.kybern.api.resource.BuiltInGroupVersions.AUTOSCALING_V1;
import static io.kybern.api.resource.BuiltInGroupVersions.AUTOSCALING_V2;
import static io.kybern.api.resource.BuiltInGroupVersions.BATCH_V1;
import static io.kybern.api.resource.BuiltInGroupVersions.CERTIFICATES_V1;
import static io.kybern.api.resource.BuiltInGroupVersions.COORDINATION_V1;
import static io.kybern.api.resource.BuiltInGroupVersions.CORE_V1;
import static io.kybern.api.resource.BuiltInGroupVersions.DISCOVERY_V1;
import static io.kybern.api.resource.BuiltInGroupVersions.EVENTS_V1;
import static io.kybern.api.resource.BuiltInGroupVersions.NETWORKING_V1;
import static io.kybern.api.resource.BuiltInGroupVersions.NODE_V1;
import static io.kybern.api.resource.BuiltInGroupVersions.POLICY_V1;
import static io.kybern.api.resource.BuiltInGroupVersions.RBAC_V1;
import static io.kybern.api.resource.BuiltInGroupVersions.SCHEDULING_V1;
import static io.kybern.api.resource.BuiltInGroupVersions.STORAGE_V1;
import static io.kybern.api.resource.ResourceRow.ALL_BUT_DELETECOLLECTION;
import static io.kybern.api.resource.ResourceRow.ALL_VERBS;
import static io.kybern.api.resource.ResourceRow.CLUSTER;
import static io.kybern.api.resource.ResourceRow.CONNECT;
import static io.kybern.api.resource.ResourceRow.CREATE;
import static io.kybern.api.resource.ResourceRow.GET;
import static io.kybern.api.resource.ResourceRow.GET_LIST;
import static io.kybern.api.resource.ResourceRow.GET_PATCH_UPDATE;
import static io.kybern.api.resource.ResourceRow.NAMESPACED;
import static io.kybern.api.resource.ResourceRow.PROXY;
import static io.kybern.api.resource.ResourceRow.SCALE;
import static io.kybern.api.resource.ResourceRow.STATUS;
import static io.kybern.api.resource.ResourceRow.UPDATE;
import static io.kybern.api.resource.ResourceRow.categories;
import static io.kybern.api.resource.ResourceRow.otherGroupKind;
import static io.kybern.api.resource.ResourceRow.row;
import static io.kybern.api.resource.ResourceRow.sameGroupKind;
import static io.kybern.api.resource.ResourceRow.sameKind;
import static io.kybern.api.resource.ResourceRow.shortNames;

import java.util.List;

/**
 * Every resource a Kubernetes 1.33 API server serves in the built-in group-versions Kybern implements,
 * as its discovery documents describe them: plural, kind, scope, verbs, short names, categories and
 * subresources with their kinds and verbs. Facts, checked against kube-apiserver's discovery output.
 */
final class BuiltInResourceTable {

    private static final List<ResourceType> RESOURCES = List.of(
            // core, at /api/v1
            row(CORE_V1, "bindings", "Binding", NAMESPACED, CREATE),
            row(CORE_V1, "componentstatuses", "ComponentStatus", CLUSTER, GET_LIST, shortNames("cs")),
            row(CORE_V1, "configmaps", "ConfigMap", NAMESPACED, ALL_VERBS, shortNames("cm")),
            row(CORE_V1, "endpoints", "Endpoints", NAMESPACED, ALL_VERBS, shortNames("ep")),
            row(CORE_V1, "events", "Event", NAMESPACED, ALL_VERBS, shortNames("ev")),
            row(CORE_V1, "limitranges", "LimitRange", NAMESPACED, ALL_VERBS, shortNames("limits")),
            row(CORE_V1, "namespaces", "Namespace", CLUSTER, ALL_BUT_DELETECOLLECTION, shortNames("ns"),
                    sameKind("finalize", UPDATE), STATUS),
            row(CORE_V1, "nodes", "Node", CLUSTER, ALL_VERBS, shortNames("no"),
                    sameGroupKind("proxy", "NodeProxyOptions", PROXY), STATUS),
            row(CORE_V1, "persistentvolumeclaims", "PersistentVolumeClaim", NAMESPACED, ALL_VERBS, shortNames("pvc"),
                    STATUS),
            row(CORE_V1, "persistentvolumes", "PersistentVolume", CLUSTER, ALL_VERBS, shortNames("pv"), STATUS),
            row(CORE_V1, "pods", "Pod", NAMESPACED, ALL_VERBS, shortNames("po"), categories("all"),
                    sameGroupKind("attach", "PodAttachOptions", CONNECT),
                    sameGroupKind("binding", "Binding", CREATE),
                    sameKind("ephemeralcontainers", GET_PATCH_UPDATE),
                    otherGroupKind("eviction", POLICY_V1, "Eviction", CREATE),
                    sameGroupKind("exec", "PodExecOptions", CONNECT),
                    sameKind("log", GET),
                    sameGroupKind("portforward", "PodPortForwardOptions", CONNECT),
                    sameGroupKind("proxy", "PodProxyOptions", PROXY),
                    sameKind("resize", GET_PATCH_UPDATE),
                    STATUS),
            row(CORE_V1, "podtemplates", "PodTemplate", NAMESPACED, ALL_VERBS),
            row(CORE_V1, "replicationcontrollers", "ReplicationController", NAMESPACED, ALL_VERBS, shortNames("rc"),
                    categories("all"), SCALE, STATUS),
            row(CORE_V1, "resourcequotas", "ResourceQuota", NAMESPACED, ALL_VERBS, shortNames("quota"), STATUS),
            row(CORE_V1, "secrets", "Secret", NAMESPACED, ALL_VERBS),
            row(CORE_V1, "serviceaccounts", "ServiceAccount", NAMESPACED, ALL_VERBS, shortNames("sa"),
                    otherGroupKind("token", AUTHENTICATION_V1, "TokenRequest", CREATE)),
            row(CORE_V1, "services", "Service", NAMESPACED, ALL_VERBS, shortNames("svc"), categories("all"),
                    sameGroupKind("proxy", "ServiceProxyOptions", PROXY), STATUS),

            // apps
            row(APPS_V1, "controllerrevisions", "ControllerRevision", NAMESPACED, ALL_VERBS),
            row(APPS_V1, "daemonsets", "DaemonSet", NAMESPACED, ALL_VERBS, shortNames("ds"), categories("all"), STATUS),
            row(APPS_V1, "deployments", "Deployment", NAMESPACED, ALL_VERBS, shortNames("deploy"), categories("all"),
                    SCALE, STATUS),
            row(APPS_V1, "replicasets", "ReplicaSet", NAMESPACED, ALL_VERBS, shortNames("rs"), categories("all"),
                    SCALE, STATUS),
            row(APPS_V1, "statefulsets", "StatefulSet", NAMESPACED, ALL_VERBS, shortNames("sts"), categories("all"),
                    SCALE, STATUS),

            // events.k8s.io: the same objects as core events, in the newer shape
            row(EVENTS_V1, "events", "Event", NAMESPACED, ALL_VERBS, shortNames("ev")),

            // authentication.k8s.io and authorization.k8s.io: create-only reviews, never stored
            row(AUTHENTICATION_V1, "selfsubjectreviews", "SelfSubjectReview", CLUSTER, CREATE),
            row(AUTHENTICATION_V1, "tokenreviews", "TokenReview", CLUSTER, CREATE),
            row(AUTHORIZATION_V1, "localsubjectaccessreviews", "LocalSubjectAccessReview", NAMESPACED, CREATE),
            row(AUTHORIZATION_V1, "selfsubjectaccessreviews", "SelfSubjectAccessReview", CLUSTER, CREATE),
            row(AUTHORIZATION_V1, "selfsubjectrulesreviews", "SelfSubjectRulesReview", CLUSTER, CREATE),
            row(AUTHORIZATION_V1, "subjectaccessreviews", "SubjectAccessReview", CLUSTER, CREATE),

            // autoscaling: two versions of one resource
            row(AUTOSCALING_V2, "horizontalpodautoscalers", "HorizontalPodAutoscaler", NAMESPACED, ALL_VERBS,
                    shortNames("hpa"), categories("all"), STATUS),
            row(AUTOSCALING_V1, "horizontalpodautoscalers", "HorizontalPodAutoscaler", NAMESPACED, ALL_VERBS,
                    shortNames("hpa"), categories("all"), STATUS),

            // batch
            row(BATCH_V1, "cronjobs", "CronJob", NAMESPACED, ALL_VERBS, shortNames("cj"), categories("all"), STATUS),
            row(BATCH_V1, "jobs", "Job", NAMESPACED, ALL_VERBS, categories("all"), STATUS),

            // certificates.k8s.io
            row(CERTIFICATES_V1, "certificatesigningrequests", "CertificateSigningRequest", CLUSTER, ALL_VERBS,
                    shortNames("csr"), sameKind("approval", GET_PATCH_UPDATE), STATUS),

            // networking.k8s.io (IPAddress and ServiceCIDR became v1 in 1.33)
            row(NETWORKING_V1, "ingressclasses", "IngressClass", CLUSTER, ALL_VERBS),
            row(NETWORKING_V1, "ingresses", "Ingress", NAMESPACED, ALL_VERBS, shortNames("ing"), STATUS),
            row(NETWORKING_V1, "ipaddresses", "IPAddress", CLUSTER, ALL_VERBS, shortNames("ip")),
            row(NETWORKING_V1, "networkpolicies", "NetworkPolicy", NAMESPACED, ALL_VERBS, shortNames("netpol")),
            row(NETWORKING_V1, "servicecidrs", "ServiceCIDR", CLUSTER, ALL_VERBS, STATUS),

            // policy
            row(POLICY_V1, "poddisruptionbudgets", "PodDisruptionBudget", NAMESPACED, ALL_VERBS, shortNames("pdb"),
                    STATUS),

            // rbac.authorization.k8s.io
            row(RBAC_V1, "clusterrolebindings", "ClusterRoleBinding", CLUSTER, ALL_VERBS),
            row(RBAC_V1, "clusterroles", "ClusterRole", CLUSTER, ALL_VERBS),
            row(RBAC_V1, "rolebindings", "RoleBinding", NAMESPACED, ALL_VERBS),
            row(RBAC_V1, "roles", "Role", NAMESPACED, ALL_VERBS),

            // storage.k8s.io
            row(STORAGE_V1, "csidrivers", "CSIDriver", CLUSTER, ALL_VERBS),
            row(STORAGE_V1, "csinodes", "CSINode", CLUSTER, ALL_VERBS),
            row(STORAGE_V1, "csistoragecapacities", "CSIStorageCapacity", NAMESPACED, ALL_VERBS),
            row(STORAGE_V1, "storageclasses", "StorageClass", CLUSTER, ALL_VERBS, shortNames("sc")),
            row(STORAGE_V1, "volumeattachments", "VolumeAttachment", CLUSTER, ALL_VERBS, STATUS),

            // admissionregistration.k8s.io
            row(ADMISSIONREGISTRATION_V1, "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", CLUSTER,
                    ALL_VERBS, categories("api-extensions")),
            row(ADMISSIONREGISTRATION_V1, "validatingadmissionpolicies", "ValidatingAdmissionPolicy", CLUSTER,
                    ALL_VERBS, categories("api-extensions"), STATUS),
            row(ADMISSIONREGISTRATION_V1, "validatingadmissionpolicybindings", "ValidatingAdmissionPolicyBinding",
                    CLUSTER, ALL_VERBS, categories("api-extensions")),
            row(ADMISSIONREGISTRATION_V1, "validatingwebhookconfigurations", "ValidatingWebhookConfiguration",
                    CLUSTER, ALL_VERBS, categories("api-extensions")),

            // apiextensions.k8s.io
            row(APIEXTENSIONS_V1, "customresourcedefinitions", "CustomResourceDefinition", CLUSTER, ALL_VERBS,
                    shortNames("crd", "crds"), categories("api-extensions"), STATUS),

            // scheduling.k8s.io, coordination.k8s.io, node.k8s.io, discovery.k8s.io
            row(SCHEDULING_V1, "priorityclasses", "PriorityClass", CLUSTER, ALL_VERBS, shortNames("pc")),
            row(COORDINATION_V1, "leases", "Lease", NAMESPACED, ALL_VERBS),
            row(NODE_V1, "runtimeclasses", "RuntimeClass", CLUSTER, ALL_VERBS),
            row(DISCOVERY_V1, "endpointslices", "EndpointSlice", NAMESPACED, ALL_VERBS));

    private BuiltInResourceTable() {
    }

    static List<ResourceType> resources() {
        return RESOURCES;
    }
}
