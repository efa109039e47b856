package io.kybern.cli.fabric8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kybern.cli.TestServers;
import io.kybern.controllers.ControllerManager;
import io.kybern.controllers.runtime.Informers;
import io.kybern.controllers.runtime.SharedInformers;
import io.kybern.scheduler.ElectedScheduler;
import io.kybern.scheduler.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Informers shared between the components of one process ({@link SharedInformers}), as a server's controllers
 * and scheduler share them, each through its own {@link Informers}: each component sees every object (an add
 * for each already cached when it joins) and every change while it holds its share; one component stopping
 * leaves the other's informer running; the last one stopping stops it, and the next start lists afresh. Also
 * the controllers' informers offered by discovery's group resource, which the garbage collector listens to
 * instead of watching those kinds a second time (its collecting is checked by {@link ControllersTest}).
 */
@TestServers.WithoutControllers
class SharedInformersTest extends ServerAndClient {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    /** What one component's handler saw of the ConfigMaps of one namespace: "ADDED name", "UPDATED name"... */
    private static final class Seen implements ResourceEventHandler<ConfigMap> {
        final String namespace;
        final List<String> events = new CopyOnWriteArrayList<>();

        Seen(String namespace) {
            this.namespace = namespace;
        }

        private void record(String type, ConfigMap configMap) {
            if (namespace.equals(configMap.getMetadata().getNamespace())) {
                events.add(type + " " + configMap.getMetadata().getName());
            }
        }

        @Override
        public void onAdd(ConfigMap configMap) {
            record("ADDED", configMap);
        }

        @Override
        public void onUpdate(ConfigMap old, ConfigMap configMap) {
            record("UPDATED", configMap);
        }

        @Override
        public void onDelete(ConfigMap configMap, boolean unknownFinalState) {
            record("DELETED", configMap);
        }
    }

