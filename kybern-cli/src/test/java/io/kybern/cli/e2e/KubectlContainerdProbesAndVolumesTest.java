package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Probes and volumes of pods in real containers, with the real kubectl, on a server whose node agent runs a
 * containerd of its own (as {@link KubectlContainerdTest}, whose requirements it shares: root, containerd,
 * runc, the CNI plugins and busybox-static).
 */
class KubectlContainerdProbesAndVolumesTest extends ContainerdServerPerClass {

    static final String NODE = "probes-test-node";
    static final String CLUSTER_CIDR = "10.125.0.0/16";

    @BeforeAll
    static void startServer() throws Exception {
        startServerWithAgent(NODE, CLUSTER_CIDR, "kybern-probes-test-");
    }

    /** The messages of the pod's events with that reason. */
    private static List<String> events(String podName, String reason) {
        return client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> podName.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
                .map(Event::getMessage).toList();
    }

    // --- probes ---

    @Test
    void anExecReadinessProbeKeepsThePodUnreadyUntilItSucceeds() throws Exception {
        // The container makes the probed file after a while (kubectl exec is not served yet).
        ok(kubectl.runWithInput("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: ready-later
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: app
                    image: busybox
                    command: ["sh", "-c", "sleep 8; touch /tmp/ready; sleep 3600"]
                    readinessProbe:
                      exec:
                        command: ["cat", "/tmp/ready"]
                      periodSeconds: 1
                """, "apply", "-f", "-"));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            assertThat(pod("ready-later").getStatus().getPhase()).isEqualTo("Running");
            assertThat(events("ready-later", "Unhealthy")).isNotEmpty();
        });
        // Running, probed and failing: not ready.
        Pod running = pod("ready-later");
        assertThat(status("ready-later").getReady()).isFalse();
        assertThat(status("ready-later").getStarted()).isTrue();
        assertThat(condition(running, "Ready")).isEqualTo("False");
        assertThat(condition(running, "ContainersReady")).isEqualTo("False");
        assertThat(running.getStatus().getConditions()).filteredOn(c -> c.getType().equals("Ready"))
                .extracting(PodCondition::getReason).containsExactly("ContainersNotReady");
        assertThat(ok(kubectl.run("get", "pod", "ready-later")).stdout()).contains("0/1", "Running");
        assertThat(events("ready-later", "Unhealthy").get(0))
                .isEqualTo("Readiness probe failed: cat: can't open '/tmp/ready': No such file or directory");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Pod pod = pod("ready-later");
            assertThat(condition(pod, "Ready")).isEqualTo("True");
            assertThat(condition(pod, "ContainersReady")).isEqualTo("True");
            assertThat(pod.getStatus().getContainerStatuses().get(0).getReady()).isTrue();
        });
        assertThat(ok(kubectl.run("get", "pod", "ready-later")).stdout()).contains("1/1", "Running");
        assertThat(status("ready-later").getRestartCount()).as("readiness never restarts").isZero();
        ok(kubectl.run("delete", "pod", "ready-later", "--grace-period", "1"));
    }

    @Test
    void aFailingLivenessProbeRestartsTheContainer() throws Exception {
        // Healthy for a few seconds, then the probed file goes: the probe fails twice and the container is
        // killed; the new container makes the file again, so it lives a while too.
        ok(kubectl.runWithInput("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: unhealthy
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: app
                    image: busybox
                    command: ["sh", "-c", "touch /tmp/healthy; sleep 4; rm /tmp/healthy; sleep 3600"]
                    livenessProbe:
                      exec:
                        command: ["cat", "/tmp/healthy"]
                      periodSeconds: 1
                      failureThreshold: 2
                """, "apply", "-f", "-"));
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().untilAsserted(() ->
                assertThat(status("unhealthy").getRestartCount()).isGreaterThanOrEqualTo(1));
        ContainerStatus status = status("unhealthy");
        // Killed, not exited by itself: by SIGTERM, or by SIGKILL once the 1 s grace period is over.
        assertThat(status.getLastState().getTerminated().getExitCode()).isIn(128 + 15, 128 + 9);
        assertThat(status.getLastState().getTerminated().getReason()).isEqualTo("Error");
        assertThat(events("unhealthy", "Unhealthy")).isNotEmpty().allSatisfy(message -> assertThat(message)
                .isEqualTo("Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory"));
        assertThat(events("unhealthy", "Killing")).contains("Container app failed liveness probe, will be restarted");
        assertThat(ok(kubectl.run("describe", "pod", "unhealthy")).stdout()).contains("Liveness:",
                "exec [cat /tmp/healthy]", "Unhealthy", "Liveness probe failed");
        ok(kubectl.run("delete", "pod", "unhealthy", "--grace-period", "1"));
    }

