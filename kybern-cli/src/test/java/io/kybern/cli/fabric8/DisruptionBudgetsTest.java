package io.kybern.cli.fabric8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.kybern.cli.TestServers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The disruption controller through fabric8 on simulated nodes: a budget's counts and condition for
 * integer and percentage minAvailable and maxUnavailable, evictions spending the allowance (then refused
 * with 429), pods that are not ready, and a budget that matches no pod.
 */
@TestServers.WithSimulatedNodes(2)
class DisruptionBudgetsTest extends ServerAndClient {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private static void deployment(String ns, int replicas, Map<String, String> podAnnotations) {
        client.resource(new DeploymentBuilder().withNewMetadata().withName("web").withNamespace(ns).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").withAnnotations(podAnnotations)
                .endMetadata().withNewSpec().addNewContainer().withName("web").withImage("nginx:1.25").endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
    }

    private static PodDisruptionBudgetBuilder budget(String ns, String name) {
        return new PodDisruptionBudgetBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "web").endSelector().endSpec();
    }

    private static PodDisruptionBudgetStatus status(String ns, String name) {
        PodDisruptionBudget budget = client.policy().v1().podDisruptionBudget().inNamespace(ns).withName(name).get();
        return budget.getStatus() == null ? new PodDisruptionBudgetStatus() : budget.getStatus();
    }

    private static String counts(String ns, String name) {
        PodDisruptionBudgetStatus s = status(ns, name);
        return s.getExpectedPods() + "/" + s.getDesiredHealthy() + "/" + s.getCurrentHealthy() + "/"
                + s.getDisruptionsAllowed();
    }

    private static Condition condition(String ns, String name) {
        List<Condition> conditions = status(ns, name).getConditions();
        assertThat(conditions).as("conditions of %s", name).isNotNull()
                .anyMatch(c -> c.getType().equals("DisruptionAllowed"));
        return conditions.stream().filter(c -> c.getType().equals("DisruptionAllowed")).findFirst().orElseThrow();
    }

    /**
     * Evicts a pod and says whether the server allowed it, asking once: fabric8 retries a refused (429)
     * eviction for a while by default, which would hide the refusal behind a later success.
     */
    private static boolean evict(String ns, Pod pod) {
        Config config = new ConfigBuilder(Fabric8.config(server.kubeconfig())).withRequestRetryBackoffLimit(0)
                .build();
        try (KubernetesClient once = new KubernetesClientBuilder().withConfig(config)
                .withHttpClientFactory(new JdkHttpClientFactory()).build()) {
            return once.pods().inNamespace(ns).withName(pod.getMetadata().getName()).evict();
        }
    }

