package io.kybern.apiserver.pki;

import static io.kybern.apiserver.pki.PkiAssertions.snapshot;
import static io.kybern.apiserver.pki.PkiAssertions.validate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertPathValidatorException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClusterPkiTest {

    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final ServingNames NAMES = ServingNames.standard("node-1", ServingNames.DEFAULT_SERVICE_CIDR);

    private static final List<String> ALL_FILES = List.of("client-admin.crt", "client-admin.key", "client-ca.crt",
            "client-ca.key", "server-ca.crt", "server-ca.key", "serving-kube-apiserver.crt",
            "serving-kube-apiserver.key");

    @TempDir
    Path dataDir;

    private Path tls() {
        return dataDir.resolve("tls");
    }

    private ClusterPki load(ServingNames names, Clock clock) throws Exception {
        return ClusterPki.loadOrCreate(tls(), names, clock);
    }

    @Test
    void firstStartCreatesEverythingAndLaterStartsReuseIt() throws Exception {
        ClusterPki first = load(NAMES, CLOCK);

        assertThat(snapshot(tls()).keySet()).containsExactlyElementsOf(ALL_FILES);
        Map<String, String> files = snapshot(tls());
        ClusterPki second = load(NAMES, Clock.offset(CLOCK, Duration.ofDays(30)));

        assertThat(snapshot(tls())).isEqualTo(files);
        assertThat(second.serverCaCertificate()).isEqualTo(first.serverCaCertificate());
        assertThat(second.serverCaPem()).isEqualTo(first.serverCaPem());
        assertThat(second.clientCaCertificate()).isEqualTo(first.clientCaCertificate());
        assertThat(second.servingCertificate()).isEqualTo(first.servingCertificate());
        assertThat(second.servingKey()).isEqualTo(first.servingKey());
        assertThat(second.adminCertificate()).isEqualTo(first.adminCertificate());
        assertThat(second.adminKeyPem()).isEqualTo(first.adminKeyPem());
        assertThat(Files.readString(tls().resolve("server-ca.crt"))).isEqualTo(first.serverCaPem());
    }

    @Test
    void casAreSelfSignedP256ForTenYearsAndSeparate() throws Exception {
        ClusterPki pki = load(NAMES, CLOCK);

        for (X509Certificate ca : List.of(pki.serverCaCertificate(), pki.clientCaCertificate())) {
            assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
            boolean[] usage = ca.getKeyUsage();
            assertThat(usage[5]).as("keyCertSign").isTrue();
            assertThat(usage[6]).as("cRLSign").isTrue();
            assertThat(ca.getSubjectX500Principal()).isEqualTo(ca.getIssuerX500Principal());
            ca.verify(ca.getPublicKey());
            assertThat(((ECPublicKey) ca.getPublicKey()).getParams().getCurve().getField().getFieldSize())
                    .isEqualTo(256);
            assertThat(ca.getSigAlgName()).isEqualTo("SHA256withECDSA");
            assertThat(Duration.between(NOW, ca.getNotAfter().toInstant())).isEqualTo(Duration.ofDays(3650));
            assertThat(ca.getNotBefore().toInstant()).isBefore(NOW);
        }
        assertThat(pki.serverCaCertificate().getSubjectX500Principal().getName())
                .isEqualTo("CN=kybern-server-ca@" + NOW.getEpochSecond());
        assertThat(pki.clientCaCertificate().getSubjectX500Principal().getName())
                .isEqualTo("CN=kybern-client-ca@" + NOW.getEpochSecond());
        assertThat(pki.serverCaCertificate().getPublicKey()).isNotEqualTo(pki.clientCaCertificate().getPublicKey());
    }

    @Test
    void servingCertificateCarriesEveryNameAndChainsToTheServerCaOnly() throws Exception {
        ServingNames names = NAMES.plus(List.of("192.168.1.20", "api.example.com", "fd00::20"));
        ClusterPki pki = load(names, CLOCK);
        X509Certificate serving = pki.servingCertificate();

        assertThat(sans(serving, 2)).containsExactlyInAnyOrder("localhost", "kubernetes", "kubernetes.default",
                "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "node-1", "api.example.com");
        assertThat(sans(serving, 7).stream().map(ClusterPkiTest::ip).toList()).containsExactlyInAnyOrder(
                ip("127.0.0.1"), ip("::1"), ip("10.43.0.1"), ip("192.168.1.20"), ip("fd00::20"));
        validate(serving, pki.serverCaCertificate(), NOW);
        assertThatThrownBy(() -> validate(serving, pki.clientCaCertificate(), NOW))
                .isInstanceOf(CertPathValidatorException.class);
        assertThat(serving.getExtendedKeyUsage()).containsExactly(Renewal.SERVER_AUTH);
        assertThat(serving.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(serving.getBasicConstraints()).isEqualTo(-1);
        assertThat(serving.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(365)));
        assertThat(serving.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(pki.servingKey().getAlgorithm()).isEqualTo("EC");
    }

    @Test
    void adminCertificateIsSystemAdminInSystemMastersFromTheClientCaOnly() throws Exception {
        ClusterPki pki = load(NAMES, CLOCK);
        X509Certificate admin = pki.adminCertificate();

        assertThat(admin.getSubjectX500Principal().getName()).isEqualTo("CN=system:admin,O=system:masters");
        assertThat(admin.getExtendedKeyUsage()).containsExactly(Renewal.CLIENT_AUTH);
        assertThat(admin.getBasicConstraints()).isEqualTo(-1);
        assertThat(admin.getSubjectAlternativeNames()).isNull();
        validate(admin, pki.clientCaCertificate(), NOW);
        assertThatThrownBy(() -> validate(admin, pki.serverCaCertificate(), NOW))
                .isInstanceOf(CertPathValidatorException.class);
        assertThat(pki.admin().keyMatches()).isTrue();
    }

    @Test
    void issuedClientCertificatesCarryTheUserAndGroups() throws Exception {
        ClusterPki pki = load(NAMES, CLOCK);

        CertifiedKey node = pki.issueClientCertificate("system:node:node-1", List.of("system:nodes", "kybern"),
                Duration.ofDays(30));

        assertThat(node.certificate().getSubjectX500Principal().getName())
                .isEqualTo("CN=system:node:node-1,O=kybern,O=system:nodes");
        assertThat(node.certificate().getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(30)));
        assertThat(node.keyMatches()).isTrue();
        validate(node.certificate(), pki.clientCaCertificate(), NOW);
        assertThat(snapshot(tls()).keySet()).containsExactlyElementsOf(ALL_FILES);
        assertThatThrownBy(() -> pki.issueClientCertificate(" ", List.of(), Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aNewNameReissuesTheServingCertificateUnderTheSameCa() throws Exception {
        ClusterPki first = load(NAMES, CLOCK);
        Map<String, String> before = snapshot(tls());

        ClusterPki second = load(NAMES.plus(List.of("10.0.0.7")), CLOCK);

        assertThat(second.serverCaPem()).isEqualTo(first.serverCaPem());
        assertThat(second.clientCaPem()).isEqualTo(first.clientCaPem());
        assertThat(second.adminCertificate()).isEqualTo(first.adminCertificate());
        assertThat(second.servingCertificate()).isNotEqualTo(first.servingCertificate());
        assertThat(sans(second.servingCertificate(), 7)).contains("10.0.0.7");
        validate(second.servingCertificate(), second.serverCaCertificate(), NOW);
        Map<String, String> after = snapshot(tls());
        for (String unchanged : List.of("server-ca.crt", "server-ca.key", "client-ca.crt", "client-ca.key",
                "client-admin.crt", "client-admin.key")) {
            assertThat(after.get(unchanged)).as(unchanged).isEqualTo(before.get(unchanged));
        }
        assertThat(Files.readString(tls().resolve("serving-kube-apiserver.crt")))
                .isEqualTo(second.servingCertificatePem());
        assertThat(Files.readString(tls().resolve("serving-kube-apiserver.key"))).isEqualTo(second.servingKeyPem());
        // Asking for fewer names than the certificate has is no reason to issue it again.
        assertThat(load(NAMES, CLOCK).servingCertificate()).isEqualTo(second.servingCertificate());
    }

    @Test
    void certificatesExpiringWithinNinetyDaysAreRenewedUnderTheSameCas() throws Exception {
        ClusterPki first = load(NAMES, CLOCK);

        assertThat(load(NAMES, Clock.offset(CLOCK, Duration.ofDays(274))).servingCertificate())
                .isEqualTo(first.servingCertificate());
        Clock later = Clock.offset(CLOCK, Duration.ofDays(276));
        ClusterPki renewed = load(NAMES, later);

        assertThat(renewed.serverCaPem()).isEqualTo(first.serverCaPem());
        assertThat(renewed.clientCaPem()).isEqualTo(first.clientCaPem());
        assertThat(renewed.servingCertificate()).isNotEqualTo(first.servingCertificate());
        assertThat(renewed.adminCertificate()).isNotEqualTo(first.adminCertificate());
        validate(renewed.servingCertificate(), renewed.serverCaCertificate(), later.instant());
        validate(renewed.adminCertificate(), renewed.clientCaCertificate(), later.instant());
    }

    @Test
    void leavesOfAReplacedCaAreIssuedAgain() throws Exception {
        ClusterPki first = load(NAMES, CLOCK);
        Files.delete(tls().resolve("server-ca.crt"));
        Files.delete(tls().resolve("server-ca.key"));

        ClusterPki second = load(NAMES, CLOCK);

        assertThat(second.serverCaPem()).isNotEqualTo(first.serverCaPem());
        assertThat(second.clientCaPem()).isEqualTo(first.clientCaPem());
        assertThat(second.adminCertificate()).isEqualTo(first.adminCertificate());
        validate(second.servingCertificate(), second.serverCaCertificate(), NOW);
    }

    @Test
    void aLeafWithAFileMissingIsIssuedAgain() throws Exception {
        ClusterPki first = load(NAMES, CLOCK);
        Files.delete(tls().resolve("client-admin.crt"));

        ClusterPki second = load(NAMES, CLOCK);

        assertThat(second.adminCertificate()).isNotEqualTo(first.adminCertificate());
        assertThat(second.admin().keyMatches()).isTrue();
        assertThat(Files.readString(tls().resolve("client-admin.key"))).isEqualTo(second.adminKeyPem());
    }

    @ParameterizedTest
    @ValueSource(strings = {"server-ca.key", "server-ca.crt", "client-ca.key", "serving-kube-apiserver.key",
            "serving-kube-apiserver.crt", "client-admin.crt"})
    void aDamagedFileStopsTheStartNamingItAndNothingIsWritten(String name) throws Exception {
        load(NAMES, CLOCK);
        Path file = tls().resolve(name);
        String pem = Files.readString(file);
        Files.writeString(file, pem.substring(0, pem.length() / 2)); // a torn write
        Map<String, String> before = snapshot(tls());

        assertThatThrownBy(() -> load(NAMES.plus(List.of("new.example.com")), Clock.offset(CLOCK,
                Duration.ofDays(300))))
                .isInstanceOf(InvalidPkiFileException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining("damaged")
                .satisfies(e -> assertThat(((InvalidPkiFileException) e).file()).isEqualTo(file));
        assertThat(snapshot(tls())).isEqualTo(before);
    }

    @Test
    void aKeyThatIsNotItsCertificatesStopsTheStart() throws Exception {
        load(NAMES, CLOCK);
        // A well-formed key, just the wrong one: restored from a different backup, say.
        Files.copy(tls().resolve("serving-kube-apiserver.key"), tls().resolve("client-admin.key"),
                StandardCopyOption.REPLACE_EXISTING);
        Map<String, String> before = snapshot(tls());

        assertThatThrownBy(() -> load(NAMES, CLOCK))
                .isInstanceOf(InvalidPkiFileException.class)
                .hasMessageStartingWith(tls().resolve("client-admin.key").toString())
                .hasMessageContaining("does not belong to the certificate in client-admin.crt");
        assertThat(snapshot(tls())).isEqualTo(before);
    }

    @Test
    void aCaKeyThatIsNotItsCertificatesStopsTheStart() throws Exception {
        load(NAMES, CLOCK);
        Files.copy(tls().resolve("client-ca.key"), tls().resolve("server-ca.key"),
                StandardCopyOption.REPLACE_EXISTING);
        Map<String, String> before = snapshot(tls());

        assertThatThrownBy(() -> load(NAMES, CLOCK))
                .isInstanceOf(InvalidPkiFileException.class)
                .hasMessageStartingWith(tls().resolve("server-ca.key").toString());
        assertThat(snapshot(tls())).isEqualTo(before);
    }

    @Test
    void aCaWithOneOfItsFilesMissingIsNeverReplaced() throws Exception {
        load(NAMES, CLOCK);
        Files.delete(tls().resolve("client-ca.key"));
        Map<String, String> before = snapshot(tls());

        assertThatThrownBy(() -> load(NAMES, CLOCK))
                .isInstanceOf(InvalidPkiFileException.class)
                .hasMessageStartingWith(tls().resolve("client-ca.key").toString())
                .hasMessageContaining("missing")
                .hasMessageContaining("remove both client-ca.crt and client-ca.key");
        assertThat(snapshot(tls())).isEqualTo(before);
    }

    @Test
    void aCertificateThatIsNotACaCannotBeTheCa() throws Exception {
        load(NAMES, CLOCK);
        Files.copy(tls().resolve("client-admin.crt"), tls().resolve("client-ca.crt"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.copy(tls().resolve("client-admin.key"), tls().resolve("client-ca.key"),
                StandardCopyOption.REPLACE_EXISTING);

        assertThatThrownBy(() -> load(NAMES, CLOCK))
                .isInstanceOf(InvalidPkiFileException.class)
                .hasMessageStartingWith(tls().resolve("client-ca.crt").toString())
                .hasMessageContaining("not a CA certificate");
    }

    @Test
    void anExpiredCaStopsTheStart() throws Exception {
        load(NAMES, CLOCK);
        Map<String, String> before = snapshot(tls());

        assertThatThrownBy(() -> load(NAMES, Clock.offset(CLOCK, Duration.ofDays(3651))))
                .isInstanceOf(InvalidPkiFileException.class)
                .hasMessageStartingWith(tls().resolve("server-ca.crt").toString())
                .hasMessageContaining("expired");
        assertThat(snapshot(tls())).isEqualTo(before);
    }

    @Test
    void keysAreOwnerOnlyInAnOwnerOnlyDirectory() throws Exception {
        load(NAMES, CLOCK);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tls()))).isEqualTo("rwx------");
        for (String name : ALL_FILES) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tls().resolve(name))))
                    .as(name).isEqualTo("rw-------");
        }
    }

    @Test
    void aKeyMadeReadableByOthersIsMadePrivateAgain() throws Exception {
        load(NAMES, CLOCK);
        Path key = tls().resolve("server-ca.key");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(tls(), PosixFilePermissions.fromString("rwxr-xr-x"));

        load(NAMES, CLOCK);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tls()))).isEqualTo("rwx------");
    }

    @Test
    void filesArePemWithPkcs8Keys() throws Exception {
        load(NAMES, CLOCK);

        assertThat(Files.readString(tls().resolve("server-ca.crt"), StandardCharsets.US_ASCII))
                .startsWith("-----BEGIN CERTIFICATE-----\n").endsWith("-----END CERTIFICATE-----\n");
        assertThat(Files.readString(tls().resolve("server-ca.key"), StandardCharsets.US_ASCII))
                .startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        try (var files = Files.list(tls())) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    private static List<String> sans(X509Certificate certificate, int type) throws Exception {
        List<String> values = new ArrayList<>();
        Collection<List<?>> all = certificate.getSubjectAlternativeNames();
        for (List<?> entry : all) {
            if ((Integer) entry.get(0) == type) {
                values.add((String) entry.get(1));
            }
        }
        return values;
    }

    private static InetAddress ip(String literal) {
        return InetAddress.ofLiteral(literal);
    }
}
