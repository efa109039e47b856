package io.kybern.api.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIGroupList;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.APIVersions;
import io.kybern.api.resource.BuiltInResources;
import io.kybern.api.resource.GroupVersion;
import io.kybern.api.resource.ResourceType;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class DiscoveryTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final BuiltInResources catalog = new BuiltInResources();
    private final Discovery discovery = new Discovery(catalog);

    @Test
    void apiListsTheCoreVersionAndWhereToReachTheServer() {
        ObjectNode api = discovery.apiVersions(List.of(ServerAddress.forAllClients("10.0.0.1:6443")));
        assertThat(compact(api)).isEqualTo(json("{'kind':'APIVersions','apiVersion':'v1','versions':['v1'],"
                + "'serverAddressByClientCIDRs':[{'clientCIDR':'0.0.0.0/0','serverAddress':'10.0.0.1:6443'}]}"));
        APIVersions decoded = JSON.treeToValue(api, APIVersions.class);
        assertThat(decoded.getVersions()).containsExactly("v1");
        assertThat(decoded.getServerAddressByClientCIDRs().getFirst().getServerAddress()).isEqualTo("10.0.0.1:6443");
        assertThat(decoded.getAdditionalProperties()).isEmpty();
    }

    @Test
    void apisListsTheNamedGroupsInPriorityOrderWithTheirPreferredVersion() {
        ObjectNode apis = discovery.apiGroupList();
        assertThat(apis.get("kind").asString()).isEqualTo("APIGroupList");
        assertThat(apis.get("apiVersion").asString()).isEqualTo("v1");
        assertThat(names(apis.get("groups"), "name")).containsExactly("apps", "events.k8s.io",
                "authentication.k8s.io", "authorization.k8s.io", "autoscaling", "batch", "certificates.k8s.io",
                "networking.k8s.io", "policy", "rbac.authorization.k8s.io", "storage.k8s.io",
                "admissionregistration.k8s.io", "apiextensions.k8s.io", "scheduling.k8s.io", "coordination.k8s.io",
                "node.k8s.io", "discovery.k8s.io");
        assertThat(compact(apis.get("groups").get(4))).isEqualTo(json("{'name':'autoscaling','versions':["
                + "{'groupVersion':'autoscaling/v2','version':'v2'},{'groupVersion':'autoscaling/v1','version':'v1'}],"
                + "'preferredVersion':{'groupVersion':'autoscaling/v2','version':'v2'}}"));

        APIGroupList decoded = JSON.treeToValue(apis, APIGroupList.class);
        assertThat(decoded.getAdditionalProperties()).isEmpty();
        for (APIGroup group : decoded.getGroups()) {
            assertThat(group.getAdditionalProperties()).isEmpty();
            assertThat(group.getPreferredVersion().getGroupVersion())
                    .isEqualTo(group.getVersions().getFirst().getGroupVersion());
        }
    }

    @Test
    void eachGroupHasItsOwnDocument() {
        ObjectNode autoscaling = discovery.apiGroup("autoscaling").orElseThrow();
        assertThat(compact(autoscaling)).isEqualTo(json("{'kind':'APIGroup','apiVersion':'v1','name':'autoscaling',"
                + "'versions':[{'groupVersion':'autoscaling/v2','version':'v2'},"
                + "{'groupVersion':'autoscaling/v1','version':'v1'}],"
                + "'preferredVersion':{'groupVersion':'autoscaling/v2','version':'v2'}}"));
        assertThat(JSON.treeToValue(autoscaling, APIGroup.class).getAdditionalProperties()).isEmpty();
        assertThat(discovery.apiGroup("apps").orElseThrow().get("preferredVersion").get("groupVersion").asString())
                .isEqualTo("apps/v1");
        assertThat(discovery.apiGroup("")).isEmpty();
        assertThat(discovery.apiGroup("extensions")).isEmpty();
    }

    @Test
    void theCoreResourceListHasEveryResourceAndSubresourceSortedByName() {
        ObjectNode core = discovery.apiResourceList(new GroupVersion("", "v1")).orElseThrow();
        assertThat(core.get("kind").asString()).isEqualTo("APIResourceList");
        assertThat(core.get("apiVersion").asString()).isEqualTo("v1");
        assertThat(core.get("groupVersion").asString()).isEqualTo("v1");
        List<String> names = names(core.get("resources"), "name");
        assertThat(names).isSorted().contains("pods", "pods/status", "pods/eviction", "pods/exec", "pods/log",
                "namespaces/finalize", "services/proxy", "serviceaccounts/token", "replicationcontrollers/scale");
        assertThat(names.subList(names.indexOf("pods"), names.indexOf("podtemplates"))).containsExactly("pods",
                "pods/attach", "pods/binding", "pods/ephemeralcontainers", "pods/eviction", "pods/exec", "pods/log",
                "pods/portforward", "pods/proxy", "pods/resize", "pods/status");
        int expected = 0;
        for (ResourceType type : catalog.resources(new GroupVersion("", "v1"))) {
            expected += 1 + type.subresources().size();
        }
        assertThat(names).hasSize(expected);

        assertThat(compact(entry(core, "pods"))).isEqualTo(json("{'name':'pods','singularName':'pod',"
                + "'namespaced':true,'kind':'Pod','verbs':['create','delete','deletecollection','get','list','patch',"
                + "'update','watch'],'shortNames':['po'],'categories':['all']}"));
        assertThat(compact(entry(core, "pods/eviction"))).isEqualTo(json("{'name':'pods/eviction',"
                + "'singularName':'','namespaced':true,'group':'policy','version':'v1','kind':'Eviction',"
                + "'verbs':['create']}"));
        assertThat(compact(entry(core, "pods/exec"))).isEqualTo(json("{'name':'pods/exec','singularName':'',"
                + "'namespaced':true,'kind':'PodExecOptions','verbs':['create','get']}"));
        assertThat(compact(entry(core, "serviceaccounts/token"))).isEqualTo(json("{'name':'serviceaccounts/token',"
                + "'singularName':'','namespaced':true,'group':'authentication.k8s.io','version':'v1',"
                + "'kind':'TokenRequest','verbs':['create']}"));
        assertThat(compact(entry(core, "namespaces"))).isEqualTo(json("{'name':'namespaces',"
                + "'singularName':'namespace','namespaced':false,'kind':'Namespace','verbs':['create','delete','get',"
                + "'list','patch','update','watch'],'shortNames':['ns']}"));
        assertThat(compact(entry(core, "namespaces/finalize"))).isEqualTo(json("{'name':'namespaces/finalize',"
                + "'singularName':'','namespaced':false,'kind':'Namespace','verbs':['update']}"));
        assertThat(compact(entry(core, "bindings"))).isEqualTo(json("{'name':'bindings','singularName':'binding',"
                + "'namespaced':true,'kind':'Binding','verbs':['create']}"));

        APIResourceList decoded = JSON.treeToValue(core, APIResourceList.class);
        assertThat(decoded.getAdditionalProperties()).isEmpty();
        for (APIResource resource : decoded.getResources()) {
            assertThat(resource.getAdditionalProperties()).as(resource.getName()).isEmpty();
        }
    }

    @Test
    void groupResourceListsNameTheGroupOfForeignSubresourceKinds() {
        ObjectNode apps = discovery.apiResourceList(new GroupVersion("apps", "v1")).orElseThrow();
        assertThat(apps.get("groupVersion").asString()).isEqualTo("apps/v1");
        assertThat(compact(entry(apps, "deployments/scale"))).isEqualTo(json("{'name':'deployments/scale',"
                + "'singularName':'','namespaced':true,'group':'autoscaling','version':'v1','kind':'Scale',"
                + "'verbs':['get','patch','update']}"));
        assertThat(compact(entry(apps, "deployments/status"))).isEqualTo(json("{'name':'deployments/status',"
                + "'singularName':'','namespaced':true,'kind':'Deployment','verbs':['get','patch','update']}"));
        assertThat(compact(entry(apps, "deployments"))).isEqualTo(json("{'name':'deployments',"
                + "'singularName':'deployment','namespaced':true,'kind':'Deployment','verbs':['create','delete',"
                + "'deletecollection','get','list','patch','update','watch'],'shortNames':['deploy'],"
                + "'categories':['all']}"));

        ObjectNode crds = discovery.apiResourceList(new GroupVersion("apiextensions.k8s.io", "v1")).orElseThrow();
        assertThat(entry(crds, "customresourcedefinitions").get("shortNames").toString())
                .isEqualTo(json("['crd','crds']"));

        for (GroupVersion gv : catalog.groupVersions()) {
            ObjectNode list = discovery.apiResourceList(gv).orElseThrow();
            APIResourceList decoded = JSON.treeToValue(list, APIResourceList.class);
            assertThat(decoded.getGroupVersion()).isEqualTo(gv.apiVersion());
            assertThat(names(list.get("resources"), "name")).as("%s", gv).isSorted();
        }
        assertThat(discovery.apiResourceList(new GroupVersion("apps", "v1beta2"))).isEmpty();
    }

    @Test
    void aggregatedGroupsHoldEveryResourceInTheShapeClientsDecode() {
        ObjectNode apis = discovery.aggregatedGroups(AggregatedDiscoveryVersion.V2);
        assertShape(apis);
        assertThat(apis.get("kind").asString()).isEqualTo("APIGroupDiscoveryList");
        assertThat(apis.get("apiVersion").asString()).isEqualTo("apidiscovery.k8s.io/v2");
        assertThat(compact(apis.get("metadata"))).isEqualTo("{}");
        List<String> groups = new ArrayList<>();
        apis.get("items").forEach(item -> groups.add(item.get("metadata").get("name").asString()));
        assertThat(groups).containsExactlyElementsOf(catalog.groups().subList(1, catalog.groups().size()));

        JsonNode autoscaling = apis.get("items").get(4);
        assertThat(compact(autoscaling.get("metadata"))).isEqualTo(json("{'name':'autoscaling',"
                + "'creationTimestamp':null}"));
        assertThat(names(autoscaling.get("versions"), "version")).containsExactly("v2", "v1");

        JsonNode appsV1 = apis.get("items").get(0).get("versions").get(0);
        assertThat(appsV1.get("freshness").asString()).isEqualTo("Current");
        assertThat(names(appsV1.get("resources"), "resource")).containsExactly("controllerrevisions", "daemonsets",
                "deployments", "replicasets", "statefulsets");
        assertThat(compact(appsV1.get("resources").get(2))).isEqualTo(json("{'resource':'deployments',"
                + "'responseKind':{'group':'','version':'','kind':'Deployment'},'scope':'Namespaced',"
                + "'singularResource':'deployment','verbs':['create','delete','deletecollection','get','list','patch',"
                + "'update','watch'],'shortNames':['deploy'],'categories':['all'],'subresources':["
                + "{'subresource':'scale','responseKind':{'group':'autoscaling','version':'v1','kind':'Scale'},"
                + "'verbs':['get','patch','update']},"
                + "{'subresource':'status','responseKind':{'group':'','version':'','kind':'Deployment'},"
                + "'verbs':['get','patch','update']}]}"));
        assertThat(compact(appsV1.get("resources").get(0))).isEqualTo(json("{'resource':'controllerrevisions',"
                + "'responseKind':{'group':'','version':'','kind':'ControllerRevision'},'scope':'Namespaced',"
                + "'singularResource':'controllerrevision','verbs':['create','delete','deletecollection','get','list',"
                + "'patch','update','watch']}"));

        JsonNode crd = apis.get("items").get(12).get("versions").get(0).get("resources").get(0);
        assertThat(crd.get("scope").asString()).isEqualTo("Cluster");
        assertThat(crd.get("shortNames").toString()).isEqualTo(json("['crd','crds']"));
        assertThat(crd.get("categories").toString()).isEqualTo(json("['api-extensions']"));
    }

    @Test
    void aggregatedCoreIsOneNamelessGroup() {
        ObjectNode api = discovery.aggregatedCore(AggregatedDiscoveryVersion.V2);
        assertShape(api);
        assertThat(api.get("items")).hasSize(1);
        JsonNode core = api.get("items").get(0);
        assertThat(compact(core.get("metadata"))).isEqualTo(json("{'creationTimestamp':null}"));
        assertThat(names(core.get("versions"), "version")).containsExactly("v1");
        JsonNode pods = resource(core.get("versions").get(0), "pods");
        assertThat(compact(pods.get("responseKind"))).isEqualTo(json("{'group':'','version':'','kind':'Pod'}"));
        assertThat(pods.get("scope").asString()).isEqualTo("Namespaced");
        assertThat(pods.get("singularResource").asString()).isEqualTo("pod");
        assertThat(pods.get("shortNames").toString()).isEqualTo(json("['po']"));
        assertThat(pods.get("categories").toString()).isEqualTo(json("['all']"));
        assertThat(names(pods.get("subresources"), "subresource")).containsExactly("attach", "binding",
                "ephemeralcontainers", "eviction", "exec", "log", "portforward", "proxy", "resize", "status");
        assertThat(compact(pods.get("subresources").get(3))).isEqualTo(json("{'subresource':'eviction',"
                + "'responseKind':{'group':'policy','version':'v1','kind':'Eviction'},'verbs':['create']}"));
        assertThat(compact(pods.get("subresources").get(7))).isEqualTo(json("{'subresource':'proxy',"
                + "'responseKind':{'group':'','version':'','kind':'PodProxyOptions'},"
                + "'verbs':['create','delete','get','patch','update']}"));
        JsonNode nodes = resource(core.get("versions").get(0), "nodes");
        assertThat(nodes.get("scope").asString()).isEqualTo("Cluster");
    }

    @Test
    void theBetaFormatDiffersOnlyInItsApiVersion() {
        ObjectNode v2 = discovery.aggregatedGroups(AggregatedDiscoveryVersion.V2);
        ObjectNode beta = discovery.aggregatedGroups(AggregatedDiscoveryVersion.V2BETA1);
        assertThat(beta.get("apiVersion").asString()).isEqualTo("apidiscovery.k8s.io/v2beta1");
        beta.put("apiVersion", "apidiscovery.k8s.io/v2");
        assertThat(compact(beta)).isEqualTo(compact(v2));
    }

    @Test
    void picksTheAggregatedFormatFromWhatTheClientAccepts() {
        String kubectl130 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
                + "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
        String kubectl127 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
                + "application/json";
        String protobufFirst = "application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;"
                + "as=APIGroupDiscoveryList, application/json; as=APIGroupDiscoveryList; v=v2; g=apidiscovery.k8s.io";
        assertThat(AggregatedDiscoveryVersion.fromAccept(kubectl130)).contains(AggregatedDiscoveryVersion.V2);
        assertThat(AggregatedDiscoveryVersion.fromAccept(kubectl127)).contains(AggregatedDiscoveryVersion.V2BETA1);
        assertThat(AggregatedDiscoveryVersion.fromAccept(protobufFirst)).contains(AggregatedDiscoveryVersion.V2);
        assertThat(AggregatedDiscoveryVersion.fromAccept("application/json, */*")).isEmpty();
        assertThat(AggregatedDiscoveryVersion.fromAccept(
                "application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList")).isEmpty();
        assertThat(AggregatedDiscoveryVersion.fromAccept(null)).isEmpty();
        assertThat(AggregatedDiscoveryVersion.V2.mediaType())
                .isEqualTo("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    }

    /** Every object in an aggregated document has exactly the fields of apidiscovery/v2, in Go's order. */
    private static void assertShape(JsonNode list) {
        assertThat(fields(list)).containsExactly("kind", "apiVersion", "metadata", "items");
        for (JsonNode group : list.get("items")) {
            assertThat(fields(group)).containsExactly("metadata", "versions");
            for (JsonNode version : group.get("versions")) {
                assertThat(fields(version)).containsExactly("version", "resources", "freshness");
                for (JsonNode resource : version.get("resources")) {
                    List<String> fields = fields(resource);
                    assertThat(fields).startsWith("resource", "responseKind", "scope", "singularResource", "verbs");
                    assertThat(fields).isSubsetOf("resource", "responseKind", "scope", "singularResource", "verbs",
                            "shortNames", "categories", "subresources");
                    assertThat(fields(resource.get("responseKind"))).containsExactly("group", "version", "kind");
                    assertThat(resource.get("scope").asString()).isIn("Namespaced", "Cluster");
                    if (resource.has("subresources")) {
                        for (JsonNode subresource : resource.get("subresources")) {
                            assertThat(fields(subresource)).containsExactly("subresource", "responseKind", "verbs");
                            assertThat(fields(subresource.get("responseKind")))
                                    .containsExactly("group", "version", "kind");
                        }
                    }
                }
            }
        }
    }

    private static List<String> fields(JsonNode node) {
        return new ArrayList<>(node.propertyNames());
    }

    private static List<String> names(JsonNode array, String field) {
        return StreamSupport.stream(array.spliterator(), false).map(n -> n.get(field).asString()).toList();
    }

    private static JsonNode entry(ObjectNode resourceList, String name) {
        for (JsonNode entry : resourceList.get("resources")) {
            if (entry.get("name").asString().equals(name)) {
                return entry;
            }
        }
        throw new AssertionError("no " + name + " in " + resourceList.get("groupVersion"));
    }

    private static JsonNode resource(JsonNode version, String name) {
        for (JsonNode resource : version.get("resources")) {
            if (resource.get("resource").asString().equals(name)) {
                return resource;
            }
        }
        throw new AssertionError("no " + name);
    }

    private static String compact(JsonNode node) {
        return JSON.writeValueAsString(node);
    }

    /** JSON written with single quotes, to keep the expectations readable. */
    private static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }
}
