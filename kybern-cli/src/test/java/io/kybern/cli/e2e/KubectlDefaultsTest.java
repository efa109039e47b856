package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What kubectl users read back after creating objects: Kubernetes' defaults and allocated addresses. */
class KubectlDefaultsTest extends ServerPerClass {

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void aDeploymentReadsBackWithItsRolloutAndPodDefaults(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String name = "defaults-" + minor;
        Kubectl.Result created = kubectl.runWithInput("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %s}
                spec:
                  selector: {matchLabels: {app: %s}}
                  template:
                    metadata: {labels: {app: %s}}
                    spec: {containers: [{name: web, image: nginx}, {name: side, image: "busybox:1.36"}]}
                """.formatted(name, name, name), "create", "--validate=false", "-f", "-");
        assertThat(created.exitCode()).as(created.toString()).isZero();

        Kubectl.Result read = kubectl.run("get", "deployment", name, "-o", "jsonpath={.spec.replicas} "
                + "{.spec.strategy.type} {.spec.strategy.rollingUpdate.maxSurge} {.spec.revisionHistoryLimit} "
                + "{.spec.progressDeadlineSeconds} {.spec.template.spec.restartPolicy} "
                + "{.spec.template.spec.dnsPolicy} {.spec.template.spec.containers[*].imagePullPolicy}");
        assertThat(read.stdout()).as(read.toString())
                .isEqualTo("1 RollingUpdate 25% 10 600 Always ClusterFirst Always IfNotPresent");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void servicesGetAddressesAndNodePortsThatAreNeverHandedOutTwice(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String name = "svc-" + minor;
        String manifest = """
                apiVersion: v1
                kind: Service
                metadata: {name: %s}
                spec:
                  type: NodePort
                  selector: {app: web}
                  ports: [{port: 80, targetPort: 8080}]
                """;
        assertThat(kubectl.runWithInput(manifest.formatted(name), "create", "--validate=false", "-f", "-").exitCode())
                .isZero();

        Kubectl.Result table = kubectl.run("get", "service", name);
        assertThat(table.stdout()).as(table.toString())
                .containsPattern(name + "\\s+NodePort\\s+10\\.43\\.\\d+\\.\\d+\\s+<none>\\s+80:3\\d{4}/TCP\\s+");
        String ip = kubectl.run("get", "service", name, "-o", "jsonpath={.spec.clusterIP}").stdout();

        Kubectl.Result clash = kubectl.runWithInput("""
                apiVersion: v1
                kind: Service
                metadata: {name: %s-copy}
                spec: {clusterIP: %s, ports: [{port: 80}]}
                """.formatted(name, ip), "create", "--validate=false", "-f", "-");
        assertThat(clash.exitCode()).isNotZero();
        assertThat(clash.stderr()).contains("The Service \"" + name + "-copy\" is invalid: spec.clusterIPs: Invalid "
                + "value: []string{\"" + ip + "\"}: failed to allocate IP " + ip + ": provided IP is already allocated");

        assertThat(kubectl.run("delete", "service", name).exitCode()).isZero();
        Kubectl.Result reused = kubectl.runWithInput("""
                apiVersion: v1
                kind: Service
                metadata: {name: %s-copy}
                spec: {clusterIP: %s, ports: [{port: 80}]}
                """.formatted(name, ip), "create", "--validate=false", "-f", "-");
        assertThat(reused.exitCode()).as(reused.toString()).isZero();
    }
}
