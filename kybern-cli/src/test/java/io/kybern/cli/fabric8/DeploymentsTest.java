package io.kybern.cli.fabric8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.kybern.cli.TestServers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The Deployment controller through fabric8 on a server with simulated nodes: a rollout held back by pods
 * that never get Ready and declared stuck after progressDeadlineSeconds, Recreate, minReadySeconds,
 * revisionHistoryLimit, and adoption and release of ReplicaSets by selector.
 */
@TestServers.WithSimulatedNodes(3)
class DeploymentsTest extends ServerAndClient {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private static DeploymentBuilder deployment(String ns, int replicas, String image) {
        return new DeploymentBuilder().withNewMetadata().withName("web").withNamespace(ns).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("web").withImage(image).endContainer().endSpec()
                .endTemplate().endSpec();
    }

    private static Deployment get(String ns) {
        return client.apps().deployments().inNamespace(ns).withName("web").get();
    }

    private static List<ReplicaSet> replicaSets(String ns) {
        return client.apps().replicaSets().inNamespace(ns).list().getItems();
    }

    private static Optional<DeploymentCondition> condition(String ns, String type) {
        Deployment d = get(ns);
        return d.getStatus() == null || d.getStatus().getConditions() == null ? Optional.empty()
                : d.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    private static String reason(String ns, String type) {
        return condition(ns, type).map(DeploymentCondition::getReason).orElse("none");
    }

    private static void setImage(String ns, String image, Map<String, String> podAnnotations) {
        client.apps().deployments().inNamespace(ns).withName("web").edit(d -> new DeploymentBuilder(d).editSpec()
                .editTemplate().editMetadata().withAnnotations(podAnnotations).endMetadata().editSpec()
                .editFirstContainer().withImage(image).endContainer().endSpec().endTemplate().endSpec().build());
    }

    private static void rolledOut(String ns) {
        await().atMost(PATIENCE).until(() -> {
            Deployment d = get(ns);
            return d.getStatus() != null && "NewReplicaSetAvailable".equals(reason(ns, "Progressing"))
                    && d.getStatus().getObservedGeneration().equals(d.getMetadata().getGeneration())
                    && d.getStatus().getUpdatedReplicas() != null
                    && d.getStatus().getUpdatedReplicas().equals(d.getSpec().getReplicas())
                    && d.getSpec().getReplicas().equals(d.getStatus().getAvailableReplicas());
        });
    }

    @Test
    void aRolloutWhosePodsNeverGetReadyStopsWithinItsLimitsAndExceedsItsDeadline() {
        String ns = Fabric8.namespace(client, "deploy-stuck");
        client.resource(deployment(ns, 3, "nginx:1.25").editSpec().withProgressDeadlineSeconds(30)
                .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxSurge(new IntOrString(1)).withMaxUnavailable(new IntOrString(0)).endRollingUpdate()
                .endStrategy().endSpec().build()).create();
        rolledOut(ns);

        setImage(ns, "nginx:1.26", Map.of("sim.kybern.io/ready", "false"));

        // maxSurge 1, maxUnavailable 0: one new pod, all three old ones kept while it is not Ready.
        await().atMost(PATIENCE).until(() -> replicaSets(ns).size() == 2
                && Integer.valueOf(4).equals(get(ns).getStatus().getReplicas()));
        Deployment d = get(ns);
        assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(1);
        assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(3);
        assertThat(d.getStatus().getUnavailableReplicas()).as("zero counts are omitted").isNull();
        assertThat(reason(ns, "Available")).isEqualTo("MinimumReplicasAvailable");
        assertThat(reason(ns, "Progressing")).isIn("NewReplicaSetCreated", "ReplicaSetUpdated");
        assertThat(replicaSets(ns)).extracting(rs -> rs.getSpec().getReplicas()).containsExactlyInAnyOrder(3, 1);

        server.advance(clock, Duration.ofSeconds(35));

        await().atMost(PATIENCE).until(() -> reason(ns, "Progressing").equals("ProgressDeadlineExceeded"));
        DeploymentCondition progressing = condition(ns, "Progressing").orElseThrow();
        assertThat(progressing.getStatus()).isEqualTo("False");
        assertThat(progressing.getMessage()).matches("ReplicaSet \"web-[a-z0-9]+\" has timed out progressing\\.");
        assertThat(replicaSets(ns)).extracting(rs -> rs.getSpec().getReplicas()).containsExactlyInAnyOrder(3, 1);
    }

    @Test
    void recreateRemovesTheOldPodsBeforeTheNewSetGrows() {
        String ns = Fabric8.namespace(client, "deploy-recreate");
        client.resource(deployment(ns, 2, "nginx:1.25").editSpec().withNewStrategy().withType("Recreate")
                .endStrategy().endSpec().build()).create();
        rolledOut(ns);
        String first = replicaSets(ns).getFirst().getMetadata().getName();

        setImage(ns, "nginx:1.26", Map.of());
        rolledOut(ns);

        String second = replicaSets(ns).stream().map(rs -> rs.getMetadata().getName()).filter(n -> !n.equals(first))
                .findFirst().orElseThrow();
        List<String> messages = client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> "ScalingReplicaSet".equals(e.getReason()))
                .sorted(java.util.Comparator.comparing(e -> e.getMetadata().getCreationTimestamp()))
                .map(e -> e.getMessage()).toList();
        assertThat(messages).contains("Scaled down replica set " + first + " from 2 to 0",
                "Scaled up replica set " + second + " from 0 to 2");
        // Never both sets at once: the new one starts empty and grows only once the old one is gone.
        assertThat(messages.indexOf("Scaled up replica set " + second + " from 0 to 2"))
                .isGreaterThan(messages.indexOf("Scaled down replica set " + first + " from 2 to 0"));
        assertThat(get(ns).getStatus().getReplicas()).isEqualTo(2);
    }

