package io.kybern.api.tls;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.crypto.spec.PBEParameterSpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * JDK TLS contexts made from the cluster's certificates: the API server's (which Netty wraps), its client
 * to node agents, and a node agent's kubelet API.
 */
public final class JdkTls {

    private static final char[] NO_PASSWORD = new char[0];
    /**
     * How the key is sealed inside the in-memory key store the key manager reads it from. A PKCS#12 store
     * derives its sealing key with 10,000 PBKDF2 rounds by default, once to seal and once to unseal: about
     * 100 ms of a cold JVM per context, on the server's path to ready. The store never leaves memory and its
     * password is empty, so neither the rounds nor the salt protect anything: one round, a salt of zeros. The
     * algorithm is the JDK's default for PKCS#12 keys.
     */
    private static final KeyStore.ProtectionParameter IN_MEMORY = new KeyStore.PasswordProtection(NO_PASSWORD,
            "PBEWithHmacSHA256AndAES_256", new PBEParameterSpec(new byte[16], 1));

    private JdkTls() {
    }

    /**
     * A context that presents {@code certificate} (a serving or a client certificate) with its {@code key}, and
     * trusts only what {@code trusted} issued.
     */
    public static SSLContext of(PrivateKey key, X509Certificate certificate, X509Certificate trusted) {
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setEntry("own", new KeyStore.PrivateKeyEntry(key, new Certificate[] {certificate}),
                    IN_MEMORY);
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, NO_PASSWORD);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", trusted);
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(
                    TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("TLS context not made: " + e.getMessage(), e);
        }
    }
}
