package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real kubectl, in the oldest, a middle and the newest release the project supports, against a
 * {@code kybern server} started with its own PKI and kubeconfig: discovery, create, get, delete, watch
 * and the errors users see.
 *
 * <p>{@code create -f} runs with {@code --validate=false} to keep these tests about storage and errors;
 * validation against the server's OpenAPI is {@link KubectlOpenApiTest}'s subject.
 */
class KubectlBasicsTest extends ServerPerClass {

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void versionAndDiscovery(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);

        Kubectl.Result version = kubectl.run("version", "-o", "json");
        assertThat(version.exitCode()).as(version.toString()).isZero();
        assertThat(version.stdout()).contains("\"serverVersion\"").contains("\"minor\": \"33\"");

        Kubectl.Result resources = kubectl.run("api-resources");
        assertThat(resources.exitCode()).as(resources.toString()).isZero();
        assertThat(resources.stdout().lines().findFirst().orElseThrow().split("\\s+"))
                .containsExactly("NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND");
        assertThat(resources.stdout()).containsPattern("pods\\s+po\\s+v1\\s+true\\s+Pod")
                .containsPattern("deployments\\s+deploy\\s+apps/v1\\s+true\\s+Deployment")
                .containsPattern("namespaces\\s+ns\\s+v1\\s+false\\s+Namespace");

