package io.kybern.cli.fabric8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceCondition;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ReplicationControllerBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The controllers a {@code kybern server} runs, seen through fabric8 as an operator sees them: ReplicaSets
 * and ReplicationControllers keeping their pods, the garbage collector's three deletion policies,
 * namespaces emptied and removed, and a {@code default} ServiceAccount everywhere. Pods stay Pending
 * (the scheduler finds no nodes), and pods without a node are deleted at once, so no test waits on a
 * graceful pod deletion.
 */
class ControllersTest extends ServerAndClient {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static ReplicaSet replicaSet(String name, int replicas, String... templateFinalizers) {
        return new ReplicaSetBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withReplicas(replicas)
                .withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", name, "tier", "web"))
                .withFinalizers(templateFinalizers).endMetadata()
                .withNewSpec().addNewContainer().withName("web").withImage("nginx").endContainer().endSpec()
                .endTemplate().endSpec().build();
    }

    private static List<Pod> podsOf(String namespace, String app) {
        return client.pods().inNamespace(namespace).withLabel("app", app).list().getItems().stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null).toList();
    }

    private static List<Event> events(String namespace, String reason) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason())).toList();
    }

    @Test
    void aReplicaSetOfThreeCreatesThreeOwnedPodsAndReportsThem() {
        String ns = Fabric8.namespace(client, "rs-three");
        ReplicaSet rs = client.apps().replicaSets().inNamespace(ns).resource(replicaSet("web", 3)).create();

        await().atMost(PATIENCE).until(() -> podsOf(ns, "web").size() == 3);
        for (Pod pod : podsOf(ns, "web")) {
            assertThat(pod.getMetadata().getName()).matches("web-[a-z0-9]{5}");
            assertThat(pod.getMetadata().getLabels()).containsEntry("tier", "web");
            assertThat(pod.getSpec().getContainers().get(0).getImage()).isEqualTo("nginx");
            assertThat(pod.getStatus().getPhase()).isEqualTo("Pending");
            OwnerReference owner = pod.getMetadata().getOwnerReferences().get(0);
            assertThat(owner.getKind()).isEqualTo("ReplicaSet");
            assertThat(owner.getApiVersion()).isEqualTo("apps/v1");
            assertThat(owner.getUid()).isEqualTo(rs.getMetadata().getUid());
            assertThat(owner.getController()).isTrue();
            assertThat(owner.getBlockOwnerDeletion()).isTrue();
        }
        await().atMost(PATIENCE).untilAsserted(() -> {
            var status = client.apps().replicaSets().inNamespace(ns).withName("web").get().getStatus();
            assertThat(status.getReplicas()).isEqualTo(3);
            assertThat(status.getFullyLabeledReplicas()).isEqualTo(3);
            assertThat(status.getReadyReplicas()).as("pending pods are not ready").isNull();
            assertThat(status.getAvailableReplicas()).isNull();
            assertThat(status.getObservedGeneration()).isEqualTo(1L);
        });
        await().atMost(PATIENCE).until(() -> events(ns, "SuccessfulCreate").size() == 3);
        Event created = events(ns, "SuccessfulCreate").get(0);
        assertThat(created.getType()).isEqualTo("Normal");
        assertThat(created.getSource().getComponent()).isEqualTo("replicaset-controller");
        assertThat(created.getInvolvedObject().getKind()).isEqualTo("ReplicaSet");
        assertThat(created.getInvolvedObject().getName()).isEqualTo("web");
        assertThat(created.getMessage()).matches("Created pod: web-[a-z0-9]{5}");
        // Three pods and no more: expectations keep a lagging cache from creating twice.
        await().during(Duration.ofSeconds(1)).atMost(PATIENCE).until(() -> podsOf(ns, "web").size() == 3);
    }

    @Test
    void aDeletedPodIsReplacedAndScalingDownDeletes() {
        String ns = Fabric8.namespace(client, "rs-replace");
        client.apps().replicaSets().inNamespace(ns).resource(replicaSet("web", 2)).create();
        await().atMost(PATIENCE).until(() -> podsOf(ns, "web").size() == 2);
        String victim = podsOf(ns, "web").get(0).getMetadata().getName();

        client.pods().inNamespace(ns).withName(victim).delete();

        await().atMost(PATIENCE).until(() -> podsOf(ns, "web").size() == 2
                && podsOf(ns, "web").stream().noneMatch(p -> p.getMetadata().getName().equals(victim)));

        client.apps().replicaSets().inNamespace(ns).withName("web").scale(0);
        await().atMost(PATIENCE).until(() -> podsOf(ns, "web").isEmpty());
        // The first pod was deleted by the test, the other two by the controller.
        await().atMost(PATIENCE).until(() -> events(ns, "SuccessfulDelete").size() == 2);
        assertThat(events(ns, "SuccessfulDelete").get(0).getMessage()).matches("Deleted pod: web-[a-z0-9]{5}");
        await().atMost(PATIENCE).until(() -> client.apps().replicaSets().inNamespace(ns).withName("web").get()
                .getStatus().getReplicas() == 0);
    }

    @Test
    void matchingOrphansAreAdoptedAndPodsThatStopMatchingAreReleased() {
        String ns = Fabric8.namespace(client, "rs-adopt");
        client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("stray")
                .withLabels(Map.of("app", "web")).endMetadata().withNewSpec().addNewContainer().withName("c")
                .withImage("busybox").endContainer().endSpec().build()).create();
        // Pods and ReplicaSets are two watches: a ReplicaSet that reached the controller before the stray pod
        // would create two pods, then adopt the stray and delete one of the three, maybe the stray.
        await().atMost(PATIENCE).until(() -> server.server().sharedInformers().holds(Pod.class, ns, "stray"));

        ReplicaSet rs = client.apps().replicaSets().inNamespace(ns).resource(replicaSet("web", 2)).create();

        await().atMost(PATIENCE).until(() -> podsOf(ns, "web").size() == 2);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(client.pods().inNamespace(ns).withName("stray").get()
                .getMetadata().getOwnerReferences()).extracting(OwnerReference::getUid)
                .containsExactly(rs.getMetadata().getUid()));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(client.apps().replicaSets().inNamespace(ns)
                .withName("web").get().getStatus().getFullyLabeledReplicas())
                .as("the adopted pod lacks the template's tier label").isEqualTo(1));

        client.pods().inNamespace(ns).withName("stray").edit(pod -> new PodBuilder(pod).editMetadata()
                .withLabels(Map.of("app", "elsewhere")).endMetadata().build());

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(client.pods().inNamespace(ns).withName("stray").get()
                .getMetadata().getOwnerReferences()).isNullOrEmpty());
        await().atMost(PATIENCE).until(() -> podsOf(ns, "web").size() == 2
                && podsOf(ns, "web").stream().allMatch(p -> p.getMetadata().getName().startsWith("web-")));
    }

    @Test
    void readyPodsCountAsAvailableOnlyAfterMinReadySeconds() {
        String ns = Fabric8.namespace(client, "rs-ready");
        ReplicaSet withMinReady = new ReplicaSetBuilder(replicaSet("web", 2)).editSpec().withMinReadySeconds(3)
                .endSpec().build();
        client.apps().replicaSets().inNamespace(ns).resource(withMinReady).create();
        await().atMost(PATIENCE).until(() -> podsOf(ns, "web").size() == 2);

        // No node agent runs yet: the test reports one pod Running and Ready, as a kubelet would. The scheduler
        // writes the pod's status too (it finds no node), so the pod is read afresh until the write lands.
        Pod pod = podsOf(ns, "web").get(0);
        String now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        Fabric8.retryOnConflict(() -> {
            Pod current = client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).get();
            return client.pods().inNamespace(ns).resource(new PodBuilder(current).editStatus().withPhase("Running")
                    .addNewCondition().withType("Ready").withStatus("True").withLastTransitionTime(now)
                    .endCondition().endStatus().build()).updateStatus();
        });

        await().atMost(PATIENCE).untilAsserted(() -> {
            var status = client.apps().replicaSets().inNamespace(ns).withName("web").get().getStatus();
            assertThat(status.getReadyReplicas()).isEqualTo(1);
            assertThat(status.getAvailableReplicas()).as("not ready for 3 s yet").isNull();
        });
        await().atMost(PATIENCE).until(() -> Integer.valueOf(1).equals(client.apps().replicaSets().inNamespace(ns)
                .withName("web").get().getStatus().getAvailableReplicas()));
        assertThat(java.time.Duration.between(java.time.Instant.parse(now), java.time.Instant.now()))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(3));

        // Scaling down deletes the pod that is not ready, not the ready one.
        client.apps().replicaSets().inNamespace(ns).withName("web").scale(1);
        await().atMost(PATIENCE).until(() -> podsOf(ns, "web").size() == 1);
        assertThat(podsOf(ns, "web").get(0).getMetadata().getName()).isEqualTo(pod.getMetadata().getName());
    }

    @Test
    void aDependentLosesTheOwnersThatAreGoneAndGoesWithTheLast() {
        String ns = Fabric8.namespace(client, "gc-owners");
        var ownerA = client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata()
                .withName("owner-a").endMetadata().build()).create();
        var ownerB = client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata()
                .withName("owner-b").endMetadata().build()).create();
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("child")
                .addNewOwnerReference().withApiVersion("v1").withKind("ConfigMap").withName("owner-a")
                .withUid(ownerA.getMetadata().getUid()).endOwnerReference()
                .addNewOwnerReference().withApiVersion("v1").withKind("ConfigMap").withName("owner-b")
                .withUid(ownerB.getMetadata().getUid()).endOwnerReference().endMetadata().build()).create();

        client.configMaps().inNamespace(ns).withName("owner-a").delete();

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(client.configMaps().inNamespace(ns).withName("child")
                .get().getMetadata().getOwnerReferences()).extracting(OwnerReference::getName)
                .containsExactly("owner-b"));

        client.configMaps().inNamespace(ns).withName("owner-b").delete();

        await().atMost(PATIENCE).until(() -> client.configMaps().inNamespace(ns).withName("child").get() == null);
    }

    @Test
    void aDependentWhoseOwnerNeverExistedIsCollected() {
        String ns = Fabric8.namespace(client, "gc-dangling");
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("stray")
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName("never")
                .withUid("00000000-0000-0000-0000-000000000000").endOwnerReference().endMetadata().build()).create();
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("unknown-kind")
                .addNewOwnerReference().withApiVersion("example.com/v1").withKind("Gadget").withName("g")
                .withUid("00000000-0000-0000-0000-000000000001").endOwnerReference().endMetadata().build()).create();

        await().atMost(PATIENCE).until(() -> client.configMaps().inNamespace(ns).withName("stray").get() == null);
        // An owner of a kind the server does not serve cannot be checked: its dependent is kept.
        assertThat(client.configMaps().inNamespace(ns).withName("unknown-kind").get()).isNotNull();
    }

    @Test
    void aFailingCreateIsReportedAsAnEventAndTheReplicaFailureCondition() {
        String ns = Fabric8.namespace(client, "rs-fail");
        // The API server refuses pods with a finalizer that is not a qualified name; the ReplicaSet is fine.
        client.apps().replicaSets().inNamespace(ns).resource(replicaSet("bad", 1, "unqualified")).create();

        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> {
            var conditions = client.apps().replicaSets().inNamespace(ns).withName("bad").get().getStatus()
                    .getConditions();
            assertThat(conditions).singleElement().satisfies(c -> {
                assertThat(c.getType()).isEqualTo("ReplicaFailure");
                assertThat(c.getStatus()).isEqualTo("True");
                assertThat(c.getReason()).isEqualTo("FailedCreate");
                assertThat(c.getMessage()).contains("unqualified");
            });
        });
        Event failed = events(ns, "FailedCreate").get(0);
        assertThat(failed.getType()).isEqualTo("Warning");
        assertThat(failed.getMessage()).startsWith("Error creating: Pod \"bad-").contains("unqualified");
        assertThat(podsOf(ns, "bad")).isEmpty();
        // Failing again and again backs off instead of hammering the server.
        int attempts = events(ns, "FailedCreate").size();
        await().during(Duration.ofSeconds(2)).atMost(PATIENCE)
                .until(() -> events(ns, "FailedCreate").size() <= attempts + 12);
    }

    @Test
    void aReplicationControllerKeepsItsPodsToo() {
        String ns = Fabric8.namespace(client, "rc");
        client.replicationControllers().inNamespace(ns).resource(new ReplicationControllerBuilder()
                .withNewMetadata().withName("legacy").endMetadata().withNewSpec().withReplicas(2)
                .withSelector(Map.of("app", "legacy")).withNewTemplate().withNewMetadata()
                .withLabels(Map.of("app", "legacy")).endMetadata().withNewSpec().addNewContainer().withName("c")
                .withImage("nginx").endContainer().endSpec().endTemplate().endSpec().build()).create();

        await().atMost(PATIENCE).until(() -> podsOf(ns, "legacy").size() == 2);
        assertThat(podsOf(ns, "legacy").get(0).getMetadata().getOwnerReferences().get(0).getKind())
                .isEqualTo("ReplicationController");
        await().atMost(PATIENCE).until(() -> client.replicationControllers().inNamespace(ns).withName("legacy").get()
                .getStatus().getReplicas() == 2);
        assertThat(events(ns, "SuccessfulCreate").get(0).getSource().getComponent())
                .isEqualTo("replication-controller");
    }

    @Test
    void backgroundDeletionOfAnOwnerDeletesItsPods() {
        String ns = Fabric8.namespace(client, "gc-background");
        client.apps().replicaSets().inNamespace(ns).resource(replicaSet("web", 2)).create();
        await().atMost(PATIENCE).until(() -> podsOf(ns, "web").size() == 2);

        client.apps().replicaSets().inNamespace(ns).withName("web").withPropagationPolicy(
                DeletionPropagation.BACKGROUND).delete();

        assertThat(client.apps().replicaSets().inNamespace(ns).withName("web").get()).as("gone at once").isNull();
        await().atMost(PATIENCE).until(() -> client.pods().inNamespace(ns).list().getItems().isEmpty());
    }

    @Test
    void orphanDeletionKeepsThePodsAndRemovesTheirOwnerReferences() {
        String ns = Fabric8.namespace(client, "gc-orphan");
        client.apps().replicaSets().inNamespace(ns).resource(replicaSet("web", 2)).create();
        await().atMost(PATIENCE).until(() -> podsOf(ns, "web").size() == 2);

        client.apps().replicaSets().inNamespace(ns).withName("web").withPropagationPolicy(DeletionPropagation.ORPHAN)
                .delete();

        await().atMost(PATIENCE).until(() -> client.apps().replicaSets().inNamespace(ns).withName("web").get() == null);
        List<Pod> kept = podsOf(ns, "web");
        assertThat(kept).hasSize(2);
        assertThat(kept).allSatisfy(pod -> assertThat(pod.getMetadata().getOwnerReferences()).isNullOrEmpty());
        await().during(Duration.ofSeconds(1)).atMost(PATIENCE).until(() -> podsOf(ns, "web").size() == 2);
    }

    @Test
    void foregroundDeletionWaitsForThePodsThatBlockIt() {
        String ns = Fabric8.namespace(client, "gc-foreground");
        // A finalizer on the pods keeps them, so the owner's wait can be seen.
        client.apps().replicaSets().inNamespace(ns).resource(replicaSet("web", 2, "example.com/hold")).create();
        await().atMost(PATIENCE).until(() -> podsOf(ns, "web").size() == 2);

        client.apps().replicaSets().inNamespace(ns).withName("web")
                .withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();

        await().atMost(PATIENCE).until(() -> client.pods().inNamespace(ns).list().getItems().stream()
                .allMatch(pod -> pod.getMetadata().getDeletionTimestamp() != null));
        ReplicaSet waiting = client.apps().replicaSets().inNamespace(ns).withName("web").get();
        assertThat(waiting).as("the owner waits for its pods").isNotNull();
        assertThat(waiting.getMetadata().getDeletionTimestamp()).isNotNull();
        assertThat(waiting.getMetadata().getFinalizers()).containsExactly("foregroundDeletion");

        for (Pod pod : client.pods().inNamespace(ns).list().getItems()) {
            client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).edit(p -> new PodBuilder(p)
                    .editMetadata().withFinalizers(List.of()).endMetadata().build());
        }

        await().atMost(PATIENCE).until(() -> client.apps().replicaSets().inNamespace(ns).withName("web").get() == null);
        assertThat(client.pods().inNamespace(ns).list().getItems()).isEmpty();
    }

    @Test
    void aDeletedNamespaceLosesAllItsContentAndThenItself() {
        String ns = Fabric8.namespace(client, "doomed");
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("cm")
                .endMetadata().withData(Map.of("k", "v")).build()).create();
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("s").endMetadata()
                .withStringData(Map.of("k", "v")).build()).create();
        client.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName("svc")
                .endMetadata().withNewSpec().addNewPort().withPort(80).endPort().withSelector(Map.of("app", "web"))
                .endSpec().build()).create();
        client.rbac().roles().inNamespace(ns).resource(new RoleBuilder().withNewMetadata().withName("r")
                .endMetadata().addNewRule().withApiGroups("").withResources("pods").withVerbs("get").endRule()
                .build()).create();
        client.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder().withNewMetadata()
                .withName("d").endMetadata().withNewSpec().withNewSelector().withMatchLabels(Map.of("app", "d"))
                .endSelector().withNewTemplate().withNewMetadata().withLabels(Map.of("app", "d")).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("nginx").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
        client.apps().replicaSets().inNamespace(ns).resource(replicaSet("web", 2)).create();
        await().atMost(PATIENCE).until(() -> podsOf(ns, "web").size() == 2);

        client.namespaces().withName(ns).delete();

        await().atMost(PATIENCE).until(() -> client.namespaces().withName(ns).get() == null);
        for (var listed : List.of(client.configMaps().inNamespace(ns).list().getItems(),
                client.secrets().inNamespace(ns).list().getItems(),
                client.services().inNamespace(ns).list().getItems(),
                client.rbac().roles().inNamespace(ns).list().getItems(),
                client.apps().deployments().inNamespace(ns).list().getItems(),
                client.apps().replicaSets().inNamespace(ns).list().getItems(),
                client.pods().inNamespace(ns).list().getItems(),
                client.serviceAccounts().inNamespace(ns).list().getItems())) {
            assertThat(listed).isEmpty();
        }
    }

    @Test
    void aTerminatingNamespaceRefusesNewContentAndReportsWhatHoldsIt() {
        String ns = Fabric8.namespace(client, "held");
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("kept")
                .withFinalizers("example.com/hold").endMetadata().build()).create();

        client.namespaces().withName(ns).delete();

        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> {
            Namespace terminating = client.namespaces().withName(ns).get();
            assertThat(terminating.getStatus().getPhase()).isEqualTo("Terminating");
            Map<String, NamespaceCondition> byType = new java.util.HashMap<>();
            terminating.getStatus().getConditions().forEach(c -> byType.put(c.getType(), c));
            assertThat(byType.get("NamespaceDeletionDiscoveryFailure").getReason()).isEqualTo("ResourcesDiscovered");
            assertThat(byType.get("NamespaceDeletionContentFailure").getReason()).isEqualTo("ContentDeleted");
            assertThat(byType.get("NamespaceContentRemaining").getStatus()).isEqualTo("True");
            assertThat(byType.get("NamespaceContentRemaining").getReason()).isEqualTo("SomeResourcesRemain");
            assertThat(byType.get("NamespaceContentRemaining").getMessage())
                    .isEqualTo("Some resources are remaining: configmaps. has 1 resource instances");
            assertThat(byType.get("NamespaceFinalizersRemaining").getReason()).isEqualTo("SomeFinalizersRemain");
            assertThat(byType.get("NamespaceFinalizersRemaining").getMessage()).isEqualTo(
                    "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances");
        });
        assertThatThrownBy(() -> client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder()
                .withNewMetadata().withName("late").endMetadata().build()).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(403);
                    assertThat(e.getStatus().getMessage()).isEqualTo("unable to create new content in namespace "
                            + ns + " because it is being terminated");
                });

        client.configMaps().inNamespace(ns).withName("kept").edit(cm -> new ConfigMapBuilder(cm).editMetadata()
                .withFinalizers(List.of()).endMetadata().build());

        await().atMost(PATIENCE).until(() -> client.namespaces().withName(ns).get() == null);
    }

    @Test
    void aRepeatedEventIsCountedOnTheEventAlreadyRecorded() {
        String ns = Fabric8.namespace(client, "events");
        var about = client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata()
                .withName("subject").endMetadata().build()).create();
        var recorder = new io.kybern.controllers.runtime.EventRecorder(client, "test-controller",
                java.time.Clock.systemUTC());

        recorder.warning(about, "Trouble", "it went wrong");
        recorder.warning(about, "Trouble", "it went wrong");
        recorder.normal(about, "Trouble", "it went wrong");

        List<Event> recorded = events(ns, "Trouble");
        assertThat(recorded).hasSize(2);
        Event repeated = recorded.stream().filter(e -> e.getType().equals("Warning")).findFirst().orElseThrow();
        assertThat(repeated.getCount()).isEqualTo(2);
        assertThat(repeated.getSource().getComponent()).isEqualTo("test-controller");
        assertThat(repeated.getReportingComponent()).isEqualTo("test-controller");
        assertThat(repeated.getInvolvedObject().getUid()).isEqualTo(about.getMetadata().getUid());
        assertThat(repeated.getMetadata().getName()).startsWith("subject.");
    }

    @Test
    void everyNamespaceGetsADefaultServiceAccountBackWhenItIsDeleted() {
        String ns = Fabric8.namespace(client, "accounts");

        await().atMost(PATIENCE).until(() -> client.serviceAccounts().inNamespace(ns).withName("default").get() != null);
        String firstUid = client.serviceAccounts().inNamespace(ns).withName("default").get().getMetadata().getUid();
        assertThat(client.serviceAccounts().inNamespace("default").withName("default").get()).isNotNull();

        client.serviceAccounts().inNamespace(ns).withName("default").delete();

        await().atMost(PATIENCE).until(() -> {
            var again = client.serviceAccounts().inNamespace(ns).withName("default").get();
            return again != null && !again.getMetadata().getUid().equals(firstUid);
        });
    }
}
