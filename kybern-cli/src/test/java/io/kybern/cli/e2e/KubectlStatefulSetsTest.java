package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kybern.cli.TestServers;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The StatefulSet scenario with the real kubectl on simulated nodes whose pods stay unready until
 * annotated ({@code sim.kybern.io/ready}): pods created one at a time in ordinal order, each only once the
 * one before is Ready; stable names, hostnames and claims; a partitioned RollingUpdate; {@code rollout
 * status|history|undo}; scale-down from the highest ordinal, held by a finalizer to prove the order; Parallel
 * pods; a pod deleted by hand recreated under its name; invalid specs refused.
 */
@TestServers.WithSimulatedNodes(3)
class KubectlStatefulSetsTest extends ServerPerClass {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    /** How long a pod that must not appear is watched for not appearing. */
    private static final Duration HOLD = Duration.ofSeconds(2);

    private static Kubectl.Result ok(Kubectl.Result result) {
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result;
    }

    private static String get(Kubectl kubectl, String ns, String what, String jsonpath) throws Exception {
        return ok(kubectl.run("get", what, "-n", ns, "-o", "jsonpath=" + jsonpath)).stdout().trim();
    }

    private static String statefulSet(String name, int replicas, String policy, boolean ready) {
        return statefulSet(name, replicas, policy, ready, false);
    }

    /** With a claim template, the pods wait for claims bound by a volume controller (not there yet). */
    private static String statefulSet(String name, int replicas, String policy, boolean ready, boolean claims) {
        String yaml = """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: %s}
                spec:
                  replicas: %d
                  serviceName: %s-svc
                  podManagementPolicy: %s
                  selector: {matchLabels: {app: %s}}
                  template:
                    metadata:
                      labels: {app: %s}
                      annotations: {sim.kybern.io/ready: "%s"}
                    spec:
                      containers: [{name: app, image: "nginx:1.25"}]
                """.formatted(name, replicas, name, policy, name, name, ready);
        return !claims ? yaml : yaml + """
                  volumeClaimTemplates:
                  - metadata: {name: data, labels: {tier: storage}}
                    spec:
                      accessModes: [ReadWriteOnce]
                      resources: {requests: {storage: 1Gi}}
                """;
    }

    /** The names of the set's pods, sorted, with {@code *} after those being deleted. */
    private static List<String> pods(Kubectl kubectl, String ns, String app) throws Exception {
        String out = ok(kubectl.run("get", "pods", "-n", ns, "-l", "app=" + app, "-o",
                "jsonpath={range .items[*]}{.metadata.name}:{.metadata.deletionTimestamp}{\" \"}{end}")).stdout();
        return Arrays.stream(out.trim().split(" ")).filter(p -> !p.isEmpty())
                .map(p -> p.endsWith(":") ? p.substring(0, p.length() - 1) : p.substring(0, p.indexOf(':')) + "*")
                .sorted().toList();
    }

    private static boolean ready(Kubectl kubectl, String ns, String pod) throws Exception {
        return get(kubectl, ns, "pod/" + pod, "{.status.conditions[?(@.type==\"Ready\")].status}").equals("True");
    }

    private static void makeReady(Kubectl kubectl, String ns, String pod) throws Exception {
        ok(kubectl.run("annotate", "pod", pod, "-n", ns, "sim.kybern.io/ready=true", "--overwrite"));
        await().atMost(PATIENCE).until(() -> ready(kubectl, ns, pod));
    }

    /** Waits until {@code pod} runs (not Ready) and the controller has seen it, then checks {@code next} stays away. */
    private static void nextWaitsFor(Kubectl kubectl, String ns, String pod, String next) throws Exception {
        await().atMost(PATIENCE).until(() -> get(kubectl, ns, "pod/" + pod, "{.status.phase}").equals("Running"));
        int ordinal = Integer.parseInt(pod.substring(pod.lastIndexOf('-') + 1));
        await().atMost(PATIENCE).until(() -> get(kubectl, ns, "sts/web", "{.status.replicas}")
                .equals(Integer.toString(ordinal + 1)));
        long until = System.nanoTime() + HOLD.toNanos();
        while (System.nanoTime() < until) {
            assertThat(pods(kubectl, ns, "web")).as("%s must wait for %s to be Ready", next, pod).doesNotContain(next);
            Thread.sleep(200);
        }
        assertThat(ready(kubectl, ns, pod)).isFalse();
    }

