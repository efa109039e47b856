package io.kybern.apiserver.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * A certificate with its private key, as a TLS endpoint or a client presents them.
 *
 * @param certificate the certificate, whose public key belongs to {@code key}
 * @param key         the private key
 */
public record CertifiedKey(X509Certificate certificate, PrivateKey key) {

    public CertifiedKey {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(key, "key");
    }

    /** The certificate as a PEM {@code CERTIFICATE} block. */
    public String certificatePem() {
        return Pem.certificate(certificate);
    }

    /** The key as a PEM PKCS#8 {@code PRIVATE KEY} block. */
    public String keyPem() {
        return Pem.privateKey(key);
    }

    /** Whether the key belongs to the certificate. */
    public boolean keyMatches() {
        return Keys.matches(key, certificate.getPublicKey());
    }

    @Override
    public String toString() {
        // Never the key: records print their components, and this one ends up in logs.
        return "CertifiedKey[" + certificate.getSubjectX500Principal().getName() + "]";
    }
}
