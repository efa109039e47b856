package io.kybern.apiserver.crd;

import io.kybern.api.resource.BuiltInResources;
import io.kybern.api.resource.GroupVersionResource;
import io.kybern.api.resource.ResourceType;
import io.kybern.api.openapi.OpenApiDocuments;
import io.kybern.api.schema.Schemas;
import io.kybern.apiserver.ApiServer;
import io.kybern.apiserver.OpenApiEndpoints;
import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.http.ApiResponder;
import io.kybern.apiserver.http.ResponseStream;
import io.kybern.apiserver.http.UserInfo;
import io.kybern.apiserver.registry.ObjectStorage;
import io.kybern.apiserver.status.ApiException;
import io.kybern.apiserver.status.StatusDocuments;
import io.kybern.store.memory.MemoryStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.MissingNode;

/**
 * An API server over a memory store with custom resources wired as the running server wires them (the
 * dynamic catalog, the schema rules, the definition strategy and controller), answering requests in
 * process. For tests of definitions and their objects.
 */
final class ServedDefinitions implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final UserInfo ADMIN = new UserInfo("admin", List.of("system:masters"));

    record Answer(int status, Map<String, List<String>> headers, JsonNode body, String contentType, byte[] bytes) {
        Answer(int status, Map<String, List<String>> headers, JsonNode body) {
            this(status, headers, body, "application/json", new byte[0]);
        }

        String header(String name) {
            return headers.getOrDefault(name, List.of()).stream().findFirst().orElse(null);
        }

        String message() {
            return body.path("message").asString("");
        }

        List<String> causes() {
            List<String> causes = new ArrayList<>();
            body.path("details").path("causes").forEach(c -> causes.add(c.path("field").asString("") + ": "
                    + c.path("message").asString("")));
            return causes;
        }
    }

    final MemoryStore store = new MemoryStore();
    final CustomResourceCatalog catalog = new CustomResourceCatalog(new BuiltInResources());
    final ObjectStorage storage;
    private final DefinitionController controller;
    private final ApiServer server;

    ServedDefinitions() {
        ResourceType namespaces = catalog.byResource(new GroupVersionResource("", "v1", "namespaces")).orElseThrow();
        storage = new ObjectStorage(store, InstantSource.system(), new Random(3), namespaces);
        storage.create(namespaces, "", ObjectStorage.parseObject("{\"metadata\":{\"name\":\"default\"}}"
                .getBytes(StandardCharsets.UTF_8)));
        storage.rules(new CustomResources(catalog));
        storage.hooks("apiextensions.k8s.io", "customresourcedefinitions", new DefinitionWrites());
        controller = new DefinitionController(storage, catalog.byResource(new GroupVersionResource(
                "apiextensions.k8s.io", "v1", "customresourcedefinitions")).orElseThrow(), catalog,
                InstantSource.system());
        controller.start();
        OpenApiEndpoints openApi = new OpenApiEndpoints(new OpenApiDocuments(catalog, Schemas.builtIn(),
                new CustomResourceSchemas(catalog)));
        catalog.onChange(openApi::invalidate);
        server = new ApiServer(catalog, storage, openApi);
    }

    Answer call(String method, String path, String contentType, String body, Map<String, String> params) {
        return call(method, path, contentType, body, params, Map.of());
    }

    Answer call(String method, String path, String contentType, String body, Map<String, String> params,
            Map<String, String> extraHeaders) {
        Map<String, List<String>> query = new HashMap<>();
        params.forEach((k, v) -> query.put(k, List.of(v)));
        Map<String, List<String>> headers = new HashMap<>();
        if (contentType != null) {
            headers.put("content-type", List.of(contentType));
        }
        extraHeaders.forEach((k, v) -> headers.put(k, List.of(v)));
        Map<String, List<String>> responseHeaders = new HashMap<>();
        Answer[] answer = new Answer[1];
        ApiResponder responder = new ApiResponder() {
            @Override
            public void header(String name, String value) {
                responseHeaders.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            }

            @Override
            public void respond(int status, String type, byte[] bytes) {
                boolean json = type.startsWith("application/json");
                answer[0] = new Answer(status, responseHeaders,
                        bytes.length == 0 || !json ? MissingNode.getInstance() : JSON.readTree(bytes), type, bytes);
            }

            @Override
            public ResponseStream stream(int status, String type) {
                throw new AssertionError("no watches here");
            }
        };
        try {
            server.handle(new ApiRequest(method, path, query, headers,
                    body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8), ADMIN), responder);
        } catch (ApiException e) {
            // What the HTTP layer makes of a refusal: the Status document with the error's code.
            return new Answer(e.code(), responseHeaders, StatusDocuments.failure(e));
        }
        return answer[0];
    }

    /** A watch under way: the events' lines as they come, and whether the server has ended it. */
    record Watching(List<String> lines, java.util.concurrent.CompletableFuture<Void> ended) {
    }

    /** Starts a watch on its own thread; it runs until the server ends it. */
    Watching watch(String path) {
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CompletableFuture<Void> ended = new java.util.concurrent.CompletableFuture<>();
        ResponseStream stream = new ResponseStream() {
            @Override
            public boolean write(byte[] piece) {
                lines.add(new String(piece, StandardCharsets.UTF_8).strip());
                return true;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
                ended.complete(null);
            }
        };
        ApiResponder responder = new ApiResponder() {
            @Override
            public void header(String name, String value) {
            }

            @Override
            public void respond(int status, String type, byte[] bytes) {
                lines.add(status + " " + new String(bytes, StandardCharsets.UTF_8));
                ended.complete(null);
            }

            @Override
            public ResponseStream stream(int status, String type) {
                return stream;
            }
        };
        Thread.ofVirtual().start(() -> server.handle(new ApiRequest("GET", path, Map.of("watch", List.of("true")),
                Map.of(), new byte[0], ADMIN), responder));
        return new Watching(lines, ended);
    }

    Answer get(String path) {
        return call("GET", path, null, null, Map.of());
    }

    Answer post(String path, String json) {
        return call("POST", path, "application/json", json, Map.of());
    }

    Answer put(String path, String json) {
        return call("PUT", path, "application/json", json, Map.of());
    }

    Answer patch(String path, String contentType, String json) {
        return call("PATCH", path, contentType, json, Map.of());
    }

    Answer delete(String path) {
        return call("DELETE", path, null, null, Map.of());
    }

    /** Asks until the answer satisfies {@code condition}, for at most {@code within}; returns the last answer. */
    Answer await(String path, Predicate<Answer> condition, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        Answer answer = get(path);
        while (!condition.test(answer) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            answer = get(path);
        }
        return answer;
    }

    /** Creates a definition and waits until its first served version answers. */
    Answer define(String definition, String collection) throws InterruptedException {
        Answer created = post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", definition);
        if (created.status() != 201) {
            throw new AssertionError("definition refused: " + created.body());
        }
        Answer served = await(collection, a -> a.status() == 200, Duration.ofSeconds(1));
        if (served.status() != 200) {
            throw new AssertionError("not served within a second: " + served.body());
        }
        return created;
    }

    static JsonNode json(String text) {
        return JSON.readTree(text);
    }

    @Override
    public void close() {
        controller.close();
        store.close();
    }
}
