package io.kybern.kubelet.certificates;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.kybern.api.tls.JdkTls;
import io.kybern.api.tls.SubjectAlternativeNames;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The serving certificate of a joined agent's kubelet API, as k3s' agents get theirs from their server, except
 * that the private key is made here and never leaves this machine: the server signs a PKCS#10 request for it
 * ({@code POST /v1-kybern/kubelet-serving-certificate}, with the agent's bearer token; decision 0023).
 *
 * <p>Kept in a directory of the agent's (mode 0700): {@code kubelet-serving.key} (0600, a SEC 1 EC key),
 * {@code kubelet-serving.crt} and {@code client-ca.crt}, the CA the API server's client certificate must chain to.
 * A restarted agent reuses key and certificate while the certificate is the key's, is signed by the server's CA,
 * names this node and every address asked for, and has more than {@link #RENEW_BEFORE} left; otherwise it asks for
 * a new certificate for the same key. Called once at the agent's start, on its thread.
 */
public final class KubeletServingCertificate {

    private static final Logger log = LoggerFactory.getLogger(KubeletServingCertificate.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Where the server signs kubelet serving certificates. */
    public static final String PATH = "/v1-kybern/kubelet-serving-certificate";
    /** A certificate with less than this left is renewed at start, as the server renews its own. */
    public static final Duration RENEW_BEFORE = Duration.ofDays(90);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    static final String KEY_FILE = "kubelet-serving.key";
    static final String CERTIFICATE_FILE = "kubelet-serving.crt";
    static final String CLIENT_CA_FILE = "client-ca.crt";

    private KubeletServingCertificate() {
    }

    /**
     * The kubelet API's TLS context: this node's serving certificate (reused, or signed by the server now) and the
     * client CA it accepts the API server's certificate from.
     *
     * @param client   the agent's client of the server, whose credentials the server checks
     * @param dir      where key and certificates are kept
     * @param nodeName the Node's name
     * @param names    the DNS names and IP addresses the API server reaches the kubelet API at
     * @param serverCa the server's CA, which must have signed a certificate that is reused
     * @throws IllegalStateException with the server's message when it refuses
     */
    public static SSLContext obtain(KubernetesClient client, Path dir, String nodeName, List<String> names,
            X509Certificate serverCa, Clock clock) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        restrict(dir, "rwx------");
        KeyPair keys = readOrCreateKey(dir.resolve(KEY_FILE));
        X509Certificate certificate = null;
        X509Certificate clientCa = null;
        String renewal = "there was none";
        if (Files.exists(dir.resolve(CERTIFICATE_FILE)) && Files.exists(dir.resolve(CLIENT_CA_FILE))) {
            certificate = readCertificate(dir.resolve(CERTIFICATE_FILE));
            clientCa = readCertificate(dir.resolve(CLIENT_CA_FILE));
            renewal = renewalReason(certificate, keys, nodeName, names, serverCa, clock.instant()).orElse(null);
        }
        if (renewal != null) {
            Signed signed = request(client, keys, nodeName, names);
            certificate = signed.certificate();
            clientCa = signed.clientCa();
            writeAtomically(dir.resolve(CERTIFICATE_FILE), pem("CERTIFICATE", encoded(certificate)), "rw-r--r--");
            writeAtomically(dir.resolve(CLIENT_CA_FILE), pem("CERTIFICATE", encoded(clientCa)), "rw-r--r--");
            log.info("kubelet serving certificate signed by the server node={} names={} notAfter={} because {}",
                    nodeName, names, certificate.getNotAfter().toInstant(), renewal);
        } else {
            log.info("kubelet serving certificate reused node={} notAfter={}", nodeName,
                    certificate.getNotAfter().toInstant());
        }
        return JdkTls.of(keys.getPrivate(), certificate, clientCa);
    }

    /** Why a stored certificate will not do, or empty when it will. */
    static Optional<String> renewalReason(X509Certificate certificate, KeyPair keys, String nodeName,
            List<String> names, X509Certificate serverCa, Instant now) {
        if (!certificate.getPublicKey().equals(keys.getPublic())) {
            return Optional.of("the stored certificate is not the key's");
        }
        try {
            certificate.verify(serverCa.getPublicKey());
        } catch (GeneralSecurityException e) {
            return Optional.of("the stored certificate is not signed by the server's CA");
        }
        X500Principal subject;
        try {
            subject = new X500Principal(subject(nodeName).getEncoded());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        if (!certificate.getSubjectX500Principal().equals(subject)) {
            return Optional.of("the stored certificate is for " + certificate.getSubjectX500Principal().getName());
        }
        List<String> missing = new ArrayList<>(names.stream().map(KubeletServingCertificate::canonical).toList());
        missing.removeAll(namesOf(certificate));
        if (!missing.isEmpty()) {
            return Optional.of("the stored certificate lacks " + missing);
        }
        Instant notAfter = certificate.getNotAfter().toInstant();
        if (now.plus(RENEW_BEFORE).isAfter(notAfter)) {
            return Optional.of("the stored certificate expires on " + notAfter);
        }
        return Optional.empty();
    }

    private record Signed(X509Certificate certificate, X509Certificate clientCa) {
    }

    private static Signed request(KubernetesClient client, KeyPair keys, String nodeName, List<String> names)
            throws IOException, InterruptedException {
        HttpClient http = client.getHttpClient();
        URI uri;
        try {
            uri = client.getMasterUrl().toURI().resolve(PATH);
        } catch (URISyntaxException e) {
            throw new IOException("the server's URL is no URI: " + client.getMasterUrl(), e);
        }
        HttpRequest post = http.newHttpRequestBuilder().uri(uri)
                .timeout(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .header("Accept", "application/json")
                .post("application/x-pem-file", certificateRequest(keys, nodeName, names)).build();
        HttpResponse<String> response;
        try {
            response = http.sendAsync(post, String.class).get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException("the server did not answer the kubelet serving certificate request: "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("the server did not answer the kubelet serving certificate request in "
                    + REQUEST_TIMEOUT.toSeconds() + " s", e);
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(response.body());
        } catch (RuntimeException e) {
            throw new IllegalStateException("the server answered the kubelet serving certificate request with "
                    + response.code() + " and no JSON: " + response.body());
        }
        if (response.code() != 200) {
            // A Status: its message says what was refused and why.
            throw new IllegalStateException("the server refused the kubelet serving certificate (" + response.code()
                    + " " + answer.path("reason").asString("") + "): " + answer.path("message").asString(""));
        }
        try {
            X509Certificate certificate = parseCertificate(answer.path("certificate").asString(""));
            if (!certificate.getPublicKey().equals(keys.getPublic())) {
                throw new IllegalStateException("the server signed a certificate for another key");
            }
            return new Signed(certificate, parseCertificate(answer.path("clientCA").asString("")));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the server's answer holds no readable certificates: " + e.getMessage(), e);
        }
    }

    /** A PEM PKCS#10 request for {@code O=system:nodes, CN=system:node:NAME} and the names, signed by the key. */
    static byte[] certificateRequest(KeyPair keys, String nodeName, List<String> names) throws IOException {
        List<GeneralName> alternatives = new ArrayList<>();
        for (String name : names) {
            alternatives.add(isIpLiteral(name)
                    ? new GeneralName(GeneralName.iPAddress, new DEROctetString(InetAddress.ofLiteral(name).getAddress()))
                    : new GeneralName(GeneralName.dNSName, name));
        }
        ExtensionsGenerator extensions = new ExtensionsGenerator();
        extensions.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(alternatives.toArray(GeneralName[]::new)));
        try {
            byte[] der = new JcaPKCS10CertificationRequestBuilder(subject(nodeName), keys.getPublic())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())).getEncoded();
            return pem("CERTIFICATE REQUEST", der);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("the certificate request cannot be signed", e);
        }
    }

    private static X500Name subject(String nodeName) {
        // O before CN, as Go's crypto/x509 and the server order them.
        return new X500Name("O=system:nodes,CN=system:node:" + nodeName);
    }

    private static KeyPair readOrCreateKey(Path file) throws IOException {
        if (Files.exists(file)) {
            try (PEMParser parser = new PEMParser(new StringReader(Files.readString(file, StandardCharsets.US_ASCII)))) {
                if (parser.readObject() instanceof PEMKeyPair pair) {
                    return new JcaPEMKeyConverter().getKeyPair(pair);
                }
            }
            throw new IOException(file + ": not an EC PRIVATE KEY with its public key; remove it to make a new key "
                    + "(the agent then asks for a new certificate)");
        }
        KeyPair keys;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            keys = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no P-256 key can be made", e);
        }
        writeAtomically(file, pem("EC PRIVATE KEY", sec1(keys)), "rw-------");
        log.info("kubelet serving key created file={}", file);
        return keys;
    }

    /** The key as SEC 1 with its curve and public point, so that reading it gives the whole pair back. */
    private static byte[] sec1(KeyPair keys) throws IOException {
        ECPrivateKey key = (ECPrivateKey) keys.getPrivate();
        return new org.bouncycastle.asn1.sec.ECPrivateKey(key.getParams().getOrder().bitLength(), key.getS(),
                SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()).getPublicKeyData(),
                PrivateKeyInfo.getInstance(key.getEncoded()).getPrivateKeyAlgorithm().getParameters()).getEncoded();
    }

    private static List<String> namesOf(X509Certificate certificate) {
        SubjectAlternativeNames alternatives;
        try {
            alternatives = SubjectAlternativeNames.of(certificate);
        } catch (CertificateParsingException e) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        alternatives.dnsNames().stream().map(KubeletServingCertificate::canonical).forEach(names::add);
        alternatives.addresses().stream().map(InetAddress::getHostAddress).forEach(names::add);
        return names;
    }

    /** An address as one spelling ({@code ::1} and {@code 0:0:0:0:0:0:0:1} alike), a DNS name as it is. */
    private static String canonical(String name) {
        return isIpLiteral(name) ? InetAddress.ofLiteral(name).getHostAddress() : name;
    }

    private static boolean isIpLiteral(String name) {
        try {
            InetAddress.ofLiteral(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static X509Certificate readCertificate(Path file) throws IOException {
        try {
            return parseCertificate(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": not a PEM certificate: " + e.getMessage(), e);
        }
    }

    private static X509Certificate parseCertificate(String pem) throws GeneralSecurityException {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] pem(String type, byte[] der) throws IOException {
        StringWriter text = new StringWriter();
        try (PemWriter writer = new PemWriter(text)) {
            writer.writeObject(new PemObject(type, der));
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Written beside and moved over the old file, so a crash never leaves half a key or certificate. */
    private static void writeAtomically(Path file, byte[] content, String mode) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
        Files.write(temporary, content);
        try (var channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void restrict(Path dir, String mode) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(mode));
    }
}
