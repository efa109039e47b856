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

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.ComponentStatus;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplate;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authorization.v1.LocalSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.IPAddress;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDR;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.api.model.storage.CSIDriver;
import io.fabric8.kubernetes.api.model.storage.CSINode;
import io.fabric8.kubernetes.api.model.storage.CSIStorageCapacity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.VolumeAttachment;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The fabric8 model class of each built-in kind: every resource in {@link BuiltInResources}, plus the
 * kinds their subresources read and write that are objects of their own ({@code autoscaling/v1 Scale},
 * {@code policy/v1 Eviction}, {@code authentication.k8s.io/v1 TokenRequest}). Packages differ by group,
 * and some by version too.
 */
public final class ModelClasses {

    private record Model(GroupVersionKind gvk, Class<? extends HasMetadata> type) {
    }

    private static final Map<GroupVersionKind, Class<? extends HasMetadata>> BY_KIND = Stream.of(
            model(CORE_V1, "Binding", Binding.class),
            model(CORE_V1, "ComponentStatus", ComponentStatus.class),
            model(CORE_V1, "ConfigMap", ConfigMap.class),
            model(CORE_V1, "Endpoints", Endpoints.class),
            model(CORE_V1, "Event", io.fabric8.kubernetes.api.model.Event.class),
            model(CORE_V1, "LimitRange", LimitRange.class),
            model(CORE_V1, "Namespace", Namespace.class),
            model(CORE_V1, "Node", Node.class),
            model(CORE_V1, "PersistentVolume", PersistentVolume.class),
            model(CORE_V1, "PersistentVolumeClaim", PersistentVolumeClaim.class),
            model(CORE_V1, "Pod", Pod.class),
            model(CORE_V1, "PodTemplate", PodTemplate.class),
            model(CORE_V1, "ReplicationController", ReplicationController.class),
            model(CORE_V1, "ResourceQuota", ResourceQuota.class),
            model(CORE_V1, "Secret", Secret.class),
            model(CORE_V1, "Service", Service.class),
            model(CORE_V1, "ServiceAccount", ServiceAccount.class),
            model(APPS_V1, "ControllerRevision", ControllerRevision.class),
            model(APPS_V1, "DaemonSet", DaemonSet.class),
            model(APPS_V1, "Deployment", Deployment.class),
            model(APPS_V1, "ReplicaSet", ReplicaSet.class),
            model(APPS_V1, "StatefulSet", StatefulSet.class),
            model(EVENTS_V1, "Event", io.fabric8.kubernetes.api.model.events.v1.Event.class),
            model(AUTHENTICATION_V1, "SelfSubjectReview", SelfSubjectReview.class),
            model(AUTHENTICATION_V1, "TokenRequest", TokenRequest.class),
            model(AUTHENTICATION_V1, "TokenReview", TokenReview.class),
            model(AUTHORIZATION_V1, "LocalSubjectAccessReview", LocalSubjectAccessReview.class),
            model(AUTHORIZATION_V1, "SelfSubjectAccessReview", SelfSubjectAccessReview.class),
            model(AUTHORIZATION_V1, "SelfSubjectRulesReview", SelfSubjectRulesReview.class),
            model(AUTHORIZATION_V1, "SubjectAccessReview", SubjectAccessReview.class),
            model(AUTOSCALING_V1, "HorizontalPodAutoscaler",
                    io.fabric8.kubernetes.api.model.autoscaling.v1.HorizontalPodAutoscaler.class),
            model(AUTOSCALING_V1, "Scale", Scale.class),
            model(AUTOSCALING_V2, "HorizontalPodAutoscaler",
                    io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler.class),
            model(BATCH_V1, "CronJob", CronJob.class),
            model(BATCH_V1, "Job", Job.class),
            model(CERTIFICATES_V1, "CertificateSigningRequest", CertificateSigningRequest.class),
            model(NETWORKING_V1, "IngressClass", IngressClass.class),
            model(NETWORKING_V1, "Ingress", Ingress.class),
            model(NETWORKING_V1, "IPAddress", IPAddress.class),
            model(NETWORKING_V1, "NetworkPolicy", NetworkPolicy.class),
            model(NETWORKING_V1, "ServiceCIDR", ServiceCIDR.class),
            model(POLICY_V1, "Eviction", Eviction.class),
            model(POLICY_V1, "PodDisruptionBudget", PodDisruptionBudget.class),
            model(RBAC_V1, "ClusterRole", ClusterRole.class),
            model(RBAC_V1, "ClusterRoleBinding", ClusterRoleBinding.class),
            model(RBAC_V1, "Role", Role.class),
            model(RBAC_V1, "RoleBinding", RoleBinding.class),
            model(STORAGE_V1, "CSIDriver", CSIDriver.class),
            model(STORAGE_V1, "CSINode", CSINode.class),
            model(STORAGE_V1, "CSIStorageCapacity", CSIStorageCapacity.class),
            model(STORAGE_V1, "StorageClass", StorageClass.class),
            model(STORAGE_V1, "VolumeAttachment", VolumeAttachment.class),
            model(ADMISSIONREGISTRATION_V1, "MutatingWebhookConfiguration", MutatingWebhookConfiguration.class),
            model(ADMISSIONREGISTRATION_V1, "ValidatingAdmissionPolicy", ValidatingAdmissionPolicy.class),
            model(ADMISSIONREGISTRATION_V1, "ValidatingAdmissionPolicyBinding", ValidatingAdmissionPolicyBinding.class),
            model(ADMISSIONREGISTRATION_V1, "ValidatingWebhookConfiguration", ValidatingWebhookConfiguration.class),
            model(APIEXTENSIONS_V1, "CustomResourceDefinition", CustomResourceDefinition.class),
            model(SCHEDULING_V1, "PriorityClass", PriorityClass.class),
            model(COORDINATION_V1, "Lease", Lease.class),
            model(NODE_V1, "RuntimeClass", RuntimeClass.class),
            model(DISCOVERY_V1, "EndpointSlice", EndpointSlice.class))
            .collect(Collectors.toUnmodifiableMap(Model::gvk, Model::type));

    private ModelClasses() {
    }

    /** The fabric8 class objects of this kind deserialise into, if Kybern knows one. */
    public static Optional<Class<? extends HasMetadata>> modelClass(GroupVersionKind gvk) {
        return Optional.ofNullable(BY_KIND.get(gvk));
    }

    /** Every mapping, for checks and for registering the classes with a codec. */
    public static Map<GroupVersionKind, Class<? extends HasMetadata>> all() {
        return BY_KIND;
    }

    private static Model model(GroupVersion gv, String kind, Class<? extends HasMetadata> type) {
        return new Model(new GroupVersionKind(gv.group(), gv.version(), kind), type);
    }
}
