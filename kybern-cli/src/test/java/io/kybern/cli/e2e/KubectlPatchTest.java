package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real kubectl changing objects in place: client-side apply twice (its three-way strategic merge
 * patches), {@code kubectl patch} with the default strategic type as Kubernetes' task page shows it,
 * {@code label} and {@code annotate}, and server-side apply with conflicts and {@code --force-conflicts}.
 *
 * <p>Client-side apply runs with {@code --validate=false} because the server does not serve OpenAPI yet.
 */
class KubectlPatchTest extends ServerPerClass {

    private static void namespace(Kubectl kubectl, String name) throws Exception {
        Kubectl.Result created = kubectl.runWithInput("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name
                + "\n", "create", "--validate=false", "-f", "-");
        assertThat(created.exitCode()).as(created.toString()).isZero();
    }

    private static String deployment(String labels, String containers) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                  labels:
                %s
                spec:
                  replicas: 2
                  selector:
                    matchLabels:
                      app: web
                  template:
                    metadata:
                      labels:
                        app: web
                    spec:
                      containers:
                %s
                """.formatted(labels, containers);
    }

    private static final String APP_WITH_A_AND_B = """
                  - name: app
                    image: app:1
                    env:
                    - name: A
                      value: "1"
                    - name: B
                      value: "2"\
            """;
    private static final String SIDECAR = """
                  - name: sidecar
                    image: side:1\
            """;
    private static final String APP_WITH_A = """
                  - name: app
                    image: app:1
                    env:
                    - name: A
                      value: "1"\
            """;

    /** The field managers of the Deployment's spec and metadata; its controller manages the status too. */
    private static final String USER_MANAGERS =
            "{.metadata.managedFields[?(@.manager!=\"kube-controller-manager\")].manager}";

    private static String get(Kubectl kubectl, String namespace, String jsonpath) throws Exception {
        Kubectl.Result result = kubectl.run("get", "deployment", "web", "-n", namespace, "-o", "jsonpath=" + jsonpath);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result.stdout();
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void applyingAChangedManifestRemovesWhatItNoLongerHas(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String ns = "apply-" + minor;
        namespace(kubectl, ns);

        Kubectl.Result first = kubectl.runWithInput(deployment("    app: web\n    tier: front",
                APP_WITH_A_AND_B + "\n" + SIDECAR), "apply", "--validate=false", "-n", ns, "-f", "-");
        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.stdout().strip()).isEqualTo("deployment.apps/web created");

        Kubectl.Result second = kubectl.runWithInput(deployment("    app: web", APP_WITH_A), "apply",
                "--validate=false", "-n", ns, "-f", "-");
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(second.stdout().strip()).isEqualTo("deployment.apps/web configured");

        assertThat(get(kubectl, ns, "{.metadata.labels}")).isEqualTo("{\"app\":\"web\"}");
        assertThat(get(kubectl, ns, "{.spec.template.spec.containers[*].name}")).isEqualTo("app");
        assertThat(get(kubectl, ns, "{.spec.template.spec.containers[0].env[*].name}")).isEqualTo("A");
        assertThat(get(kubectl, ns, USER_MANAGERS))
                .isEqualTo("kubectl-client-side-apply");

        Kubectl.Result unchanged = kubectl.runWithInput(deployment("    app: web", APP_WITH_A), "apply",
                "--validate=false", "-n", ns, "-f", "-");
        assertThat(unchanged.stdout().strip()).as(unchanged.toString()).isEqualTo("deployment.apps/web unchanged");

        // kubectl diff asks the server for a dry-run patch and compares. kubectl 1.27's diff also needs
        // /openapi/v2, which is not served yet.
        if (minor.equals("27")) {
            return;
        }
        Kubectl.Result diff = kubectl.runWithInput(deployment("    app: web", APP_WITH_A).replace("replicas: 2",
                "replicas: 3"), "diff", "-n", ns, "-f", "-");
        assertThat(diff.exitCode()).as(diff.toString()).isEqualTo(1);
        assertThat(diff.stdout()).contains("-  replicas: 2", "+  replicas: 3");
        assertThat(get(kubectl, ns, "{.spec.replicas}")).isEqualTo("2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void patchIsStrategicByDefault(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String ns = "patch-" + minor;
        namespace(kubectl, ns);
        assertThat(kubectl.runWithInput(deployment("    app: web", APP_WITH_A), "create", "--validate=false", "-n",
                ns, "-f", "-").exitCode()).isZero();

        // "Update API Objects in Place Using kubectl patch": the new container merges in by name, first.
        Kubectl.Result patched = kubectl.run("patch", "deployment", "web", "-n", ns, "--patch",
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"patch-demo-ctr-2\",\"image\":\"redis\"}]}}}}");
        assertThat(patched.exitCode()).as(patched.toString()).isZero();
        assertThat(patched.stdout().strip()).isEqualTo("deployment.apps/web patched");
        assertThat(get(kubectl, ns, "{.spec.template.spec.containers[*].name}")).isEqualTo("patch-demo-ctr-2 app");

        // Tolerations have no patch strategy: the patch's list replaces the old one.
        for (String key : new String[] {"dedicated", "disktype"}) {
            Kubectl.Result tolerations = kubectl.run("patch", "deployment", "web", "-n", ns, "--type", "strategic",
                    "-p", "{\"spec\":{\"template\":{\"spec\":{\"tolerations\":[{\"effect\":\"NoSchedule\",\"key\":\""
                            + key + "\",\"value\":\"x\"}]}}}}");
            assertThat(tolerations.exitCode()).as(tolerations.toString()).isZero();
        }
        assertThat(get(kubectl, ns, "{.spec.template.spec.tolerations[*].key}")).isEqualTo("disktype");

        // $patch: delete removes one container by its merge key.
        Kubectl.Result deleted = kubectl.run("patch", "deployment", "web", "-n", ns, "-p",
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"$patch\":\"delete\",\"name\":\"app\"}]}}}}");
        assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
        assertThat(get(kubectl, ns, "{.spec.template.spec.containers[*].name}")).isEqualTo("patch-demo-ctr-2");

        // The task page's retainKeys example.
        Kubectl.Result retained = kubectl.run("patch", "deployment", "web", "-n", ns, "-p",
                "{\"spec\":{\"strategy\":{\"$retainKeys\":[\"type\"],\"type\":\"Recreate\"}}}");
        assertThat(retained.exitCode()).as(retained.toString()).isZero();

        Kubectl.Result malformed = kubectl.run("patch", "deployment", "web", "-n", ns, "-p",
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"$patch\":\"delete\"}]}}}}");
        assertThat(malformed.exitCode()).isEqualTo(1);
        assertThat(malformed.stderr()).contains("does not contain declared merge key: name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void labelAndAnnotateAddAndRemove(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String ns = "label-" + minor;
        namespace(kubectl, ns);
        assertThat(kubectl.runWithInput(deployment("    app: web", APP_WITH_A), "create", "--validate=false", "-n",
                ns, "-f", "-").exitCode()).isZero();

        assertThat(kubectl.run("label", "deployment", "web", "-n", ns, "tier=front").exitCode()).isZero();
        assertThat(kubectl.run("annotate", "deployment", "web", "-n", ns, "owner=team-a").exitCode()).isZero();
        assertThat(get(kubectl, ns, "{.metadata.labels.tier} {.metadata.annotations.owner}"))
                .isEqualTo("front team-a");
        assertThat(get(kubectl, ns, USER_MANAGERS))
                .isEqualTo("kubectl-create kubectl-label kubectl-annotate");

        Kubectl.Result unlabelled = kubectl.run("label", "deployment", "web", "-n", ns, "tier-");
        assertThat(unlabelled.exitCode()).as(unlabelled.toString()).isZero();
        assertThat(kubectl.run("annotate", "deployment", "web", "-n", ns, "owner-").exitCode()).isZero();
        assertThat(get(kubectl, ns, "{.metadata.labels} {.metadata.annotations}")).isEqualTo("{\"app\":\"web\"} ");
        // Managers that own nothing any more leave managedFields.
        assertThat(get(kubectl, ns, USER_MANAGERS)).isEqualTo("kubectl-create");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void serverSideApplyConflictsUntilForced(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String ns = "ssa-" + minor;
        namespace(kubectl, ns);
        String manifest = deployment("    app: web\n    tier: front", APP_WITH_A_AND_B);

        Kubectl.Result applied = kubectl.runWithInput(manifest, "apply", "--server-side", "--validate=false", "-n", ns, "-f", "-");
        assertThat(applied.exitCode()).as(applied.toString()).isZero();
        assertThat(applied.stdout().strip()).isEqualTo("deployment.apps/web serverside-applied");
        assertThat(get(kubectl, ns, "{.metadata.managedFields[0].manager} {.metadata.managedFields[0].operation}"))
                .isEqualTo("kubectl Apply");

        String scaled = manifest.replace("replicas: 2", "replicas: 5");
        Kubectl.Result conflict = kubectl.runWithInput(scaled, "apply", "--server-side", "--validate=false", "--field-manager=ci", "-n",
                ns, "-f", "-");
        assertThat(conflict.exitCode()).as(conflict.toString()).isEqualTo(1);
        assertThat(conflict.stderr()).contains("Apply failed with 1 conflict: conflict with \"kubectl\": .spec.replicas");
        assertThat(get(kubectl, ns, "{.spec.replicas}")).isEqualTo("2");

        Kubectl.Result forced = kubectl.runWithInput(scaled, "apply", "--server-side", "--validate=false", "--field-manager=ci",
                "--force-conflicts", "-n", ns, "-f", "-");
        assertThat(forced.exitCode()).as(forced.toString()).isZero();
        assertThat(get(kubectl, ns, "{.spec.replicas}")).isEqualTo("5");

        // The first manager drops the label and env var B: both stay, since ci applied them too...
        Kubectl.Result reapplied = kubectl.runWithInput(deployment("    app: web", APP_WITH_A).replace(
                "replicas: 2", "replicas: 5"), "apply", "--server-side", "--validate=false", "-n", ns, "-f", "-");
        assertThat(reapplied.exitCode()).as(reapplied.toString()).isZero();
        assertThat(get(kubectl, ns, "{.metadata.labels}")).isEqualTo("{\"app\":\"web\",\"tier\":\"front\"}");
        assertThat(get(kubectl, ns, "{.spec.template.spec.containers[0].env[*].name}")).isEqualTo("A B");

        // ...until ci drops them as well.
        Kubectl.Result ciDrops = kubectl.runWithInput(deployment("    app: web", APP_WITH_A).replace(
                "replicas: 2", "replicas: 5"), "apply", "--server-side", "--validate=false", "--field-manager=ci", "-n", ns, "-f", "-");
        assertThat(ciDrops.exitCode()).as(ciDrops.toString()).isZero();
        assertThat(get(kubectl, ns, "{.metadata.labels}")).isEqualTo("{\"app\":\"web\"}");
        assertThat(get(kubectl, ns, "{.spec.template.spec.containers[0].env[*].name}")).isEqualTo("A");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void serverSideApplyTakesOverFromClientSideApply(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String ns = "migrate-" + minor;
        namespace(kubectl, ns);
        String manifest = deployment("    app: web", APP_WITH_A);
        Kubectl.Result clientSide = kubectl.runWithInput(manifest, "apply", "--validate=false", "-n", ns, "-f", "-");
        assertThat(clientSide.exitCode()).as(clientSide.toString()).isZero();

        // kubectl moves what kubectl-client-side-apply owned to its server-side manager first, so changing
        // the replicas is no conflict.
        Kubectl.Result serverSide = kubectl.runWithInput(manifest.replace("replicas: 2", "replicas: 3"), "apply",
                "--server-side", "--validate=false", "-n", ns, "-f", "-");
        assertThat(serverSide.exitCode()).as(serverSide.toString()).isZero();
        assertThat(get(kubectl, ns, "{.spec.replicas}")).isEqualTo("3");

        Kubectl.Result dryRun = kubectl.runWithInput(manifest.replace("replicas: 2", "replicas: 4"), "apply",
                "--server-side", "--validate=false", "--dry-run=server", "-n", ns, "-f", "-");
        assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
        assertThat(get(kubectl, ns, "{.spec.replicas}")).isEqualTo("3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void applyingAServiceAndAConfigMapAgainRemovesWhatWasDropped(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String ns = "svc-" + minor;
        namespace(kubectl, ns);
        String service = """
                apiVersion: v1
                kind: Service
                metadata:
                  name: front
                spec:
                  selector:
                    app: web
                  ports:
                  - name: http
                    port: 80
                    targetPort: 8080
                %s---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: settings
                data:
                  a: "1"
                %s""";
        String before = service.formatted("  - name: https\n    port: 443\n    targetPort: 8443\n", "  b: \"2\"\n");
        String after = service.formatted("", "");

        Kubectl.Result first = kubectl.runWithInput(before, "apply", "--validate=false", "-n", ns, "-f", "-");
        assertThat(first.exitCode()).as(first.toString()).isZero();
        Kubectl.Result second = kubectl.runWithInput(after, "apply", "--validate=false", "-n", ns, "-f", "-");
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(second.stdout()).contains("service/front configured", "configmap/settings configured");

        Kubectl.Result ports = kubectl.run("get", "service", "front", "-n", ns, "-o",
                "jsonpath={.spec.ports[*].name} {.spec.ports[0].targetPort}");
        assertThat(ports.stdout()).as(ports.toString()).isEqualTo("http 8080");
        Kubectl.Result data = kubectl.run("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.data}");
        assertThat(data.stdout()).as(data.toString()).isEqualTo("{\"a\":\"1\"}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void setImageSetEnvAndRolloutRestartPatchTheTemplate(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String ns = "set-" + minor;
        namespace(kubectl, ns);
        assertThat(kubectl.runWithInput(deployment("    app: web", APP_WITH_A_AND_B + "\n" + SIDECAR), "create",
                "--validate=false", "-n", ns, "-f", "-").exitCode()).isZero();

        Kubectl.Result image = kubectl.run("set", "image", "deployment/web", "-n", ns, "app=app:2");
        assertThat(image.exitCode()).as(image.toString()).isZero();
        Kubectl.Result env = kubectl.run("set", "env", "deployment/web", "-n", ns, "-c", "app", "C=3", "A-");
        assertThat(env.exitCode()).as(env.toString()).isZero();
        Kubectl.Result restart = kubectl.run("rollout", "restart", "deployment/web", "-n", ns);
        assertThat(restart.exitCode()).as(restart.toString()).isZero();
        assertThat(restart.stdout().strip()).isEqualTo("deployment.apps/web restarted");

        assertThat(get(kubectl, ns, "{.spec.template.spec.containers[*].image}")).isEqualTo("app:2 side:1");
        assertThat(get(kubectl, ns, "{.spec.template.spec.containers[0].env[*].name}")).isEqualTo("B C");
        assertThat(get(kubectl, ns, "{.spec.template.metadata.annotations}"))
                .contains("kubectl.kubernetes.io/restartedAt");
    }
}