    @Test
    void orderedCreationPartitionedRolloutAndReverseScaleDown() throws Exception {
        Kubectl kubectl = kubectl("33");
        String ns = "sts-ordered";
        ok(kubectl.run("create", "namespace", ns));
        ok(kubectl.runWithInput(statefulSet("web", 3, "OrderedReady", false), "apply", "-n", ns, "-f", "-"));

        // One at a time: web-1 only once web-0 is Ready, web-2 only once web-1 is.
        nextWaitsFor(kubectl, ns, "web-0", "web-1");
        makeReady(kubectl, ns, "web-0");
        nextWaitsFor(kubectl, ns, "web-1", "web-2");
        makeReady(kubectl, ns, "web-1");
        await().atMost(PATIENCE).until(() -> pods(kubectl, ns, "web").contains("web-2"));
        makeReady(kubectl, ns, "web-2");
        assertThat(ok(kubectl.run("rollout", "status", "sts/web", "-n", ns, "--timeout=60s")).stdout())
                .contains("partitioned roll out complete: 3 new pods have been updated...");

        // Stable identity and claims.
        assertThat(get(kubectl, ns, "pod/web-1", "{.spec.hostname}/{.spec.subdomain}/"
                + "{.metadata.labels.statefulset\\.kubernetes\\.io/pod-name}/{.metadata.labels.apps\\.kubernetes\\.io/pod-index}"))
                .isEqualTo("web-1/web-svc/web-1/1");
        String revision1 = get(kubectl, ns, "sts/web", "{.status.updateRevision}");
        assertThat(get(kubectl, ns, "sts/web", "{.status.currentRevision}")).isEqualTo(revision1);
        assertThat(get(kubectl, ns, "sts/web", "{.status.replicas} {.status.readyReplicas} {.status.currentReplicas} "
                + "{.status.updatedReplicas} {.status.availableReplicas}")).isEqualTo("3 3 3 3 3");
        assertThat(get(kubectl, ns, "pods", "{.items[*].metadata.labels.controller-revision-hash}"))
                .isEqualTo(String.join(" ", revision1, revision1, revision1));
        String events = get(kubectl, ns, "events", "{range .items[?(@.involvedObject.kind==\"StatefulSet\")]}"
                + "{.reason}: {.message}{\"\\n\"}{end}");
        assertThat(events).contains("SuccessfulCreate: create Pod web-0 in StatefulSet web successful")
                .contains("SuccessfulCreate: create Pod web-2 in StatefulSet web successful");

        // A pod deleted by hand comes back under its name.
        String uid = get(kubectl, ns, "pod/web-1", "{.metadata.uid}");
        // Without waiting: kubectl's wait for the deletion can miss it when the replacement comes back at once.
        ok(kubectl.run("delete", "pod", "web-1", "-n", ns, "--wait=false"));
        await().atMost(PATIENCE).until(() -> pods(kubectl, ns, "web").contains("web-1")
                && !get(kubectl, ns, "pod/web-1", "{.metadata.uid}").equals(uid));
        makeReady(kubectl, ns, "web-1");

        // Partition 2: only web-2 moves to the new template (which no longer holds readiness back).
        ok(kubectl.run("patch", "sts", "web", "-n", ns, "-p",
                "{\"spec\":{\"updateStrategy\":{\"rollingUpdate\":{\"partition\":2}}}}"));
        ok(kubectl.run("patch", "sts", "web", "-n", ns, "-p", "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":"
                + "{\"sim.kybern.io/ready\":\"true\"}},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"nginx:1.26\"}]}}}}"));
        assertThat(ok(kubectl.run("rollout", "status", "sts/web", "-n", ns, "--timeout=60s")).stdout())
                .contains("partitioned roll out complete: 1 new pods have been updated...");
        String revision2 = get(kubectl, ns, "sts/web", "{.status.updateRevision}");
        assertThat(revision2).isNotEqualTo(revision1);
        assertThat(get(kubectl, ns, "sts/web", "{.status.currentRevision}")).isEqualTo(revision1);
        assertThat(get(kubectl, ns, "pod/web-2", "{.spec.containers[0].image} {.metadata.labels.controller-revision-hash}"))
                .isEqualTo("nginx:1.26 " + revision2);
        for (String pod : List.of("web-0", "web-1")) {
            assertThat(get(kubectl, ns, "pod/" + pod, "{.spec.containers[0].image} "
                    + "{.metadata.labels.controller-revision-hash}")).isEqualTo("nginx:1.25 " + revision1);
        }

        // Partition 0: the rest follow, and the update revision becomes the current one.
        ok(kubectl.run("patch", "sts", "web", "-n", ns, "-p",
                "{\"spec\":{\"updateStrategy\":{\"rollingUpdate\":{\"partition\":0}}}}"));
        assertThat(ok(kubectl.run("rollout", "status", "sts/web", "-n", ns, "--timeout=60s")).stdout())
                .contains("partitioned roll out complete: 3 new pods have been updated...");
        await().atMost(PATIENCE).until(() -> get(kubectl, ns, "sts/web", "{.status.currentRevision}").equals(revision2));
        assertThat(get(kubectl, ns, "pods", "{.items[*].spec.containers[0].image}"))
                .isEqualTo("nginx:1.26 nginx:1.26 nginx:1.26");
        String deletions = get(kubectl, ns, "events", "{range .items[?(@.reason==\"SuccessfulDelete\")]}"
                + "{.message}{\"\\n\"}{end}");
        assertThat(deletions).contains("delete Pod web-2 in StatefulSet web successful");

        // Scale to 1: web-2 goes first; held by a finalizer, it keeps web-1 in place.
        ok(kubectl.run("patch", "pod", "web-2", "-n", ns, "-p", "{\"metadata\":{\"finalizers\":[\"kybern.io/hold\"]}}"));
        ok(kubectl.run("scale", "sts", "web", "-n", ns, "--replicas=1"));
        await().atMost(PATIENCE).until(() -> pods(kubectl, ns, "web").equals(List.of("web-0", "web-1", "web-2*")));
        long until = System.nanoTime() + HOLD.toNanos();
        while (System.nanoTime() < until) {
            assertThat(pods(kubectl, ns, "web")).as("web-1 waits for web-2 to be gone").contains("web-1");
            Thread.sleep(200);
        }
        ok(kubectl.run("patch", "pod", "web-2", "-n", ns, "--type=json", "-p",
                "[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]"));
        await().atMost(PATIENCE).until(() -> pods(kubectl, ns, "web").equals(List.of("web-0")));
        await().atMost(PATIENCE).until(() -> get(kubectl, ns, "sts/web", "{.status.replicas}").equals("1"));
        ok(kubectl.run("delete", "namespace", ns, "--wait=false"));
    }

