package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The life of an object as kubectl users see it: a generation that follows the spec, finalizers that
 * hold a deletion until they are removed, and metadata errors in Kubernetes' words.
 */
class KubectlLifecycleTest extends ServerPerClass {

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void finalizersHoldADeletionUntilTheLastIsRemoved(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String name = "held-" + minor;
        Kubectl.Result created = kubectl.runWithInput("""
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: %s
                  finalizers: ["example.com/hold"]
                data: {k: v}
                """.formatted(name), "create", "--validate=false", "-f", "-");
        assertThat(created.exitCode()).as(created.toString()).isZero();

        Kubectl.Result deleted = kubectl.run("delete", "configmap", name, "--wait=false");
        assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
        assertThat(deleted.stdout()).contains("configmap \"" + name + "\" deleted");
        Kubectl.Result pending = kubectl.run("get", "configmap", name, "-o",
                "jsonpath={.metadata.deletionTimestamp} {.metadata.finalizers[0]}");
        assertThat(pending.stdout()).as(pending.toString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ "
                + "example.com/hold");

        Kubectl.Result added = kubectl.run("patch", "configmap", name, "--type=json", "-p",
                "[{\"op\":\"add\",\"path\":\"/metadata/finalizers/-\",\"value\":\"example.com/late\"}]");
        assertThat(added.exitCode()).isNotZero();
        assertThat(added.stderr()).contains("no new finalizers can be added if the object is being deleted");

        Kubectl.Result released = kubectl.run("patch", "configmap", name, "--type=merge", "-p",
                "{\"metadata\":{\"finalizers\":null}}");
        assertThat(released.exitCode()).as(released.toString()).isZero();
        Kubectl.Result gone = kubectl.run("get", "configmap", name);
        assertThat(gone.exitCode()).isNotZero();
        assertThat(gone.stderr()).contains("configmaps \"" + name + "\" not found");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void generationFollowsTheSpecOnly(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String name = "gen-" + minor;
        Kubectl.Result created = kubectl.runWithInput("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %s}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: %s}}
                  template:
                    metadata: {labels: {app: %s}}
                    spec: {containers: [{name: c, image: busybox}]}
                """.formatted(name, name, name), "create", "--validate=false", "-f", "-");
        assertThat(created.exitCode()).as(created.toString()).isZero();

        assertThat(kubectl.run("patch", "deployment", name, "--type=merge", "-p",
                "{\"metadata\":{\"labels\":{\"team\":\"a\"}}}").exitCode()).isZero();
        assertThat(kubectl.run("get", "deployment", name, "-o", "jsonpath={.metadata.generation}").stdout())
                .isEqualTo("1");
        assertThat(kubectl.run("patch", "deployment", name, "--type=merge", "-p",
                "{\"spec\":{\"replicas\":3}}").exitCode()).isZero();
        assertThat(kubectl.run("get", "deployment", name, "-o", "jsonpath={.metadata.generation}").stdout())
                .isEqualTo("2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void invalidMetadataIsReportedAsKubernetesWordsIt(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        Kubectl.Result refused = kubectl.runWithInput("""
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: labels-%s
                  labels: {tier: "-web-"}
                  finalizers: [cleanup]
                """.formatted(minor), "create", "--validate=false", "-f", "-");

        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.stderr()).contains("The ConfigMap \"labels-" + minor + "\" is invalid: ")
                .contains("metadata.labels: Invalid value: \"-web-\": a valid label must be an empty string")
                .contains("metadata.finalizers: Invalid value: \"cleanup\": name is neither a standard finalizer "
                        + "name nor is it fully qualified");
        assertThat(kubectl.run("get", "configmap", "labels-" + minor).exitCode()).isNotZero();
    }
}
