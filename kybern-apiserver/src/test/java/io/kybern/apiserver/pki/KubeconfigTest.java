package io.kybern.apiserver.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kybern.apiserver.http.HttpApiServer;
import java.io.IOException;
import java.io.StringReader;
import java.security.interfaces.ECPrivateKey;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

class KubeconfigTest {

    /** kubectl, where this machine has one; the tests that need it are skipped elsewhere. */
    private static final Path KUBECTL = Path.of("/usr/lib/google-cloud-sdk/bin/kubectl.1.33");

    @TempDir
    static Path dataDir;

    @TempDir
    Path dir;

    private static ClusterPki pki;

    @BeforeAll
    static void createPki() throws Exception {
        pki = ClusterPki.loadOrCreate(dataDir.resolve("tls"), ServingNames.standard(), Clock.systemUTC());
    }

    private static JsonNode parse(Path file) throws IOException {
        return YAMLMapper.builder().build().readTree(Files.readString(file));
    }

    private static String decoded(JsonNode node) {
        return new String(Base64.getDecoder().decode(node.asString()), StandardCharsets.US_ASCII);
    }

    @Test
    void theAdminKubeconfigRoundTrips() throws Exception {
        Path file = dir.resolve("kybern.yaml");
        Kubeconfig.admin(pki, "https://127.0.0.1:6443").write(file);

        JsonNode config = parse(file);
        assertThat(config.get("apiVersion").asString()).isEqualTo("v1");
        assertThat(config.get("kind").asString()).isEqualTo("Config");
        assertThat(config.get("current-context").asString()).isEqualTo("default");
        JsonNode cluster = config.get("clusters").get(0);
        assertThat(cluster.get("name").asString()).isEqualTo("default");
        assertThat(cluster.get("cluster").get("server").asString()).isEqualTo("https://127.0.0.1:6443");
        String ca = decoded(cluster.get("cluster").get("certificate-authority-data"));
        assertThat(ca).isEqualTo(pki.serverCaPem());
        assertThat(Pem.parseCertificate(ca.getBytes(StandardCharsets.US_ASCII))).isEqualTo(pki.serverCaCertificate());
        assertThat(ca).isEqualTo(Files.readString(dataDir.resolve("tls/server-ca.crt")));
        JsonNode context = config.get("contexts").get(0);
        assertThat(context.get("name").asString()).isEqualTo("default");
        assertThat(context.get("context").get("cluster").asString()).isEqualTo("default");
        assertThat(context.get("context").get("user").asString()).isEqualTo("default");
        JsonNode user = config.get("users").get(0);
        assertThat(user.get("name").asString()).isEqualTo("default");
        assertThat(decoded(user.get("user").get("client-certificate-data"))).isEqualTo(pki.adminCertificatePem());
        String key = decoded(user.get("user").get("client-key-data"));
        assertThat(key).as("SEC 1, which fabric8 reads without being told the algorithm")
                .startsWith("-----BEGIN EC PRIVATE KEY-----\n");
        assertThat(sec1Key(key).getS()).isEqualTo(((ECPrivateKey) pki.admin().key()).getS());
        assertThat(user.get("user").has("token")).isFalse();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).startsWith("apiVersion: v1\n");
    }

    @Test
    void aTokenKubeconfigCarriesTheTokenInsteadOfACertificate() throws Exception {
        Path file = dir.resolve("sa.yaml");
        Kubeconfig.withToken("https://[::1]:6443", pki.serverCaCertificate(), "abc.def-ghi_123").write(file);

        JsonNode config = parse(file);
        JsonNode user = config.get("users").get(0).get("user");
        assertThat(user.get("token").asString()).isEqualTo("abc.def-ghi_123");
        assertThat(user.has("client-certificate-data")).isFalse();
        assertThat(config.get("clusters").get(0).get("cluster").get("server").asString())
                .isEqualTo("https://[::1]:6443");
        assertThatThrownBy(() -> Kubeconfig.withToken("https://x:1", pki.serverCaCertificate(), "two words"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rewritingReplacesTheFileWholeAndHonoursAGivenMode() throws Exception {
        Path file = dir.resolve("nested/kybern.yaml");
        Kubeconfig.withToken("https://a:1", pki.serverCaCertificate(), "first").write(file);
        Kubeconfig.admin(pki, "https://b:2").write(file, PosixFilePermissions.fromString("rw-r-----"));

        assertThat(parse(file).get("clusters").get(0).get("cluster").get("server").asString()).isEqualTo("https://b:2");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
        try (var files = Files.list(file.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("kybern.yaml");
        }
    }

    @Test
    void serverUrlsAreHttpsWithBracketedIpv6() {
        assertThat(Kubeconfig.serverUrl(InetAddress.ofLiteral("127.0.0.1"), 6443)).isEqualTo("https://127.0.0.1:6443");
        assertThat(Kubeconfig.serverUrl(InetAddress.ofLiteral("::1"), 6443)).isEqualTo("https://[0:0:0:0:0:0:0:1]:6443");
        for (String bad : List.of("http://127.0.0.1:6443", "127.0.0.1:6443", "https://", "https://a b")) {
            assertThatThrownBy(() -> Kubeconfig.admin(pki, bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void kubectlReadsTheKubeconfig() throws Exception {
        assumeTrue(Files.isExecutable(KUBECTL), "no kubectl here");
        Path file = dir.resolve("kybern.yaml");
        Kubeconfig.admin(pki, "https://127.0.0.1:6443").write(file);

        assertThat(kubectl("config", "view", "--kubeconfig", file.toString(), "--raw", "-o",
                "jsonpath={.users[0].name}")).isEqualTo("default");
        assertThat(kubectl("config", "view", "--kubeconfig", file.toString(), "--raw", "-o",
                "jsonpath={.clusters[0].cluster.certificate-authority-data}"))
                .isEqualTo(Base64.getEncoder().encodeToString(pki.serverCaPem().getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void kubectlTalksToTheApiServerListenerAsTheAdmin() throws Exception {
        assumeTrue(Files.isExecutable(KUBECTL), "no kubectl here");
        try (HttpApiServer api = TestTls.whoAmIServer(pki)) {
            int port = api.address().getPort();
            for (String host : List.of("127.0.0.1", "localhost")) {
                Path admin = dir.resolve("admin-" + host + ".yaml");
                Kubeconfig.admin(pki, "https://" + host + ":" + port).write(admin);

                // kubectl (Go's crypto/tls) verifies our serving certificate for the host, parses our
                // SEC 1 EC key and presents the admin certificate; the server reads the user from it.
                assertThat(kubectl("--kubeconfig", admin.toString(), "get", "--raw", "/whoami"))
                        .isEqualTo("user=system:admin groups=system:masters,system:authenticated authorization=none");
            }
            Path token = dir.resolve("token.yaml");
            Kubeconfig.withToken("https://127.0.0.1:" + port, pki.serverCaCertificate(), "t0ken").write(token);
            assertThat(kubectl("--kubeconfig", token.toString(), "get", "--raw", "/whoami"))
                    .isEqualTo("user=system:anonymous groups=system:unauthenticated authorization=Bearer t0ken");
        }
    }

    /** Runs kubectl with a throwaway home (it may cache there) and returns its trimmed output. */
    private String kubectl(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(KUBECTL.toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("KUBECONFIG");
        builder.environment().put("HOME", dir.toString());
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kubectl finished").isTrue();
        String text = new String(output, StandardCharsets.UTF_8).strip();
        assertThat(process.exitValue()).as("kubectl exit status; output: %s", text).isZero();
        return text;
    }

    private static ECPrivateKey sec1Key(String pem) throws IOException {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            PEMKeyPair pair = (PEMKeyPair) parser.readObject();
            return (ECPrivateKey) new JcaPEMKeyConverter().getKeyPair(pair).getPrivate();
        }
    }
}
