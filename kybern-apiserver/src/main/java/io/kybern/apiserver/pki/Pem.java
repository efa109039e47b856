package io.kybern.apiserver.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * PEM as Kubernetes tools write it: one block per file, certificates as {@code CERTIFICATE} and keys
 * as PKCS#8 {@code PRIVATE KEY}. Reading is strict on purpose: the files are ours, so anything but
 * exactly one well-formed block of the expected type means the file was damaged or replaced, and a
 * lenient reader would hide that until a client failed in some less readable way.
 */
public final class Pem {

    static final String CERTIFICATE = "CERTIFICATE";
    static final String PRIVATE_KEY = "PRIVATE KEY";
    static final String EC_PRIVATE_KEY = "EC PRIVATE KEY";

    private static final Base64.Encoder ENCODER = Base64.getMimeEncoder(64, new byte[] {'\n'});

    private Pem() {
    }

    /** Thrown when text is not exactly one well-formed PEM block of the expected type and content. */
    public static final class PemFormatException extends Exception {
        PemFormatException(String message) {
            super(message);
        }

        PemFormatException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static String certificate(X509Certificate certificate) {
        try {
            return encode(CERTIFICATE, certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("the certificate cannot be encoded", e);
        }
    }

    public static String privateKey(PrivateKey key) {
        if (!"PKCS#8".equals(key.getFormat())) {
            throw new IllegalArgumentException("the key has no PKCS#8 encoding (format " + key.getFormat() + ")");
        }
        return encode(PRIVATE_KEY, key.getEncoded());
    }

    /**
     * A client's key as clients read it from a kubeconfig: an EC key as a SEC 1 {@code EC PRIVATE KEY}
     * block with its curve and public point (as k3s and kubeadm write theirs), any other key as PKCS#8.
     * fabric8 cannot load a PKCS#8 EC key unless told the algorithm beforehand; Go's crypto/tls reads
     * both forms.
     */
    public static String clientKey(CertifiedKey client) {
        PrivateKey key = client.key();
        if (!"EC".equals(key.getAlgorithm())) {
            return privateKey(key);
        }
        try {
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
            BigInteger secret = ((java.security.interfaces.ECPrivateKey) key).getS();
            int orderBits = ((java.security.interfaces.ECPrivateKey) key).getParams().getOrder().bitLength();
            ASN1BitString publicPoint = SubjectPublicKeyInfo.getInstance(client.certificate().getPublicKey()
                    .getEncoded()).getPublicKeyData();
            byte[] sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(orderBits, secret, publicPoint,
                    info.getPrivateKeyAlgorithm().getParameters()).getEncoded();
            return encode(EC_PRIVATE_KEY, sec1);
        } catch (IOException e) {
            throw new IllegalArgumentException("the EC key cannot be encoded", e);
        }
    }

    static String encode(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + ENCODER.encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    public static X509Certificate parseCertificate(byte[] text) throws PemFormatException {
        byte[] der = decode(CERTIFICATE, text);
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            X509Certificate certificate = (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der));
            // The factory stops after the first certificate; equal re-encoding proves nothing followed it.
            if (!Arrays.equals(certificate.getEncoded(), der)) {
                throw new PemFormatException("the certificate block has data after the certificate");
            }
            return certificate;
        } catch (CertificateException | ClassCastException e) {
            throw new PemFormatException("the CERTIFICATE block is not an X.509 certificate: " + e.getMessage(), e);
        }
    }

    public static PrivateKey parsePrivateKey(byte[] text) throws PemFormatException {
        byte[] der = decode(PRIVATE_KEY, text);
        try {
            // PrivateKeyInfo refuses trailing bytes; the converter picks the key factory from the algorithm OID.
            return new JcaPEMKeyConverter().getPrivateKey(PrivateKeyInfo.getInstance(der));
        } catch (RuntimeException | IOException e) {
            throw new PemFormatException("the PRIVATE KEY block is not a PKCS#8 private key: " + e.getMessage(), e);
        }
    }

    /** The DER bytes of the single {@code type} block that must make up the whole text (surrounding blank space aside). */
    static byte[] decode(String type, byte[] text) throws PemFormatException {
        String s = ascii(text).strip();
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        if (!s.startsWith(begin)) {
            String found = s.startsWith("-----BEGIN ") ? s.lines().findFirst().orElse("") : "no PEM header";
            throw new PemFormatException("expected a single PEM block starting with " + begin + ", found "
                    + (s.isEmpty() ? "an empty file" : found));
        }
        if (!s.endsWith(end)) {
            throw new PemFormatException("the " + type + " block does not end with " + end
                    + " (truncated, or followed by something else)");
        }
        String body = s.substring(begin.length(), s.length() - end.length());
        if (body.contains("-----")) {
            throw new PemFormatException("expected exactly one " + type + " block, found more or a header line");
        }
        String base64 = body.replace("\r", "").replace("\n", "");
        try {
            byte[] der = Base64.getDecoder().decode(base64);
            if (der.length == 0) {
                throw new PemFormatException("the " + type + " block is empty");
            }
            return der;
        } catch (IllegalArgumentException e) {
            throw new PemFormatException("the " + type + " block is not valid base64: " + e.getMessage(), e);
        }
    }

    private static String ascii(byte[] text) throws PemFormatException {
        try {
            return StandardCharsets.US_ASCII.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(text)).toString();
        } catch (CharacterCodingException e) {
            throw new PemFormatException("not PEM text: it holds bytes outside ASCII", e);
        }
    }
}
