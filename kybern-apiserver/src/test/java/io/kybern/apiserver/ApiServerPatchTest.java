package io.kybern.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kybern.api.resource.BuiltInResources;
import io.kybern.api.resource.GroupVersion;
import io.kybern.api.resource.GroupVersionKind;
import io.kybern.api.resource.GroupVersionResource;
import io.kybern.api.resource.ResourceCatalog;
import io.kybern.api.resource.ResourceType;
import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.http.ApiResponder;
import io.kybern.apiserver.http.ResponseStream;
import io.kybern.apiserver.http.UserInfo;
import io.kybern.apiserver.registry.ObjectStorage;
import io.kybern.apiserver.status.ApiException;
import io.kybern.store.memory.MemoryStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Patches of every type, server-side apply and managedFields through the API server's routing. */
class ApiServerPatchTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Instant NOW = Instant.parse("2026-11-23T01:00:00Z");
    private static final UserInfo ADMIN = new UserInfo("admin", List.of("system:masters"));
    private static final String DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments";
    private static final String SMP = "application/strategic-merge-patch+json";
    private static final String APPLY = "application/apply-patch+yaml";

    /** A custom resource, which Kubernetes will not strategic-merge-patch. */
    private static final ResourceType WIDGETS = new ResourceType(new GroupVersionResource("example.com", "v1",
            "widgets"), "Widget", "widget", true, Set.of("get", "list", "create", "update", "patch", "delete"),
            List.of(), List.of(), List.of(), "example.com/widgets");

    private MemoryStore store;
    private ApiServer server;

    @BeforeEach
    void setUp() {
        BuiltInResources builtIn = new BuiltInResources();
        ResourceCatalog catalog = new ResourceCatalog() {
            @Override
            public List<ResourceType> all() {
                List<ResourceType> all = new ArrayList<>(builtIn.all());
                all.add(WIDGETS);
                return all;
            }

            @Override
            public Optional<ResourceType> byResource(GroupVersionResource gvr) {
                return gvr.equals(WIDGETS.gvr()) ? Optional.of(WIDGETS) : builtIn.byResource(gvr);
            }

            @Override
            public Optional<ResourceType> byKind(GroupVersionKind gvk) {
                return builtIn.byKind(gvk);
            }

            @Override
            public List<GroupVersion> groupVersions() {
                return builtIn.groupVersions();
            }
        };
        ResourceType namespaces = builtIn.byResource(new GroupVersionResource("", "v1", "namespaces")).orElseThrow();
        store = new MemoryStore();
        ObjectStorage storage = new ObjectStorage(store, InstantSource.fixed(NOW), new Random(7), namespaces);
        storage.create(namespaces, "", ObjectStorage.parseObject("{\"metadata\":{\"name\":\"default\"}}"
                .getBytes(StandardCharsets.UTF_8)));
        server = new ApiServer(catalog, storage, (request, responder) -> false, InstantSource.fixed(NOW));
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private JsonNode call(String method, String path, String contentType, String body, Map<String, String> params) {
        Map<String, List<String>> query = new HashMap<>();
        params.forEach((k, v) -> query.put(k, List.of(v)));
        Map<String, List<String>> headers = new HashMap<>();
        headers.put("user-agent", List.of("kubectl/v1.33.0 (linux/amd64) kubernetes/abc"));
        if (contentType != null) {
            headers.put("content-type", List.of(contentType));
        }
        JsonNode[] answer = new JsonNode[1];
        byte[] bytes = body == null ? new byte[0] : body.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
        server.handle(new ApiRequest(method, path, query, headers, bytes, ADMIN), new ApiResponder() {
            @Override
            public void header(String name, String value) {
                // Headers are not what these tests look at.
            }

            @Override
            public void respond(int status, String type, byte[] content) {
                answer[0] = JSON.readTree(content);
            }

            @Override
            public ResponseStream stream(int status, String type) {
                throw new AssertionError("not a watch");
            }
        });
        return answer[0];
    }

    private static final String WEB = "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web',"
            + "'labels':{'app':'web'}},'spec':{'replicas':1,'selector':{'matchLabels':{'app':'web'}},"
            + "'template':{'metadata':{'labels':{'app':'web'}},'spec':{'containers':[{'name':'nginx',"
            + "'image':'nginx'}]}}}}";

    @Test
    void strategicMergePatchMergesContainersByName() {
        call("POST", DEPLOYMENTS, "application/json", WEB, Map.of("fieldManager", "kubectl-create"));

        JsonNode patched = call("PATCH", DEPLOYMENTS + "/web", SMP, "{'spec':{'template':{'spec':{'containers':"
                + "[{'name':'sidecar','image':'redis'}]}}}}", Map.of("fieldManager", "kubectl-patch"));

        assertThat(patched.at("/spec/template/spec/containers").findValuesAsString("name"))
                .containsExactly("sidecar", "nginx");
        assertThat(patched.at("/metadata/managedFields").findValuesAsString("manager"))
                .containsExactly("kubectl-create", "kubectl-patch");
    }

    @Test
    void aCreateWithoutFieldManagerIsManagedUnderTheUserAgentsName() {
        JsonNode created = call("POST", DEPLOYMENTS, "application/json", WEB, Map.of());

        assertThat(created.at("/metadata/managedFields/0/manager").asString()).isEqualTo("kubectl");
        assertThat(created.at("/metadata/managedFields/0/operation").asString()).isEqualTo("Update");
        assertThat(created.at("/metadata/managedFields/0/time").asString()).isEqualTo("2026-11-23T01:00:00Z");
    }

    @Test
    void aMalformedStrategicPatchIsABadRequest() {
        call("POST", DEPLOYMENTS, "application/json", WEB, Map.of());

        assertThatThrownBy(() -> call("PATCH", DEPLOYMENTS + "/web", SMP, "{'spec':{'template':{'spec':{"
                + "'containers':[{'$patch':'delete'}]}}}}", Map.of()))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(400);
                    assertThat(e.reason()).isEqualTo("BadRequest");
                    assertThat(e.getMessage()).contains("does not contain declared merge key: name");
                });
        assertThatThrownBy(() -> call("PATCH", DEPLOYMENTS + "/web", SMP, "{not json", Map.of()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
    }

    @Test
    void customResourcesRefuseStrategicMergePatch() {
        assertThatThrownBy(() -> call("PATCH", "/apis/example.com/v1/namespaces/default/widgets/w", SMP, "{}",
                Map.of())).isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(415);
                    assertThat(e.reason()).isEqualTo("UnsupportedMediaType");
                    assertThat(e.getMessage()).doesNotContain("strategic");
                });
    }

    @Test
    void applyCreatesThenConflictsThenForces() {
        JsonNode created = call("PATCH", DEPLOYMENTS + "/web", APPLY, WEB, Map.of("fieldManager", "kubectl"));
        assertThat(created.at("/metadata/managedFields/0/operation").asString()).isEqualTo("Apply");
        assertThat(created.at("/metadata/uid").asString()).isNotEmpty();

        String other = WEB.replace("'replicas':1", "'replicas':3");
        assertThatThrownBy(() -> call("PATCH", DEPLOYMENTS + "/web", APPLY, other, Map.of("fieldManager", "ci")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(409);
                    assertThat(e.reason()).isEqualTo("Conflict");
                    assertThat(e.getMessage()).isEqualTo("Apply failed with 1 conflict: conflict with \"kubectl\":"
                            + " .spec.replicas");
                    assertThat(e.details().causes()).containsExactly(new ApiException.Cause("FieldManagerConflict",
                            "conflict with \"kubectl\"", ".spec.replicas"));
                });

        JsonNode forced = call("PATCH", DEPLOYMENTS + "/web", APPLY, other, Map.of("fieldManager", "ci",
                "force", "true"));
        assertThat(forced.at("/spec/replicas").asInt()).isEqualTo(3);
    }

    @Test
    void applyNeedsAFieldManager() {
        assertThatThrownBy(() -> call("PATCH", DEPLOYMENTS + "/web", APPLY, WEB, Map.of()))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(422);
                    assertThat(e.getMessage()).contains("fieldManager: Required value");
                });
    }

    @Test
    void anUpdateTakesOwnershipOfWhatItChanged() {
        call("PATCH", DEPLOYMENTS + "/web", APPLY, WEB, Map.of("fieldManager", "kubectl"));
        JsonNode current = call("GET", DEPLOYMENTS + "/web", null, null, Map.of());
        String edited = current.toString().replace("\"replicas\":1", "\"replicas\":2");

        JsonNode updated = call("PUT", DEPLOYMENTS + "/web", "application/json", edited,
                Map.of("fieldManager", "kubectl-edit"));

        assertThat(updated.at("/metadata/managedFields").findValuesAsString("manager"))
                .containsExactly("kubectl", "kubectl-edit");
        assertThat(updated.at("/metadata/managedFields/1/fieldsV1").toString())
                .isEqualTo("{\"f:spec\":{\"f:replicas\":{}}}");
        assertThatThrownBy(() -> call("PATCH", DEPLOYMENTS + "/web", APPLY, WEB, Map.of("fieldManager", "kubectl")))
                .hasMessage("Apply failed with 1 conflict: conflict with \"kubectl-edit\" using apps/v1: "
                        + ".spec.replicas");
    }

    @Test
    void forceIsOnlyForApply() {
        call("POST", DEPLOYMENTS, "application/json", WEB, Map.of());

        assertThatThrownBy(() -> call("PATCH", DEPLOYMENTS + "/web", SMP, "{}", Map.of("force", "true")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(422));
    }

    @Test
    void statusWritesAreRecordedAsUpdatesOfTheStatusSubresource() {
        call("PATCH", DEPLOYMENTS + "/web", APPLY, WEB, Map.of("fieldManager", "kubectl"));
        JsonNode current = call("GET", DEPLOYMENTS + "/web", null, null, Map.of());
        String withStatus = current.toString().replaceFirst("\\}$", ",\"status\":{\"replicas\":1}}");

        call("PUT", DEPLOYMENTS + "/web/status", "application/json", withStatus,
                Map.of("fieldManager", "kube-controller-manager"));
        JsonNode patched = call("PATCH", DEPLOYMENTS + "/web/status", "application/merge-patch+json",
                "{'status':{'readyReplicas':1}}", Map.of("fieldManager", "kube-controller-manager"));

        JsonNode entry = patched.at("/metadata/managedFields/1");
        assertThat(entry.path("manager").asString()).isEqualTo("kube-controller-manager");
        assertThat(entry.path("subresource").asString()).isEqualTo("status");
        assertThat(entry.path("fieldsV1").toString())
                .isEqualTo("{\"f:status\":{\"f:readyReplicas\":{},\"f:replicas\":{}}}");
        assertThat(patched.at("/metadata/managedFields/0/manager").asString()).isEqualTo("kubectl");
        assertThat(patched.at("/metadata/managedFields").size()).isEqualTo(2);
    }

    @Test
    void applyThroughTheStatusSubresourceOwnsOnlyStatus() {
        call("PATCH", DEPLOYMENTS + "/web", APPLY, WEB, Map.of("fieldManager", "kubectl"));
        String status = "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},"
                + "'spec':{'replicas':9},'status':{'replicas':1,'conditions':[{'type':'Available','status':'True'}]}}";

        JsonNode applied = call("PATCH", DEPLOYMENTS + "/web/status", APPLY, status,
                Map.of("fieldManager", "controller"));

        assertThat(applied.at("/spec/replicas").asInt()).as("only status moves").isEqualTo(1);
        assertThat(applied.at("/status/conditions/0/type").asString()).isEqualTo("Available");
        JsonNode entry = applied.at("/metadata/managedFields/1");
        assertThat(entry.path("operation").asString()).isEqualTo("Apply");
        assertThat(entry.path("subresource").asString()).isEqualTo("status");
        assertThat(entry.path("fieldsV1").toString()).isEqualTo("{\"f:status\":{\"f:conditions\":{"
                + "\"k:{\\\"type\\\":\\\"Available\\\"}\":{\".\":{},\"f:status\":{},\"f:type\":{}}},"
                + "\"f:replicas\":{}}}");

        assertThatThrownBy(() -> call("PATCH", DEPLOYMENTS + "/web/status", APPLY, status.replace("'replicas':1",
                "'replicas':2"), Map.of("fieldManager", "other")))
                .hasMessage("Apply failed with 1 conflict: conflict with \"controller\": .status.replicas");
    }
}
