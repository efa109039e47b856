package io.kybern.api.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kybern.api.resource.BuiltInResources;
import io.kybern.api.resource.GroupVersion;
import io.kybern.api.resource.ResourceType;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Real kubectl binaries (1.27 to 1.33 where installed) read the discovery documents: each lists the same
 * resources from aggregated discovery (without falling back to the per-group-version lists) as from the
 * unaggregated documents. Fails when no kubectl is found; {@code -Dkybern.kubectl.dir} points elsewhere.
 */
class KubectlDiscoveryTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path KUBECTL_DIR = Path.of(System.getProperty("kybern.kubectl.dir",
            "/usr/lib/google-cloud-sdk/bin"));

    private final BuiltInResources catalog = new BuiltInResources();
    private final Discovery discovery = new Discovery(catalog);

    @TempDir
    Path cache;

    @Test
    void everyKubectlListsTheSameResourcesFromEitherKindOfDiscovery() throws Exception {
        List<Path> kubectls = kubectls();
        // The project's machines have kubectl 1.27-1.33 installed; none found is a broken machine, not a pass.
        assertThat(kubectls).as("kubectl.1.* in " + KUBECTL_DIR).isNotEmpty();
        Queue<String> aggregatedPaths = new ConcurrentLinkedQueue<>();
        Queue<String> unaggregatedPaths = new ConcurrentLinkedQueue<>();
        HttpServer aggregated = serve(true, aggregatedPaths);
        HttpServer unaggregated = serve(false, unaggregatedPaths);
        try {
            for (Path kubectl : kubectls) {
                List<String> fromAggregated = apiResources(kubectl, aggregated, "aggregated");
                List<String> fromUnaggregated = apiResources(kubectl, unaggregated, "unaggregated");
                assertThat(fromAggregated).as("%s", kubectl).isEqualTo(fromUnaggregated);
                assertThat(fromAggregated).as("%s", kubectl).hasSize(1 + preferredResources().size());
                assertThat(row(fromAggregated, "pods")).containsExactly("pods", "po", "v1", "true", "Pod",
                        "create,delete,deletecollection,get,list,patch,update,watch", "all");
                assertThat(row(fromAggregated, "horizontalpodautoscalers")).containsExactly(
                        "horizontalpodautoscalers", "hpa", "autoscaling/v2", "true", "HorizontalPodAutoscaler",
                        "create,delete,deletecollection,get,list,patch,update,watch", "all");
                assertThat(row(fromAggregated, "customresourcedefinitions")).startsWith("customresourcedefinitions",
                        "crd,crds", "apiextensions.k8s.io/v1", "false");
            }
        } finally {
            aggregated.stop(0);
            unaggregated.stop(0);
        }
        assertThat(aggregatedPaths).containsOnly("/api", "/apis");
        assertThat(unaggregatedPaths).contains("/api/v1", "/apis/apps/v1", "/apis/autoscaling/v2");
    }

    private List<ResourceType> preferredResources() {
        List<ResourceType> preferred = new ArrayList<>();
        for (String group : catalog.groups()) {
            catalog.preferredVersion(group).ifPresent(gv -> preferred.addAll(catalog.resources(gv)));
        }
        return preferred;
    }

    private static List<Path> kubectls() throws IOException {
        if (!Files.isDirectory(KUBECTL_DIR)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(KUBECTL_DIR)) {
            return files.filter(p -> p.getFileName().toString().matches("kubectl\\.1\\.\\d+"))
                    .filter(Files::isExecutable).sorted().toList();
        }
    }

    private List<String> apiResources(Path kubectl, HttpServer server, String cacheName) throws Exception {
        Path cacheDir = cache.resolve(kubectl.getFileName() + "-" + cacheName);
        Process process = new ProcessBuilder(kubectl.toString(), "api-resources", "-o", "wide",
                "--server", "http://127.0.0.1:" + server.getAddress().getPort(), "--cache-dir", cacheDir.toString())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("%s said: %s", kubectl, output).isZero();
        return output.lines().map(String::strip).toList();
    }

    private static List<String> row(List<String> lines, String name) {
        return lines.stream().filter(l -> l.startsWith(name + " ")).findFirst()
                .map(l -> List.of(l.split("\\s+"))).orElseThrow(() -> new AssertionError("no row for " + name));
    }

    private HttpServer serve(boolean offerAggregated, Queue<String> paths) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                paths.add(exchange.getRequestURI().getPath());
                answer(exchange, offerAggregated);
            }
        });
        server.start();
        return server;
    }

    private void answer(HttpExchange exchange, boolean offerAggregated) throws IOException {
        String path = exchange.getRequestURI().getPath();
        Optional<AggregatedDiscoveryVersion> format = offerAggregated
                ? AggregatedDiscoveryVersion.fromAccept(exchange.getRequestHeaders().getFirst("Accept"))
                : Optional.empty();
        String[] segments = path.split("/");
        Optional<ObjectNode> body;
        String contentType = "application/json";
        if (format.isPresent() && (path.equals("/api") || path.equals("/apis"))) {
            body = Optional.of(path.equals("/api") ? discovery.aggregatedCore(format.get())
                    : discovery.aggregatedGroups(format.get()));
            contentType = format.get().mediaType();
        } else if (path.equals("/api")) {
            body = Optional.of(discovery.apiVersions(List.of(ServerAddress.forAllClients("127.0.0.1:6443"))));
        } else if (path.equals("/apis")) {
            body = Optional.of(discovery.apiGroupList());
        } else if (segments.length == 3 && segments[1].equals("api")) {
            body = discovery.apiResourceList(new GroupVersion("", segments[2]));
        } else if (segments.length == 3 && segments[1].equals("apis")) {
            body = discovery.apiGroup(segments[2]);
        } else if (segments.length == 4 && segments[1].equals("apis")) {
            body = discovery.apiResourceList(new GroupVersion(segments[2], segments[3]));
        } else {
            body = Optional.empty();
        }
        byte[] bytes = body.map(JSON::writeValueAsBytes).orElse("{}".getBytes(StandardCharsets.UTF_8));
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(body.isPresent() ? 200 : 404, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
