package io.kybern.apiserver.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kybern.api.resource.BuiltInResources;
import io.kybern.api.resource.GroupVersionResource;
import io.kybern.apiserver.ApiServer;
import io.kybern.apiserver.authz.Attributes;
import io.kybern.apiserver.authz.AuthenticatedUsers;
import io.kybern.apiserver.authz.Authorizer;
import io.kybern.apiserver.authz.Decision;
import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.http.ApiResponder;
import io.kybern.apiserver.http.ResponseStream;
import io.kybern.apiserver.http.UserInfo;
import io.kybern.apiserver.pki.ClusterPki;
import io.kybern.apiserver.pki.ServingNames;
import io.kybern.apiserver.registry.ObjectStorage;
import io.kybern.apiserver.status.ApiException;
import io.kybern.apiserver.status.StatusDocuments;
import io.kybern.store.memory.MemoryStore;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.pkcs.CertificationRequest;
import org.bouncycastle.asn1.pkcs.CertificationRequestInfo;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /v1-kybern/kubelet-serving-certificate} through the API server's routing, with a real cluster PKI:
 * what it signs, and its refusals as Kubernetes {@code Status} answers.
 */
class KubeletServingCertificatesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final UserInfo AGENT = new UserInfo("system:serviceaccount:default:node-agent",
            List.of("system:serviceaccounts", "system:authenticated"));

    @TempDir
    Path dir;
    private ClusterPki pki;
    private MemoryStore store;
    private ApiServer server;
    private KeyPair agentKey;
    private final AtomicInteger signed = new AtomicInteger();

    record Answer(int status, JsonNode body) {
    }

    @BeforeEach
    void setUp() throws Exception {
        pki = ClusterPki.loadOrCreate(dir.resolve("tls"), ServingNames.standard("server-host", "10.43.0.0/16")
                .plus(List.of("192.0.2.1")), Clock.systemUTC());
        BuiltInResources catalog = new BuiltInResources();
        store = new MemoryStore();
        server = new ApiServer(catalog, new ObjectStorage(store, InstantSource.system(), new Random(3),
                catalog.byResource(new GroupVersionResource("", "v1", "namespaces")).orElseThrow()),
                (request, responder) -> false);
        server.signKubeletCertificates(pki, signed::incrementAndGet);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        agentKey = generator.generateKeyPair();
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    @Test
    void signsAKubeletServingCertificateForTheRequestersKeyWithTheServerCa() throws Exception {
        Answer answer = post(AGENT, csr("system:node:worker-1", List.of("system:nodes"),
                List.of(dns("worker-1"), ip("10.0.0.7"))));

        assertThat(answer.status()).isEqualTo(200);
        X509Certificate certificate = certificate(answer.body().path("certificate").asString());
        assertThat(certificate.getPublicKey()).isEqualTo(agentKey.getPublic());
        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=system:node:worker-1,O=system:nodes");
        assertThat(certificate.getSubjectAlternativeNames()).containsExactlyInAnyOrder(List.of(2, "worker-1"),
                List.of(7, "10.0.0.7"));
        assertThat(certificate.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(certificate.getBasicConstraints()).isEqualTo(-1);
        assertThat(Duration.between(certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant()))
                .isBetween(ClusterPki.LEAF_VALIDITY, ClusterPki.LEAF_VALIDITY.plusHours(2));
        // The API server trusts the server CA when it dials a kubelet: the certificate validates against it.
        PKIXParameters trust = new PKIXParameters(Set.of(new TrustAnchor(pki.serverCaCertificate(), null)));
        trust.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509")
                .generateCertPath(List.of(certificate)), trust);
        assertThat(certificate(answer.body().path("clientCA").asString())).isEqualTo(pki.clientCaCertificate());
        assertThat(signed).hasValue(1);
    }

    @Test
    void anAnonymousCallerIsUnauthorized() throws Exception {
        Answer answer = post(UserInfo.ANONYMOUS, csr("system:node:worker-1", List.of("system:nodes"),
                List.of(dns("worker-1"))));

        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.body().path("kind").asString()).isEqualTo("Status");
        assertThat(answer.body().path("reason").asString()).isEqualTo("Unauthorized");
    }

    @Test
    void aCallerThatMayNotCreateNodesIsForbiddenWhateverItSends() {
        // A policy under which the caller may read Nodes but not register them.
        KubeletServingCertificates endpoint = new KubeletServingCertificates(pki, policy(
                (verb, name) -> verb.equals("get") || verb.equals("list")), () -> { });

        assertThatThrownBy(() -> endpoint.serve(request(AGENT, "POST", "not a request".getBytes()), DISCARD))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(403);
                    assertThat(e.reason()).isEqualTo("Forbidden");
                    assertThat(e.getMessage()).isEqualTo("nodes is forbidden: User \"" + AGENT.name() + "\" cannot "
                            + "create resource \"nodes\" in API group \"\" at the cluster scope: a kubelet serving "
                            + "certificate is signed only for a user that may create and update its Node");
                    assertThat(e.details().kind()).isEqualTo("nodes");
                });
    }

    @Test
    void aCallerThatMayNotUpdateTheNamedNodeIsForbidden() throws Exception {
        KubeletServingCertificates endpoint = new KubeletServingCertificates(pki, policy(
                (verb, name) -> verb.equals("create") || name.equals("worker-1")), () -> { });
        byte[] forOther = csr("system:node:worker-2", List.of("system:nodes"), List.of(dns("worker-2")));

        assertThatThrownBy(() -> endpoint.serve(request(AGENT, "POST", forOther), DISCARD))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(403);
                    assertThat(e.getMessage()).startsWith("nodes \"worker-2\" is forbidden: User \"" + AGENT.name()
                            + "\" cannot update resource \"nodes\"");
                    assertThat(e.details().name()).isEqualTo("worker-2");
                });
        // The node it may update gets its certificate from the same endpoint.
        Answer[] signed = new Answer[1];
        endpoint.serve(request(AGENT, "POST", csr("system:node:worker-1", List.of("system:nodes"),
                List.of(dns("worker-1")))), recorder(signed));
        assertThat(signed[0].status()).isEqualTo(200);
    }

    @Test
    void aBodyThatIsNoSignedCertificateRequestIsABadRequest() throws Exception {
        byte[] good = csr("system:node:worker-1", List.of("system:nodes"), List.of(dns("worker-1")));
        PKCS10CertificationRequest parsed = new PKCS10CertificationRequest(der(good));
        // The same request with another key in it: its signature no longer matches.
        KeyPair other = KeyPairGenerator.getInstance("EC").generateKeyPair();
        byte[] forged = pem("CERTIFICATE REQUEST", new CertificationRequest(
                new CertificationRequestInfo(parsed.getSubject(),
                        SubjectPublicKeyInfo.getInstance(other.getPublic().getEncoded()),
                        new DERSet(parsed.getAttributes())),
                parsed.getSignatureAlgorithm(), parsed.toASN1Structure().getSignature()).getEncoded());

        for (byte[] body : List.of(new byte[0], "hello".getBytes(StandardCharsets.UTF_8),
                pem("CERTIFICATE", pki.serverCaCertificate().getEncoded()),
                "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n".getBytes(), forged)) {
            Answer answer = post(AGENT, body);
            assertThat(answer.status()).as(new String(body, StandardCharsets.UTF_8)).isEqualTo(400);
            assertThat(answer.body().path("reason").asString()).isEqualTo("BadRequest");
            assertThat(answer.body().path("message").asString()).isNotEmpty();
        }
        assertThat(post(AGENT, forged).body().path("message").asString())
                .isEqualTo("the certificate request's signature does not match its public key");
    }

    @Test
    void namesAKubeletMayNotHaveAreInvalid() throws Exception {
        Answer wrongSubject = post(AGENT, csr("worker-1", List.of("system:masters"), List.of(dns("worker-1"))));
        assertThat(wrongSubject.status()).isEqualTo(422);
        assertThat(wrongSubject.body().path("reason").asString()).isEqualTo("Invalid");
        assertThat(wrongSubject.body().at("/details/causes").findValuesAsString("field"))
                .containsExactly("subject.commonName", "subject.organization");

        Answer wrongNames = post(AGENT, csr("system:node:worker-1", List.of("system:nodes"), List.of(
                dns("*.example.com"), dns("Worker_1"), dns("kubernetes.default.svc"), dns("server-host"),
                ip("127.0.0.1"), ip("192.0.2.1"), ip("10.43.0.1"),
                new GeneralName(GeneralName.rfc822Name, "root@example.com"), dns("worker-1"), ip("10.0.0.7"))));
        assertThat(wrongNames.status()).isEqualTo(422);
        assertThat(wrongNames.body().path("message").asString()).startsWith(
                "CertificateSigningRequest.certificates.k8s.io \"system:node:worker-1\" is invalid: "
                        + "[subjectAltNames.dnsNames[0]: Invalid value: \"*.example.com\": wildcard names are not "
                        + "signed for a node, ");
        assertThat(wrongNames.body().at("/details/causes").findValuesAsString("field")).containsExactly(
                "subjectAltNames.dnsNames[0]", "subjectAltNames.dnsNames[1]", "subjectAltNames.dnsNames[2]",
                "subjectAltNames.dnsNames[3]", "subjectAltNames.ipAddresses[0]", "subjectAltNames.ipAddresses[1]",
                "subjectAltNames.ipAddresses[2]", "subjectAltNames.other[0]");

        Answer noNames = post(AGENT, csr("system:node:worker-1", List.of("system:nodes"), List.of()));
        assertThat(noNames.status()).isEqualTo(422);
        assertThat(noNames.body().at("/details/causes/0/field").asString()).isEqualTo("subjectAltNames");
        assertThat(signed).as("nothing was signed").hasValue(0);
    }

    @Test
    void onlyPostIsServed() {
        Answer answer = call(request(AGENT, "GET", new byte[0]));
        assertThat(answer.status()).isEqualTo(405);
        assertThat(answer.body().path("reason").asString()).isEqualTo("MethodNotAllowed");
    }

    @Test
    void aServerThatSignsNothingDoesNotKnowThePath() throws Exception {
        BuiltInResources catalog = new BuiltInResources();
        ApiServer plain = new ApiServer(catalog, new ObjectStorage(store, InstantSource.system(), new Random(3),
                catalog.byResource(new GroupVersionResource("", "v1", "namespaces")).orElseThrow()),
                (request, responder) -> false);
        Answer answer = call(plain, request(AGENT, "POST", csr("system:node:worker-1", List.of("system:nodes"),
                List.of(dns("worker-1")))));
        assertThat(answer.status()).isEqualTo(404);
        // The authorizer every request goes through allows what the endpoint asks of an authenticated user.
        assertThat(new AuthenticatedUsers().authorize(AGENT, Attributes.resource(
                "update", "", "nodes", "", "", "worker-1")).allowed()).isTrue();
    }

    private interface Policy {
        boolean allows(String verb, String name);
    }

    private static Authorizer policy(Policy policy) {
        return new Authorizer() {
            @Override
            public Decision authorize(UserInfo user, Attributes attributes) {
                return policy.allows(attributes.verb(), attributes.name()) ? Decision.allow("") : Decision.deny("");
            }

            @Override
            public Rules rules(UserInfo user, String namespace) {
                return new Rules(List.of(), List.of(), true);
            }
        };
    }

    private byte[] csr(String commonName, List<String> organizations, List<GeneralName> names) throws Exception {
        StringBuilder subject = new StringBuilder();
        for (String organization : organizations) {
            subject.append("O=").append(organization).append(',');
        }
        subject.append("CN=").append(commonName);
        JcaPKCS10CertificationRequestBuilder builder = new JcaPKCS10CertificationRequestBuilder(
                new X500Name(subject.toString()), agentKey.getPublic());
        if (!names.isEmpty()) {
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(names.toArray(GeneralName[]::new)));
            builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
        }
        return pem("CERTIFICATE REQUEST", builder.build(new JcaContentSignerBuilder("SHA256withECDSA")
                .build(agentKey.getPrivate())).getEncoded());
    }

    private static GeneralName dns(String name) {
        return new GeneralName(GeneralName.dNSName, name);
    }

    private static GeneralName ip(String address) {
        return new GeneralName(GeneralName.iPAddress, new DEROctetString(InetAddress.ofLiteral(address)
                .getAddress()));
    }

    private static byte[] pem(String type, byte[] der) throws Exception {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(new PemObject(type, der));
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] der(byte[] pem) throws Exception {
        try (var reader = new PemReader(new StringReader(
                new String(pem, StandardCharsets.US_ASCII)))) {
            return reader.readPemObject().getContent();
        }
    }

    private static X509Certificate certificate(String pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    private Answer post(UserInfo user, byte[] body) {
        return call(request(user, "POST", body));
    }

    private Answer call(ApiRequest request) {
        return call(server, request);
    }

    /** The answer, or the refusal as the HTTP layer writes it: the Status document of the ApiException. */
    private static Answer call(ApiServer server, ApiRequest request) {
        Answer[] answer = new Answer[1];
        try {
            server.handle(request, recorder(answer));
        } catch (ApiException e) {
            return new Answer(e.code(), StatusDocuments.failure(e));
        }
        return answer[0];
    }

    private static ApiRequest request(UserInfo user, String method, byte[] body) {
        return new ApiRequest(method, KubeletServingCertificates.PATH, Map.of(),
                Map.of("content-type", List.of("application/x-pem-file")), body, user);
    }

    private static ApiResponder recorder(Answer[] answer) {
        return new ApiResponder() {
            @Override
            public void header(String name, String value) {
                // not what these tests look at
            }

            @Override
            public void respond(int status, String type, byte[] content) {
                answer[0] = new Answer(status, JSON.readTree(content));
            }

            @Override
            public ResponseStream stream(int status, String type) {
                throw new AssertionError("not a stream");
            }
        };
    }

    private static final ApiResponder DISCARD = recorder(new Answer[1]);
}