        Kubectl.Result versions = kubectl.run("api-versions");
        assertThat(versions.stdout()).contains("apps/v1\n").contains("batch/v1\n").contains("v1\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void theSystemNamespacesAndTheKubernetesServiceExist(String minor) throws Exception {
        Kubectl.Result namespaces = kubectl(minor).run("get", "namespaces", "-o", "name");

        assertThat(namespaces.exitCode()).as(namespaces.toString()).isZero();
        assertThat(namespaces.stdout()).contains("namespace/default", "namespace/kube-system", "namespace/kube-public",
                "namespace/kube-node-lease");
        Kubectl.Result service = kubectl(minor).run("get", "service", "kubernetes", "-o",
                "jsonpath={.spec.clusterIP} {.spec.ports[0].port} {.metadata.labels.component}");
        assertThat(service.stdout()).as(service.toString()).isEqualTo("10.43.0.1 443 apiserver");
        Kubectl.Result endpoints = kubectl(minor).run("get", "endpoints", "kubernetes", "-o",
                "jsonpath={.subsets[0].addresses[0].ip}");
        assertThat(endpoints.stdout()).as(endpoints.toString()).isEqualTo("127.0.0.1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void createGetAndDeleteAConfigMap(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String name = "settings-" + minor;
        String manifest = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: %s
                  labels:
                    app: web
                data:
                  color: blue
                """.formatted(name);

        Kubectl.Result created = kubectl.runWithInput(manifest, "create", "--validate=false", "-f", "-");
        assertThat(created.exitCode()).as(created.toString()).isZero();
        assertThat(created.stdout().strip()).isEqualTo("configmap/" + name + " created");

        Kubectl.Result color = kubectl.run("get", "configmap", name, "-o", "jsonpath={.data.color}");
        assertThat(color.stdout()).as(color.toString()).isEqualTo("blue");
        Kubectl.Result selected = kubectl.run("get", "configmaps", "-l", "app=web", "-o", "name");
        assertThat(selected.stdout()).as(selected.toString()).contains("configmap/" + name);
        Kubectl.Result unselected = kubectl.run("get", "configmaps", "-l", "app=db", "-o", "name");
        assertThat(unselected.stdout()).doesNotContain(name);

        Kubectl.Result again = kubectl.runWithInput(manifest, "create", "--validate=false", "-f", "-");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.stderr()).contains("Error from server (AlreadyExists)")
                .contains("configmaps \"" + name + "\" already exists");

        Kubectl.Result deleted = kubectl.run("delete", "configmap", name);
        assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
        assertThat(deleted.stdout().strip()).isEqualTo("configmap \"" + name + "\" deleted");

        Kubectl.Result gone = kubectl.run("get", "configmap", name);
        assertThat(gone.exitCode()).isEqualTo(1);
        assertThat(gone.stderr()).contains("Error from server (NotFound): configmaps \"" + name + "\" not found");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void invalidObjectsAreRefusedWithKubernetesMessages(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);

        Kubectl.Result badName = kubectl.runWithInput("""
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: Bad_Name
                """, "create", "--validate=false", "-f", "-");
        assertThat(badName.exitCode()).isEqualTo(1);
        assertThat(badName.stderr()).contains("ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: "
                + "\"Bad_Name\": a lowercase RFC 1123 subdomain");

        Kubectl.Result missingNamespace = kubectl.runWithInput("""
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: orphan
                  namespace: does-not-exist
                """, "create", "--validate=false", "-f", "-");
        assertThat(missingNamespace.exitCode()).isEqualTo(1);
        assertThat(missingNamespace.stderr()).contains("namespaces \"does-not-exist\" not found");

        Kubectl.Result none = kubectl.run("get", "configmap", "orphan", "-n", "does-not-exist");
        assertThat(none.exitCode()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void watchSeesObjectsCreatedAfterTheListItStartedFrom(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String namespace = "watch-" + minor;
        assertThat(kubectl.runWithInput(namespaceManifest(namespace), "create", "--validate=false", "-f", "-").exitCode()).isZero();
        assertThat(kubectl.runWithInput(configMap("first"), "create", "--validate=false", "-n", namespace, "-f", "-").exitCode()).isZero();
        // kubectl lists, prints, then watches from the list's resourceVersion: whatever is created after the
        // first line is printed must arrive, however late the watch request itself is.
        Process watch = kubectl.start("get", "configmaps", "-n", namespace, "-w", "-o", "name");
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(watch.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertThat(lines.readLine()).isEqualTo("configmap/first");
            Kubectl.Result created = kubectl.runWithInput(configMap("second"), "create", "--validate=false", "-n", namespace, "-f", "-");
            assertThat(created.exitCode()).as(created.toString()).isZero();

            assertThat(lines.readLine()).isEqualTo("configmap/second");
        } finally {
            watch.destroyForcibly();
            watch.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void labelAnnotateAndPatch(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String name = "patched-" + minor;
        assertThat(kubectl.runWithInput(configMap(name), "create", "--validate=false", "-f", "-").exitCode()).isZero();

        Kubectl.Result labelled = kubectl.run("label", "configmap", name, "tier=front");
        assertThat(labelled.exitCode()).as(labelled.toString()).isZero();
        assertThat(labelled.stdout().strip()).isEqualTo("configmap/" + name + " labeled");
        Kubectl.Result annotated = kubectl.run("annotate", "configmap", name, "owner=team-a");
        assertThat(annotated.exitCode()).as(annotated.toString()).isZero();
        Kubectl.Result merged = kubectl.run("patch", "configmap", name, "--type", "merge", "-p",
                "{\"data\":{\"a\":null,\"b\":\"2\"}}");
        assertThat(merged.exitCode()).as(merged.toString()).isZero();
        Kubectl.Result jsonPatched = kubectl.run("patch", "configmap", name, "--type", "json", "-p",
                "[{\"op\":\"add\",\"path\":\"/data/c\",\"value\":\"3\"}]");
        assertThat(jsonPatched.exitCode()).as(jsonPatched.toString()).isZero();

        Kubectl.Result result = kubectl.run("get", "configmap", name, "-o",
                "jsonpath={.metadata.labels.tier} {.metadata.annotations.owner} {.data}");
        assertThat(result.stdout()).as(result.toString()).isEqualTo("front team-a {\"b\":\"2\",\"c\":\"3\"}");

        Kubectl.Result overwrite = kubectl.run("label", "configmap", name, "tier=back");
        assertThat(overwrite.exitCode()).isEqualTo(1);
        assertThat(overwrite.stderr()).contains("already has a value (front)");
        Kubectl.Result badPatch = kubectl.run("patch", "configmap", name, "--type", "json", "-p",
                "[{\"op\":\"remove\",\"path\":\"/data/nothing\"}]");
        assertThat(badPatch.exitCode()).isEqualTo(1);
        assertThat(badPatch.stderr()).contains("is invalid");
    }

    @ParameterizedTest
    @ValueSource(strings = {"33"})
    void requestsAreCountedUnderKubernetesMetricNames(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        assertThat(kubectl.run("get", "configmaps", "-n", "kube-system", "-o", "name").exitCode()).isZero();
        assertThat(kubectl.run("get", "configmap", "no-such-map").exitCode()).isEqualTo(1);
        assertThat(kubectl.runWithInput(configMap("measured"), "create", "-f", "-").exitCode()).isZero();
        Kubectl.Result watched = kubectl.run("get", "--raw",
                "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1&fieldSelector=metadata.name%3Dmeasured");
        assertThat(watched.stdout()).as(watched.toString()).contains("\"type\":\"ADDED\"");

        Kubectl.Result metrics = kubectl.run("get", "--raw", "/metrics");

        assertThat(metrics.exitCode()).as(metrics.toString()).isZero();
        assertThat(metrics.stdout())
                .containsPattern("apiserver_request_total\\{[^}]*code=\"200\"[^}]*resource=\"configmaps\"[^}]*"
                        + "verb=\"LIST\"[^}]*} [1-9]")
                .containsPattern("apiserver_request_total\\{[^}]*code=\"404\"[^}]*resource=\"configmaps\"[^}]*"
                        + "verb=\"GET\"[^}]*} [1-9]")
                .contains("apiserver_request_duration_seconds_bucket{")
                .containsPattern("apiserver_watch_events_total\\{[^}]*resource=\"configmaps\"[^}]*} [1-9]")
                .containsPattern("etcd_request_duration_seconds_count\\{[^}]*operation=\"create\"[^}]*"
                        + "type=\"configmaps\"[^}]*} [1-9]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "33"})
    void serverDryRunChecksEverythingAndStoresNothing(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String name = "dry-" + minor;

        Kubectl.Result created = kubectl.runWithInput(configMap(name), "create", "--validate=false", "--dry-run=server",
                "-f", "-");
        assertThat(created.exitCode()).as(created.toString()).isZero();
        assertThat(created.stdout().strip()).isEqualTo("configmap/" + name + " created (server dry run)");
        assertThat(kubectl.run("get", "configmap", name).exitCode()).as("nothing stored").isEqualTo(1);

        Kubectl.Result invalid = kubectl.runWithInput(configMap("Dry_Bad"), "create", "--validate=false",
                "--dry-run=server", "-f", "-");
        assertThat(invalid.exitCode()).isEqualTo(1);
        assertThat(invalid.stderr()).contains("is invalid");

        assertThat(kubectl.runWithInput(configMap(name), "create", "--validate=false", "-f", "-").exitCode()).isZero();
        Kubectl.Result deleted = kubectl.run("delete", "configmap", name, "--dry-run=server");
        assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
        assertThat(kubectl.run("get", "configmap", name).exitCode()).as("still there").isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "33"})
    void malformedAndOversizeBodiesAreRefusedAndNothingIsStored(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        Path body = dataDir.resolve("body-" + minor);
        String url = "/api/v1/namespaces/default/configmaps";

        java.nio.file.Files.writeString(body, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":");
        Kubectl.Result malformed = kubectl.run("create", "--raw", url, "-f", body.toString());
        assertThat(malformed.exitCode()).isEqualTo(1);
        assertThat(malformed.stderr()).as(malformed.toString()).contains("the object provided is unrecognized "
                + "(must be of type ConfigMap): couldn't get version/kind; json parse error: unexpected end of JSON "
                + "input ({\"apiVersion\":\"v1\",\"kind\":\"Con ...)");

        java.nio.file.Files.writeString(body, "{\"apiVersion\":\"apps/v1\",\"kind\":\"ConfigMap\","
                + "\"metadata\":{\"name\":\"wrong-group-" + minor + "\"}}");
        Kubectl.Result wrongGroup = kubectl.run("create", "--raw", url, "-f", body.toString());
        assertThat(wrongGroup.exitCode()).isEqualTo(1);
        assertThat(wrongGroup.stderr()).contains("does not match the expected API version (v1)");

        java.nio.file.Files.writeString(body, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
                + "{\"name\":\"huge-" + minor + "\"},\"data\":{\"blob\":\"" + "x".repeat(3 * 1024 * 1024) + "\"}}");
        Kubectl.Result huge = kubectl.run("create", "--raw", url, "-f", body.toString());
        assertThat(huge.exitCode()).isEqualTo(1);
        assertThat(huge.stderr()).as(huge.toString().substring(0, Math.min(500, huge.toString().length())))
                .contains("Request entity too large: limit is 3145728");

        Kubectl.Result names = kubectl.run("get", "configmaps", "-o", "name");
        assertThat(names.stdout()).doesNotContain("wrong-group-" + minor).doesNotContain("huge-" + minor);
    }

    private static String namespaceManifest(String name) {
        return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name + "\n";
    }

    private static String configMap(String name) {
        return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\ndata:\n  a: b\n";
    }
}
