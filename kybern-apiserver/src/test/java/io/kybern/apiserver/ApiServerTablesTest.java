package io.kybern.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kybern.api.resource.BuiltInResources;
import io.kybern.api.resource.GroupVersionResource;
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
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Get, list and watch answered as Tables, or as metadata only, when the Accept header asks for them. */
class ApiServerTablesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String KUBECTL_GET = "application/json;as=Table;v=v1;g=meta.k8s.io,"
            + "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
    private static final Instant CREATED = Instant.parse("2026-11-22T10:00:00Z");
    private static final UserInfo ADMIN = new UserInfo("admin", List.of("system:masters"));

    private MemoryStore store;
    private ApiServer server;

    @BeforeEach
    void setUp() {
        BuiltInResources catalog = new BuiltInResources();
        ResourceType namespaces = catalog.byResource(new GroupVersionResource("", "v1", "namespaces")).orElseThrow();
        ResourceType configMaps = catalog.byResource(new GroupVersionResource("", "v1", "configmaps")).orElseThrow();
        store = new MemoryStore();
        ObjectStorage storage = new ObjectStorage(store, InstantSource.fixed(CREATED), new Random(7), namespaces);
        storage.create(namespaces, "", ObjectStorage.parseObject("{\"metadata\":{\"name\":\"default\"}}"
                .getBytes(StandardCharsets.UTF_8)));
        storage.create(configMaps, "default", ObjectStorage.parseObject(("{\"metadata\":{\"name\":\"settings\"},"
                + "\"data\":{\"a\":\"1\",\"b\":\"2\"}}").getBytes(StandardCharsets.UTF_8)));
        // Ages are measured five minutes after creation.
        server = new ApiServer(catalog, storage, (request, responder) -> false,
                InstantSource.fixed(CREATED.plusSeconds(300)));
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private record Answer(int status, String contentType, JsonNode body) {
    }

    private Answer get(String path, String accept, Map<String, String> params) {
        Map<String, List<String>> query = new HashMap<>();
        params.forEach((k, v) -> query.put(k, List.of(v)));
        Map<String, List<String>> headers = accept == null ? Map.of() : Map.of("accept", List.of(accept));
        Answer[] answer = new Answer[1];
        server.handle(new ApiRequest("GET", path, query, headers, new byte[0], ADMIN), new ApiResponder() {
            @Override
            public void header(String name, String value) {
                // Headers are not what these tests look at.
            }

            @Override
            public void respond(int status, String contentType, byte[] body) {
                answer[0] = new Answer(status, contentType, JSON.readTree(body));
            }

            @Override
            public ResponseStream stream(int status, String contentType) {
                throw new AssertionError("not a watch");
            }
        });
        return answer[0];
    }

    @Test
    void aListAskedAsTableIsATableOfRowsWithMetadata() {
        Answer answer = get("/api/v1/namespaces/default/configmaps", KUBECTL_GET, Map.of());

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.contentType()).isEqualTo("application/json");
        JsonNode table = answer.body();
        assertThat(table.get("kind").asString()).isEqualTo("Table");
        assertThat(table.get("apiVersion").asString()).isEqualTo("meta.k8s.io/v1");
        assertThat(table.get("metadata").get("resourceVersion").asString()).isNotEmpty();
        assertThat(table.get("columnDefinitions").findValuesAsString("name")).containsExactly("Name", "Data", "Age");
        JsonNode row = table.get("rows").get(0);
        assertThat(row.get("cells").toString()).isEqualTo("[\"settings\",2,\"5m\"]");
        assertThat(row.get("object").get("kind").asString()).isEqualTo("PartialObjectMetadata");
        assertThat(row.get("object").get("metadata").get("namespace").asString()).isEqualTo("default");
        assertThat(row.get("object").has("data")).isFalse();
    }

    @Test
    void metadataOnlyClientsGetPartialObjectMetadata() {
        String metadataClient = "application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,"
                + "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";

        JsonNode list = get("/api/v1/namespaces/default/configmaps", metadataClient, Map.of()).body();
        JsonNode one = get("/api/v1/namespaces/default/configmaps/settings",
                "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1", Map.of()).body();

        assertThat(list.get("kind").asString()).isEqualTo("PartialObjectMetadataList");
        assertThat(list.get("apiVersion").asString()).isEqualTo("meta.k8s.io/v1");
        assertThat(list.at("/metadata/resourceVersion").asString()).isNotEmpty();
        assertThat(list.at("/items/0/kind").asString()).isEqualTo("PartialObjectMetadata");
        assertThat(list.at("/items/0/metadata/name").asString()).isEqualTo("settings");
        assertThat(list.at("/items/0").has("data")).isFalse();
        assertThat(one.get("kind").asString()).isEqualTo("PartialObjectMetadata");
        assertThat(one.at("/metadata/uid").asString()).hasSize(36);
        assertThat(one.has("data")).isFalse();
    }

    @Test
    void includeObjectChoosesWhatRowsCarry() {
        JsonNode whole = get("/api/v1/namespaces/default/configmaps", KUBECTL_GET, Map.of("includeObject", "Object"))
                .body().get("rows").get(0).get("object");
        assertThat(whole.get("kind").asString()).isEqualTo("ConfigMap");
        assertThat(whole.get("apiVersion").asString()).isEqualTo("v1");
        assertThat(whole.get("data").get("b").asString()).isEqualTo("2");

        JsonNode none = get("/api/v1/namespaces/default/configmaps", KUBECTL_GET, Map.of("includeObject", "None"))
                .body().get("rows").get(0);
        assertThat(none.has("object")).isFalse();

        assertThatThrownBy(() -> get("/api/v1/namespaces/default/configmaps", KUBECTL_GET,
                Map.of("includeObject", "All"))).isInstanceOfSatisfying(ApiException.class,
                        e -> assertThat(e.code()).isEqualTo(400));
    }

    @Test
    void oneObjectAskedAsTableIsAOneRowTableAtItsVersion() {
        JsonNode table = get("/api/v1/namespaces/default", "application/json;as=Table;v=v1beta1;g=meta.k8s.io",
                Map.of()).body();

        assertThat(table.get("apiVersion").asString()).isEqualTo("meta.k8s.io/v1beta1");
        assertThat(table.get("rows")).hasSize(1);
        assertThat(table.get("rows").get(0).get("cells").toString()).isEqualTo("[\"default\",\"Active\",\"5m\"]");
    }

    @Test
    void plainJsonStillAnswersObjects() {
        assertThat(get("/api/v1/namespaces/default/configmaps", null, Map.of()).body().get("kind").asString())
                .isEqualTo("ConfigMapList");
        assertThat(get("/api/v1/namespaces/default/configmaps/settings",
                "application/yaml,application/json", Map.of()).body().get("kind").asString())
                .isEqualTo("ConfigMap");
    }

    @Test
    void onlyUnservableMediaTypesAreNotAcceptable() {
        assertThatThrownBy(() -> get("/api/v1/namespaces/default/configmaps", "application/yaml",
                Map.of())).isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(406);
                    assertThat(e.reason()).isEqualTo("NotAcceptable");
                });
    }

    @Test
    void aWatchAskedAsTableSendsOneRowTablesWithColumnsOnlyFirst() {
        ResourceType configMaps = new BuiltInResources().byResource(new GroupVersionResource("", "v1",
                "configmaps")).orElseThrow();
        assertThat(configMaps.verbs()).contains("watch");
        List<String> lines = new ArrayList<>();
        Map<String, List<String>> query = Map.of("watch", List.of("true"), "timeoutSeconds", List.of("1"));
        server.handle(new ApiRequest("GET", "/api/v1/namespaces/default/configmaps", query,
                Map.of("accept", List.of(KUBECTL_GET)), new byte[0], ADMIN), new ApiResponder() {
                    @Override
                    public void header(String name, String value) {
                        // Headers are not what these tests look at.
                    }

                    @Override
                    public void respond(int status, String contentType, byte[] body) {
                        throw new AssertionError("a watch streams");
                    }

                    @Override
                    public ResponseStream stream(int status, String contentType) {
                        assertThat(contentType).isEqualTo("application/json");
                        return new ResponseStream() {
                            @Override
                            public boolean write(byte[] piece) {
                                lines.add(new String(piece, StandardCharsets.UTF_8));
                                if (lines.size() == 1) {
                                    // A second object, to see a later event's table.
                                    createConfigMap("later");
                                }
                                return true;
                            }

                            @Override
                            public boolean isOpen() {
                                return true;
                            }

                            @Override
                            public void close() {
                            }
                        };
                    }
                });

        assertThat(lines).hasSize(2);
        JsonNode first = JSON.readTree(lines.get(0));
        JsonNode second = JSON.readTree(lines.get(1));
        assertThat(first.get("type").asString()).isEqualTo("ADDED");
        assertThat(first.get("object").get("kind").asString()).isEqualTo("Table");
        assertThat(first.get("object").get("columnDefinitions")).hasSize(3);
        assertThat(first.get("object").get("rows").get(0).get("cells").get(0).asString()).isEqualTo("settings");
        assertThat(second.get("type").asString()).isEqualTo("ADDED");
        assertThat(second.get("object").get("columnDefinitions").isNull()).isTrue();
        assertThat(second.get("object").get("rows").get(0).get("cells").toString())
                .isEqualTo("[\"later\",0,\"5m\"]");
    }

    private void createConfigMap(String name) {
        Map<String, List<String>> none = Map.of();
        server.handle(new ApiRequest("POST", "/api/v1/namespaces/default/configmaps", none,
                Map.of("content-type", List.of("application/json")),
                ("{\"metadata\":{\"name\":\"" + name + "\"}}").getBytes(StandardCharsets.UTF_8), ADMIN),
                new ApiResponder() {
                    @Override
                    public void header(String name, String value) {
                        // Headers are not what these tests look at.
                    }

                    @Override
                    public void respond(int status, String contentType, byte[] body) {
                        assertThat(status).isEqualTo(201);
                    }

                    @Override
                    public ResponseStream stream(int status, String contentType) {
                        throw new AssertionError();
                    }
                });
    }
}
