package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The controllers as kubectl users meet them: a ReplicaSet's pods come, are replaced and go with its
 * scale; {@code --cascade} orphan, foreground and background deletion; {@code kubectl delete ns} that
 * returns once the namespace and all its content are gone; a {@code default} ServiceAccount in every
 * namespace. Pods stay Pending (no scheduler, no nodes yet) and, having no node, are deleted at once.
 */
class KubectlControllersTest extends ServerPerClass {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static Kubectl.Result ok(Kubectl.Result result) {
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result;
    }

    private static void namespace(Kubectl kubectl, String ns) throws Exception {
        ok(kubectl.run("create", "namespace", ns));
    }

    private static void replicaSet(Kubectl kubectl, String ns, String name, int replicas) throws Exception {
        ok(kubectl.runWithInput("""
                apiVersion: apps/v1
                kind: ReplicaSet
                metadata: {name: %1$s, namespace: %2$s}
                spec:
                  replicas: %3$d
                  selector: {matchLabels: {app: %1$s}}
                  template:
                    metadata: {labels: {app: %1$s}}
                    spec: {containers: [{name: web, image: nginx}]}
                """.formatted(name, ns, replicas), "apply", "-f", "-"));
    }

    /** The names of the pods with label app=NAME that are not being deleted. */
    private static List<String> pods(Kubectl kubectl, String ns, String app) throws Exception {
        String out = ok(kubectl.run("get", "pods", "-n", ns, "-l", "app=" + app, "-o",
                "jsonpath={range .items[?(@.metadata.deletionTimestamp)]}-{end}"
                        + "{range .items[*]}{.metadata.name}{\" \"}{end}")).stdout();
        // Any pod being deleted shows up as a leading '-': treat the listing as not settled then.
        if (out.startsWith("-")) {
            return List.of("(deleting)");
        }
        return Arrays.stream(out.trim().split(" ")).filter(s -> !s.isEmpty()).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "33"})
    void aReplicaSetKeepsItsPodsThroughDeletionAndScaling(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String ns = "rs-" + minor;
        namespace(kubectl, ns);
        replicaSet(kubectl, ns, "web", 3);

        await().atMost(PATIENCE).until(() -> pods(kubectl, ns, "web").size() == 3);
        assertThat(pods(kubectl, ns, "web")).allMatch(name -> name.matches("web-[a-z0-9]{5}"));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(ok(kubectl.run("get", "rs", "web", "-n", ns))
                .stdout()).containsPattern("web\\s+3\\s+3\\s+0\\s+"));

        String victim = pods(kubectl, ns, "web").get(0);
        ok(kubectl.run("delete", "pod", victim, "-n", ns));
        await().atMost(PATIENCE).until(() -> pods(kubectl, ns, "web").size() == 3
                && !pods(kubectl, ns, "web").contains(victim));

        ok(kubectl.run("scale", "rs", "web", "-n", ns, "--replicas=1"));
        await().atMost(PATIENCE).until(() -> pods(kubectl, ns, "web").size() == 1);

        String described = ok(kubectl.run("describe", "rs", "web", "-n", ns)).stdout();
        assertThat(described).contains("SuccessfulCreate").contains("SuccessfulDelete")
                .contains("replicaset-controller");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "33"})
    void cascadeOrphanKeepsThePodsWithoutOwners(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String ns = "orphan-" + minor;
        namespace(kubectl, ns);
        replicaSet(kubectl, ns, "web", 2);
        await().atMost(PATIENCE).until(() -> pods(kubectl, ns, "web").size() == 2);
        List<String> before = pods(kubectl, ns, "web");

        ok(kubectl.run("delete", "rs", "web", "-n", ns, "--cascade=orphan"));

        assertThat(ok(kubectl.run("get", "rs", "-n", ns, "-o", "name")).stdout()).isBlank();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(ok(kubectl.run("get", "pods", "-n", ns, "-o",
                "jsonpath={.items[*].metadata.ownerReferences}")).stdout()).isBlank());
        await().during(Duration.ofSeconds(1)).atMost(PATIENCE).until(() -> pods(kubectl, ns, "web").equals(before));
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "33"})
    void cascadeForegroundReturnsOnceThePodsAndTheOwnerAreGone(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String ns = "fg-" + minor;
        namespace(kubectl, ns);
        replicaSet(kubectl, ns, "web", 2);
        await().atMost(PATIENCE).until(() -> pods(kubectl, ns, "web").size() == 2);

        ok(kubectl.run("delete", "rs", "web", "-n", ns, "--cascade=foreground"));

        assertThat(ok(kubectl.run("get", "rs,pods", "-n", ns, "-o", "name")).stdout()).isBlank();
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "33"})
    void cascadeBackgroundDeletesThePodsAfterTheOwner(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String ns = "bg-" + minor;
        namespace(kubectl, ns);
        replicaSet(kubectl, ns, "web", 2);
        await().atMost(PATIENCE).until(() -> pods(kubectl, ns, "web").size() == 2);

        ok(kubectl.run("delete", "rs", "web", "-n", ns));

        await().atMost(PATIENCE).until(() -> ok(kubectl.run("get", "pods", "-n", ns, "-o", "name")).stdout().isBlank());
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "33"})
    void deletingANamespaceRemovesEverythingInItAndReturnsWhenItIsGone(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String ns = "many-" + minor;
        namespace(kubectl, ns);
        ok(kubectl.run("create", "configmap", "cm", "-n", ns, "--from-literal=k=v"));
        ok(kubectl.run("create", "secret", "generic", "s", "-n", ns, "--from-literal=k=v"));
        ok(kubectl.run("create", "deployment", "d", "-n", ns, "--image=nginx"));
        ok(kubectl.run("create", "service", "clusterip", "svc", "-n", ns, "--tcp=80:8080"));
        ok(kubectl.run("create", "role", "r", "-n", ns, "--verb=get", "--resource=pods"));
        ok(kubectl.run("create", "rolebinding", "rb", "-n", ns, "--role=r", "--user=someone"));
        ok(kubectl.run("run", "lone", "-n", ns, "--image=nginx"));
        replicaSet(kubectl, ns, "web", 2);
        await().atMost(PATIENCE).until(() -> pods(kubectl, ns, "web").size() == 2);

        Kubectl.Result deleted = ok(kubectl.run("delete", "namespace", ns, "--timeout=60s"));

        assertThat(deleted.stdout()).contains("namespace \"" + ns + "\" deleted");
        Kubectl.Result gone = kubectl.run("get", "namespace", ns);
        assertThat(gone.exitCode()).isNotZero();
        assertThat(gone.stderr()).contains("namespaces \"" + ns + "\" not found");
        assertThat(ok(kubectl.run("get", "all,configmaps,secrets,roles,rolebindings,serviceaccounts", "-n", ns,
                "-o", "name")).stdout()).isBlank();
    }

    @ParameterizedTest
    @ValueSource(strings = {"33"})
    void aNewNamespaceGetsADefaultServiceAccount(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String ns = "sa-" + minor;
        namespace(kubectl, ns);

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(ok(kubectl.run("get", "serviceaccounts", "-n", ns,
                "-o", "name")).stdout().trim()).isEqualTo("serviceaccount/default"));
    }
}
