package io.kybern.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
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
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Protobuf request and response bodies through the API server, with the bytes built and read by the
 * classes protoc generated from Kubernetes' own .proto files, as a Go client's would be.
 */
class ApiServerProtobufTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PROTOBUF = "application/vnd.kubernetes.protobuf";
    private static final String CLIENT_ACCEPT = PROTOBUF + ", application/json";
    private static final String CONFIGMAPS = "/api/v1/namespaces/default/configmaps";
    private static final UserInfo ADMIN = new UserInfo("admin", List.of("system:masters"));

    private MemoryStore store;
    private ApiServer server;

    @BeforeEach
    void setUp() {
        BuiltInResources catalog = new BuiltInResources();
        ResourceType namespaces = catalog.byResource(new GroupVersionResource("", "v1", "namespaces")).orElseThrow();
        store = new MemoryStore();
        ObjectStorage storage = new ObjectStorage(store, InstantSource.fixed(Instant.parse("2026-11-22T10:00:00Z")),
                new Random(7), namespaces);
        storage.create(namespaces, "", ObjectStorage.parseObject("{\"metadata\":{\"name\":\"default\"}}"
                .getBytes(StandardCharsets.UTF_8)));
        server = new ApiServer(catalog, storage, (request, responder) -> false);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private record Answer(int status, String contentType, byte[] body) {
        JsonNode json() {
            return JSON.readTree(body);
        }

        <T> T message(com.google.protobuf.Parser<T> parser) {
            assertThat(contentType).isEqualTo(PROTOBUF);
            try {
                Runtime.Unknown unknown = Runtime.Unknown.parseFrom(Arrays.copyOfRange(body, 4, body.length));
                return parser.parseFrom(unknown.getRaw());
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        }
    }

    private Answer call(String method, String path, String contentType, byte[] body, String accept,
            Map<String, String> params) {
        Map<String, List<String>> query = new HashMap<>();
        params.forEach((k, v) -> query.put(k, List.of(v)));
        Map<String, List<String>> headers = new HashMap<>();
        if (accept != null) {
            headers.put("accept", List.of(accept));
        }
        if (contentType != null) {
            headers.put("content-type", List.of(contentType));
        }
        Answer[] answer = new Answer[1];
        server.handle(new ApiRequest(method, path, query, headers, body, ADMIN), new ApiResponder() {
            @Override
            public void header(String name, String value) {
                // Headers are not what these tests look at.
            }

            @Override
            public void respond(int status, String type, byte[] bytes) {
                answer[0] = new Answer(status, type, bytes);
            }

            @Override
            public ResponseStream stream(int status, String type) {
                throw new AssertionError("not a watch");
            }
        });
        return answer[0];
    }

    private Answer post(byte[] body, String accept, Map<String, String> params) {
        return call("POST", CONFIGMAPS, PROTOBUF, body, accept, params);
    }

    private static byte[] envelope(String apiVersion, String kind, Message object) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'k', '8', 's', 0});
        out.writeBytes(Runtime.Unknown.newBuilder()
                .setTypeMeta(Runtime.TypeMeta.newBuilder().setApiVersion(apiVersion).setKind(kind))
                .setRaw(object.toByteString()).setContentEncoding("").setContentType("").build().toByteArray());
        return out.toByteArray();
    }

    private static V1.ConfigMap configMap(String name) {
        // As Go writes it: every non-pointer field present, zero or not.
        return V1.ConfigMap.newBuilder()
                .setMetadata(Meta.ObjectMeta.newBuilder().setName(name).setGenerateName("").setNamespace("")
                        .setUid("").setResourceVersion("").setGeneration(0)
                        .setCreationTimestamp(Meta.Time.newBuilder().setSeconds(0).setNanos(0)))
                .putData("mode", "fast")
                .build();
    }

    private void assertNotStored(String name) {
        assertThatThrownBy(() -> call("GET", CONFIGMAPS + "/" + name, null, new byte[0], null, Map.of()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(404));
    }

    @Test
    void aProtobufCreateIsStoredAndAnsweredInProtobuf() {
        Answer created = post(envelope("v1", "ConfigMap", configMap("settings")), CLIENT_ACCEPT,
                Map.of("fieldValidation", "Strict"));

        assertThat(created.status()).isEqualTo(201);
        V1.ConfigMap answered = created.message(V1.ConfigMap.parser());
        assertThat(answered.getMetadata().getName()).isEqualTo("settings");
        assertThat(answered.getMetadata().getUid()).isNotEmpty();
        assertThat(answered.getMetadata().getCreationTimestamp().getSeconds()).isPositive();
        assertThat(answered.getDataMap()).containsEntry("mode", "fast");

        JsonNode stored = call("GET", CONFIGMAPS + "/settings", null, new byte[0], "application/json", Map.of())
                .json();
        assertThat(stored.get("data").toString()).isEqualTo("{\"mode\":\"fast\"}");
        assertThat(stored.get("metadata").has("generateName")).isFalse();
        assertThat(stored.get("metadata").get("namespace").asString()).isEqualTo("default");
    }

    @Test
    void listsAreAnsweredInProtobuf() {
        post(envelope("v1", "ConfigMap", configMap("a")), CLIENT_ACCEPT, Map.of());
        post(envelope("v1", "ConfigMap", configMap("b")), CLIENT_ACCEPT, Map.of());

        V1.ConfigMapList list = call("GET", CONFIGMAPS, null, new byte[0], CLIENT_ACCEPT, Map.of())
                .message(V1.ConfigMapList.parser());

        assertThat(list.getItemsList()).extracting(c -> c.getMetadata().getName()).containsExactly("a", "b");
        assertThat(list.getMetadata().getResourceVersion()).isNotEmpty();
    }

    @Test
    void anUnknownFieldIsRefusedWithItsPathAndNothingIsStored() {
        V1.ConfigMap withUnknown = configMap("strange").toBuilder()
                .setMetadata(configMap("strange").getMetadata().toBuilder().setUnknownFields(UnknownFieldSet
                        .newBuilder().addField(99, UnknownFieldSet.Field.newBuilder().addVarint(5).build()).build()))
                .build();

        for (Map<String, String> params : List.of(Map.<String, String>of(), Map.of("fieldValidation", "Strict"),
                Map.of("fieldValidation", "Warn"))) {
            Answer refused = post(envelope("v1", "ConfigMap", withUnknown), CLIENT_ACCEPT, params);
            assertThat(refused.status()).isEqualTo(400);
            Meta.Status status = refused.message(Meta.Status.parser());
            assertThat(status.getReason()).isEqualTo("BadRequest");
            assertThat(status.getMessage()).contains("metadata: field 99");
            assertNotStored("strange");
        }

        Answer ignored = post(envelope("v1", "ConfigMap", withUnknown), CLIENT_ACCEPT,
                Map.of("fieldValidation", "Ignore"));
        assertThat(ignored.status()).isEqualTo(201);
    }

    @Test
    void malformedBodiesAreBadRequestsAndNothingIsStored() {
        byte[] good = envelope("v1", "ConfigMap", configMap("broken"));
        byte[] wrongMagic = good.clone();
        wrongMagic[1] = '9';
        List<byte[]> bodies = List.of(Arrays.copyOf(good, good.length - 5), wrongMagic,
                envelope("v1", "Secret", V1.Secret.newBuilder().setMetadata(Meta.ObjectMeta.newBuilder()
                        .setName("broken")).build()),
                envelope("v1", "ConfigMap", ByteString.copyFrom(new byte[] {0x0a, 0x7f, 0x01})));
        for (byte[] body : bodies) {
            Answer refused = post(body, CLIENT_ACCEPT, Map.of());
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.message(Meta.Status.parser()).getCode()).isEqualTo(400);
            assertNotStored("broken");
        }
    }

    @Test
    void anExpiredContinueIsAProtobufStatusCarryingTheOnwardToken() {
        for (String name : List.of("a", "b")) {
            assertThat(post(envelope("v1", "ConfigMap", configMap(name)), CLIENT_ACCEPT, Map.of()).status())
                    .isEqualTo(201);
        }
        String token = call("GET", CONFIGMAPS, null, new byte[0], "application/json", Map.of("limit", "1")).json()
                .get("metadata").get("continue").asString();
        post(envelope("v1", "ConfigMap", configMap("c")), CLIENT_ACCEPT, Map.of());
        store.compact(store.currentRevision());

        Answer gone = call("GET", CONFIGMAPS, null, new byte[0], CLIENT_ACCEPT, Map.of("limit", "1", "continue", token));

        assertThat(gone.status()).isEqualTo(410);
        Meta.Status status = gone.message(Meta.Status.parser());
        assertThat(status.getReason()).isEqualTo("Expired");
        assertThat(status.getMetadata().getContinue()).isNotEmpty().isNotEqualTo(token);
    }

    @Test
    void jsonClientsGetJsonErrorsForProtobufBodies() {
        assertThatThrownBy(() -> post(new byte[] {1, 2, 3}, "application/json", Map.of()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
    }

    @Test
    void anObjectProtobufCannotCarryWholeIsAnsweredInJson() {
        // Field validation keeps such fields out of the API, so the object is planted in the store, as
        // one written by an older release could be.
        store.create("/registry/configmaps/default/odd", ("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
                + "\"metadata\":{\"name\":\"odd\",\"namespace\":\"default\",\"uid\":\"u1\"},\"surprise\":1}")
                .getBytes(StandardCharsets.UTF_8));

        Answer answer = call("GET", CONFIGMAPS + "/odd", null, new byte[0], CLIENT_ACCEPT, Map.of());
        assertThat(answer.contentType()).isEqualTo("application/json");
        assertThat(answer.json().get("surprise").asInt()).isEqualTo(1);

        Answer refused = call("GET", CONFIGMAPS + "/odd", null, new byte[0], PROTOBUF, Map.of());
        assertThat(refused.status()).isEqualTo(406);
        assertThat(refused.message(Meta.Status.parser()).getMessage()).contains("surprise");
    }

    @Test
    void writesWithAnAcceptHeaderNamingNothingServableStillAnswerJson() {
        Answer created = call("POST", CONFIGMAPS, "application/json", "{\"metadata\":{\"name\":\"plain\"}}"
                .getBytes(StandardCharsets.UTF_8), "application/yaml", Map.of());
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.contentType()).isEqualTo("application/json");
    }

    @Test
    void errorsAreProtobufStatusesForProtobufClients() {
        Answer missing = call("GET", CONFIGMAPS + "/none", null, new byte[0], CLIENT_ACCEPT, Map.of());
        assertThat(missing.status()).isEqualTo(404);
        Meta.Status status = missing.message(Meta.Status.parser());
        assertThat(status.getReason()).isEqualTo("NotFound");
        assertThat(status.getDetails().getName()).isEqualTo("none");
    }

    @Test
    void updatesAcceptProtobuf() {
        post(envelope("v1", "ConfigMap", configMap("settings")), CLIENT_ACCEPT, Map.of());
        V1.ConfigMap current = call("GET", CONFIGMAPS + "/settings", null, new byte[0], CLIENT_ACCEPT, Map.of())
                .message(V1.ConfigMap.parser());
        V1.ConfigMap changed = current.toBuilder().putData("mode", "slow").build();

        Answer updated = call("PUT", CONFIGMAPS + "/settings", PROTOBUF, envelope("v1", "ConfigMap", changed),
                CLIENT_ACCEPT, Map.of());

        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.message(V1.ConfigMap.parser()).getDataMap()).containsEntry("mode", "slow");
    }

    @Test
    void protobufDeleteOptionsAreRead() {
        post(envelope("v1", "ConfigMap", configMap("kept")), CLIENT_ACCEPT, Map.of());
        Meta.DeleteOptions dryRun = Meta.DeleteOptions.newBuilder().addDryRun("All").build();

        Answer answer = call("DELETE", CONFIGMAPS + "/kept", PROTOBUF, envelope("v1", "DeleteOptions", dryRun),
                CLIENT_ACCEPT, Map.of());

        assertThat(answer.status()).isEqualTo(200);
        assertThat(call("GET", CONFIGMAPS + "/kept", null, new byte[0], CLIENT_ACCEPT, Map.of()).status())
                .isEqualTo(200);
    }

    @Test
    void watchesStreamLengthPrefixedWatchEvents() throws Exception {
        post(envelope("v1", "ConfigMap", configMap("watched")), CLIENT_ACCEPT, Map.of());
        List<byte[]> frames = new ArrayList<>();
        String[] streamType = new String[1];
        server.handle(new ApiRequest("GET", CONFIGMAPS, Map.of("watch", List.of("true"), "timeoutSeconds",
                List.of("1")), Map.of("accept", List.of(CLIENT_ACCEPT)), new byte[0], ADMIN), new ApiResponder() {
                    @Override
                    public void header(String name, String value) {
                        // Headers are not what these tests look at.
                    }

                    @Override
                    public void respond(int status, String type, byte[] bytes) {
                        throw new AssertionError("a watch streams");
                    }

                    @Override
                    public ResponseStream stream(int status, String type) {
                        streamType[0] = type;
                        return new ResponseStream() {
                            @Override
                            public boolean write(byte[] piece) {
                                frames.add(piece);
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

        assertThat(streamType[0]).isEqualTo(PROTOBUF + ";stream=watch");
        assertThat(frames).hasSize(1);
        byte[] frame = frames.getFirst();
        assertThat(ByteBuffer.wrap(frame).getInt()).isEqualTo(frame.length - 4);
        Meta.WatchEvent event = Meta.WatchEvent.parseFrom(Arrays.copyOfRange(frame, 4, frame.length));
        assertThat(event.getType()).isEqualTo("ADDED");
        byte[] inner = event.getObject().getRaw().toByteArray();
        Runtime.Unknown unknown = Runtime.Unknown.parseFrom(Arrays.copyOfRange(inner, 4, inner.length));
        assertThat(unknown.getTypeMeta().getKind()).isEqualTo("ConfigMap");
        assertThat(V1.ConfigMap.parseFrom(unknown.getRaw()).getMetadata().getName()).isEqualTo("watched");
    }

    private static byte[] envelope(String apiVersion, String kind, ByteString raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'k', '8', 's', 0});
        out.writeBytes(Runtime.Unknown.newBuilder()
                .setTypeMeta(Runtime.TypeMeta.newBuilder().setApiVersion(apiVersion).setKind(kind))
                .setRaw(raw).build().toByteArray());
        return out.toByteArray();
    }
}