    @Test
    void claimsFromTemplatesAreProvisionedAndBoundBeforeTheirPodsRunInOrder() throws Exception {
        Kubectl kubectl = kubectl("33");
        String ns = "sts-claims";
        ok(kubectl.run("create", "namespace", ns));
        ok(kubectl.runWithInput(statefulSet("db", 2, "OrderedReady", true, true), "apply", "-n", ns, "-f", "-"));

        // The claims get the default class (local-path, WaitForFirstConsumer): each is provisioned on the node
        // the scheduler picks for its pod, and only a pod whose claim is bound runs.
        await().atMost(PATIENCE).until(() -> get(kubectl, ns, "pods",
                "{.items[*].metadata.name}={.items[*].status.phase}").equals("db-0 db-1=Running Running"));
        for (String ordinal : List.of("0", "1")) {
            assertThat(get(kubectl, ns, "pod/db-" + ordinal,
                    "{.spec.volumes[?(@.name==\"data\")].persistentVolumeClaim.claimName}"))
                    .isEqualTo("data-db-" + ordinal);
            assertThat(get(kubectl, ns, "pvc/data-db-" + ordinal, "{.status.phase} {.spec.storageClassName}"))
                    .isEqualTo("Bound local-path");
        }
        assertThat(get(kubectl, ns, "pvc/data-db-0", "{.metadata.labels.app}/{.metadata.labels.tier}/"
                + "{.spec.resources.requests.storage}")).isEqualTo("db/storage/1Gi");
        assertThat(get(kubectl, ns, "pvc/data-db-0", "{.metadata.ownerReferences}"))
                .as("whenDeleted: Retain leaves the claim unowned").isEmpty();
        // OrderedReady: db-1 was created only once db-0 was Ready (timestamps have whole seconds).
        Instant ready0 = Instant.parse(get(kubectl, ns, "pod/db-0",
                "{.status.conditions[?(@.type==\"Ready\")].lastTransitionTime}"));
        Instant created1 = Instant.parse(get(kubectl, ns, "pod/db-1", "{.metadata.creationTimestamp}"));
        assertThat(created1).isAfterOrEqualTo(ready0);
        String events = get(kubectl, ns, "events", "{range .items[?(@.involvedObject.kind==\"StatefulSet\")]}"
                + "{.reason}: {.message}{\"\\n\"}{end}");
        assertThat(events).contains("SuccessfulCreate: create Claim data-db-0 Pod db-0 in StatefulSet db success",
                "SuccessfulCreate: create Claim data-db-1 Pod db-1 in StatefulSet db success");

        ok(kubectl.run("delete", "namespace", ns, "--wait=false"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "33"})
    void parallelPodsAndRolloutHistoryAndUndo(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String ns = "sts-parallel-" + minor;
        ok(kubectl.run("create", "namespace", ns));
        // Parallel: every pod at once, though none of them is Ready.
        ok(kubectl.runWithInput(statefulSet("web", 3, "Parallel", false), "apply", "-n", ns, "-f", "-"));
        await().atMost(PATIENCE).until(() -> pods(kubectl, ns, "web").equals(List.of("web-0", "web-1", "web-2")));
        assertThat(get(kubectl, ns, "sts/web", "{.status.readyReplicas}")).isEmpty();
        Kubectl.Result waiting = kubectl.run("rollout", "status", "sts/web", "-n", ns, "--watch=false");
        assertThat(waiting.stdout()).contains("Waiting for 3 pods to be ready...");

        ok(kubectl.run("annotate", "sts", "web", "-n", ns, "kubernetes.io/change-cause=ready pods"));
        ok(kubectl.run("patch", "sts", "web", "-n", ns, "-p", "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":"
                + "{\"sim.kybern.io/ready\":\"true\"}}}}}"));
        assertThat(ok(kubectl.run("rollout", "status", "sts/web", "-n", ns, "--timeout=60s")).stdout())
                .contains("partitioned roll out complete: 3 new pods have been updated...");
        String history = ok(kubectl.run("rollout", "history", "sts/web", "-n", ns)).stdout();
        assertThat(history).containsPattern("(?m)^1\\s+<none>").containsPattern("(?m)^2\\s+ready pods");
        assertThat(ok(kubectl.run("rollout", "history", "sts/web", "-n", ns, "--revision=1")).stdout())
                .contains("sim.kybern.io/ready: false");

        // Undo puts revision 1's template back (unready pods again), as revision 3.
        assertThat(ok(kubectl.run("rollout", "undo", "sts/web", "-n", ns)).stdout()).contains("rolled back");
        await().atMost(PATIENCE).until(() -> get(kubectl, ns, "sts/web",
                "{.spec.template.metadata.annotations.sim\\.kybern\\.io/ready}").equals("false"));
        await().atMost(PATIENCE).until(() -> get(kubectl, ns, "controllerrevisions",
                "{range .items[*]}{.revision}{\" \"}{end}").equals("3 2")
                || get(kubectl, ns, "controllerrevisions", "{range .items[*]}{.revision}{\" \"}{end}").equals("2 3"));
        String updateRevision = get(kubectl, ns, "sts/web", "{.status.updateRevision}");
        assertThat(get(kubectl, ns, "controllerrevisions/" + updateRevision, "{.revision}")).isEqualTo("3");
        ok(kubectl.run("delete", "namespace", ns, "--wait=false"));
    }

    @Test
    void invalidStatefulSetsAreRefusedWith422() throws Exception {
        Kubectl kubectl = kubectl("33");
        String ns = "sts-invalid";
        ok(kubectl.run("create", "namespace", ns));
        Kubectl.Result mismatch = kubectl.runWithInput(statefulSet("bad", 1, "OrderedReady", true)
                .replace("labels: {app: bad}", "labels: {app: other}"), "create", "-n", ns, "-f", "-");
        assertThat(mismatch.exitCode()).isNotZero();
        assertThat(mismatch.stderr()).contains("The StatefulSet \"bad\" is invalid")
                .contains("`selector` does not match template `labels`");

        ok(kubectl.runWithInput(statefulSet("fixed", 1, "OrderedReady", true), "create", "-n", ns, "-f", "-"));
        Kubectl.Result forbidden = kubectl.run("patch", "sts", "fixed", "-n", ns, "-p",
                "{\"spec\":{\"serviceName\":\"elsewhere\"}}");
        assertThat(forbidden.exitCode()).isNotZero();
        assertThat(forbidden.stderr()).contains("is invalid")
                .contains("updates to statefulset spec for fields other than");
        ok(kubectl.run("delete", "namespace", ns, "--wait=false"));
    }
}
