package io.kybern.api.resource;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BuiltInResourcesTest {

    private static final Set<String> ALL_VERBS = Set.of("create", "delete", "deletecollection", "get", "list",
            "patch", "update", "watch");
    private static final Set<String> GET_PATCH_UPDATE = Set.of("get", "patch", "update");

    private final BuiltInResources catalog = new BuiltInResources();

    /** {@code apiVersion plural Kind scope}, scope N for namespaced and C for cluster. */
    private static final List<String> EXPECTED = List.of(
            "v1 bindings Binding N",
            "v1 componentstatuses ComponentStatus C",
            "v1 configmaps ConfigMap N",
            "v1 endpoints Endpoints N",
            "v1 events Event N",
            "v1 limitranges LimitRange N",
            "v1 namespaces Namespace C",
            "v1 nodes Node C",
            "v1 persistentvolumeclaims PersistentVolumeClaim N",
            "v1 persistentvolumes PersistentVolume C",
            "v1 pods Pod N",
            "v1 podtemplates PodTemplate N",
            "v1 replicationcontrollers ReplicationController N",
            "v1 resourcequotas ResourceQuota N",
            "v1 secrets Secret N",
            "v1 serviceaccounts ServiceAccount N",
            "v1 services Service N",
            "apps/v1 controllerrevisions ControllerRevision N",
            "apps/v1 daemonsets DaemonSet N",
            "apps/v1 deployments Deployment N",
            "apps/v1 replicasets ReplicaSet N",
            "apps/v1 statefulsets StatefulSet N",
            "events.k8s.io/v1 events Event N",
            "authentication.k8s.io/v1 selfsubjectreviews SelfSubjectReview C",
            "authentication.k8s.io/v1 tokenreviews TokenReview C",
            "authorization.k8s.io/v1 localsubjectaccessreviews LocalSubjectAccessReview N",
            "authorization.k8s.io/v1 selfsubjectaccessreviews SelfSubjectAccessReview C",
            "authorization.k8s.io/v1 selfsubjectrulesreviews SelfSubjectRulesReview C",
            "authorization.k8s.io/v1 subjectaccessreviews SubjectAccessReview C",
            "autoscaling/v2 horizontalpodautoscalers HorizontalPodAutoscaler N",
            "autoscaling/v1 horizontalpodautoscalers HorizontalPodAutoscaler N",
            "batch/v1 cronjobs CronJob N",
            "batch/v1 jobs Job N",
            "certificates.k8s.io/v1 certificatesigningrequests CertificateSigningRequest C",
            "networking.k8s.io/v1 ingressclasses IngressClass C",
            "networking.k8s.io/v1 ingresses Ingress N",
            "networking.k8s.io/v1 ipaddresses IPAddress C",
            "networking.k8s.io/v1 networkpolicies NetworkPolicy N",
            "networking.k8s.io/v1 servicecidrs ServiceCIDR C",
            "policy/v1 poddisruptionbudgets PodDisruptionBudget N",
            "rbac.authorization.k8s.io/v1 clusterrolebindings ClusterRoleBinding C",
            "rbac.authorization.k8s.io/v1 clusterroles ClusterRole C",
            "rbac.authorization.k8s.io/v1 rolebindings RoleBinding N",
            "rbac.authorization.k8s.io/v1 roles Role N",
            "storage.k8s.io/v1 csidrivers CSIDriver C",
            "storage.k8s.io/v1 csinodes CSINode C",
            "storage.k8s.io/v1 csistoragecapacities CSIStorageCapacity N",
            "storage.k8s.io/v1 storageclasses StorageClass C",
            "storage.k8s.io/v1 volumeattachments VolumeAttachment C",
            "admissionregistration.k8s.io/v1 mutatingwebhookconfigurations MutatingWebhookConfiguration C",
            "admissionregistration.k8s.io/v1 validatingadmissionpolicies ValidatingAdmissionPolicy C",
            "admissionregistration.k8s.io/v1 validatingadmissionpolicybindings ValidatingAdmissionPolicyBinding C",
            "admissionregistration.k8s.io/v1 validatingwebhookconfigurations ValidatingWebhookConfiguration C",
            "apiextensions.k8s.io/v1 customresourcedefinitions CustomResourceDefinition C",
            "scheduling.k8s.io/v1 priorityclasses PriorityClass C",
            "coordination.k8s.io/v1 leases Lease N",
            "node.k8s.io/v1 runtimeclasses RuntimeClass C",
            "discovery.k8s.io/v1 endpointslices EndpointSlice N");

    @Test
    void servesExactlyTheBuiltInResourcesWithTheirKindAndScope() {
        List<String> actual = catalog.all().stream()
                .map(t -> t.gvr().groupVersion().apiVersion() + " " + t.gvr().resource() + " " + t.kind() + " "
                        + (t.namespaced() ? "N" : "C"))
                .toList();
        assertThat(actual).containsExactlyElementsOf(EXPECTED);
    }

    @Test
    void listsResourcesByGroupVersionInDiscoveryOrderThenByName() {
        List<GroupVersion> order = catalog.groupVersions();
        List<ResourceType> all = catalog.all();
        for (int i = 1; i < all.size(); i++) {
            ResourceType previous = all.get(i - 1);
            ResourceType current = all.get(i);
            int byGroup = Integer.compare(order.indexOf(previous.gvr().groupVersion()),
                    order.indexOf(current.gvr().groupVersion()));
            assertThat(byGroup <= 0).as("%s before %s", previous.gvr(), current.gvr()).isTrue();
            if (byGroup == 0) {
                assertThat(previous.gvr().resource()).isLessThan(current.gvr().resource());
            }
        }
    }

    @Test
    void podsAreWhatKubectlApiResourcesShows() {
        ResourceType pods = resource("", "v1", "pods");
        assertThat(pods.kind()).isEqualTo("Pod");
        assertThat(pods.singular()).isEqualTo("pod");
        assertThat(pods.namespaced()).isTrue();
        assertThat(pods.shortNames()).containsExactly("po");
        assertThat(pods.categories()).containsExactly("all");
        assertThat(pods.verbs()).containsExactlyInAnyOrderElementsOf(ALL_VERBS);
        assertThat(pods.subresources()).extracting(Subresource::name).containsExactly("attach", "binding",
                "ephemeralcontainers", "eviction", "exec", "log", "portforward", "proxy", "resize", "status");
        assertSubresource(pods, "status", "v1", "Pod", GET_PATCH_UPDATE);
        assertSubresource(pods, "ephemeralcontainers", "v1", "Pod", GET_PATCH_UPDATE);
        assertSubresource(pods, "resize", "v1", "Pod", GET_PATCH_UPDATE);
        assertSubresource(pods, "log", "v1", "Pod", Set.of("get"));
        assertSubresource(pods, "binding", "v1", "Binding", Set.of("create"));
        assertSubresource(pods, "eviction", "policy/v1", "Eviction", Set.of("create"));
        assertSubresource(pods, "exec", "v1", "PodExecOptions", Set.of("create", "get"));
        assertSubresource(pods, "attach", "v1", "PodAttachOptions", Set.of("create", "get"));
        assertSubresource(pods, "portforward", "v1", "PodPortForwardOptions", Set.of("create", "get"));
        assertSubresource(pods, "proxy", "v1", "PodProxyOptions", Set.of("create", "delete", "get", "patch",
                "update"));
    }

    @Test
    void coreResourcesSpotChecks() {
        ResourceType services = resource("", "v1", "services");
        assertThat(services.shortNames()).containsExactly("svc");
        assertThat(services.categories()).containsExactly("all");
        assertThat(services.verbs()).containsExactlyInAnyOrderElementsOf(ALL_VERBS);
        assertThat(services.subresources()).extracting(Subresource::name).containsExactly("proxy", "status");
        assertSubresource(services, "proxy", "v1", "ServiceProxyOptions", Set.of("create", "delete", "get", "patch",
                "update"));

        ResourceType nodes = resource("", "v1", "nodes");
        assertThat(nodes.namespaced()).isFalse();
        assertThat(nodes.shortNames()).containsExactly("no");
        assertSubresource(nodes, "proxy", "v1", "NodeProxyOptions", Set.of("create", "delete", "get", "patch",
                "update"));
        assertSubresource(nodes, "status", "v1", "Node", GET_PATCH_UPDATE);

        ResourceType namespaces = resource("", "v1", "namespaces");
        assertThat(namespaces.namespaced()).isFalse();
        assertThat(namespaces.shortNames()).containsExactly("ns");
        assertThat(namespaces.verbs()).doesNotContain("deletecollection").contains("delete", "watch");
        assertSubresource(namespaces, "finalize", "v1", "Namespace", Set.of("update"));
        assertSubresource(namespaces, "status", "v1", "Namespace", GET_PATCH_UPDATE);

        assertSubresource(resource("", "v1", "serviceaccounts"), "token", "authentication.k8s.io/v1", "TokenRequest",
                Set.of("create"));
        assertSubresource(resource("", "v1", "replicationcontrollers"), "scale", "autoscaling/v1", "Scale",
                GET_PATCH_UPDATE);
        assertThat(resource("", "v1", "events").shortNames()).containsExactly("ev");
        assertThat(resource("", "v1", "endpoints").singular()).isEqualTo("endpoints");
        assertThat(resource("", "v1", "componentstatuses").verbs()).containsExactlyInAnyOrder("get", "list");
        assertThat(resource("", "v1", "bindings").verbs()).containsExactly("create");
        assertThat(resource("", "v1", "configmaps").shortNames()).containsExactly("cm");
        assertThat(resource("", "v1", "persistentvolumeclaims").shortNames()).containsExactly("pvc");
        assertThat(resource("", "v1", "persistentvolumes").shortNames()).containsExactly("pv");
        assertThat(resource("", "v1", "resourcequotas").shortNames()).containsExactly("quota");
        assertThat(resource("", "v1", "limitranges").shortNames()).containsExactly("limits");
        assertThat(resource("", "v1", "secrets").shortNames()).isEmpty();
        assertThat(resource("", "v1", "secrets").subresources()).isEmpty();
    }

    @Test
    void groupResourcesSpotChecks() {
        ResourceType deployments = resource("apps", "v1", "deployments");
        assertThat(deployments.shortNames()).containsExactly("deploy");
        assertThat(deployments.categories()).containsExactly("all");
        assertSubresource(deployments, "scale", "autoscaling/v1", "Scale", GET_PATCH_UPDATE);
        assertSubresource(deployments, "status", "apps/v1", "Deployment", GET_PATCH_UPDATE);
        assertSubresource(resource("apps", "v1", "statefulsets"), "scale", "autoscaling/v1", "Scale",
                GET_PATCH_UPDATE);
        assertSubresource(resource("apps", "v1", "replicasets"), "scale", "autoscaling/v1", "Scale",
                GET_PATCH_UPDATE);
        assertThat(resource("apps", "v1", "daemonsets").subresources()).extracting(Subresource::name)
                .containsExactly("status");
        assertThat(resource("apps", "v1", "controllerrevisions").subresources()).isEmpty();

        for (String version : List.of("v1", "v2")) {
            ResourceType hpa = resource("autoscaling", version, "horizontalpodautoscalers");
            assertThat(hpa.shortNames()).containsExactly("hpa");
            assertThat(hpa.categories()).containsExactly("all");
            assertSubresource(hpa, "status", "autoscaling/" + version, "HorizontalPodAutoscaler", GET_PATCH_UPDATE);
        }

        ResourceType crds = resource("apiextensions.k8s.io", "v1", "customresourcedefinitions");
        assertThat(crds.namespaced()).isFalse();
        assertThat(crds.shortNames()).containsExactly("crd", "crds");
        assertThat(crds.categories()).containsExactly("api-extensions");
        assertThat(crds.subresources()).extracting(Subresource::name).containsExactly("status");

        ResourceType csrs = resource("certificates.k8s.io", "v1", "certificatesigningrequests");
        assertThat(csrs.shortNames()).containsExactly("csr");
        assertThat(csrs.subresources()).extracting(Subresource::name).containsExactly("approval", "status");
        assertSubresource(csrs, "approval", "certificates.k8s.io/v1", "CertificateSigningRequest",
                GET_PATCH_UPDATE);

        assertThat(resource("events.k8s.io", "v1", "events").shortNames()).containsExactly("ev");
        assertThat(resource("batch", "v1", "cronjobs").shortNames()).containsExactly("cj");
        assertThat(resource("batch", "v1", "jobs").shortNames()).isEmpty();
        assertThat(resource("batch", "v1", "jobs").categories()).containsExactly("all");
        assertThat(resource("policy", "v1", "poddisruptionbudgets").shortNames()).containsExactly("pdb");
        assertThat(resource("networking.k8s.io", "v1", "ingresses").shortNames()).containsExactly("ing");
        assertThat(resource("networking.k8s.io", "v1", "networkpolicies").shortNames()).containsExactly("netpol");
        assertThat(resource("storage.k8s.io", "v1", "storageclasses").shortNames()).containsExactly("sc");
        assertThat(resource("scheduling.k8s.io", "v1", "priorityclasses").shortNames()).containsExactly("pc");
        assertThat(resource("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations").categories())
                .containsExactly("api-extensions");
        assertThat(resource("authorization.k8s.io", "v1", "subjectaccessreviews").verbs()).containsExactly("create");
    }

    @Test
    void everyResourceIsSingularByItsLowerCaseKindAndStoredUnderItsPlural() {
        for (ResourceType type : catalog.all()) {
            assertThat(type.singular()).isEqualTo(type.kind().toLowerCase(Locale.ROOT));
            assertThat(type.storageResource()).isEqualTo(type.gvr().resource());
            assertThat(type.verbs()).isNotEmpty().isSubsetOf(ALL_VERBS);
        }
    }

    @Test
    void versionsOfOneResourceShareTheirStorage() {
        ResourceType hpaV1 = resource("autoscaling", "v1", "horizontalpodautoscalers");
        ResourceType hpaV2 = resource("autoscaling", "v2", "horizontalpodautoscalers");
        assertThat(hpaV1.storageKey("default", "web")).isEqualTo(hpaV2.storageKey("default", "web"))
                .isEqualTo("/registry/horizontalpodautoscalers/default/web");
        assertThat(resource("", "v1", "events").storagePrefix())
                .isEqualTo(resource("events.k8s.io", "v1", "events").storagePrefix())
                .isEqualTo("/registry/events/");
        assertThat(resource("", "v1", "nodes").storageKey("", "node-1")).isEqualTo("/registry/nodes/node-1");
        Set<String> prefixes = catalog.all().stream().map(ResourceType::storagePrefix).collect(Collectors.toSet());
        assertThat(prefixes).hasSize(catalog.all().size() - 2);
    }

    @Test
    void looksUpByResourceAndByKind() {
        ResourceType deployments = resource("apps", "v1", "deployments");
        assertThat(catalog.byKind(new GroupVersionKind("apps", "v1", "Deployment"))).containsSame(deployments);
        assertThat(catalog.byKind(GroupVersionKind.of("v1", "Event")).orElseThrow().gvr().group()).isEmpty();
        assertThat(catalog.byKind(GroupVersionKind.of("events.k8s.io/v1", "Event")).orElseThrow().gvr().group())
                .isEqualTo("events.k8s.io");
        assertThat(catalog.byKind(GroupVersionKind.of("autoscaling/v2", "HorizontalPodAutoscaler")).orElseThrow()
                .gvr().version()).isEqualTo("v2");
        for (ResourceType type : catalog.all()) {
            assertThat(catalog.byResource(type.gvr())).containsSame(type);
            assertThat(catalog.byKind(type.gvk())).containsSame(type);
        }
        assertThat(catalog.byResource(new GroupVersionResource("", "v1", "deployments"))).isEmpty();
        assertThat(catalog.byResource(new GroupVersionResource("apps", "v1beta1", "deployments"))).isEmpty();
        assertThat(catalog.byResource(new GroupVersionResource("flowcontrol.apiserver.k8s.io", "v1", "flowschemas")))
                .isEmpty();
        assertThat(catalog.byKind(GroupVersionKind.of("autoscaling/v1", "Scale"))).isEmpty();
        assertThat(catalog.byKind(GroupVersionKind.of("v1", "PodExecOptions"))).isEmpty();
    }

    @Test
    void groupsComeInTheOrderARealServerListsThem() {
        assertThat(catalog.groups()).containsExactly("", "apps", "events.k8s.io", "authentication.k8s.io",
                "authorization.k8s.io", "autoscaling", "batch", "certificates.k8s.io", "networking.k8s.io", "policy",
                "rbac.authorization.k8s.io", "storage.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io",
                "scheduling.k8s.io", "coordination.k8s.io", "node.k8s.io", "discovery.k8s.io");
        assertThat(catalog.versions("autoscaling")).extracting(GroupVersion::version).containsExactly("v2", "v1");
        assertThat(catalog.preferredVersion("autoscaling")).contains(new GroupVersion("autoscaling", "v2"));
        assertThat(catalog.preferredVersion("")).contains(new GroupVersion("", "v1"));
        assertThat(catalog.preferredVersion("extensions")).isEmpty();
        assertThat(catalog.groupVersions()).hasSize(19);
        for (GroupVersion gv : catalog.groupVersions()) {
            assertThat(catalog.resources(gv)).as("resources of %s", gv).isNotEmpty();
        }
    }

    private ResourceType resource(String group, String version, String plural) {
        return catalog.byResource(new GroupVersionResource(group, version, plural))
                .orElseThrow(() -> new AssertionError("no " + plural + " in " + group + "/" + version));
    }

    private static void assertSubresource(ResourceType parent, String name, String apiVersion, String kind,
            Set<String> verbs) {
        Subresource subresource = parent.subresource(name)
                .orElseThrow(() -> new AssertionError(parent.gvr().resource() + " has no " + name));
        assertThat(subresource.kind()).as("kind of %s/%s", parent.gvr().resource(), name)
                .isEqualTo(GroupVersionKind.of(apiVersion, kind));
        assertThat(subresource.verbs()).as("verbs of %s/%s", parent.gvr().resource(), name)
                .containsExactlyInAnyOrderElementsOf(verbs);
    }
}
