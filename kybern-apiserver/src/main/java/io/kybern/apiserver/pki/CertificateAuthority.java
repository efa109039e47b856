package io.kybern.apiserver.pki;

import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority: its certificate and key, and the certificates it signs. Every certificate
 * gets a fresh P-256 key, a random serial, and a start an hour in the past, so that a machine whose
 * clock runs a little behind the server's still accepts a certificate issued a moment ago.
 */
public final class CertificateAuthority {

    /** How far back a new certificate's validity starts, for clock skew between machines. */
    static final Duration BACKDATE = Duration.ofHours(1);

    /** Index of keyCertSign in {@link X509Certificate#getKeyUsage()}. */
    private static final int KEY_CERT_SIGN = 5;

    private final CertifiedKey ca;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    private CertificateAuthority(CertifiedKey ca, Clock clock) {
        this.ca = ca;
        this.clock = clock;
    }

    /** A new self-signed CA named {@code <prefix>@<unix seconds>}, as k3s names its CAs. */
    public static CertificateAuthority generate(String namePrefix, Duration validity, Clock clock) {
        SecureRandom random = new SecureRandom();
        KeyPair keys = Keys.newP256(random);
        Instant now = clock.instant();
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.CN, namePrefix + "@" + now.getEpochSecond()).build();
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(random),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(validity)), name, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
            X509Certificate certificate = sign(builder, keys.getPrivate());
            return new CertificateAuthority(new CertifiedKey(certificate, keys.getPrivate()), clock);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot create a CA certificate", e);
        }
    }

    /**
     * A CA from a stored certificate and key.
     *
     * @throws IllegalArgumentException saying what is wrong when the pair cannot serve as this CA: the
     *                                  key is not the certificate's, the certificate is not a CA's, or it
     *                                  is not self-signed
     */
    public static CertificateAuthority of(CertifiedKey ca, Clock clock) {
        X509Certificate certificate = ca.certificate();
        if (!ca.keyMatches()) {
            throw new IllegalArgumentException("the private key does not belong to the certificate "
                    + certificate.getSubjectX500Principal().getName());
        }
        if (certificate.getBasicConstraints() < 0) {
            throw new IllegalArgumentException("the certificate " + certificate.getSubjectX500Principal().getName()
                    + " is not a CA certificate (basicConstraints has no CA:TRUE)");
        }
        boolean[] usage = certificate.getKeyUsage();
        if (usage != null && !usage[KEY_CERT_SIGN]) {
            throw new IllegalArgumentException("the CA certificate's keyUsage does not allow signing certificates");
        }
        if (!signedBy(certificate, certificate)) {
            throw new IllegalArgumentException("the CA certificate is not self-signed; intermediate CAs are not "
                    + "supported");
        }
        return new CertificateAuthority(ca, clock);
    }

    public X509Certificate certificate() {
        return ca.certificate();
    }

    /** The CA's certificate and key, for storing them. */
    public CertifiedKey certifiedKey() {
        return ca;
    }

    /** Whether this CA signed {@code certificate}. */
    public boolean issued(X509Certificate certificate) {
        return signedBy(certificate, ca.certificate());
    }

    /** A certificate for a TLS server answering to {@code names} (extKeyUsage serverAuth). */
    public CertifiedKey issueServing(String commonName, ServingNames names, Duration validity) {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
        KeyPair keys = Keys.newP256(random);
        return new CertifiedKey(certify(keys.getPublic(), subject, validity, KeyPurposeId.id_kp_serverAuth,
                alternativeNames(names)), keys.getPrivate());
    }

    /**
     * A serving certificate for a key another party holds (a node agent's, whose private key never leaves its
     * machine), with the subject's organizations before its common name, as {@link #issueClient} orders them.
     */
    public X509Certificate certifyServing(PublicKey key, String commonName, List<String> organizations,
            ServingNames names, Duration validity) {
        return certify(key, subject(commonName, organizations), validity, KeyPurposeId.id_kp_serverAuth,
                alternativeNames(names));
    }

    private static GeneralNames alternativeNames(ServingNames names) {
        List<GeneralName> alternatives = new ArrayList<>();
        for (String dns : names.dnsNames()) {
            alternatives.add(new GeneralName(GeneralName.dNSName, dns));
        }
        for (InetAddress ip : names.ipAddresses()) {
            alternatives.add(new GeneralName(GeneralName.iPAddress, new DEROctetString(ip.getAddress())));
        }
        return new GeneralNames(alternatives.toArray(GeneralName[]::new));
    }

    private static X500Name subject(String commonName, List<String> organizations) {
        X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE);
        // O before CN, as Go's crypto/x509 orders them, so the subject reads the same to every tool.
        for (String organization : organizations) {
            subject.addRDN(BCStyle.O, organization);
        }
        return subject.addRDN(BCStyle.CN, commonName).build();
    }

    /**
     * A certificate for a TLS client (extKeyUsage clientAuth). Kubernetes reads the subject's CN as the
     * user name and each O as a group.
     */
    public CertifiedKey issueClient(String commonName, List<String> organizations, Duration validity) {
        if (commonName == null || commonName.isBlank()) {
            throw new IllegalArgumentException("a client certificate needs a common name (the user name)");
        }
        KeyPair keys = Keys.newP256(random);
        return new CertifiedKey(certify(keys.getPublic(), subject(commonName, organizations), validity,
                KeyPurposeId.id_kp_clientAuth, null), keys.getPrivate());
    }

    private X509Certificate certify(PublicKey key, X500Name subject, Duration validity, KeyPurposeId purpose,
            GeneralNames alternatives) {
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive: " + validity);
        }
        Instant now = clock.instant();
        Instant notAfter = now.plus(validity);
        Instant caNotAfter = ca.certificate().getNotAfter().toInstant();
        if (notAfter.isAfter(caNotAfter)) {
            // A certificate cannot usefully outlive the CA that vouches for it.
            notAfter = caNotAfter;
        }
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca.certificate(), serial(random),
                    Date.from(now.minus(BACKDATE)), Date.from(notAfter), subject, key)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    // ECDSA keys only sign; keyEncipherment is for RSA key transport and has no meaning here.
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(key))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            extensions.createAuthorityKeyIdentifier(ca.certificate()));
            if (alternatives != null) {
                builder.addExtension(Extension.subjectAlternativeName, false, alternatives);
            }
            return sign(builder, ca.key());
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot issue a certificate for " + subject, e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(Keys.signatureAlgorithm(signer)).build(signer)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign with a " + signer.getAlgorithm() + " key", e);
        }
    }

    /** A positive random 128-bit serial: unique without bookkeeping, well inside RFC 5280's 20 octets. */
    private static BigInteger serial(SecureRandom random) {
        BigInteger serial;
        do {
            serial = new BigInteger(128, random);
        } while (serial.signum() == 0);
        return serial;
    }

    private static boolean signedBy(X509Certificate certificate, X509Certificate issuer) {
        if (!certificate.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            return false;
        }
        try {
            certificate.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
