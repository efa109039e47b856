package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The everyday commands around a manifest: apply, diff, edit, describe, and delete with each cascade. */
class KubectlWorkflowTest extends ServerPerClass {

    private static String deployment(String name, int replicas, String image) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %s, labels: {app: %s}}
                spec:
                  replicas: %d
                  selector: {matchLabels: {app: %s}}
                  template:
                    metadata: {labels: {app: %s}}
                    spec: {containers: [{name: web, image: "%s"}]}
                """.formatted(name, name, replicas, name, name, image);
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void diffShowsWhatApplyWouldChangeAndNothingOnceApplied(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String name = "diffed-" + minor;
        assertThat(kubectl.runWithInput(deployment(name, 1, "nginx:1.27"), "apply", "-f", "-").exitCode()).isZero();

        Kubectl.Result changed = kubectl.runWithInput(deployment(name, 3, "nginx:1.28"), "diff", "-f", "-");
        // kubectl diff exits 1 when there are differences.
        assertThat(changed.exitCode()).as(changed.toString()).isEqualTo(1);
        assertThat(changed.stdout()).contains("-  replicas: 1").contains("+  replicas: 3")
                .contains("+      - image: nginx:1.28");
        assertThat(kubectl.run("get", "deployment", name, "-o", "jsonpath={.spec.replicas}").stdout())
                .isEqualTo("1");

        Kubectl.Result same = kubectl.runWithInput(deployment(name, 1, "nginx:1.27"), "diff", "-f", "-");
        assertThat(same.exitCode()).as(same.toString()).isZero();
        assertThat(same.stdout()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "33"})
    void editChangesTheObjectThroughTheUsersEditor(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String name = "edited-" + minor;
        assertThat(kubectl.runWithInput(deployment(name, 1, "nginx:1.27"), "apply", "-f", "-").exitCode()).isZero();
        Path editor = dataDir.resolve("editor-" + minor + ".sh");
        Files.writeString(editor, "#!/bin/sh\nsed -i 's/replicas: 1/replicas: 5/' \"$1\"\n");
        Files.setPosixFilePermissions(editor, PosixFilePermissions.fromString("rwx------"));

        Kubectl.Result edited = kubectl.runWith(Map.of("KUBE_EDITOR", editor.toString()), null, "edit",
                "deployment", name);

        assertThat(edited.exitCode()).as(edited.toString()).isZero();
        assertThat(edited.stdout()).contains("deployment.apps/" + name + " edited");
        assertThat(kubectl.run("get", "deployment", name, "-o", "jsonpath={.spec.replicas} {.metadata.generation}")
                .stdout()).isEqualTo("5 2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "33"})
    void describeShowsTheObjectAndItsEvents(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String name = "described-" + minor;
        assertThat(kubectl.runWithInput(deployment(name, 2, "nginx:1.27"), "apply", "-f", "-").exitCode()).isZero();
        String uid = kubectl.run("get", "deployment", name, "-o", "jsonpath={.metadata.uid}").stdout();
        Kubectl.Result event = kubectl.runWithInput("""
                apiVersion: v1
                kind: Event
                metadata: {name: %s.1}
                involvedObject: {kind: Deployment, name: %s, namespace: default, uid: %s, apiVersion: apps/v1}
                reason: ScalingReplicaSet
                message: Scaled up replica set %s-abc to 2
                type: Normal
                source: {component: deployment-controller}
                count: 1
                firstTimestamp: "2026-11-23T00:00:00Z"
                lastTimestamp: "2026-11-23T00:00:00Z"
                """.formatted(name, name, uid, name), "create", "-f", "-");
        assertThat(event.exitCode()).as(event.toString()).isZero();

        Kubectl.Result described = kubectl.run("describe", "deployment", name);

        assertThat(described.exitCode()).as(described.toString()).isZero();
        assertThat(described.stdout()).containsPattern("Name:\\s+" + name)
                .containsPattern("Replicas:\\s+2 desired")
                .containsPattern("StrategyType:\\s+RollingUpdate")
                .containsPattern("RollingUpdateStrategy:\\s+25% max unavailable, 25% max surge")
                .containsPattern("Image:\\s+nginx:1.27")
                .containsPattern("Normal\\s+ScalingReplicaSet\\s+.*deployment-controller\\s+Scaled up replica set "
                        + name + "-abc to 2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "33"})
    void deleteWorksWithEveryCascade(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        for (String cascade : new String[] {"background", "orphan", "foreground"}) {
            String name = "cascade-" + cascade + "-" + minor;
            assertThat(kubectl.runWithInput(deployment(name, 1, "nginx:1.27"), "apply", "-f", "-").exitCode())
                    .isZero();

            Kubectl.Result deleted = kubectl.run("delete", "deployment", name, "--cascade=" + cascade);

            assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
            assertThat(deleted.stdout()).contains("deployment.apps \"" + name + "\" deleted");
            assertThat(kubectl.run("get", "deployment", name).stderr()).contains("not found");
        }
    }
}
