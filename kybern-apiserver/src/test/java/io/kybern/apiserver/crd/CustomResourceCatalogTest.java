package io.kybern.apiserver.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.api.discovery.AggregatedDiscoveryVersion;
import io.kybern.api.discovery.Discovery;
import io.kybern.api.resource.BuiltInResources;
import io.kybern.api.resource.GroupVersion;
import io.kybern.api.resource.GroupVersionResource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The catalog of built-in and custom resources, and discovery as it describes the custom ones. */
class CustomResourceCatalogTest {

    private static JsonNode established(String versions) {
        return ServedDefinitions.json("""
                {"metadata": {"name": "widgets.example.com"},
                 "spec": {"group": "example.com", "scope": "Namespaced",
                   "names": {"plural": "widgets", "kind": "Widget"}, "versions": %s},
                 "status": {"acceptedNames": {"plural": "widgets", "singular": "widget", "kind": "Widget",
                              "listKind": "WidgetList", "shortNames": ["wd"], "categories": ["all"]},
                            "conditions": [{"type": "Established", "status": "True"}]}}
                """.formatted(versions));
    }

    private static final String VERSIONS = """
            [{"name": "v1beta1", "served": true, "storage": false},
             {"name": "v1", "served": true, "storage": true,
              "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas",
                                                       "statusReplicasPath": ".status.replicas"}}},
             {"name": "v2alpha1", "served": false, "storage": false}]
            """;

    @Test
    void versionsAreOrderedAsKubernetesOrdersThem() {
        List<String> versions = new ArrayList<>(List.of("v1alpha1", "foo", "v1", "v11beta2", "v2", "v1beta2",
                "v1beta1", "bar", "v12alpha1"));

        versions.sort(KubeVersionOrder.INSTANCE);

        assertThat(versions).containsExactly("v2", "v1", "v11beta2", "v1beta2", "v1beta1", "v12alpha1", "v1alpha1",
                "bar", "foo");
    }

    @Test
    void stabilityRanksGaAboveBetaAboveAlpha() {
        assertThat(List.of("v2", "v1beta3", "v3alpha1", "stable").stream().map(KubeVersionOrder.INSTANCE::stability))
                .containsExactly(2, 1, 0, -1);
    }

    @Test
    void servedVersionsJoinTheBuiltInsAfterThemPreferredVersionFirst() {
        CustomResourceCatalog catalog = new CustomResourceCatalog(new BuiltInResources());
        int builtIns = catalog.all().size();

        catalog.replace(CustomResourceCatalog.servedVersions(established(VERSIONS)));

        assertThat(catalog.all()).hasSize(builtIns + 2);
        assertThat(catalog.groupVersions().subList(catalog.groupVersions().size() - 2, catalog.groupVersions().size()))
                .containsExactly(new GroupVersion("example.com", "v1"), new GroupVersion("example.com", "v1beta1"));
        assertThat(catalog.preferredVersion("example.com")).contains(new GroupVersion("example.com", "v1"));
        assertThat(catalog.byResource(new GroupVersionResource("example.com", "v2alpha1", "widgets"))).isEmpty();
        var v1 = catalog.byResource(new GroupVersionResource("example.com", "v1", "widgets")).orElseThrow();
        assertThat(v1.storagePrefix()).isEqualTo("/registry/example.com/widgets/");
        assertThat(v1.subresource("scale").orElseThrow().kind().group()).isEqualTo("autoscaling");
        assertThat(catalog.byResource(new GroupVersionResource("example.com", "v1beta1", "widgets")).orElseThrow()
                .subresources()).isEmpty();
    }

    @Test
    void aDefinitionThatIsNotEstablishedServesNothing() {
        JsonNode pending = established(VERSIONS);
        ((tools.jackson.databind.node.ObjectNode) pending.at("/status/conditions/0")).put("status", "False");

        assertThat(CustomResourceCatalog.servedVersions(pending)).isEmpty();
    }

    @Test
    void listenersHearOfChangesOnly() {
        CustomResourceCatalog catalog = new CustomResourceCatalog(new BuiltInResources());
        AtomicInteger changes = new AtomicInteger();
        catalog.onChange(changes::incrementAndGet);

        catalog.replace(CustomResourceCatalog.servedVersions(established(VERSIONS)));
        catalog.replace(CustomResourceCatalog.servedVersions(established(VERSIONS)));
        catalog.replace(List.of());

        assertThat(changes).hasValue(2);
    }

    @Test
    void discoveryNamesTheGroupItsVersionsShortNamesCategoriesAndSubresources() {
        CustomResourceCatalog catalog = new CustomResourceCatalog(new BuiltInResources());
        catalog.replace(CustomResourceCatalog.servedVersions(established(VERSIONS)));
        Discovery discovery = new Discovery(catalog);

        JsonNode group = discovery.apiGroup("example.com").orElseThrow();
        assertThat(group.at("/preferredVersion/groupVersion").asString()).isEqualTo("example.com/v1");
        assertThat(group.get("versions").findValuesAsString("version")).containsExactly("v1", "v1beta1");
        JsonNode resources = discovery.apiResourceList(new GroupVersion("example.com", "v1")).orElseThrow()
                .get("resources");
        assertThat(resources.findValuesAsString("name")).containsExactly("widgets", "widgets/scale",
                "widgets/status");
        JsonNode widgets = resources.get(0);
        assertThat(widgets.get("shortNames").toString()).isEqualTo("[\"wd\"]");
        assertThat(widgets.get("categories").toString()).isEqualTo("[\"all\"]");
        assertThat(widgets.get("singularName").asString()).isEqualTo("widget");
        assertThat(widgets.get("namespaced").asBoolean()).isTrue();
        assertThat(discovery.aggregatedGroups(AggregatedDiscoveryVersion.values()[0]).toString())
                .contains("\"example.com\"");
    }
}