    private static void createConfigMap(String namespace, String name) {
        // The key is a label: the controllers' caches keep a ConfigMap's metadata only.
        client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata().withName(name)
                .addToLabels("key", name).endMetadata().withData(Map.of("key", name)).build()).create();
    }

    @Test
    void aStartedInformerIsFoundByItsGroupResourceAndNothingElseIs() {
        try (Informers informers = new Informers(client)) {
            var configMaps = informers.of(ConfigMap.class);
            var deployments = informers.of(Deployment.class);

            assertThat(informers.started("configmaps")).as("asked for but not started yet").isEmpty();

            informers.startAll(Duration.ofSeconds(30));

            assertThat(informers.started("configmaps")).containsSame(configMaps);
            assertThat(informers.started("deployments.apps")).containsSame(deployments);
            assertThat(informers.started("deployments")).as("the core group has no deployments").isEmpty();
            assertThat(informers.started("pods")).as("no controller asked for pods here").isEmpty();
        }
    }

    @Test
    void eachComponentSeesEveryObjectAndKeepsSeeingChangesWhileTheOtherStopsAndStarts() throws Exception {
        String ns = Fabric8.namespace(client, "shared-informers-both");
        createConfigMap(ns, "before-any");
        try (SharedInformers shared = new SharedInformers(client)) {
            Informers first = new Informers(shared);
            Seen seenByFirst = new Seen(ns);
            first.of(ConfigMap.class).addEventHandler(seenByFirst);
            first.startAll(PATIENCE);
            await().atMost(PATIENCE).until(() -> seenByFirst.events.contains("ADDED before-any"));
            createConfigMap(ns, "before-second");
            await().atMost(PATIENCE).until(() -> seenByFirst.events.contains("ADDED before-second"));

            // The second component joins a running informer: it is told of every object the cache holds.
            Informers second = new Informers(shared);
            Seen seenBySecond = new Seen(ns);
            SharedIndexInformer<ConfigMap> secondsConfigMaps = second.of(ConfigMap.class);
            secondsConfigMaps.addEventHandler(seenBySecond);
            second.startAll(PATIENCE);
            await().atMost(PATIENCE).until(() -> seenBySecond.events.containsAll(
                    List.of("ADDED before-any", "ADDED before-second")));
            assertThat(shared.shares(ConfigMap.class)).isEqualTo(2);
            assertThat(secondsConfigMaps.getStore()).as("one cache for both").isSameAs(
                    first.of(ConfigMap.class).getStore());

            createConfigMap(ns, "with-both");
            await().atMost(PATIENCE).until(() -> seenByFirst.events.contains("ADDED with-both")
                    && seenBySecond.events.contains("ADDED with-both"));

            // The first stops: the second's informer keeps running and the first hears nothing more.
            first.close();
            assertThat(shared.shares(ConfigMap.class)).isEqualTo(1);
            int firstSawBefore = seenByFirst.events.size();
            createConfigMap(ns, "after-first-stopped");
            client.configMaps().inNamespace(ns).withName("with-both").delete();
            await().atMost(PATIENCE).until(() -> seenBySecond.events.containsAll(
                    List.of("ADDED after-first-stopped", "DELETED with-both")));
            assertThat(secondsConfigMaps.isRunning()).isTrue();
            await().during(Duration.ofMillis(500)).atMost(PATIENCE).until(() ->
                    seenByFirst.events.size() == firstSawBefore);

            // The first starts again (new shares): a full list again, of what is there now.
            Informers firstAgain = new Informers(shared);
            Seen seenByFirstAgain = new Seen(ns);
            firstAgain.of(ConfigMap.class).addEventHandler(seenByFirstAgain);
            firstAgain.startAll(PATIENCE);
            await().atMost(PATIENCE).until(() -> seenByFirstAgain.events.containsAll(
                    List.of("ADDED before-any", "ADDED before-second", "ADDED after-first-stopped")));
            assertThat(seenByFirstAgain.events).doesNotContain("ADDED with-both");
            assertThat(shared.shares(ConfigMap.class)).isEqualTo(2);

            // Both stop: the informer stops with the last share.
            second.close();
            assertThat(secondsConfigMaps.isRunning()).as("the first still holds a share").isTrue();
            firstAgain.close();
            assertThat(shared.shares(ConfigMap.class)).isZero();
            secondsConfigMaps.stopped().toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(secondsConfigMaps.isRunning()).isFalse();
            assertThatThrownBy(() -> secondsConfigMaps.addEventHandler(new Seen(ns)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("given back");

            // A restart after both stopped gets a new informer, which lists afresh.
            Informers restarted = new Informers(shared);
            Seen seenAfterRestart = new Seen(ns);
            SharedIndexInformer<ConfigMap> restartedConfigMaps = restarted.of(ConfigMap.class);
            restartedConfigMaps.addEventHandler(seenAfterRestart);
            restarted.startAll(PATIENCE);
            assertThat(restartedConfigMaps.getStore()).isNotSameAs(secondsConfigMaps.getStore());
            await().atMost(PATIENCE).until(() -> seenAfterRestart.events.containsAll(
                    List.of("ADDED before-any", "ADDED before-second", "ADDED after-first-stopped")));
            createConfigMap(ns, "after-restart");
            await().atMost(PATIENCE).until(() -> seenAfterRestart.events.contains("ADDED after-restart"));
            restarted.close();
            assertThat(shared.shares(ConfigMap.class)).isZero();
        }
    }

    @Test
    void theControllersAndTheSchedulerSharePodsAndEachKeepsWorkingWhileTheOtherIsStopped() {
        Map<String, Quantity> resources = Map.of("cpu", new Quantity("8"), "memory", new Quantity("16Gi"),
                "pods", new Quantity("110"));
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("shared-node").endMetadata().build())
                .create();
        Node node = client.nodes().withName("shared-node").get();
        node.setStatus(new NodeStatusBuilder().withCapacity(resources).withAllocatable(resources)
                .withConditions(new NodeConditionBuilder().withType("Ready").withStatus("True")
                        .withReason("KubeletReady").build()).build());
        client.nodes().resource(node).updateStatus();
        String ns = Fabric8.namespace(client, "shared-informers-components");
        ElectedScheduler.Config schedulerConfig = new ElectedScheduler.Config(
                Scheduler.Config.defaults(Clock.systemUTC()), false, "shared-scheduler");
        try (KubernetesClient informersClient = Fabric8.client(server.kubeconfig());
                KubernetesClient controllersClient = Fabric8.client(server.kubeconfig());
                KubernetesClient schedulerClient = Fabric8.client(server.kubeconfig());
                SharedInformers shared = new SharedInformers(informersClient)) {
            ControllerManager controllers = ControllerManager.start(controllersClient, shared,
                    new ControllerManager.Config(false, "shared-controllers", Clock.systemUTC()));
            ElectedScheduler scheduler = ElectedScheduler.start(schedulerClient, shared, schedulerConfig);
            try {
                await().atMost(PATIENCE).until(() -> scheduler.scheduling() && shared.shares(ReplicaSet.class) == 1);
                assertThat(shared.shares(Pod.class)).as("the controllers' and the scheduler's").isEqualTo(2);
                assertThat(shared.shares(Node.class)).isEqualTo(2);

                client.apps().replicaSets().inNamespace(ns).resource(new ReplicaSetBuilder().withNewMetadata()
                        .withName("web").endMetadata().withNewSpec().withReplicas(1).withNewSelector()
                        .addToMatchLabels("app", "web").endSelector().withNewTemplate().withNewMetadata()
                        .addToLabels("app", "web").endMetadata().withNewSpec().addNewContainer().withName("c")
                        .withImage("busybox").endContainer().endSpec().endTemplate().endSpec().build()).create();
                await().atMost(PATIENCE).until(() -> podsOf(ns).size() == 1 && boundPods(ns).size() == 1);
                String first = podsOf(ns).getFirst().getMetadata().getName();

                // Without the scheduler, the controllers still hear of pods: a deleted one is replaced.
                scheduler.close();
                assertThat(shared.shares(Pod.class)).isEqualTo(1);
                client.pods().inNamespace(ns).withName(first).withGracePeriod(0).delete();
                await().atMost(PATIENCE).until(() -> podsOf(ns).size() == 1
                        && !podsOf(ns).getFirst().getMetadata().getName().equals(first));
                String replacement = podsOf(ns).getFirst().getMetadata().getName();
                await().during(Duration.ofSeconds(1)).atMost(PATIENCE).until(() -> boundPods(ns).isEmpty());

                // A scheduler started again lists the pods afresh and places the one left pending.
                try (ElectedScheduler again = ElectedScheduler.start(schedulerClient, shared, schedulerConfig)) {
                    await().atMost(PATIENCE).until(() -> boundPods(ns).contains(replacement));
                    assertThat(shared.shares(Pod.class)).isEqualTo(2);

                    // Without the controllers, the scheduler still hears of pods.
                    controllers.close();
                    assertThat(shared.shares(Pod.class)).isEqualTo(1);
                    assertThat(shared.shares(ReplicaSet.class)).isZero();
                    client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("lone")
                            .endMetadata().withNewSpec().addNewContainer().withName("c").withImage("busybox")
                            .endContainer().endSpec().build()).create();
                    await().atMost(PATIENCE).until(() -> boundPods(ns).contains("lone"));
                }
                assertThat(shared.shares(Pod.class)).as("both stopped").isZero();
                assertThat(shared.shares(Node.class)).isZero();
            } finally {
                scheduler.close();
                controllers.close();
                client.nodes().withName("shared-node").delete();
            }
        }
    }

    private static List<Pod> podsOf(String namespace) {
        return client.pods().inNamespace(namespace).list().getItems().stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null).toList();
    }

    private static List<String> boundPods(String namespace) {
        return podsOf(namespace).stream().filter(pod -> pod.getSpec().getNodeName() != null)
                .map(pod -> pod.getMetadata().getName()).toList();
    }

    @Test
    void aComponentsIndexersGoWithItsSharesAndAreItsOwnToRemove() {
        String ns = Fabric8.namespace(client, "shared-informers-indexers");
        createConfigMap(ns, "indexed");
        Function<ConfigMap, List<String>> byKey = configMap ->
                List.of(configMap.getMetadata().getLabels() == null ? ""
                        : configMap.getMetadata().getLabels().getOrDefault("key", ""));
        try (SharedInformers shared = new SharedInformers(client)) {
            Informers first = new Informers(shared);
            Informers second = new Informers(shared);
            SharedIndexInformer<ConfigMap> firstsConfigMaps = first.of(ConfigMap.class);
            SharedIndexInformer<ConfigMap> secondsConfigMaps = second.of(ConfigMap.class);
            firstsConfigMaps.addIndexers(Map.of("by-key", byKey));
            first.startAll(PATIENCE);
            second.startAll(PATIENCE);
            await().atMost(PATIENCE).until(() -> !secondsConfigMaps.getIndexer().byIndex("by-key", "indexed")
                    .isEmpty());

            // Both components' indexers live in one cache: a second with the same name is refused.
            assertThatThrownBy(() -> secondsConfigMaps.addIndexers(Map.of("by-key", byKey)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> secondsConfigMaps.removeIndexer("by-key"))
                    .as("the first component's indexer").isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not added through this share");
            assertThatThrownBy(secondsConfigMaps::removeNamespaceIndex).isInstanceOf(IllegalArgumentException.class);

            first.close();
            assertThat(secondsConfigMaps.getIndexer().getIndexers()).doesNotContainKey("by-key")
                    .containsKey("namespace");

            // The first starts again and adds its indexer once more: it indexes what is cached already.
            Informers firstAgain = new Informers(shared);
            SharedIndexInformer<ConfigMap> againsConfigMaps = firstAgain.of(ConfigMap.class);
            againsConfigMaps.addIndexers(Map.of("by-key", byKey));
            firstAgain.startAll(PATIENCE);
            assertThat(againsConfigMaps.getIndexer().byIndex("by-key", "indexed")).singleElement()
                    .satisfies(configMap -> assertThat(configMap.getMetadata().getName()).isEqualTo("indexed"));
            firstAgain.close();
            second.close();
        }
    }

    @Test
    void howTheSharedInformerIsBuiltIsNotAComponentsToChange() {
        try (SharedInformers shared = new SharedInformers(client); Informers informers = new Informers(shared)) {
            SharedIndexInformer<ConfigMap> configMaps = informers.of(ConfigMap.class);
            assertThatThrownBy(() -> configMaps.itemStore(null)).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> configMaps.initialState(Stream.empty()))
                    .isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> configMaps.exceptionHandler((running, error) -> false))
                    .isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void closedSharedInformersStopEveryInformerAndGiveNoMoreShares() throws Exception {
        SharedInformers shared = new SharedInformers(client);
        Informers informers = new Informers(shared);
        SharedIndexInformer<ConfigMap> configMaps = informers.of(ConfigMap.class);
        informers.startAll(PATIENCE);
        assertThat(configMaps.isRunning()).isTrue();

        shared.close();

        configMaps.stopped().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(shared.shares(ConfigMap.class)).isZero();
        assertThatThrownBy(() -> new Informers(shared).of(ConfigMap.class))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        informers.close(); // giving back a share of a stopped informer is harmless
    }
}
