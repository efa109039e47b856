package io.kybern.testkit.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.kybern.testkit.KybernCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The README's example: the operator under test against a whole cluster, pods and all. */
@KybernCluster(nodes = 2)
class WebAppOperatorTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    static KubernetesClient client;
    static WebAppOperator operator;

    @BeforeAll
    static void installCrdAndStartOperator() {
        client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("webapps.example.kybern.io").endMetadata().withNewSpec()
                .withGroup("example.kybern.io").withScope("Namespaced").withNewNames().withKind("WebApp")
                .withPlural("webapps").withSingular("webapp").endNames().addNewVersion().withName("v1")
                .withServed(true).withStorage(true).withNewSubresources().withNewStatus().endStatus()
                .endSubresources().withNewSchema().withOpenAPIV3Schema(new JSONSchemaPropsBuilder()
                        .withType("object").addToProperties("spec", new JSONSchemaPropsBuilder().withType("object")
                                .addToProperties("image", new JSONSchemaPropsBuilder().withType("string").build())
                                .addToProperties("replicas", new JSONSchemaPropsBuilder().withType("integer").build())
                                .build())
                        .addToProperties("status", new JSONSchemaPropsBuilder().withType("object")
                                .withXKubernetesPreserveUnknownFields(true).build())
                        .build())
                .endSchema().endVersion().endSpec().build()).create();
        await().atMost(PATIENCE).ignoreExceptions().until(() -> client.genericKubernetesResources(
                WebAppOperator.WEBAPPS).inAnyNamespace().list() != null);
        operator = new WebAppOperator(client);
    }

    @AfterAll
    static void stopOperator() {
        if (operator != null) {
            operator.close();
        }
    }

    private static String namespace(String name) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
                .create();
        return name;
    }

    private static GenericKubernetesResource webApp(String namespace, String name, int replicas) {
        return client.genericKubernetesResources(WebAppOperator.WEBAPPS).inNamespace(namespace)
                .resource(new GenericKubernetesResourceBuilder().withApiVersion("example.kybern.io/v1")
                        .withKind("WebApp").withNewMetadata().withName(name).endMetadata()
                        .addToAdditionalProperties("spec", Map.of("image", "nginx:1.27", "replicas", replicas))
                        .build())
                .create();
    }

    private static List<Pod> readyPods(String namespace) {
        return client.pods().inNamespace(namespace).withLabel("example.kybern.io/webapp").list().getItems().stream()
                .filter(pod -> pod.getStatus() != null && pod.getStatus().getConditions() != null
                        && pod.getStatus().getConditions().stream().anyMatch(
                                c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
                .toList();
    }

    private static Object readyReplicas(String namespace, String name) {
        GenericKubernetesResource app = client.genericKubernetesResources(WebAppOperator.WEBAPPS)
                .inNamespace(namespace).withName(name).get();
        Map<String, Object> status = app.get("status");
        return status == null ? null : status.get("readyReplicas");
    }

    @Test
    void aWebAppBecomesReadyPodsOnTheSimulatedNodesAndReportsThem() {
        String ns = namespace("shop");
        webApp(ns, "front", 3);

        await().atMost(PATIENCE).until(() -> readyPods(ns).size() == 3);
        assertThat(readyPods(ns)).allSatisfy(pod -> assertThat(pod.getSpec().getNodeName()).startsWith("sim-node-"));
        await().atMost(PATIENCE).until(() -> Integer.valueOf(3).equals(readyReplicas(ns, "front")));

        Deployment deployment = client.apps().deployments().inNamespace(ns).withName("front").get();
        assertThat(deployment.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(owner -> assertThat(owner.getKind()).isEqualTo("WebApp"));
    }

    @Test
    void scalingTheWebAppScalesItsPodsAndDeletingItDeletesThem() {
        String ns = namespace("blog");
        webApp(ns, "blog", 1);
        await().atMost(PATIENCE).until(() -> readyPods(ns).size() == 1);

        client.genericKubernetesResources(WebAppOperator.WEBAPPS).inNamespace(ns).withName("blog")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":2}}");
        await().atMost(PATIENCE).until(() -> readyPods(ns).size() == 2);
        await().atMost(PATIENCE).until(() -> Integer.valueOf(2).equals(readyReplicas(ns, "blog")));

        client.genericKubernetesResources(WebAppOperator.WEBAPPS).inNamespace(ns).withName("blog").delete();
        // The Deployment was owned by the WebApp: the garbage collector removes it, and with it the pods.
        await().atMost(PATIENCE).until(() -> client.apps().deployments().inNamespace(ns).withName("blog").get() == null
                && client.pods().inNamespace(ns).list().getItems().isEmpty());
    }
}