    @Test
    void minReadySecondsKeepsPodsUnavailableUntilTheyHaveBeenReadyThatLong() {
        String ns = Fabric8.namespace(client, "deploy-minready");
        client.resource(deployment(ns, 2, "nginx:1.25").editSpec().withMinReadySeconds(20).endSpec().build())
                .create();

        await().atMost(PATIENCE).until(() -> get(ns).getStatus() != null
                && Integer.valueOf(2).equals(get(ns).getStatus().getReadyReplicas()));
        Deployment d = get(ns);
        assertThat(d.getStatus().getAvailableReplicas()).isNull();
        assertThat(d.getStatus().getUnavailableReplicas()).isEqualTo(2);
        assertThat(reason(ns, "Available")).isEqualTo("MinimumReplicasUnavailable");
        assertThat(condition(ns, "Available").orElseThrow().getMessage())
                .isEqualTo("Deployment does not have minimum availability.");

        server.advance(clock, Duration.ofSeconds(25));

        rolledOut(ns);
        assertThat(reason(ns, "Available")).isEqualTo("MinimumReplicasAvailable");
        assertThat(get(ns).getStatus().getUnavailableReplicas()).isNull();
    }

    @Test
    void oldSetsBeyondTheHistoryLimitAreDeleted() {
        String ns = Fabric8.namespace(client, "deploy-history");
        client.resource(deployment(ns, 1, "nginx:1.24").editSpec().withRevisionHistoryLimit(1).endSpec().build())
                .create();
        rolledOut(ns);
        for (String image : List.of("nginx:1.25", "nginx:1.26", "nginx:1.27")) {
            setImage(ns, image, Map.of());
            rolledOut(ns);
        }

        await().atMost(PATIENCE).until(() -> replicaSets(ns).size() == 2);
        assertThat(replicaSets(ns)).extracting(rs -> rs.getMetadata().getAnnotations()
                .get("deployment.kubernetes.io/revision")).containsExactlyInAnyOrder("3", "4");
    }

    @Test
    void anOrphanedSetIsAdoptedByANewDeploymentAndASetThatStopsMatchingIsReleased() {
        String ns = Fabric8.namespace(client, "deploy-adopt");
        client.resource(deployment(ns, 2, "nginx:1.25").build()).create();
        rolledOut(ns);
        ReplicaSet original = replicaSets(ns).getFirst();

        client.apps().deployments().inNamespace(ns).withName("web")
                .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.ORPHAN).delete();
        await().atMost(PATIENCE).until(() -> get(ns) == null
                && replicaSets(ns).getFirst().getMetadata().getOwnerReferences().isEmpty());
        // The new Deployment must find the set released in the controller's cache too, or it would make a set of
        // its own under the same name (a collision) before the release reached it.
        await().atMost(PATIENCE).until(() -> server.server().sharedInformers()
                .cached(ReplicaSet.class, ns, original.getMetadata().getName())
                .filter(rs -> rs.getMetadata().getOwnerReferences().isEmpty()).isPresent());

        Deployment again = client.resource(deployment(ns, 2, "nginx:1.25").build()).create();

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(replicaSets(ns)).singleElement().satisfies(rs -> {
            assertThat(rs.getMetadata().getUid()).isEqualTo(original.getMetadata().getUid());
            assertThat(rs.getMetadata().getOwnerReferences()).extracting(OwnerReference::getUid)
                    .containsExactly(again.getMetadata().getUid());
        }));
        rolledOut(ns);

        // Relabelled out of the selector: released (its ownerReference removed).
        client.apps().replicaSets().inNamespace(ns).withName(original.getMetadata().getName())
                .edit(rs -> new io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder(rs).editMetadata()
                        .addToLabels("app", "stray").endMetadata().build());

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(client.apps().replicaSets().inNamespace(ns)
                .withName(original.getMetadata().getName()).get().getMetadata().getOwnerReferences()).isEmpty());

        // Its name is the one the Deployment's template hashes to, now taken by a stranger: a collision is
        // counted and the next set gets a name from the hash with that count.
        await().atMost(PATIENCE).until(() -> Integer.valueOf(1).equals(get(ns).getStatus().getCollisionCount()));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(replicaSets(ns)).hasSize(2)
                .filteredOn(rs -> !rs.getMetadata().getOwnerReferences().isEmpty()).singleElement()
                .satisfies(rs -> assertThat(rs.getMetadata().getName()).isNotEqualTo(original.getMetadata().getName())
                        .isEqualTo("web-" + rs.getMetadata().getLabels().get("pod-template-hash"))));
        rolledOut(ns);
    }
}
