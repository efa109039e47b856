package io.kybern.kubelet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.kybern.kubelet.cri.api.ContainerMetadata;
import io.kybern.kubelet.cri.api.ContainerStatus;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/** The probe bookkeeping with scripted results; the probes against real containers are end-to-end tests. */
class ContainerProbesTest {

    private static final Instant STARTED = Instant.parse("2026-01-01T00:00:00Z");

    private final ContainerProbes probes = new ContainerProbes();
    private final Deque<Boolean> script = new ArrayDeque<>();
    private final List<String> failures = new ArrayList<>();
    private int runs;

    private ContainerProbes.Kind pass(Container container, String id, long atSecond) {
        ContainerStatus running = ContainerStatus.newBuilder().setId(id)
                .setMetadata(ContainerMetadata.newBuilder().setName(container.getName()))
                .setStartedAt(STARTED.getEpochSecond() * 1_000_000_000L).build();
        return probes.probe(container, running, STARTED.plusSeconds(atSecond), (probe, c, cid) -> {
            runs++;
            boolean ok = script.removeFirst();
            return ok ? ProbeCheck.Result.SUCCESS : new ProbeCheck.Result(false, "no");
        }, (c, kind, message) -> failures.add(kind.title + ": " + message));
    }

    private static Probe probe(Integer delay, Integer period, Integer success, Integer failure) {
        return new ProbeBuilder().withNewExec().withCommand("true").endExec().withInitialDelaySeconds(delay)
                .withPeriodSeconds(period).withSuccessThreshold(success).withFailureThreshold(failure).build();
    }

    @Test
    void readinessStartsUnreadyAndNeedsSuccessThresholdSuccessesInARow() {
        Container c = new ContainerBuilder().withName("app").withReadinessProbe(probe(2, 5, 2, 1)).build();
        assertThat(pass(c, "a", 1)).isNull();
        assertThat(runs).as("not before initialDelaySeconds").isZero();
        assertThat(probes.ready(c, "a")).isFalse();
        assertThat(probes.started(c, "a")).isTrue();
        script.addAll(List.of(true, true, false));
        pass(c, "a", 2);
        assertThat(probes.ready(c, "a")).as("one success of two").isFalse();
        pass(c, "a", 4);
        assertThat(runs).as("not before periodSeconds").isEqualTo(1);
        pass(c, "a", 7);
        assertThat(probes.ready(c, "a")).isTrue();
        assertThat(pass(c, "a", 12)).as("readiness never kills").isNull();
        assertThat(probes.ready(c, "a")).isFalse();
        assertThat(failures).containsExactly("Readiness: no");
    }

    @Test
    void livenessKillsAfterFailureThresholdFailuresInARow() {
        Container c = new ContainerBuilder().withName("app").withLivenessProbe(probe(null, 1, null, 2)).build();
        script.addAll(List.of(false, true, false, false));
        assertThat(pass(c, "a", 0)).isNull();
        assertThat(pass(c, "a", 1)).isNull();
        assertThat(pass(c, "a", 2)).isNull();
        assertThat(pass(c, "a", 3)).isEqualTo(ContainerProbes.Kind.LIVENESS);
        assertThat(probes.ready(c, "a")).as("no readiness probe: ready once running").isTrue();
        // A new container (the restart) starts afresh.
        probes.retain(Set.of("b"));
        script.add(false);
        assertThat(pass(c, "b", 4)).isNull();
    }

    @Test
    void aStartupProbeHoldsTheOthersOffUntilItSucceeds() {
        Container c = new ContainerBuilder().withName("app").withStartupProbe(probe(null, 1, null, 3))
                .withReadinessProbe(probe(null, 1, null, null)).build();
        script.addAll(List.of(false));
        pass(c, "a", 0);
        assertThat(runs).isEqualTo(1);
        assertThat(probes.started(c, "a")).isFalse();
        assertThat(probes.ready(c, "a")).isFalse();
        script.addAll(List.of(true, true));
        pass(c, "a", 1); // startup succeeds, then readiness runs in the same pass
        assertThat(runs).isEqualTo(3);
        assertThat(probes.started(c, "a")).isTrue();
        assertThat(probes.ready(c, "a")).isTrue();
        script.add(true);
        pass(c, "a", 2);
        assertThat(runs).as("the startup probe is done; only readiness runs").isEqualTo(4);
    }

    @Test
    void aStartupProbeThatKeepsFailingKillsTheContainer() {
        Container c = new ContainerBuilder().withName("app").withStartupProbe(probe(null, 1, null, 2))
                .withLivenessProbe(probe(null, 1, null, 1)).build();
        script.addAll(List.of(false, false));
        assertThat(pass(c, "a", 0)).isNull();
        assertThat(pass(c, "a", 1)).isEqualTo(ContainerProbes.Kind.STARTUP);
        assertThat(failures).containsExactly("Startup: no", "Startup: no");
    }

    @Test
    void tcpAndHttpChecksReportAsKubeletDoes() throws Exception {
        try (ServerSocket open = new ServerSocket(0)) {
            assertThat(ProbeCheck.tcp("127.0.0.1", open.getLocalPort(), Duration.ofSeconds(1)).success()).isTrue();
        }
        int closed;
        try (ServerSocket gone = new ServerSocket(0)) {
            closed = gone.getLocalPort();
        }
        assertThat(ProbeCheck.tcp("127.0.0.1", closed, Duration.ofSeconds(1)).message())
                .isEqualTo("dial tcp 127.0.0.1:" + closed + ": connect: connection refused");
        assertThat(ProbeCheck.httpGet(java.net.URI.create("http://127.0.0.1:" + closed + "/healthz"), null,
                Duration.ofSeconds(1)).message()).startsWith("Get \"http://127.0.0.1:" + closed + "/healthz\": ");
        Container named = new ContainerBuilder().withName("web").addNewPort().withName("http").withContainerPort(8080)
                .endPort().build();
        assertThat(ProbeCheck.port(new IntOrString("http"), named)).isEqualTo(8080);
        assertThat(ProbeCheck.port(new IntOrString(81), named)).isEqualTo(81);
    }

    /** Kubelet's HTTPS probes skip verification entirely: neither the issuer nor the name is checked. */
    @Test
    void anHttpsProbeTakesWhateverCertificateThePodServes() throws Exception {
        SelfSignedCertificate unrelated = new SelfSignedCertificate("not-this-pod.invalid");
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("pod", unrelated.key(), new char[0], new Certificate[] {unrelated.cert()});
        KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(keys, new char[0]);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(managers.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/healthz", exchange -> {
            exchange.sendResponseHeaders(exchange.getRequestHeaders().containsKey("X-Probe") ? 200 : 500, -1);
            exchange.close();
        });
        server.start();
        try {
            URI healthz = URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/healthz");
            ProbeCheck.Result result = ProbeCheck.httpGet(healthz,
                    List.of(new HTTPHeader("X-Probe", "yes")), Duration.ofSeconds(5));
            assertThat(result.message()).isEmpty();
            assertThat(result.success()).isTrue();
            assertThat(ProbeCheck.httpGet(healthz, null, Duration.ofSeconds(5)).success())
                    .as("the status still decides").isFalse();
        } finally {
            server.stop(0);
            unrelated.delete();
        }
    }
}
