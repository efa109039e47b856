package io.kybern.cli.fabric8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ConfigMapList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Label and field selectors, and paginated lists (limit and continue), through fabric8's list DSL. */
class SelectorsAndPagesTest extends ServerAndClient {

    private static final int MANY = 230;

    private static ConfigMap configMap(String name, Map<String, String> labels) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .addToData("name", name).build();
    }

    @Test
    void labelSelectorsPickByEqualityAndBySet() {
        String ns = Fabric8.namespace(client, "labels");
        var configMaps = client.configMaps().inNamespace(ns);
        configMaps.resource(configMap("web-1", Map.of("app", "web", "tier", "front"))).create();
        configMaps.resource(configMap("web-2", Map.of("app", "web", "tier", "back"))).create();
        configMaps.resource(configMap("db-1", Map.of("app", "db", "tier", "back"))).create();
        configMaps.resource(configMap("plain", Map.of())).create();

        assertThat(names(configMaps.withLabel("app", "web").list())).containsExactly("web-1", "web-2");
        assertThat(names(configMaps.withLabel("tier", "back").withLabel("app", "db").list()))
                .containsExactly("db-1");
        assertThat(names(configMaps.withoutLabel("app", "web").list())).containsExactly("db-1", "plain");
        assertThat(names(configMaps.withLabelIn("app", "db", "cache").list())).containsExactly("db-1");
        assertThat(names(configMaps.withLabelNotIn("tier", "front").list()))
                .containsExactly("db-1", "plain", "web-2");
        assertThat(names(configMaps.withLabel("tier").list())).containsExactly("db-1", "web-1", "web-2");
        assertThat(names(configMaps.withoutLabel("tier").list())).containsExactly("plain");
    }

    @Test
    void fieldSelectorsPickByNameAndNamespace() {
        String ns = Fabric8.namespace(client, "fields");
        String other = Fabric8.namespace(client, "fields-other");
        client.configMaps().inNamespace(ns).resource(configMap("one", Map.of())).create();
        client.configMaps().inNamespace(ns).resource(configMap("two", Map.of())).create();
        client.configMaps().inNamespace(other).resource(configMap("one", Map.of())).create();

        assertThat(names(client.configMaps().inNamespace(ns).withField("metadata.name", "two").list()))
                .containsExactly("two");
        assertThat(names(client.configMaps().inNamespace(ns).withoutField("metadata.name", "two").list()))
                .containsExactly("one");
        List<ConfigMap> ones = client.configMaps().inAnyNamespace().withField("metadata.name", "one").list()
                .getItems();
        assertThat(ones).extracting(c -> c.getMetadata().getNamespace()).containsExactlyInAnyOrder(ns, other);
        assertThat(client.configMaps().inAnyNamespace().withField("metadata.namespace", other).list().getItems())
                .extracting(c -> c.getMetadata().getName()).containsExactly("one");
    }

    @Test
    void pagesWithLimitAndContinueCoverEveryObjectOnceAtOneResourceVersion() {
        String ns = Fabric8.namespace(client, "pages");
        var configMaps = client.configMaps().inNamespace(ns);
        for (int i = 0; i < MANY; i++) {
            configMaps.resource(configMap("cm-%04d".formatted(i), Map.of("batch", "pages"))).create();
        }

        List<String> seen = new ArrayList<>();
        Set<String> versions = new HashSet<>();
        String token = null;
        int pages = 0;
        do {
            ConfigMapList page = configMaps.list(new ListOptionsBuilder().withLimit(40L).withContinue(token).build());
            pages++;
            assertThat(page.getItems()).hasSizeLessThanOrEqualTo(40);
            versions.add(page.getMetadata().getResourceVersion());
            page.getItems().forEach(c -> seen.add(c.getMetadata().getName()));
            token = page.getMetadata().getContinue();
            // Objects written between pages do not show up: the list stays at its first page's revision.
            if (pages == 2) {
                configMaps.resource(configMap("zz-late", Map.of())).create();
            }
            if (token != null && !token.isEmpty()) {
                assertThat(page.getMetadata().getRemainingItemCount()).isEqualTo(MANY - seen.size());
            }
        } while (token != null && !token.isEmpty());

        assertThat(pages).isEqualTo((MANY + 39) / 40);
        assertThat(seen).hasSize(MANY).doesNotHaveDuplicates().isSorted().doesNotContain("zz-late");
        assertThat(versions).hasSize(1);
        assertThat(configMaps.list().getItems()).hasSize(MANY + 1);
    }

    /**
     * A continuation whose snapshot was compacted away is 410 Expired; the Status carries a token that
     * goes on from the same place in the latest state, as Kubernetes' does.
     */
    @Test
    void anExpiredContinueIsGoneAndOffersAContinuationInTheLatestState() {
        String ns = Fabric8.namespace(client, "expired");
        var configMaps = client.configMaps().inNamespace(ns);
        for (String name : List.of("a", "b", "c")) {
            configMaps.resource(configMap(name, Map.of())).create();
        }
        ConfigMapList first = configMaps.list(new ListOptionsBuilder().withLimit(1L).build());
        configMaps.resource(configMap("d", Map.of())).create();
        server.store().compact(server.store().currentRevision());

        KubernetesClientException gone = catchThrowableOfType(KubernetesClientException.class, () -> configMaps
                .list(new ListOptionsBuilder().withLimit(1L).withContinue(first.getMetadata().getContinue()).build()));

        assertThat(gone).isNotNull();
        assertThat(gone.getCode()).isEqualTo(410);
        assertThat(gone.getStatus().getReason()).isEqualTo("Expired");
        assertThat(gone.getStatus().getMessage()).startsWith("The provided continue parameter is too old");
        String onward = gone.getStatus().getMetadata().getContinue();
        assertThat(onward).isNotBlank();
        ConfigMapList rest = configMaps.list(new ListOptionsBuilder().withLimit(10L).withContinue(onward).build());
        assertThat(names(rest)).as("after a, in the latest state").containsExactly("b", "c", "d");
    }

    private static List<String> names(ConfigMapList list) {
        return list.getItems().stream().map(c -> c.getMetadata().getName()).sorted().toList();
    }
}
