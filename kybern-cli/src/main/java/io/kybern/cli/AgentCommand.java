package io.kybern.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.kybern.kubelet.agent.AgentConfig;
import io.kybern.kubelet.agent.AgentSerialization;
import io.kybern.kubelet.agent.NodeAgent;
import io.kybern.kubelet.certificates.KubeletServingCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kybern agent}: a node agent on this machine joined to a Kybern server elsewhere, running the pods
 * bound to its Node in containers, until SIGTERM or Ctrl-C (the containers keep running; the next agent
 * adopts them). Flag names follow k3s' agent.
 */
@Command(name = "agent", description = "Run a node agent on this machine, joined to a Kybern server.")
final class AgentCommand implements Callable<Integer> {

    /** How long a SIGTERM waits for the agent and its containerd to stop. */
    static final long SHUTDOWN_TIMEOUT_SECONDS = 60;

    @Option(names = "--server", paramLabel = "URL", required = true,
            description = "The server's API, e.g. https://10.0.0.1:6443.")
    String server;

    @Option(names = "--token", paramLabel = "TOKEN", required = true,
            description = "A bearer token the server accepts (a service account's, e.g. from kubectl create token).")
    String token;

    @Option(names = "--certificate-authority", paramLabel = "FILE", required = true,
            description = "The server's CA certificate (the server's DIR/tls/server-ca.crt), to verify it.")
    Path certificateAuthority;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${KYBERN_AGENT_DATA_DIR:-/var/lib/kybern/agent}",
            description = "Where the agent keeps its state and its containerd's (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Mixin
    AgentFlags agentFlags;

    @Override
    public Integer call() throws Exception {
        if (!Files.isReadable(certificateAuthority)) {
            throw new IllegalArgumentException("--certificate-authority " + certificateAuthority + ": cannot read it");
        }
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(server).withOauthToken(token)
                .withCaCertFile(certificateAuthority.toAbsolutePath().toString())
                .withUserAgent("kubelet/" + KybernVersion.version()).build();
        CountDownLatch stopped = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        // The JVM halts once its shutdown hooks return: this one waits for the agent to be closed (its containerd
        // stopped), or containerd would outlive a SIGTERMed agent.
        Thread hook = new Thread(() -> {
            stopped.countDown();
            try {
                closed.await(SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "kybern-agent-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        AgentConfig agentConfig = agentFlags.config(dataDir);
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config)
                .withKubernetesSerialization(AgentSerialization.get())
                .withHttpClientFactory(new JdkHttpClientFactory()).build();
                NodeAgent agent = NodeAgent.start(client, agentConfig, kubeletTls(client, agentConfig))) {
            stopped.await();
        } catch (InterruptedException e) {
            // Asked to stop (the way a test or an embedding program stops it): stop as on SIGTERM.
        } finally {
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // called from the hook's own shutdown
            }
        }
        return 0;
    }

    /**
     * The kubelet API's TLS: a key kept under the data directory and a serving certificate the server signs
     * for the node's name and InternalIP (where the API server dials it), trusting the server's client CA.
     */
    private SSLContext kubeletTls(KubernetesClient client, AgentConfig agent) throws IOException,
            InterruptedException {
        X509Certificate serverCa;
        try (InputStream in = Files.newInputStream(certificateAuthority)) {
            serverCa = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (CertificateException e) {
            throw new IllegalArgumentException("--certificate-authority " + certificateAuthority
                    + ": not a PEM certificate: " + e.getMessage(), e);
        }
        return KubeletServingCertificate.obtain(client, agent.dataDir().resolve("tls"), agent.nodeName(),
                List.of(agent.nodeName(), NodeAgent.internalIp(agent)), serverCa, Clock.systemUTC());
    }
}