    private static List<Pod> pods(String ns) {
        return client.pods().inNamespace(ns).withLabel("app", "web").list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    @Test
    void integerMinAvailableAllowsEvictionsAboveItThenRefusesThem() {
        String ns = Fabric8.namespace(client, "pdb-min");
        // Pods get Ready only once the (movable) clock has passed 20 s, so a replacement stays unready.
        deployment(ns, 3, Map.of("sim.kybern.io/ready-after", "20s"));
        client.resource(budget(ns, "web").editSpec().withMinAvailable(new IntOrString(2)).endSpec().build()).create();
        await().atMost(PATIENCE).until(() -> pods(ns).size() == 3 && pods(ns).stream()
                .allMatch(p -> "Running".equals(p.getStatus().getPhase())));
        server.advance(clock, Duration.ofSeconds(25));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(counts(ns, "web")).isEqualTo("3/2/3/1"));
        Condition allowed = condition(ns, "web");
        assertThat(allowed.getStatus()).isEqualTo("True");
        assertThat(allowed.getReason()).isEqualTo("SufficientPods");
        assertThat(status(ns, "web").getObservedGeneration()).isEqualTo(1L);

        List<Pod> pods = pods(ns);
        assertThat(evict(ns, pods.get(0))).isTrue();
        // The allowance is spent at once; the next eviction is refused while the replacement is not Ready.
        assertThat(evict(ns, pods.get(1))).isFalse();
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(counts(ns, "web")).isEqualTo("3/2/2/0");
            assertThat(condition(ns, "web").getReason()).isEqualTo("InsufficientPods");
            assertThat(status(ns, "web").getDisruptedPods()).isNullOrEmpty();
        });
        assertThat(evict(ns, pods.get(1))).isFalse();

        server.advance(clock, Duration.ofSeconds(25));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(counts(ns, "web")).isEqualTo("3/2/3/1"));
        assertThat(evict(ns, pods.get(1))).isTrue();
    }

    @Test
    void percentagesAreOfTheDeploymentsScale() {
        String ns = Fabric8.namespace(client, "pdb-percent");
        deployment(ns, 4, Map.of());
        client.resource(budget(ns, "max").editSpec().withMaxUnavailable(new IntOrString("50%")).endSpec().build())
                .create();
        client.resource(budget(ns, "min").editSpec().withMinAvailable(new IntOrString("60%")).endSpec().build())
                .create();
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(counts(ns, "max")).isEqualTo("4/2/4/2");
            // 60% of 4 is 2.4, rounded up to 3.
            assertThat(counts(ns, "min")).isEqualTo("4/3/4/1");
        });
        // Scaling the Deployment changes what is expected, before the pods follow.
        client.apps().deployments().inNamespace(ns).withName("web").scale(6);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(counts(ns, "max")).isEqualTo("6/3/6/3"));
    }

    @Test
    void podsThatAreNotReadyAreNotHealthy() {
        String ns = Fabric8.namespace(client, "pdb-unready");
        deployment(ns, 2, Map.of("sim.kybern.io/ready", "false"));
        client.resource(budget(ns, "web").editSpec().withMinAvailable(new IntOrString(1)).endSpec().build()).create();
        await().atMost(PATIENCE).until(() -> pods(ns).size() == 2 && pods(ns).stream()
                .allMatch(p -> "Running".equals(p.getStatus().getPhase())));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(counts(ns, "web")).isEqualTo("2/1/0/0"));
        Condition condition = condition(ns, "web");
        assertThat(condition.getStatus()).isEqualTo("False");
        assertThat(condition.getReason()).isEqualTo("InsufficientPods");
        assertThat(evict(ns, pods(ns).getFirst()))
                .isFalse();
    }

    @Test
    void aBudgetMatchingNoPodAllowsNothingAndSaysSo() {
        String ns = Fabric8.namespace(client, "pdb-none");
        client.resource(budget(ns, "web").editSpec().withMaxUnavailable(new IntOrString(1)).endSpec().build())
                .create();
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(counts(ns, "web")).isEqualTo("0/0/0/0");
            assertThat(condition(ns, "web").getReason()).isEqualTo("InsufficientPods");
        });
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(client.v1().events().inNamespace(ns).list().getItems())
                .anySatisfy(e -> {
                    assertThat(e.getReason()).isEqualTo("NoPods");
                    assertThat(e.getMessage()).isEqualTo("No matching pods found");
                    assertThat(e.getInvolvedObject().getKind()).isEqualTo("PodDisruptionBudget");
                }));
    }

    @Test
    void podsWhoseControllerHasNoScaleFailTheSyncAndUnmanagedPodsAreReported() {
        String ns = Fabric8.namespace(client, "pdb-failed");
        ConfigMap owner = client.resource(new ConfigMapBuilder().withNewMetadata().withName("not-a-workload")
                .withNamespace(ns).endMetadata().build()).create();
        client.resource(new PodBuilder().withNewMetadata().withName("owned").withNamespace(ns)
                .addToLabels("app", "odd").addNewOwnerReference().withApiVersion("v1").withKind("ConfigMap")
                .withName("not-a-workload").withUid(owner.getMetadata().getUid()).withController(true).endOwnerReference()
                .endMetadata().withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer()
                .endSpec().build()).create();
        client.resource(new PodBuilder().withNewMetadata().withName("bare").withNamespace(ns)
                .addToLabels("app", "bare").endMetadata().withNewSpec().addNewContainer().withName("c")
                .withImage("busybox").endContainer().endSpec().build()).create();
        client.resource(budget(ns, "odd").editSpec().withMaxUnavailable(new IntOrString(1)).editSelector()
                .withMatchLabels(Map.of("app", "odd")).endSelector().endSpec().build()).create();
        client.resource(budget(ns, "bare").editSpec().withMaxUnavailable(new IntOrString("50%")).editSelector()
                .withMatchLabels(Map.of("app", "bare")).endSelector().endSpec().build()).create();

        await().atMost(PATIENCE).untilAsserted(() -> {
            Condition failed = condition(ns, "odd");
            assertThat(failed.getStatus()).isEqualTo("False");
            assertThat(failed.getReason()).isEqualTo("SyncFailed");
            assertThat(failed.getMessage()).isEqualTo("found no controllers for pod \"owned\"");
            assertThat(status(ns, "odd").getDisruptionsAllowed()).isZero();
        });
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(client.v1().events().inNamespace(ns).list()
                .getItems()).anySatisfy(e -> {
                    assertThat(e.getReason()).isEqualTo("CalculateExpectedPodCountFailed");
                    assertThat(e.getType()).isEqualTo("Warning");
                    assertThat(e.getInvolvedObject().getName()).isEqualTo("odd");
                }).anySatisfy(e -> {
                    assertThat(e.getReason()).isEqualTo("UnmanagedPods");
                    assertThat(e.getInvolvedObject().getName()).isEqualTo("bare");
                    assertThat(e.getMessage()).startsWith("Pods selected by this PodDisruptionBudget (selector: "
                            + "app=bare) were found to be unmanaged.");
                }));
        // An unmanaged pod adds nothing to the expected count: no disruption is allowed.
        assertThat(counts(ns, "bare")).isEqualTo("0/0/" + status(ns, "bare").getCurrentHealthy() + "/0");
    }
}
