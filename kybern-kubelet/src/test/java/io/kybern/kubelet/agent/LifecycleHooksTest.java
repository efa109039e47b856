package io.kybern.kubelet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kybern.api.validation.GoFormat;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The hooks that need no runtime (httpGet, sleep) run for real; exec's message is checked as kubelet words it. */
class LifecycleHooksTest {

    private static final Pod POD = new PodBuilder().withNewMetadata().withName("web").withNamespace("shop")
            .withUid("u-1").endMetadata().build();
    private static final Container CONTAINER = new ContainerBuilder().withName("app").addNewPort().withName("admin")
            .withContainerPort(0).endPort().build();

    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requests.add(exchange.getRequestURI().getPath() + " " + exchange.getRequestHeaders().getFirst("X-Why")
                    + " " + exchange.getRequestHeaders().getFirst("User-Agent"));
            exchange.sendResponseHeaders(500, -1); // an answer, even an error, is a hook that ran
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private static Container withPort(int port) {
        return new ContainerBuilder(CONTAINER).editFirstPort().withContainerPort(port).endPort().build();
    }

    @Test
    void anHttpGetHookSendsItsPathAndHeadersToTheNamedPortAndIgnoresTheStatus() {
        LifecycleHandler handler = new LifecycleHandlerBuilder().withNewHttpGet().withPath("drain")
                .withPort(new IntOrString("admin")).addNewHttpHeader("X-Why", "stopping").endHttpGet().build();
        String failure = LifecycleHooks.run(null, handler, POD, withPort(server.getAddress().getPort()), "id",
                "127.0.0.1", Duration.ofSeconds(5));
        assertThat(failure).isNull();
        assertThat(requests).containsExactly("/drain stopping kube-lifecycle/1.33");
    }

    @Test
    void anHttpGetHookThatReachesNobodyFailsWithKubeletsMessage() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        LifecycleHandler handler = new LifecycleHandlerBuilder().withNewHttpGet().withPath("/drain")
                .withPort(new IntOrString(closed)).endHttpGet().build();
        String failure = LifecycleHooks.run(null, handler, POD, CONTAINER, "id", "127.0.0.1", Duration.ofSeconds(5));
        assertThat(failure).isEqualTo("HTTP lifecycle hook (/drain) for Container \"app\" in Pod \"web_shop(u-1)\""
                + " failed - error: Get \"http://127.0.0.1:" + closed + "/drain\": dial tcp 127.0.0.1:" + closed
                + ": connect: connection refused");
        assertThat(requests).isEmpty();
    }

    @Test
    void aSleepHookSleepsNoLongerThanItsLimit() {
        LifecycleHandler handler = new LifecycleHandlerBuilder().withNewSleep().withSeconds(30L).endSleep().build();
        long started = System.nanoTime();
        assertThat(LifecycleHooks.run(null, handler, POD, CONTAINER, "id", "127.0.0.1", Duration.ofMillis(300)))
                .isNull();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(300),
                Duration.ofSeconds(20));
    }

    @Test
    void anExecFailureNamesTheCommandTheErrorAndTheOutputAsKubeletDoes() {
        assertThat(LifecycleHooks.execFailure(List.of("sh", "-c", "echo no; exit 3"), "app", "web_shop(u-1)",
                "command 'sh -c echo no; exit 3' exited with 3: ", "no\n"))
                .isEqualTo("Exec lifecycle hook ([sh -c echo no; exit 3]) for Container \"app\" in Pod"
                        + " \"web_shop(u-1)\" failed - error: command 'sh -c echo no; exit 3' exited with 3: ,"
                        + " message: \"no\\n\"");
        assertThat(GoFormat.quote("a\"b\\c\td\u0001")).isEqualTo("\"a\\\"b\\\\c\\td\\x01\"");
    }

    @Test
    void aHandlerWithNoActionCannotRun() {
        assertThat(LifecycleHooks.run(null, new LifecycleHandler(), POD, CONTAINER, "id", "127.0.0.1",
                Duration.ofSeconds(1))).startsWith("Cannot run handler: invalid handler");
    }
}
