package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real kubectl against the server's OpenAPI documents: {@code explain} (kubectl 1.27 reads the
 * protobuf {@code /openapi/v2}, later releases {@code /openapi/v3}), {@code create} and {@code apply}
 * with kubectl's default validation, and unknown fields refused or warned about by the server, which
 * kubectl 1.27+ leaves to it once the v3 document offers {@code fieldValidation}.
 */
class KubectlOpenApiTest extends ServerPerClass {

    private static String deployment(String name, String extraSpecLine) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %s
                  namespace: default
                spec:
                  replicas: 1
                %s
                  selector:
                    matchLabels: {app: %s}
                  template:
                    metadata:
                      labels: {app: %s}
                    spec:
                      containers:
                      - name: web
                        image: registry.local/web:1
                        ports:
                        - containerPort: 80
                """.formatted(name, extraSpecLine, name, name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void explainPrintsTheFieldsOfDeploymentStrategy(String minor) throws Exception {
        Kubectl.Result explained = kubectl(minor).run("explain", "deployment.spec.strategy");

        assertThat(explained.exitCode()).as(explained.toString()).isZero();
        assertThat(explained.stdout()).contains("KIND:       Deployment").contains("VERSION:    v1")
                .containsPattern("rollingUpdate\\s+<RollingUpdateDeployment>")
                .containsPattern("type\\s+<string>");
    }

    @ParameterizedTest
    @ValueSource(strings = {"31", "33"})
    void explainCanStillReadTheSwaggerDocument(String minor) throws Exception {
        Kubectl.Result explained = kubectl(minor).run("explain", "services.spec.ports",
                "--output=plaintext-openapiv2");

        assertThat(explained.exitCode()).as(explained.toString()).isZero();
        assertThat(explained.stdout()).contains("KIND:     Service")
                .containsPattern("port\\s+<integer> -required-")
                .containsPattern("targetPort\\s+<string>");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void explainPrintsTheFieldsOfPodContainers(String minor) throws Exception {
        Kubectl.Result explained = kubectl(minor).run("explain", "pods.spec.containers");

        assertThat(explained.exitCode()).as(explained.toString()).isZero();
        assertThat(explained.stdout()).contains("KIND:       Pod")
                .containsPattern("FIELD:\\s+containers <\\[\\]Container>")
                .containsPattern("image\\s+<string>")
                .containsPattern("name\\s+<string>( -required-)?")
                .containsPattern("ports\\s+<\\[\\]ContainerPort>")
                .containsPattern("resources\\s+<ResourceRequirements>");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void createAndApplyADeploymentWithDefaultValidation(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String created = "created-" + minor;
        String applied = "applied-" + minor;

        Kubectl.Result create = kubectl.runWithInput(deployment(created, ""), "create", "-f", "-");
        assertThat(create.exitCode()).as(create.toString()).isZero();
        assertThat(create.stdout().strip()).isEqualTo("deployment.apps/" + created + " created");

        Kubectl.Result apply = kubectl.runWithInput(deployment(applied, ""), "apply", "-f", "-");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(apply.stdout().strip()).isEqualTo("deployment.apps/" + applied + " created");

        Kubectl.Result image = kubectl.run("get", "deployment", applied, "-o",
                "jsonpath={.spec.template.spec.containers[0].image}");
        assertThat(image.stdout()).as(image.toString()).isEqualTo("registry.local/web:1");
        kubectl.run("delete", "deployment", created, applied);
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void anUnknownFieldIsRefusedUnderDefaultValidation(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String name = "unknown-" + minor;

        Kubectl.Result refused = kubectl.runWithInput(deployment(name, "  foo: bar"), "create", "-f", "-");

        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.stderr()).contains("Error from server (BadRequest)")
                .contains("Deployment in version \"v1\" cannot be handled as a Deployment: "
                        + "strict decoding error: unknown field \"spec.foo\"");
        Kubectl.Result absent = kubectl.run("get", "deployment", name);
        assertThat(absent.stderr()).contains("NotFound");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void anUnknownFieldIsDroppedWithAWarningUnderWarn(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String name = "warned-" + minor;

        Kubectl.Result warned = kubectl.runWithInput(deployment(name, "  foo: bar"), "create", "--validate=warn",
                "-f", "-");

        assertThat(warned.exitCode()).as(warned.toString()).isZero();
        assertThat(warned.stderr()).contains("Warning: unknown field \"spec.foo\"");
        Kubectl.Result spec = kubectl.run("get", "deployment", name, "-o", "jsonpath={.spec}");
        assertThat(spec.stdout()).as(spec.toString()).contains("\"replicas\":1").doesNotContain("foo");
        kubectl.run("delete", "deployment", name);
    }
}
