package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kybern.cli.TestServers;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The endpoints, disruption, quota and volume controllers as the real kubectl sees them on a server with
 * simulated nodes: {@code get endpoints}, {@code get endpointslices} and {@code describe svc}; {@code drain}
 * refused by a PodDisruptionBudget and let through once it allows; {@code get quota} and {@code describe
 * quota} past the hard limit; and claims bound, provisioned or left Pending.
 */
@TestServers.WithSimulatedNodes(2)
class KubectlServicesAndStorageTest extends ServerPerClass {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private static Kubectl.Result ok(Kubectl.Result result) {
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result;
    }

    private static String jsonpath(Kubectl kubectl, String ns, String what, String path) throws Exception {
        return ok(kubectl.run("get", what, "-n", ns, "-o", "jsonpath=" + path)).stdout().trim();
    }

    private static String deployment(String name, int replicas) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %1$s}
                spec:
                  replicas: %2$d
                  selector: {matchLabels: {app: %1$s}}
                  template:
                    metadata: {labels: {app: %1$s}}
                    spec:
                      containers:
                      - name: web
                        image: nginx:1.25
                        ports: [{name: http, containerPort: 8080}]
                        resources: {requests: {cpu: 300m, memory: 64Mi}}
                """.formatted(name, replicas);
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "33"})
    void endpointsAndSlicesOfAServiceWithANamedTargetPort(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String ns = "svc-" + minor;
        ok(kubectl.run("create", "namespace", ns));
        ok(kubectl.runWithInput(deployment("web", 2) + """
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  selector: {app: web}
                  ports: [{name: web, port: 80, targetPort: http}]
                """, "apply", "-n", ns, "-f", "-"));
        ok(kubectl.run("rollout", "status", "deployment/web", "-n", ns, "--timeout=50s"));
        String ips = jsonpath(kubectl, ns, "pods", "{.items[*].status.podIP}");
        assertThat(ips.split(" ")).hasSize(2);

        await().atMost(PATIENCE).untilAsserted(() -> {
            String endpoints = ok(kubectl.run("get", "endpoints", "web", "-n", ns)).stdout();
            for (String ip : ips.split(" ")) {
                assertThat(endpoints).contains(ip + ":8080");
            }
        });
        String slices = ok(kubectl.run("get", "endpointslices", "-n", ns, "-l", "kubernetes.io/service-name=web"))
                .stdout();
        assertThat(slices).containsPattern("web-\\w+\\s+IPv4\\s+8080\\s+");
        String describe = ok(kubectl.run("describe", "svc", "web", "-n", ns)).stdout();
        assertThat(describe).containsPattern("TargetPort:\\s+http/TCP");
        for (String ip : ips.split(" ")) {
            assertThat(describe).contains(ip + ":8080");
        }

        // Scaled to nothing, the Service has no endpoints left.
        ok(kubectl.run("scale", "deployment/web", "-n", ns, "--replicas=0"));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(
                ok(kubectl.run("get", "endpoints", "web", "-n", ns)).stdout()).containsPattern("web\\s+<none>"));
    }

    @Test
    void drainWaitsForTheDisruptionBudget() throws Exception {
        Kubectl kubectl = kubectl("33");
        String ns = "drain";
        ok(kubectl.run("create", "namespace", ns));
        ok(kubectl.runWithInput(deployment("guarded", 2), "apply", "-n", ns, "-f", "-"));
        ok(kubectl.run("rollout", "status", "deployment/guarded", "-n", ns, "--timeout=50s"));
        ok(kubectl.run("create", "poddisruptionbudget", "guarded", "-n", ns, "--selector=app=guarded",
                "--min-available=2"));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(ok(kubectl.run("get", "pdb", "guarded", "-n", ns))
                .stdout()).containsPattern("guarded\\s+2\\s+N/A\\s+0\\s+"));
        String node = jsonpath(kubectl, ns, "pods", "{.items[0].spec.nodeName}");

        // Every eviction is refused (429): drain retries until its timeout, then fails.
        Kubectl.Result refused = kubectl.run("drain", node, "--ignore-daemonsets", "--delete-emptydir-data",
                "--force", "--timeout=12s");
        assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
        assertThat(refused.stderr()).contains("Cannot evict pod as it would violate the pod's disruption budget.");
        assertThat(jsonpath(kubectl, "", "node/" + node, "{.spec.unschedulable}")).isEqualTo("true");

        // Allowed one disruption, drain goes through: each eviction waits for a replacement elsewhere.
        ok(kubectl.run("patch", "pdb", "guarded", "-n", ns, "--type=merge", "-p", "{\"spec\":{\"minAvailable\":1}}"));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(ok(kubectl.run("get", "pdb", "guarded", "-n", ns))
                .stdout()).containsPattern("guarded\\s+1\\s+N/A\\s+1\\s+"));
        Kubectl.Result drained = ok(kubectl.run("drain", node, "--ignore-daemonsets", "--delete-emptydir-data",
                "--force", "--timeout=50s"));
        assertThat(drained.stdout()).contains("node/" + node + " drained");
        await().atMost(PATIENCE).untilAsserted(() -> {
            String nodes = jsonpath(kubectl, ns, "pods", "{range .items[*]}{.spec.nodeName}:{.status.phase} {end}");
            assertThat(nodes).doesNotContain(node + ":").contains(":Running");
        });
        ok(kubectl.run("uncordon", node));
    }

    @Test
    void quotaUsageShowsPastItsHardLimit() throws Exception {
        Kubectl kubectl = kubectl("33");
        String ns = "quota";
        ok(kubectl.run("create", "namespace", ns));
        ok(kubectl.run("create", "quota", "small", "-n", ns, "--hard=pods=1,requests.cpu=500m,configmaps=5"));
        ok(kubectl.runWithInput(deployment("busy", 2), "apply", "-n", ns, "-f", "-"));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(ok(kubectl.run("get", "quota", "small", "-n", ns))
                .stdout()).contains("pods: 2/1").contains("requests.cpu: 600m/500m"));
        String describe = ok(kubectl.run("describe", "quota", "small", "-n", ns)).stdout();
        assertThat(describe).containsPattern("pods\\s+2\\s+1").containsPattern("requests.cpu\\s+600m\\s+500m");
    }

    @Test
    void claimsAreProvisionedForTheirPodOrStayPendingWithAReason() throws Exception {
        Kubectl kubectl = kubectl("33");
        String ns = "storage";
        ok(kubectl.run("create", "namespace", ns));
        assertThat(ok(kubectl.run("get", "storageclass")).stdout())
                .containsPattern("local-path \\(default\\)\\s+kybern.io/local-path\\s+Delete\\s+WaitForFirstConsumer");
        ok(kubectl.runWithInput("""
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: data}
                spec:
                  accessModes: [ReadWriteOnce]
                  resources: {requests: {storage: 1Gi}}
                ---
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: nothing-fits}
                spec:
                  storageClassName: ""
                  accessModes: [ReadWriteOnce]
                  resources: {requests: {storage: 1Ti}}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: user}
                spec:
                  containers: [{name: c, image: busybox, volumeMounts: [{name: data, mountPath: /data}]}]
                  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
                """, "apply", "-n", ns, "-f", "-"));
        ok(kubectl.run("wait", "pod/user", "-n", ns, "--for=condition=Ready", "--timeout=50s"));
        String volume = jsonpath(kubectl, ns, "pvc/data", "{.spec.volumeName}");
        assertThat(ok(kubectl.run("get", "pvc", "data", "-n", ns)).stdout())
                .containsPattern("data\\s+Bound\\s+" + volume + "\\s+1Gi\\s+RWO\\s+local-path");
        assertThat(ok(kubectl.run("get", "pv", volume)).stdout())
                .containsPattern(volume + "\\s+1Gi\\s+RWO\\s+Delete\\s+Bound\\s+storage/data\\s+local-path");

        assertThat(ok(kubectl.run("get", "pvc", "nothing-fits", "-n", ns)).stdout())
                .containsPattern("nothing-fits\\s+Pending");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(ok(kubectl.run("describe", "pvc", "nothing-fits",
                "-n", ns)).stdout()).containsPattern("Normal\\s+FailedBinding\\s+.*persistentvolume-controller\\s+"
                + "no persistent volumes available for this claim and no storage class is set"));
    }
}
