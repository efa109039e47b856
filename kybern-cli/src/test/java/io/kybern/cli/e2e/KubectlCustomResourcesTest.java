package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CustomResourceDefinitions through the real kubectl: a definition applied and established, its objects
 * listed by plural and short name with their printer columns, explained from the OpenAPI documents,
 * scaled, refused when they break the schema, and deleted with their definition.
 */
class KubectlCustomResourcesTest extends ServerPerClass {

    /** One group per kubectl release, each with a short name of its own, so the runs do not share names. */
    private static String definition(String group, String shortName) {
        return """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata: {name: widgets.%s}
                spec:
                  group: %s
                  scope: Namespaced
                  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [%s], categories: [all]}
                  versions:
                  - name: v1
                    served: true
                    storage: true
                    subresources:
                      status: {}
                      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas}
                    additionalPrinterColumns:
                    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
                    - {name: Color, type: string, jsonPath: .spec.color}
                    - {name: Ready, type: boolean, jsonPath: .status.ready, priority: 1}
                    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
                    schema:
                      openAPIV3Schema:
                        type: object
                        description: A widget made for the tests.
                        properties:
                          spec:
                            type: object
                            description: What the widget should be.
                            required: [color]
                            properties:
                              replicas: {type: integer, minimum: 0, default: 1, description: How many widgets.}
                              color: {type: string, enum: [red, blue]}
                          status:
                            type: object
                            properties:
                              replicas: {type: integer}
                              ready: {type: boolean}
                """.formatted(group, group, shortName);
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void aDefinitionServesItsObjectsUntilItIsDeleted(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String group = "k" + minor + ".example.com";
        Kubectl.Result applied = kubectl.runWithInput(definition(group, "wdg" + minor), "apply", "-f", "-");
        assertThat(applied.exitCode()).as(applied.toString()).isZero();
        Kubectl.Result established = kubectl.run("wait", "--for=condition=Established", "--timeout=10s",
                "crd/widgets." + group);
        assertThat(established.exitCode()).as(established.toString()).isZero();

        Kubectl.Result created = kubectl.runWithInput("""
                apiVersion: %s/v1
                kind: Widget
                metadata: {name: first}
                spec: {color: red}
                """.formatted(group), "apply", "-f", "-");
        assertThat(created.exitCode()).as(created.toString()).isZero();
        assertThat(created.stdout()).contains("widget." + group + "/first created");

        Kubectl.Result byShortName = kubectl.run("get", "wdg" + minor);
        assertThat(byShortName.exitCode()).as(byShortName.toString()).isZero();
        assertThat(byShortName.stdout()).matches("(?s)NAME\\s+REPLICAS\\s+COLOR\\s+AGE\\n"
                + "first\\s+1\\s+red\\s+\\d+s\\n");
        // Wide adds the column of priority 1; a cell the object has no value for prints empty.
        Kubectl.Result wide = kubectl.run("get", "widgets." + group, "-o", "wide");
        assertThat(wide.stdout()).matches("(?s)NAME\\s+REPLICAS\\s+COLOR\\s+READY\\s+AGE\\n"
                + "first\\s+1\\s+red\\s+\\d+s\\n");
        assertThat(kubectl.run("get", "all").stdout()).contains("widget." + group + "/first");

        Kubectl.Result explained = kubectl.run("explain", "widgets.spec", "--api-version=" + group + "/v1");
        assertThat(explained.exitCode()).as(explained.toString()).isZero();
        assertThat(explained.stdout()).contains("KIND:").contains("Widget").contains("What the widget should be.")
                .contains("replicas").contains("How many widgets.");

        Kubectl.Result scaled = kubectl.run("scale", "widget." + group, "first", "--replicas=3");
        assertThat(scaled.exitCode()).as(scaled.toString()).isZero();
        assertThat(scaled.stdout()).contains("widget." + group + "/first scaled");
        assertThat(kubectl.run("get", "widget." + group, "first", "-o",
                "jsonpath={.spec.replicas} {.metadata.generation}")
                .stdout()).isEqualTo("3 2");

        Kubectl.Result invalid = kubectl.runWithInput("""
                apiVersion: %s/v1
                kind: Widget
                metadata: {name: second}
                spec: {color: green, replicas: -1}
                """.formatted(group), "apply", "-f", "-");
        assertThat(invalid.exitCode()).isNotZero();
        assertThat(invalid.stderr()).contains("The Widget \"second\" is invalid")
                .contains("spec.color: Unsupported value: \"green\": supported values: \"red\", \"blue\"")
                .contains("spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal "
                        + "to 0");
        assertThat(kubectl.run("get", "widget." + group, "second").exitCode()).isNotZero();

        Kubectl.Result deleted = kubectl.run("delete", "crd", "widgets." + group);
        assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
        Kubectl.Result gone = kubectl.run("get", "--raw", "/apis/" + group + "/v1/namespaces/default/widgets");
        assertThat(gone.exitCode()).isNotZero();
        assertThat(gone.stderr()).contains("NotFound");

        // Defined again, the resource starts empty: the objects went with the first definition.
        assertThat(kubectl.runWithInput(definition(group, "wdg" + minor), "apply", "-f", "-").exitCode()).isZero();
        assertThat(kubectl.run("wait", "--for=condition=Established", "--timeout=10s", "crd/widgets." + group)
                .exitCode()).isZero();
        Kubectl.Result empty = kubectl.run("get", "widgets." + group);
        assertThat(empty.exitCode()).as(empty.toString()).isZero();
        assertThat(empty.stderr()).contains("No resources found in default namespace.");
        assertThat(kubectl.run("delete", "crd", "widgets." + group).exitCode()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void objectsAreAppliedAgainPatchedAndServerSideApplied(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String group = "p" + minor + ".example.com";
        assertThat(kubectl.runWithInput(definition(group, "pwdg" + minor), "apply", "-f", "-").exitCode()).isZero();
        assertThat(kubectl.run("wait", "--for=condition=Established", "--timeout=10s", "crd/widgets." + group)
                .exitCode()).isZero();
        String widget = """
                apiVersion: %s/v1
                kind: Widget
                metadata: {name: applied, labels: {tier: %s}}
                spec: {color: %s}
                """;
        assertThat(kubectl.runWithInput(widget.formatted(group, "front", "red"), "apply", "-f", "-").exitCode())
                .isZero();

        // Client-side apply of a changed manifest patches with a merge patch: custom resources have no strategies.
        Kubectl.Result reapplied = kubectl.runWithInput(widget.formatted(group, "back", "blue"), "apply", "-f", "-");
        assertThat(reapplied.exitCode()).as(reapplied.toString()).isZero();
        assertThat(reapplied.stdout()).contains("widget." + group + "/applied configured");
        assertThat(kubectl.run("get", "widgets." + group, "applied", "-o",
                "jsonpath={.spec.color} {.metadata.labels.tier}").stdout()).isEqualTo("blue back");

        Kubectl.Result strategic = kubectl.run("patch", "widgets." + group, "applied", "-p",
                "{\"spec\":{\"color\":\"red\"}}");
        assertThat(strategic.exitCode()).isNotZero();
        assertThat(strategic.stderr()).contains("application/strategic-merge-patch+json is not supported")
                .contains("accepted media types include: application/json-patch+json, "
                        + "application/merge-patch+json, application/apply-patch+yaml");
        assertThat(kubectl.run("patch", "widgets." + group, "applied", "--type=merge", "-p",
                "{\"spec\":{\"color\":\"red\"}}").exitCode()).isZero();

        Kubectl.Result serverSide = kubectl.runWithInput(widget.formatted(group, "back", "blue").replace("applied",
                "ssa"), "apply", "--server-side", "-f", "-");
        assertThat(serverSide.exitCode()).as(serverSide.toString()).isZero();
        assertThat(serverSide.stdout()).contains("widget." + group + "/ssa serverside-applied");
        assertThat(kubectl.run("get", "widgets." + group, "ssa", "-o",
                "jsonpath={.metadata.managedFields[0].manager} {.metadata.managedFields[0].operation}").stdout())
                .isEqualTo("kubectl Apply");

        Kubectl.Result all = kubectl.run("get", "widgets." + group, "-A", "--show-labels");
        assertThat(all.stdout()).matches("(?s)NAMESPACE\\s+NAME\\s+REPLICAS\\s+COLOR\\s+AGE\\s+LABELS\\n"
                + "default\\s+applied\\s+1\\s+red\\s+\\d+s\\s+tier=back\\n"
                + "default\\s+ssa\\s+1\\s+blue\\s+\\d+s\\s+tier=back\\n");
        Kubectl.Result deleted = kubectl.run("delete", "widgets." + group, "-l", "tier=back");
        assertThat(deleted.stdout()).contains("widget." + group + " \"applied\" deleted")
                .contains("widget." + group + " \"ssa\" deleted");
        assertThat(kubectl.run("get", "widgets." + group).stderr()).contains("No resources found");
        assertThat(kubectl.run("delete", "crd", "widgets." + group).exitCode()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void aWatchPrintsEachChangeWithThePrinterColumns(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String group = "w" + minor + ".example.com";
        assertThat(kubectl.runWithInput(definition(group, "wwdg" + minor), "apply", "-f", "-").exitCode()).isZero();
        assertThat(kubectl.run("wait", "--for=condition=Established", "--timeout=10s", "crd/widgets." + group)
                .exitCode()).isZero();
        assertThat(kubectl.runWithInput("""
                apiVersion: %s/v1
                kind: Widget
                metadata: {name: watched}
                spec: {color: red}
                """.formatted(group), "apply", "-f", "-").exitCode()).isZero();

        Process watch = kubectl.start("get", "widgets." + group, "-w");
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(watch.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertThat(lines.readLine().split("\\s+")).containsExactly("NAME", "REPLICAS", "COLOR", "AGE");
            assertThat(lines.readLine().split("\\s+")).startsWith("watched", "1", "red");
            assertThat(kubectl.run("scale", "widgets." + group, "watched", "--replicas=2").exitCode()).isZero();

            assertThat(lines.readLine().split("\\s+")).startsWith("watched", "2", "red");
        } finally {
            watch.destroy();
            watch.waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(kubectl.run("delete", "crd", "widgets." + group).exitCode()).isZero();
    }
}
