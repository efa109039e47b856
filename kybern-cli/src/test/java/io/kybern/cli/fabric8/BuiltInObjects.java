package io.kybern.cli.fabric8;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ReplicationControllerBuilder;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBindingBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IPAddressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDRBuilder;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClassBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.api.model.storage.CSIDriverBuilder;
import io.fabric8.kubernetes.api.model.storage.CSINodeBuilder;
import io.fabric8.kubernetes.api.model.storage.CSIStorageCapacityBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.api.model.storage.VolumeAttachmentBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A realistic, minimal object of every built-in kind the server stores, as fabric8's typed models build
 * them: what a user or controller would really send (a Deployment with its selector and template, a
 * Role with rules), not empty shells. Names are unique per call of {@link #all(String)}.
 */
final class BuiltInObjects {

    private BuiltInObjects() {
    }

    private static final Map<String, String> APP = Map.of("app", "web");

    /** Every kind, each object named {@code <kind>-<suffix>}. */
    static List<HasMetadata> all(String suffix) {
        return List.of(
                // core/v1
                new ConfigMapBuilder().withMetadata(meta("configmap", suffix)).addToData("color", "blue").build(),
                new EndpointsBuilder().withMetadata(meta("endpoints", suffix)).addNewSubset()
                        .addNewAddress().withIp("10.42.0.7").endAddress()
                        .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort()
                        .endSubset().build(),
                new EventBuilder().withMetadata(meta("event", suffix)).withNewInvolvedObject().withKind("Pod")
                        .withName("web-0").withNamespace("default").endInvolvedObject().withReason("Started")
                        .withMessage("Started container web").withType("Normal")
                        .withNewSource().withComponent("kubelet").endSource().build(),
                new LimitRangeBuilder().withMetadata(meta("limitrange", suffix)).withNewSpec().addNewLimit()
                        .withType("Container").addToDefault("cpu", new Quantity("500m"))
                        .addToDefaultRequest("cpu", new Quantity("100m")).endLimit().endSpec().build(),
                new NamespaceBuilder().withMetadata(meta("namespace", suffix)).build(),
                new NodeBuilder().withMetadata(meta("node", suffix)).withNewSpec().withPodCIDR("10.42.1.0/24")
                        .endSpec().build(),
                new PersistentVolumeBuilder().withMetadata(meta("persistentvolume", suffix)).withNewSpec()
                        .addToCapacity("storage", new Quantity("1Gi")).withAccessModes("ReadWriteOnce")
                        .withNewHostPath().withPath("/var/lib/data").endHostPath()
                        .withPersistentVolumeReclaimPolicy("Retain").endSpec().build(),
                new PersistentVolumeClaimBuilder().withMetadata(meta("persistentvolumeclaim", suffix)).withNewSpec()
                        .withAccessModes("ReadWriteOnce").withNewResources()
                        .addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().build(),
                new PodBuilder().withMetadata(meta("pod", suffix)).withSpec(podSpec()).build(),
                new PodTemplateBuilder().withMetadata(meta("podtemplate", suffix)).withTemplate(template()).build(),
                new ReplicationControllerBuilder().withMetadata(meta("replicationcontroller", suffix)).withNewSpec()
                        .withReplicas(2).withSelector(APP).withTemplate(template()).endSpec().build(),
                new ResourceQuotaBuilder().withMetadata(meta("resourcequota", suffix)).withNewSpec()
                        .addToHard("pods", new Quantity("10")).endSpec().build(),
                new SecretBuilder().withMetadata(meta("secret", suffix)).withType("Opaque")
                        .addToData("password", Base64.getEncoder().encodeToString(
                                "s3cret".getBytes(StandardCharsets.UTF_8))).build(),
                new ServiceAccountBuilder().withMetadata(meta("serviceaccount", suffix)).build(),
                new ServiceBuilder().withMetadata(meta("service", suffix)).withNewSpec().withSelector(APP)
                        .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString(8080))
                        .withProtocol("TCP").endPort().endSpec().build(),
                // apps/v1
                new ControllerRevisionBuilder().withMetadata(meta("controllerrevision", suffix)).withRevision(1L)
                        .build(),
                new DaemonSetBuilder().withMetadata(meta("daemonset", suffix)).withNewSpec()
                        .withSelector(selector()).withTemplate(template()).endSpec().build(),
                new DeploymentBuilder().withMetadata(meta("deployment", suffix)).withNewSpec().withReplicas(3)
                        .withSelector(selector()).withTemplate(template()).endSpec().build(),
                new ReplicaSetBuilder().withMetadata(meta("replicaset", suffix)).withNewSpec().withReplicas(2)
                        .withSelector(selector()).withTemplate(template()).endSpec().build(),
                new StatefulSetBuilder().withMetadata(meta("statefulset", suffix)).withNewSpec().withReplicas(1)
                        .withServiceName("web").withSelector(selector()).withTemplate(template()).endSpec().build(),
                // events.k8s.io/v1
                new io.fabric8.kubernetes.api.model.events.v1.EventBuilder().withMetadata(meta("event-v1", suffix))
                        .withEventTime(new io.fabric8.kubernetes.api.model.MicroTime("2026-01-02T03:04:05.000000Z"))
                        .withReportingController("kybern.io/test").withReportingInstance("test-1")
                        .withAction("Started").withReason("Started").withType("Normal")
                        .withNewRegarding().withKind("Pod").withName("web-0").withNamespace("default").endRegarding()
                        .build(),
                // autoscaling/v2
                new HorizontalPodAutoscalerBuilder().withMetadata(meta("horizontalpodautoscaler", suffix))
                        .withNewSpec().withMinReplicas(1).withMaxReplicas(5).withNewScaleTargetRef()
                        .withApiVersion("apps/v1").withKind("Deployment").withName("web").endScaleTargetRef()
                        .addNewMetric().withType("Resource").withNewResource().withName("cpu").withNewTarget()
                        .withType("Utilization").withAverageUtilization(80).endTarget().endResource().endMetric()
                        .endSpec().build(),
                // batch/v1
                new CronJobBuilder().withMetadata(meta("cronjob", suffix)).withNewSpec().withSchedule("*/5 * * * *")
                        .withNewJobTemplate().withNewSpec().withTemplate(jobTemplate()).endSpec().endJobTemplate()
                        .endSpec().build(),
                new JobBuilder().withMetadata(meta("job", suffix)).withNewSpec().withBackoffLimit(2)
                        .withTemplate(jobTemplate()).endSpec().build(),
                // certificates.k8s.io/v1
                new CertificateSigningRequestBuilder().withMetadata(meta("certificatesigningrequest", suffix))
                        .withNewSpec().withSignerName("kubernetes.io/kube-apiserver-client")
                        .withRequest(Base64.getEncoder().encodeToString(
                                "-----BEGIN CERTIFICATE REQUEST-----\n".getBytes(StandardCharsets.UTF_8)))
                        .withUsages("client auth").endSpec().build(),
                // networking.k8s.io/v1
                new IngressClassBuilder().withMetadata(meta("ingressclass", suffix)).withNewSpec()
                        .withController("kybern.io/ingress").endSpec().build(),
                new IngressBuilder().withMetadata(meta("ingress", suffix)).withNewSpec().addNewRule()
                        .withHost("web.example.com").withNewHttp().addNewPath().withPath("/").withPathType("Prefix")
                        .withNewBackend().withNewService().withName("web").withNewPort().withNumber(80).endPort()
                        .endService().endBackend().endPath().endHttp().endRule().endSpec().build(),
                new IPAddressBuilder().withMetadata(meta("ipaddress", suffix).toBuilder().withName("10.43.7." + (suffix.hashCode() & 0x7f)).build())
                        .withNewSpec().withNewParentRef().withGroup("").withResource("services")
                        .withNamespace("default").withName("web").endParentRef().endSpec().build(),
                new NetworkPolicyBuilder().withMetadata(meta("networkpolicy", suffix)).withNewSpec()
                        .withPodSelector(selector()).withPolicyTypes("Ingress").addNewIngress().addNewFrom()
                        .withNewPodSelector().addToMatchLabels("role", "frontend").endPodSelector().endFrom()
                        .endIngress().endSpec().build(),
                new ServiceCIDRBuilder().withMetadata(meta("servicecidr", suffix)).withNewSpec()
                        .withCidrs("10.96.0.0/16").endSpec().build(),
                // policy/v1
                new PodDisruptionBudgetBuilder().withMetadata(meta("poddisruptionbudget", suffix)).withNewSpec()
                        .withMinAvailable(new IntOrString(1)).withSelector(selector()).endSpec().build(),
                // rbac.authorization.k8s.io/v1
                new ClusterRoleBindingBuilder().withMetadata(meta("clusterrolebinding", suffix)).withNewRoleRef()
                        .withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName("view")
                        .endRoleRef().addNewSubject().withKind("User").withName("alice")
                        .withApiGroup("rbac.authorization.k8s.io").endSubject().build(),
                new ClusterRoleBuilder().withMetadata(meta("clusterrole", suffix)).addNewRule().withApiGroups("")
                        .withResources("pods").withVerbs("get", "list", "watch").endRule().build(),
                new RoleBindingBuilder().withMetadata(meta("rolebinding", suffix)).withNewRoleRef()
                        .withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName("reader").endRoleRef()
                        .addNewSubject().withKind("ServiceAccount").withName("default").withNamespace("default")
                        .endSubject().build(),
                new RoleBuilder().withMetadata(meta("role", suffix)).addNewRule().withApiGroups("")
                        .withResources("configmaps").withVerbs("get").endRule().build(),
                // storage.k8s.io/v1
                new CSIDriverBuilder().withMetadata(meta("csidriver", suffix)).withNewSpec().withAttachRequired(false)
                        .withPodInfoOnMount(true).endSpec().build(),
                new CSINodeBuilder().withMetadata(meta("csinode", suffix)).withNewSpec().addNewDriver()
                        .withName("hostpath.csi.k8s.io").withNodeID("node-1").endDriver().endSpec().build(),
                new CSIStorageCapacityBuilder().withMetadata(meta("csistoragecapacity", suffix))
                        .withStorageClassName("standard").withCapacity(new Quantity("10Gi")).build(),
                new StorageClassBuilder().withMetadata(meta("storageclass", suffix))
                        .withProvisioner("rancher.io/local-path").withReclaimPolicy("Delete")
                        .withVolumeBindingMode("WaitForFirstConsumer").build(),
                new VolumeAttachmentBuilder().withMetadata(meta("volumeattachment", suffix)).withNewSpec()
                        .withAttacher("hostpath.csi.k8s.io").withNodeName("node-1").withNewSource()
                        .withPersistentVolumeName("pv-1").endSource().endSpec().build(),
                // admissionregistration.k8s.io/v1
                new MutatingWebhookConfigurationBuilder().withMetadata(meta("mutatingwebhookconfiguration", suffix))
                        .addNewWebhook().withName("inject.kybern.io").withAdmissionReviewVersions("v1")
                        .withSideEffects("None").withNewClientConfig().withUrl("https://hooks.example.com/inject")
                        .endClientConfig().endWebhook().build(),
                new ValidatingAdmissionPolicyBuilder().withMetadata(meta("validatingadmissionpolicy", suffix))
                        .withNewSpec().withFailurePolicy("Fail").withNewMatchConstraints().addNewResourceRule()
                        .withApiGroups("apps").withApiVersions("v1").withOperations("CREATE", "UPDATE")
                        .withResources("deployments").endResourceRule().endMatchConstraints()
                        .addNewValidation().withExpression("object.spec.replicas <= 5").endValidation().endSpec()
                        .build(),
                new ValidatingAdmissionPolicyBindingBuilder()
                        .withMetadata(meta("validatingadmissionpolicybinding", suffix)).withNewSpec()
                        .withPolicyName("replica-limit").withValidationActions("Deny").endSpec().build(),
                new ValidatingWebhookConfigurationBuilder()
                        .withMetadata(meta("validatingwebhookconfiguration", suffix)).addNewWebhook()
                        .withName("check.kybern.io").withAdmissionReviewVersions("v1").withSideEffects("None")
                        .withNewClientConfig().withUrl("https://hooks.example.com/check").endClientConfig()
                        .endWebhook().build(),
                // scheduling, coordination, node, discovery
                new PriorityClassBuilder().withMetadata(meta("priorityclass", suffix)).withValue(1000)
                        .withDescription("for the web tier").build(),
                new LeaseBuilder().withMetadata(meta("lease", suffix)).withNewSpec().withHolderIdentity("node-1")
                        .withLeaseDurationSeconds(40).endSpec().build(),
                new RuntimeClassBuilder().withMetadata(meta("runtimeclass", suffix)).withHandler("runc").build(),
                new EndpointSliceBuilder().withMetadata(meta("endpointslice", suffix)).withAddressType("IPv4")
                        .addNewEndpoint().withAddresses("10.42.0.7").withNewConditions().withReady(true)
                        .endConditions().endEndpoint().addNewPort().withName("http").withPort(8080)
                        .withProtocol("TCP").endPort().build());
    }

    private static ObjectMeta meta(String kind, String suffix) {
        return new ObjectMetaBuilder().withName(kind + "-" + suffix).addToLabels("app", "web")
                .addToLabels("kind", kind).build();
    }

    static io.fabric8.kubernetes.api.model.LabelSelector selector() {
        return new LabelSelectorBuilder().withMatchLabels(APP).build();
    }

    static PodSpec podSpec() {
        return new PodSpecBuilder().addNewContainer().withName("web").withImage("nginx:1.27")
                .addNewPort().withContainerPort(8080).withProtocol("TCP").endPort()
                .withNewResources().addToRequests("cpu", new Quantity("100m")).endResources()
                .endContainer().build();
    }

    private static PodTemplateSpec template() {
        return new PodTemplateSpecBuilder().withNewMetadata().withLabels(APP).endMetadata().withSpec(podSpec())
                .build();
    }

    private static PodTemplateSpec jobTemplate() {
        return new PodTemplateSpecBuilder().withNewSpec().withRestartPolicy("Never").addNewContainer()
                .withName("report").withImage("busybox:1.36").withCommand("sh", "-c", "date").endContainer()
                .endSpec().build();
    }
}
