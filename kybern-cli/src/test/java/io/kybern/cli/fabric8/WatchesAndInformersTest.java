package io.kybern.cli.fabric8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Watches and SharedIndexInformers through fabric8: events in order, watches from a resourceVersion,
 * 410 Gone from compacted history, and an informer that relists after it lost its watch across a
 * network outage during which the history it would have resumed from was compacted.
 */
class WatchesAndInformersTest extends ServerAndClient {

    private static ConfigMap configMap(String name, String color) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).addToLabels("app", "web").endMetadata()
                .addToData("color", color).build();
    }

    /** What a watcher saw: "TYPE name color" per event, and how the watch closed. */
    private static final class Recorder implements Watcher<ConfigMap> {
        final List<String> events = new CopyOnWriteArrayList<>();
        final CompletableFuture<WatcherException> closed = new CompletableFuture<>();

        @Override
        public void eventReceived(Action action, ConfigMap resource) {
            events.add(action + " " + resource.getMetadata().getName() + " "
                    + (resource.getData() == null ? "-" : resource.getData().get("color")));
        }

        @Override
        public void onClose(WatcherException cause) {
            closed.complete(cause);
        }

        @Override
        public void onClose() {
            closed.complete(null);
        }
    }

    @Test
    void aWatchSeesAddedModifiedAndDeletedInOrder() {
        String ns = Fabric8.namespace(client, "watch-order");
        var configMaps = client.configMaps().inNamespace(ns);
        Recorder recorder = new Recorder();
        try (Watch ignored = configMaps.watch(recorder)) {
            configMaps.resource(configMap("one", "blue")).create();
            configMaps.withName("one").edit(c -> new ConfigMapBuilder(c).addToData("color", "green").build());
            configMaps.withName("one").delete();

            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.events.size() >= 3);
        }
        assertThat(recorder.events).containsExactly("ADDED one blue", "MODIFIED one green", "DELETED one green");
    }

    @Test
    void aWatchWithALabelSelectorSeesOnlyMatchingObjects() {
        String ns = Fabric8.namespace(client, "watch-labels");
        var configMaps = client.configMaps().inNamespace(ns);
        Recorder recorder = new Recorder();
        try (Watch ignored = configMaps.withLabel("app", "web").watch(recorder)) {
            configMaps.resource(new ConfigMapBuilder().withNewMetadata().withName("other")
                    .addToLabels("app", "db").endMetadata().build()).create();
            configMaps.resource(configMap("match", "red")).create();

            await().atMost(Duration.ofSeconds(10)).until(() -> !recorder.events.isEmpty());
            // Anything about "other" would have come first: events arrive in revision order.
        }
        assertThat(recorder.events).containsExactly("ADDED match red");
    }

    @Test
    void aWatchFromAResourceVersionReplaysWhatCameAfterIt() {
        String ns = Fabric8.namespace(client, "watch-from");
        var configMaps = client.configMaps().inNamespace(ns);
        configMaps.resource(configMap("before", "blue")).create();
        String version = configMaps.list().getMetadata().getResourceVersion();
        configMaps.resource(configMap("after", "green")).create();

        Recorder recorder = new Recorder();
        try (Watch ignored = configMaps.withResourceVersion(version).watch(recorder)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !recorder.events.isEmpty());
        }
        assertThat(recorder.events).containsExactly("ADDED after green");
    }

    @Test
    void aWatchFromCompactedHistoryIsClosedWithGone() throws Exception {
        String ns = Fabric8.namespace(client, "watch-gone");
        var configMaps = client.configMaps().inNamespace(ns);
        String old = configMaps.resource(configMap("first", "blue")).create().getMetadata().getResourceVersion();
        configMaps.resource(configMap("second", "blue")).create();
        server.store().compact(server.store().currentRevision());

        Recorder recorder = new Recorder();
        try (Watch ignored = configMaps.withResourceVersion(old).watch(recorder)) {
            WatcherException cause = recorder.closed.get(10, TimeUnit.SECONDS);
            assertThat(cause).isNotNull();
            assertThat(cause.isHttpGone()).as(cause.toString()).isTrue();
        }
        assertThat(recorder.events).isEmpty();
    }

    @Test
    void anInformerCachesTheObjectsAndFollowsTheirChanges() {
        String ns = Fabric8.namespace(client, "informer");
        var configMaps = client.configMaps().inNamespace(ns);
        configMaps.resource(configMap("existing", "blue")).create();
        Handler handler = new Handler();

        try (SharedIndexInformer<ConfigMap> informer = configMaps.inform(handler, 0)) {
            assertThat(informer.hasSynced()).isTrue();
            assertThat(informer.getStore().listKeys()).containsExactly(ns + "/existing");

            configMaps.resource(configMap("new", "red")).create();
            configMaps.withName("existing").edit(c -> new ConfigMapBuilder(c).addToData("color", "green").build());
            configMaps.withName("new").delete();

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(handler.events)
                    .containsExactly("add existing blue", "add new red", "update existing green",
                            "delete new red final"));
            assertThat(informer.getStore().listKeys()).containsExactly(ns + "/existing");
            assertThat(informer.getStore().getByKey(ns + "/existing").getData()).containsEntry("color", "green");
            assertThat(informer.lastSyncResourceVersion()).isNotBlank();
        }
    }

    /**
     * The informer reaches the server through a proxy that is taken down: its watch is cut, and while it
     * cannot reconnect, objects are created and deleted and the history compacted, as the API server's
     * compactor does. Back online, resuming the watch gets 410 Gone, so the informer lists again; the
     * object deleted meanwhile can only be known gone from that list, which fabric8 reports as a delete
     * whose final state is unknown.
     */
    @Test
    void anInformerRelistsAfterGoneAndCatchesUpWithWhatItMissed() throws Exception {
        String ns = Fabric8.namespace(client, "relist");
        var direct = client.configMaps().inNamespace(ns);
        direct.resource(configMap("kept", "blue")).create();
        direct.resource(configMap("doomed", "blue")).create();
        URI api = URI.create(client.getMasterUrl().toString());
        Handler handler = new Handler();
        try (CuttableProxy proxy = new CuttableProxy(new InetSocketAddress(api.getHost(), api.getPort()));
                KubernetesClient proxied = Fabric8.client(server.kubeconfig(), proxy.url());
                SharedIndexInformer<ConfigMap> informer = proxied.configMaps().inNamespace(ns).inform(handler, 0)) {
            direct.withName("kept").edit(c -> new ConfigMapBuilder(c).addToData("color", "green").build());
            await().atMost(Duration.ofSeconds(10)).until(() -> handler.events.contains("update kept green"));
            String before = informer.lastSyncResourceVersion();

            proxy.down();
            direct.resource(configMap("born-offline", "red")).create();
            direct.withName("doomed").delete();
            long now = server.store().currentRevision();
            server.store().compact(now);
            assertThat(now).isGreaterThan(Long.parseLong(before));
            proxy.up();

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(handler.events)
                    .contains("add born-offline red", "delete doomed blue final-state-unknown"));
            assertThat(informer.getStore().listKeys()).containsExactlyInAnyOrder(ns + "/kept", ns + "/born-offline");
            assertThat(Long.parseLong(informer.lastSyncResourceVersion())).isGreaterThanOrEqualTo(now);

            // And the new watch after the relist follows changes again.
            direct.withName("kept").edit(c -> new ConfigMapBuilder(c).addToData("color", "white").build());
            await().atMost(Duration.ofSeconds(10)).until(() -> handler.events.contains("update kept white"));
        }
    }

    /** What an informer's handler was told: "add|update|delete name color [final|final-state-unknown]". */
    private static final class Handler implements ResourceEventHandler<ConfigMap> {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void onAdd(ConfigMap obj) {
            events.add("add " + describe(obj));
        }

        @Override
        public void onUpdate(ConfigMap oldObj, ConfigMap newObj) {
            // Resyncs are off (0), so every update is a change.
            events.add("update " + describe(newObj));
        }

        @Override
        public void onDelete(ConfigMap obj, boolean deletedFinalStateUnknown) {
            events.add("delete " + describe(obj) + (deletedFinalStateUnknown ? " final-state-unknown" : " final"));
        }

        private static String describe(ConfigMap c) {
            Map<String, String> data = c.getData() == null ? Map.of() : c.getData();
            return c.getMetadata().getName() + " " + data.getOrDefault("color", "-");
        }
    }
}
