package io.kybern.apiserver.pki;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Set;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/**
 * A kubeconfig with one cluster, one user and one context, all named {@code default} as k3s names
 * them, so scripts written for k3s's {@code k3s.yaml} work unchanged. Credentials are embedded
 * ({@code *-data} fields, base64 of the PEM) so the file stands alone when copied to another machine;
 * an EC client key is written in SEC 1 form, which every client reads (see {@link Pem#clientKey}).
 */
public final class Kubeconfig {

    /** The name of the cluster, the user and the context. */
    public static final String NAME = "default";

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
            // Base64 runs are long; a split plain scalar would come back with spaces folded in.
            .disable(YAMLWriteFeature.SPLIT_LINES)
            .enable(YAMLWriteFeature.MINIMIZE_QUOTES)
            .build();

    private final ObjectNode document;

    private Kubeconfig(ObjectNode document) {
        this.document = document;
    }

    /** The admin kubeconfig: {@code system:admin} by client certificate, trusting the server CA. */
    public static Kubeconfig admin(ClusterPki pki, String server) {
        return withClientCertificate(server, pki.serverCaCertificate(), pki.admin());
    }

    /**
     * A kubeconfig authenticating with a client certificate.
     *
     * @param server the API server's URL, {@code https://host:port}
     * @param ca     the CA the server's certificate chains to
     * @param client the client certificate and key
     */
    public static Kubeconfig withClientCertificate(String server, X509Certificate ca, CertifiedKey client) {
        ObjectNode user = JsonNodeFactory.instance.objectNode()
                .put("client-certificate-data", base64(client.certificatePem()))
                .put("client-key-data", base64(Pem.clientKey(client)));
        return new Kubeconfig(document(server, ca, user));
    }

    /** A kubeconfig authenticating with a bearer token (a service account's, for example). */
    public static Kubeconfig withToken(String server, X509Certificate ca, String token) {
        if (token == null || token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("a bearer token must be non-empty printable ASCII without spaces");
        }
        ObjectNode user = JsonNodeFactory.instance.objectNode().put("token", token);
        return new Kubeconfig(document(server, ca, user));
    }

    /** {@code https://host:port}, with brackets around an IPv6 address. */
    public static String serverUrl(InetAddress host, int port) {
        String literal = host.getHostAddress();
        if (host instanceof Inet6Address) {
            int zone = literal.indexOf('%');
            literal = "[" + (zone < 0 ? literal : literal.substring(0, zone)) + "]";
        }
        return "https://" + literal + ":" + port;
    }

    private static ObjectNode document(String server, X509Certificate ca, ObjectNode user) {
        checkServer(server);
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("apiVersion", "v1");
        root.put("kind", "Config");
        root.putArray("clusters").addObject()
                .put("name", NAME)
                .putObject("cluster")
                .put("server", server)
                .put("certificate-authority-data", base64(Pem.certificate(ca)));
        root.putArray("contexts").addObject()
                .put("name", NAME)
                .putObject("context")
                .put("cluster", NAME)
                .put("user", NAME);
        root.put("current-context", NAME);
        root.putObject("preferences");
        ObjectNode entry = root.putArray("users").addObject().put("name", NAME);
        entry.set("user", user);
        return root;
    }

    private static void checkServer(String server) {
        try {
            URI uri = new URI(server);
            if (!"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("the server must be an https URL with a host: " + server);
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("the server is not a URL: " + server, e);
        }
    }

    private static String base64(String pem) {
        return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
    }

    public String toYaml() {
        return YAML.writeValueAsString(document);
    }

    /** Writes the file atomically with mode 0600: it holds a credential. */
    public void write(Path file) throws IOException {
        SecureFiles.writeAtomically(file, toYaml().getBytes(StandardCharsets.UTF_8));
    }

    /** Writes the file atomically with the given mode (as {@code --write-kubeconfig-mode} asks). */
    public void write(Path file, Set<PosixFilePermission> mode) throws IOException {
        SecureFiles.writeAtomically(file, toYaml().getBytes(StandardCharsets.UTF_8), mode);
    }
}
