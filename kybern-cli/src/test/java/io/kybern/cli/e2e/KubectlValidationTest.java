package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Per-kind validation as kubectl users meet it: every cause listed, nothing stored, immutable fields kept. */
class KubectlValidationTest extends ServerPerClass {

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: %s}
            spec:
              selector: {matchLabels: {app: %s}}
              template:
                metadata: {labels: {app: %s}}
                spec: {containers: [{name: web, image: nginx}]}
            """;

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void anInvalidDeploymentIsRefusedWithItsCausesAndNotStored(String minor) throws Exception {
        Kubectl kubectl = Kubectl.version(minor, server.kubeconfig());
        String name = "mismatch-" + minor;

        Kubectl.Result refused = kubectl.runWithInput(DEPLOYMENT.formatted(name, "web", "other"), "create",
                "--validate=false", "-f", "-");

        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.stderr()).contains("The Deployment \"" + name + "\" is invalid: "
                + "spec.template.metadata.labels: Invalid value: ").contains("`selector` does not match template `labels`");
        assertThat(kubectl.run("get", "deployment", name).stderr()).contains("not found");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void aSelectorCannotBeChangedAfterCreation(String minor) throws Exception {
        Kubectl kubectl = Kubectl.version(minor, server.kubeconfig());
        String name = "fixed-" + minor;
        assertThat(kubectl.runWithInput(DEPLOYMENT.formatted(name, name, name), "create", "--validate=false", "-f",
                "-").exitCode()).isZero();

        Kubectl.Result changed = kubectl.run("patch", "deployment", name, "--type=merge", "-p",
                "{\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"x\"}},\"template\":{\"metadata\":{\"labels\":"
                        + "{\"app\":\"x\"}}}}}");

        assertThat(changed.exitCode()).isNotZero();
        assertThat(changed.stderr()).contains("spec.selector: Invalid value: ").contains("field is immutable");
        assertThat(kubectl.run("get", "deployment", name, "-o", "jsonpath={.spec.selector.matchLabels.app}")
                .stdout()).isEqualTo(name);
    }
}
