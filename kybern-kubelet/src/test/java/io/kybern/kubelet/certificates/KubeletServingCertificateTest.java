package io.kybern.kubelet.certificates;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.junit.jupiter.api.Test;

/** The joined agent's certificate request, and when it reuses the certificate it stored. */
class KubeletServingCertificateTest {

    private static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
    private static final List<String> NAMES = List.of("worker-1", "10.0.0.7");

    private final KeyPair nodeKey = newKey();
    private final KeyPair caKey = newKey();
    private final X509Certificate ca = sign(new X500Name("CN=server-ca"), caKey.getPublic(), caKey, List.of(),
            Duration.ofDays(3650), true);

    @Test
    void theRequestAsksForAKubeletsSubjectAndTheNodesNamesSignedByItsKey() throws Exception {
        byte[] pem = KubeletServingCertificate.certificateRequest(nodeKey, "worker-1", NAMES);

        assertThat(new String(pem, StandardCharsets.US_ASCII)).startsWith("-----BEGIN CERTIFICATE REQUEST-----");
        JcaPKCS10CertificationRequest request;
        try (PEMParser parser = new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
            request = new JcaPKCS10CertificationRequest((PKCS10CertificationRequest) parser.readObject());
        }
        assertThat(request.getPublicKey()).isEqualTo(nodeKey.getPublic());
        assertThat(request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(nodeKey.getPublic())))
                .isTrue();
        assertThat(request.getSubject()).isEqualTo(new X500Name("O=system:nodes,CN=system:node:worker-1"));
        GeneralNames names = GeneralNames.fromExtensions(Extensions.getInstance(request.getAttributes(
                PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)[0].getAttrValues().getObjectAt(0)),
                Extension.subjectAlternativeName);
        assertThat(names.getNames()).containsExactly(new GeneralName(GeneralName.dNSName, "worker-1"),
                new GeneralName(GeneralName.iPAddress, new DEROctetString(InetAddress.ofLiteral("10.0.0.7")
                        .getAddress())));
    }

    @Test
    void aStoredCertificateIsReusedWhileItFitsAndIsFarFromExpiry() {
        X509Certificate stored = serving("worker-1", nodeKey, caKey, NAMES, Duration.ofDays(365));
        assertThat(KubeletServingCertificate.renewalReason(stored, nodeKey, "worker-1", NAMES, ca, NOW)).isEmpty();
        // Fewer names than it has are no reason to renew; an address spelled otherwise is the same address.
        assertThat(KubeletServingCertificate.renewalReason(stored, nodeKey, "worker-1", List.of("worker-1"), ca, NOW))
                .isEmpty();
        X509Certificate dualStack = serving("worker-1", nodeKey, caKey, List.of("worker-1", "fd00::7"),
                Duration.ofDays(365));
        assertThat(KubeletServingCertificate.renewalReason(dualStack, nodeKey, "worker-1",
                List.of("fd00:0:0:0:0:0:0:7"), ca, NOW)).isEmpty();
    }

    @Test
    void aStoredCertificateThatNoLongerFitsIsRenewed() {
        X509Certificate stored = serving("worker-1", nodeKey, caKey, NAMES, Duration.ofDays(365));
        assertThat(KubeletServingCertificate.renewalReason(stored, nodeKey, "worker-1",
                List.of("worker-1", "10.0.0.8"), ca, NOW)).hasValue("the stored certificate lacks [10.0.0.8]");
        assertThat(KubeletServingCertificate.renewalReason(stored, nodeKey, "worker-2", NAMES, ca, NOW))
                .hasValueSatisfying(reason -> assertThat(reason).startsWith("the stored certificate is for "));
        assertThat(KubeletServingCertificate.renewalReason(stored, newKey(), "worker-1", NAMES, ca, NOW))
                .hasValue("the stored certificate is not the key's");
        KeyPair otherCaKey = newKey();
        X509Certificate otherCa = sign(new X500Name("CN=server-ca"), otherCaKey.getPublic(), otherCaKey, List.of(),
                Duration.ofDays(3650), true);
        assertThat(KubeletServingCertificate.renewalReason(stored, nodeKey, "worker-1", NAMES, otherCa, NOW))
                .hasValue("the stored certificate is not signed by the server's CA");
        X509Certificate expiring = serving("worker-1", nodeKey, caKey, NAMES,
                KubeletServingCertificate.RENEW_BEFORE.minusDays(1));
        assertThat(KubeletServingCertificate.renewalReason(expiring, nodeKey, "worker-1", NAMES, ca, NOW))
                .hasValueSatisfying(reason -> assertThat(reason).startsWith("the stored certificate expires on "));
    }

    private static X509Certificate serving(String node, KeyPair key, KeyPair signer, List<String> names,
            Duration validity) {
        List<GeneralName> alternatives = new ArrayList<>();
        for (String name : names) {
            alternatives.add(Character.isDigit(name.charAt(0)) || name.contains(":")
                    ? new GeneralName(GeneralName.iPAddress, new DEROctetString(InetAddress.ofLiteral(name)
                            .getAddress()))
                    : new GeneralName(GeneralName.dNSName, name));
        }
        return sign(new X500Name("O=system:nodes,CN=system:node:" + node), key.getPublic(), signer, alternatives,
                validity, false);
    }

    /** A certificate issued by CN=server-ca (or self-signed as it when {@code ca}), valid from an hour before NOW. */
    private static X509Certificate sign(X500Name subject, java.security.PublicKey key, KeyPair signer,
            List<GeneralName> names, Duration validity, boolean ca) {
        try {
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name("CN=server-ca"),
                    BigInteger.valueOf(System.nanoTime()), Date.from(NOW.minus(Duration.ofHours(1))),
                    Date.from(NOW.plus(validity)), subject, key);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (!names.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(names.toArray(GeneralName[]::new)));
            }
            return new JcaX509CertificateConverter().getCertificate(builder.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair newKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
