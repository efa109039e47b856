package io.kybern.api.defaults;

import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.api.resource.BuiltInResources;
import io.kybern.api.resource.GroupVersionResource;
import io.kybern.api.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class DefaultsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final BuiltInResources CATALOG = new BuiltInResources();

    private static ResourceType type(String group, String version, String resource) {
        return CATALOG.byResource(new GroupVersionResource(group, version, resource)).orElseThrow();
    }

    private static ObjectNode json(String text) {
        return (ObjectNode) JSON.readTree(text);
    }

    private static ObjectNode defaulted(ResourceType type, String text) {
        ObjectNode object = json(text);
        Defaults.apply(type, object);
        return object;
    }

    @Test
    void aDeploymentReadsBackAsKubernetesPrintsIt() {
        ObjectNode deployment = defaulted(type("apps", "v1", "deployments"), """
                {"spec": {"selector": {"matchLabels": {"app": "web"}},
                  "template": {"metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}}}
                """);

        assertThat(deployment).isEqualTo(json("""
                {"spec": {"selector": {"matchLabels": {"app": "web"}},
                  "template": {"metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "nginx", "image": "nginx",
                        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                        "imagePullPolicy": "Always", "resources": {}}],
                      "dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "terminationGracePeriodSeconds": 30,
                      "schedulerName": "default-scheduler", "securityContext": {}}},
                  "replicas": 1,
                  "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
                  "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600}}
                """));
    }

    @Test
    void defaultsNeverOverrideWhatTheAuthorSaidAndApplyingTwiceChangesNothing() {
        ResourceType deployments = type("apps", "v1", "deployments");
        String text = """
                {"spec": {"replicas": 0, "revisionHistoryLimit": 2, "strategy": {"type": "Recreate"},
                  "template": {"spec": {"restartPolicy": "Always", "dnsPolicy": "Default",
                    "containers": [{"name": "c", "image": "busybox:1.36", "imagePullPolicy": "Never",
                      "ports": [{"containerPort": 53, "protocol": "UDP"}, {"containerPort": 80}]}]}}}}
                """;
        ObjectNode once = defaulted(deployments, text);
        ObjectNode twice = once.deepCopy();
        Defaults.apply(deployments, twice);

        assertThat(twice).isEqualTo(once);
        assertThat(once.at("/spec/replicas").asInt()).isZero();
        assertThat(once.at("/spec/revisionHistoryLimit").asInt()).isEqualTo(2);
        assertThat(once.at("/spec/strategy").toString()).isEqualTo("{\"type\":\"Recreate\"}");
        assertThat(once.at("/spec/template/spec/dnsPolicy").asString()).isEqualTo("Default");
        assertThat(once.at("/spec/template/spec/containers/0/imagePullPolicy").asString()).isEqualTo("Never");
        assertThat(once.at("/spec/template/spec/containers/0/ports/0/protocol").asString()).isEqualTo("UDP");
        assertThat(once.at("/spec/template/spec/containers/0/ports/1/protocol").asString()).isEqualTo("TCP");
    }

    @ParameterizedTest
    @CsvSource({"nginx, Always", "nginx:latest, Always", "nginx:1.27, IfNotPresent",
            "registry.local:5000/team/app, Always", "registry.local:5000/team/app:v2, IfNotPresent",
            "busybox@sha256:0123456789abcdef, IfNotPresent"})
    void pullPolicyFollowsTheTag(String image, String policy) {
        assertThat(PodSpecDefaults.pullPolicy(image)).isEqualTo(policy);
    }

    @Test
    void aPodGetsServiceLinksRequestsFromLimitsProbesAndVolumeModes() {
        ObjectNode pod = defaulted(type("", "v1", "pods"), """
                {"spec": {"containers": [{"name": "c", "image": "app:1",
                    "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}},
                    "readinessProbe": {"httpGet": {"port": 8080}}}],
                  "volumes": [{"name": "scratch"}, {"name": "conf", "configMap": {"name": "app"}}]}}
                """);

        assertThat(pod.at("/spec/enableServiceLinks").asBoolean()).isTrue();
        assertThat(pod.at("/spec/containers/0/resources/requests").toString())
                .isEqualTo("{\"cpu\":\"500m\",\"memory\":\"128Mi\"}");
        assertThat(pod.at("/spec/containers/0/readinessProbe").toString()).isEqualTo(
                "{\"httpGet\":{\"port\":8080,\"path\":\"/\",\"scheme\":\"HTTP\"},\"timeoutSeconds\":1,"
                        + "\"periodSeconds\":10,\"successThreshold\":1,\"failureThreshold\":3}");
        assertThat(pod.at("/spec/volumes/0").toString()).isEqualTo("{\"name\":\"scratch\",\"emptyDir\":{}}");
        assertThat(pod.at("/spec/volumes/1/configMap/defaultMode").asInt()).isEqualTo(420);

        Defaults.applyOnCreate(type("", "v1", "pods"), pod);
        assertThat(pod.at("/status/phase").asString()).isEqualTo("Pending");
        assertThat(pod.at("/status/qosClass").asString()).isEqualTo("Guaranteed");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{}|BestEffort",
            "{\"requests\":{\"cpu\":\"100m\"}}|Burstable",
            "{\"limits\":{\"cpu\":\"1\",\"memory\":\"1Gi\"},\"requests\":{\"cpu\":\"1\",\"memory\":\"1Gi\"}}|Guaranteed",
            "{\"limits\":{\"cpu\":\"1\",\"memory\":\"1Gi\"},\"requests\":{\"cpu\":\"500m\"}}|Burstable"})
    void qosClassFollowsRequestsAndLimits(String resources, String qos) {
        ObjectNode spec = json("{\"containers\":[{\"name\":\"c\",\"resources\":" + resources + "}]}");
        assertThat(PodDefaults.qosClass(spec)).isEqualTo(qos);
    }

    @Test
    void jobsCronJobsStatefulSetsAndDaemonSetsGetTheirRolloutDefaults() {
        ObjectNode job = defaulted(type("batch", "v1", "jobs"), "{\"spec\":{\"template\":{\"spec\":{}}}}");
        assertThat(job.at("/spec/completions").asInt()).isEqualTo(1);
        assertThat(job.at("/spec/parallelism").asInt()).isEqualTo(1);
        assertThat(job.at("/spec/backoffLimit").asInt()).isEqualTo(6);
        assertThat(job.at("/spec/completionMode").asString()).isEqualTo("NonIndexed");
        assertThat(job.at("/spec/podReplacementPolicy").asString()).isEqualTo("TerminatingOrFailed");
        ObjectNode parallel = defaulted(type("batch", "v1", "jobs"), "{\"spec\":{\"parallelism\":3}}");
        assertThat(parallel.at("/spec/completions").isMissingNode()).isTrue();

        ObjectNode cronJob = defaulted(type("batch", "v1", "cronjobs"), "{\"spec\":{\"schedule\":\"* * * * *\"}}");
        assertThat(cronJob.at("/spec/concurrencyPolicy").asString()).isEqualTo("Allow");
        assertThat(cronJob.at("/spec/successfulJobsHistoryLimit").asInt()).isEqualTo(3);
        assertThat(cronJob.at("/spec/failedJobsHistoryLimit").asInt()).isEqualTo(1);

        ObjectNode statefulSet = defaulted(type("apps", "v1", "statefulsets"), "{\"spec\":{}}");
        assertThat(statefulSet.at("/spec/podManagementPolicy").asString()).isEqualTo("OrderedReady");
        assertThat(statefulSet.at("/spec/updateStrategy").toString())
                .isEqualTo("{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"partition\":0}}");
        assertThat(statefulSet.at("/spec/persistentVolumeClaimRetentionPolicy").toString())
                .isEqualTo("{\"whenDeleted\":\"Retain\",\"whenScaled\":\"Retain\"}");

        ObjectNode daemonSet = defaulted(type("apps", "v1", "daemonsets"), "{\"spec\":{}}");
        assertThat(daemonSet.at("/spec/updateStrategy").toString())
                .isEqualTo("{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxUnavailable\":1,\"maxSurge\":0}}");
    }

    @Test
    void aServiceGetsItsTypeAffinityProtocolsAndTargetPorts() {
        ObjectNode service = defaulted(type("", "v1", "services"), """
                {"spec": {"selector": {"app": "web"}, "ports": [{"port": 80}, {"port": 53, "protocol": "UDP",
                  "targetPort": "dns"}]}}
                """);

        assertThat(service.at("/spec/type").asString()).isEqualTo("ClusterIP");
        assertThat(service.at("/spec/sessionAffinity").asString()).isEqualTo("None");
        assertThat(service.at("/spec/internalTrafficPolicy").asString()).isEqualTo("Cluster");
        assertThat(service.at("/spec/ports/0").toString())
                .isEqualTo("{\"port\":80,\"protocol\":\"TCP\",\"targetPort\":80}");
        assertThat(service.at("/spec/ports/1/targetPort").asString()).isEqualTo("dns");
        assertThat(service.at("/spec/externalTrafficPolicy").isMissingNode()).isTrue();

        ObjectNode nodePort = defaulted(type("", "v1", "services"),
                "{\"spec\":{\"type\":\"NodePort\",\"sessionAffinity\":\"ClientIP\",\"ports\":[{\"port\":80}]}}");
        assertThat(nodePort.at("/spec/externalTrafficPolicy").asString()).isEqualTo("Cluster");
        assertThat(nodePort.at("/spec/sessionAffinityConfig/clientIP/timeoutSeconds").asInt()).isEqualTo(10800);
    }

    @Test
    void autoscalingV2ScalesOnCpuWhenNoMetricIsGiven() {
        ObjectNode autoscaler = defaulted(type("autoscaling", "v2", "horizontalpodautoscalers"),
                "{\"spec\":{\"maxReplicas\":5}}");

        assertThat(autoscaler.at("/spec/minReplicas").asInt()).isEqualTo(1);
        assertThat(autoscaler.at("/spec/metrics/0/resource/target").toString())
                .isEqualTo("{\"type\":\"Utilization\",\"averageUtilization\":80}");
    }

    @Test
    void kindsWithoutDefaultsAreLeftAsTheyAre() {
        ObjectNode configMap = defaulted(type("", "v1", "configmaps"), "{\"data\":{\"k\":\"v\"}}");
        assertThat(configMap).isEqualTo(json("{\"data\":{\"k\":\"v\"}}"));
    }
}