    @Test
    void aStartupProbeHoldsReadinessOffUntilItSucceeds() throws Exception {
        // The readiness probe would succeed at once; the startup probe keeps the container unstarted and
        // unready until the container has made its file.
        ok(kubectl.runWithInput("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: slow-start
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: app
                    image: busybox
                    command: ["sh", "-c", "sleep 8; touch /tmp/started; sleep 3600"]
                    startupProbe:
                      exec:
                        command: ["cat", "/tmp/started"]
                      periodSeconds: 1
                      failureThreshold: 60
                    readinessProbe:
                      exec:
                        command: ["true"]
                      periodSeconds: 1
                """, "apply", "-f", "-"));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            assertThat(pod("slow-start").getStatus().getPhase()).isEqualTo("Running");
            assertThat(events("slow-start", "Unhealthy")).isNotEmpty();
        });
        assertThat(status("slow-start").getStarted()).isFalse();
        assertThat(status("slow-start").getReady()).isFalse();
        assertThat(events("slow-start", "Unhealthy"))
                .allSatisfy(m -> assertThat(m).startsWith("Startup probe failed: "));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(status("slow-start").getStarted()).isTrue();
            assertThat(status("slow-start").getReady()).isTrue();
            assertThat(condition(pod("slow-start"), "Ready")).isEqualTo("True");
        });
        assertThat(status("slow-start").getRestartCount()).isZero();
        ok(kubectl.run("delete", "pod", "slow-start", "--grace-period", "1"));
    }

    @Test
    void anHttpGetReadinessProbeAgainstBusyboxHttpd() throws Exception {
        // Two web servers: one probed on a page it serves (by port name, with a header), one on a page it
        // lacks; a TCP liveness probe on the served port keeps the first alive.
        for (String[] pod : new String[][] {{"web-ok", "/index.html"}, {"web-missing", "/missing.html"}}) {
            ok(kubectl.runWithInput("""
                    apiVersion: v1
                    kind: Pod
                    metadata:
                      name: %s
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: web
                        image: busybox
                        command: ["sh", "-c", "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www"]
                        ports:
                        - name: http
                          containerPort: 8080
                        readinessProbe:
                          httpGet:
                            path: %s
                            port: http
                            httpHeaders:
                            - name: X-Probe
                              value: kybern
                          periodSeconds: 1
                        livenessProbe:
                          tcpSocket:
                            port: 8080
                          initialDelaySeconds: 1
                          periodSeconds: 1
                          failureThreshold: 3
                    """.formatted(pod[0], pod[1]), "apply", "-f", "-"));
        }
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            assertThat(condition(pod("web-ok"), "Ready")).isEqualTo("True");
            assertThat(status("web-ok").getReady()).isTrue();
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(events("web-missing", "Unhealthy"))
                .contains("Readiness probe failed: HTTP probe failed with statuscode: 404"));
        Pod missing = pod("web-missing");
        assertThat(missing.getStatus().getPhase()).isEqualTo("Running");
        assertThat(condition(missing, "Ready")).isEqualTo("False");
        assertThat(missing.getStatus().getContainerStatuses().get(0).getReady()).isFalse();
        // The TCP liveness probe finds the port open in both, so neither is restarted. (Its threshold
        // leaves httpd time to listen on a loaded machine: one failure alone restarts nothing.)
        assertThat(status("web-ok").getRestartCount()).isZero();
        assertThat(status("web-missing").getRestartCount()).isZero();
        ok(kubectl.run("delete", "pod", "web-ok", "web-missing", "--grace-period", "1"));
    }

    // --- volumes ---

    /** A directory of the host that the test's containers write to (a hostPath volume) and the test reads. */
    private static Path outDir(String pod) {
        return dir.resolve("out").resolve(pod);
    }

    private static String out(String pod, String file) throws Exception {
        return Files.readString(outDir(pod).resolve(file)).strip();
    }

    @Test
    void configMapSecretAndDownwardApiVolumesShowTheirFiles() throws Exception {
        ok(kubectl.run("create", "configmap", "app-config", "--from-literal=greeting=hello",
                "--from-literal=color=blue"));
        ok(kubectl.run("create", "secret", "generic", "app-secret", "--from-literal=password=s3cret"));
        // The container copies what it sees into a hostPath directory (DirectoryOrCreate makes it).
        ok(kubectl.runWithInput("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: with-volumes
                  labels:
                    app: shop
                    tier: web
                spec:
                  restartPolicy: Never
                  containers:
                  - name: reader
                    image: busybox
                    command:
                    - sh
                    - -c
                    - >-
                      cat /etc/greet/sub/greeting.txt > /out/greeting;
                      stat -c %%a /etc/greet/sub/greeting.txt > /out/greeting.mode;
                      ls /etc/greet > /out/greet.ls;
                      ls /etc/config > /out/config.ls;
                      cat /etc/secret/password > /out/password;
                      stat -c %%a /etc/secret/password > /out/password.mode;
                      cat /etc/pod/labels > /out/labels;
                      cat /etc/pod/name > /out/name;
                      ls /etc/optional | wc -l > /out/optional.count;
                      touch /etc/config/new 2> /out/readonly;
                      true
                    volumeMounts:
                    - {name: greet, mountPath: /etc/greet}
                    - {name: config, mountPath: /etc/config}
                    - {name: secret, mountPath: /etc/secret}
                    - {name: pod, mountPath: /etc/pod}
                    - {name: optional, mountPath: /etc/optional}
                    - {name: out, mountPath: /out}
                  volumes:
                  - name: greet
                    configMap:
                      name: app-config
                      items:
                      - {key: greeting, path: sub/greeting.txt, mode: 0600}
                  - name: config
                    configMap:
                      name: app-config
                  - name: secret
                    secret:
                      secretName: app-secret
                      defaultMode: 0400
                  - name: pod
                    downwardAPI:
                      items:
                      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
                      - {path: name, fieldRef: {fieldPath: metadata.name}}
                  - name: optional
                    configMap:
                      name: no-such-config
                      optional: true
                  - name: out
                    hostPath:
                      path: %s
                      type: DirectoryOrCreate
                """.formatted(outDir("with-volumes")), "apply", "-f", "-"));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                assertThat(pod("with-volumes").getStatus().getPhase()).isEqualTo("Succeeded"));
        assertThat(out("with-volumes", "greeting")).isEqualTo("hello");
        assertThat(out("with-volumes", "greeting.mode")).isEqualTo("600");
        assertThat(out("with-volumes", "greet.ls")).as("only the listed item").isEqualTo("sub");
        assertThat(out("with-volumes", "config.ls").lines()).containsExactly("color", "greeting");
        assertThat(out("with-volumes", "password")).isEqualTo("s3cret");
        assertThat(out("with-volumes", "password.mode")).isEqualTo("400");
        assertThat(out("with-volumes", "labels")).isEqualTo("app=\"shop\"\ntier=\"web\"");
        assertThat(out("with-volumes", "name")).isEqualTo("with-volumes");
        assertThat(out("with-volumes", "optional.count")).isEqualTo("0");
        assertThat(out("with-volumes", "readonly")).contains("Read-only file system");
        ok(kubectl.run("delete", "pod", "with-volumes", "--grace-period", "1"));
    }

    @Test
    void aMissingConfigMapKeyOrHostPathFailsTheMountAndNoContainerStarts() throws Exception {
        ok(kubectl.run("create", "configmap", "partial-config", "--from-literal=present=yes"));
        ok(kubectl.runWithInput("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: missing-key
                spec:
                  containers:
                  - name: app
                    image: busybox
                    command: ["sleep", "3600"]
                    volumeMounts:
                    - {name: cfg, mountPath: /etc/cfg}
                  volumes:
                  - name: cfg
                    configMap:
                      name: partial-config
                      items:
                      - {key: absent, path: absent.txt}
                ---
                apiVersion: v1
                kind: Pod
                metadata:
                  name: missing-file
                spec:
                  containers:
                  - name: app
                    image: busybox
                    command: ["sleep", "3600"]
                    volumeMounts:
                    - {name: host, mountPath: /host}
                  volumes:
                  - name: host
                    hostPath:
                      path: %s
                      type: File
                """.formatted(dir.resolve("no-such-file")), "apply", "-f", "-"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(events("missing-key", "FailedMount")).contains("MountVolume.SetUp failed for volume \"cfg\" :"
                    + " configmap references non-existent config key: absent");
            assertThat(events("missing-file", "FailedMount")).contains("MountVolume.SetUp failed for volume \"host\""
                    + " : hostPath type check failed: " + dir.resolve("no-such-file") + " is not a file");
        });
        for (String name : List.of("missing-key", "missing-file")) {
            Pod pod = pod(name);
            assertThat(pod.getStatus().getPhase()).isEqualTo("Pending");
            assertThat(pod.getStatus().getContainerStatuses().get(0).getState().getWaiting().getReason())
                    .isEqualTo("ContainerCreating");
            assertThat(events(name, "Started")).isEmpty();
        }
        ok(kubectl.run("delete", "pod", "missing-key", "missing-file", "--grace-period", "1"));
    }

    @Test
    void anUnknownConfigMapKeyInEnvGivesCreateContainerConfigError() throws Exception {
        ok(kubectl.run("create", "configmap", "env-config", "--from-literal=known=1"));
        ok(kubectl.runWithInput("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: bad-env
                spec:
                  containers:
                  - name: app
                    image: busybox
                    command: ["sleep", "3600"]
                    env:
                    - name: SETTING
                      valueFrom:
                        configMapKeyRef: {name: env-config, key: unknown}
                """, "apply", "-f", "-"));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            var waiting = status("bad-env").getState().getWaiting();
            assertThat(waiting.getReason()).isEqualTo("CreateContainerConfigError");
            assertThat(waiting.getMessage()).isEqualTo("couldn't find key unknown in ConfigMap default/env-config");
        });
        assertThat(ok(kubectl.run("get", "pod", "bad-env")).stdout()).contains("CreateContainerConfigError");
        assertThat(events("bad-env", "Failed"))
                .contains("Error: couldn't find key unknown in ConfigMap default/env-config");
        assertThat(events("bad-env", "Started")).isEmpty();
        ok(kubectl.run("delete", "pod", "bad-env", "--grace-period", "1"));
    }

    @Test
    void aProjectedVolumeHoldsABoundServiceAccountTokenAndEnvFromSetsVariables() throws Exception {
        ok(kubectl.run("create", "configmap", "from-config", "--from-literal=MODE=fast", "--from-literal=LEVEL=3"));
        ok(kubectl.run("create", "secret", "generic", "from-secret", "--from-literal=KEY=k1"));
        await().atMost(Duration.ofSeconds(30)).until(() ->
                client.serviceAccounts().inNamespace("default").withName("default").get() != null);
        ok(kubectl.runWithInput("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: projected
                spec:
                  restartPolicy: Never
                  containers:
                  - name: app
                    image: busybox
                    command: ["sh", "-c", "cp /var/run/access/token /out/token; cat /var/run/access/namespace > /out/namespace; env > /out/env"]
                    envFrom:
                    - configMapRef: {name: from-config}
                      prefix: CFG_
                    - secretRef: {name: from-secret}
                    - configMapRef: {name: no-such-config, optional: true}
                    env:
                    - {name: LEVEL_TWICE, value: "$(CFG_LEVEL)$(CFG_LEVEL)"}
                    - name: MEMORY_LIMIT_MI
                      valueFrom:
                        resourceFieldRef: {resource: limits.memory, divisor: 1Mi}
                    resources:
                      limits: {memory: 64Mi}
                    volumeMounts:
                    - {name: access, mountPath: /var/run/access}
                    - {name: out, mountPath: /out}
                  volumes:
                  - name: access
                    projected:
                      sources:
                      - serviceAccountToken:
                          path: token
                          expirationSeconds: 3600
                      - downwardAPI:
                          items:
                          - {path: namespace, fieldRef: {fieldPath: metadata.namespace}}
                  - name: out
                    hostPath:
                      path: %s
                      type: DirectoryOrCreate
                """.formatted(outDir("projected")), "apply", "-f", "-"));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                assertThat(pod("projected").getStatus().getPhase()).isEqualTo("Succeeded"));
        assertThat(out("projected", "namespace")).isEqualTo("default");
        assertThat(out("projected", "env").lines()).contains("CFG_MODE=fast", "CFG_LEVEL=3", "KEY=k1",
                "LEVEL_TWICE=33", "MEMORY_LIMIT_MI=64");
        // The token is the API server's (for its own audience, as no other is asked for): a TokenReview
        // authenticates it as the service account, and it is bound to the pod.
        String token = out("projected", "token");
        var review = client.resource(new io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder()
                .withNewSpec().withToken(token).endSpec().build()).create();
        assertThat(review.getStatus().getAuthenticated()).as(review.toString()).isTrue();
        assertThat(review.getStatus().getUser().getUsername()).isEqualTo("system:serviceaccount:default:default");
        String payload = new String(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        assertThat(payload).contains("\"projected\"", pod("projected").getMetadata().getUid());
        ok(kubectl.run("delete", "pod", "projected", "--grace-period", "1"));
    }
}
