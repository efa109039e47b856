package io.kybern.apiserver.pki;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's certificates, kept in {@code <data-dir>/tls/} under k3s's file names:
 * <ul>
 * <li>{@code server-ca.{crt,key}}: the CA clients trust for the API server's certificate;</li>
 * <li>{@code client-ca.{crt,key}}: the CA the API server trusts for client certificates;</li>
 * <li>{@code serving-kube-apiserver.{crt,key}}: the API server's HTTPS certificate;</li>
 * <li>{@code client-admin.{crt,key}}: {@code system:admin} in {@code system:masters}, for the admin kubeconfig.</li>
 * </ul>
 * Two CAs, as in k3s, so that a certificate made for serving can never be used to log in, and the
 * client CA could be handed to another issuer without letting it impersonate the server.
 *
 * <p>The first start creates everything; later starts reuse it. Nothing damaged is ever replaced: a
 * file that does not parse, a key that is not its certificate's, or a CA with only one of its two
 * files is an {@link InvalidPkiFileException} naming the file, because clients trust the CAs and a
 * silently new CA would lock them out. Intact certificates that are merely out of date (expiring
 * within 90 days, lacking a requested name, signed by a CA since replaced) are issued again under
 * the existing CAs. A serving certificate is issued for exactly the names asked for; asking for
 * fewer names than it has is no reason to issue it again.
 */
public final class ClusterPki {

    private static final Logger log = LoggerFactory.getLogger(ClusterPki.class);

    public static final Duration CA_VALIDITY = Duration.ofDays(3650);
    public static final Duration LEAF_VALIDITY = Duration.ofDays(365);

    public static final String ADMIN_USER = "system:admin";
    public static final String ADMIN_GROUP = "system:masters";
    static final String ADMIN_SUBJECT = "CN=" + ADMIN_USER + ",O=" + ADMIN_GROUP;
    static final String SERVING_COMMON_NAME = "kube-apiserver";

    private final Path directory;
    private final CertificateAuthority serverCa;
    private final CertificateAuthority clientCa;
    private final CertifiedKey serving;
    private final CertifiedKey admin;

    private ClusterPki(Path directory, CertificateAuthority serverCa, CertificateAuthority clientCa,
            CertifiedKey serving, CertifiedKey admin) {
        this.directory = directory;
        this.serverCa = serverCa;
        this.clientCa = clientCa;
        this.serving = serving;
        this.admin = admin;
    }

    /**
     * Loads the cluster's certificates from {@code tlsDir}, creating what is missing and renewing
     * what is out of date.
     *
     * @param tlsDir the directory (created with mode 0700 if missing)
     * @param names  the names the serving certificate must carry
     * @param clock  the time certificates are issued and judged at
     * @throws InvalidPkiFileException when a file is damaged or does not fit its partner; no
     *                                 certificate or key has been written then
     */
    public static ClusterPki loadOrCreate(Path tlsDir, ServingNames names, Clock clock) throws IOException {
        SecureFiles.ensurePrivateDirectory(tlsDir);
        KeyPairFiles serverCaFiles = KeyPairFiles.in(tlsDir, "server-ca");
        KeyPairFiles clientCaFiles = KeyPairFiles.in(tlsDir, "client-ca");
        KeyPairFiles servingFiles = KeyPairFiles.in(tlsDir, "serving-kube-apiserver");
        KeyPairFiles adminFiles = KeyPairFiles.in(tlsDir, "client-admin");
        Instant now = clock.instant();

        // Everything present is read and judged before anything is written, so a bad file stops the
        // start with the directory exactly as it was found.
        Optional<CertificateAuthority> storedServerCa = readCa(serverCaFiles, clock);
        Optional<CertificateAuthority> storedClientCa = readCa(clientCaFiles, clock);
        Optional<CertifiedKey> storedServing = readLeaf(servingFiles);
        Optional<CertifiedKey> storedAdmin = readLeaf(adminFiles);

        CertificateAuthority serverCa = storedServerCa.isPresent() ? storedServerCa.get()
                : createCa(serverCaFiles, "kybern-server-ca", clock);
        CertificateAuthority clientCa = storedClientCa.isPresent() ? storedClientCa.get()
                : createCa(clientCaFiles, "kybern-client-ca", clock);

        CertifiedKey serving = reuseOrIssue(servingFiles, storedServing,
                cert -> Renewal.servingReason(cert, serverCa, names, now),
                () -> serverCa.issueServing(SERVING_COMMON_NAME, names, LEAF_VALIDITY));
        CertifiedKey admin = reuseOrIssue(adminFiles, storedAdmin,
                cert -> Renewal.clientReason(cert, clientCa, ADMIN_SUBJECT, now),
                () -> clientCa.issueClient(ADMIN_USER, List.of(ADMIN_GROUP), LEAF_VALIDITY));
        return new ClusterPki(tlsDir, serverCa, clientCa, serving, admin);
    }

    private static Optional<CertificateAuthority> readCa(KeyPairFiles files, Clock clock) throws IOException {
        if (files.bothAbsent()) {
            return Optional.empty();
        }
        Optional<Path> missing = files.loneMissing();
        if (missing.isPresent()) {
            throw new InvalidPkiFileException(missing.get(), "missing while its partner exists. A CA is never "
                    + "replaced automatically, since clients trust it: restore the file from a backup, or remove "
                    + "both " + files.certificate().getFileName() + " and " + files.key().getFileName()
                    + " to create a new CA (every client then needs the new one)");
        }
        CertifiedKey pair = files.read();
        CertificateAuthority ca;
        try {
            ca = CertificateAuthority.of(pair, clock);
        } catch (IllegalArgumentException e) {
            throw new InvalidPkiFileException(files.certificate(), e.getMessage(), e);
        }
        Instant notAfter = pair.certificate().getNotAfter().toInstant();
        Instant now = clock.instant();
        if (!now.isBefore(notAfter)) {
            throw new InvalidPkiFileException(files.certificate(), "the CA expired on " + notAfter
                    + "; no client accepts certificates it signed. Remove both " + files.certificate().getFileName()
                    + " and " + files.key().getFileName() + " to create a new CA, then give clients the new one");
        }
        Instant notBefore = pair.certificate().getNotBefore().toInstant();
        if (now.isBefore(notBefore)) {
            // Most likely this machine's clock is behind; clients with a right clock are unaffected.
            log.warn("CA is not valid yet; is the clock right? file={} notBefore={}", files.certificate(), notBefore);
        }
        if (now.plus(Renewal.RENEW_BEFORE).isAfter(notAfter)) {
            log.warn("CA expires soon; plan its replacement file={} notAfter={}", files.certificate(), notAfter);
        }
        return Optional.of(ca);
    }

    private static Optional<CertifiedKey> readLeaf(KeyPairFiles files) throws IOException {
        // A leaf with a file missing was deleted to force renewal, or a renewal was interrupted
        // (KeyPairFiles.write); either way it is issued again, which costs nobody anything.
        return files.anyAbsent() ? Optional.empty() : Optional.of(files.read());
    }

    private static CertificateAuthority createCa(KeyPairFiles files, String namePrefix, Clock clock)
            throws IOException {
        CertificateAuthority ca = CertificateAuthority.generate(namePrefix, CA_VALIDITY, clock);
        files.write(ca.certifiedKey());
        log.info("created CA subject={} file={}", ca.certificate().getSubjectX500Principal().getName(),
                files.certificate());
        return ca;
    }

    private interface RenewalCheck {
        Optional<String> reason(X509Certificate certificate);
    }

    private interface Issuer {
        CertifiedKey issue();
    }

    private static CertifiedKey reuseOrIssue(KeyPairFiles files, Optional<CertifiedKey> stored, RenewalCheck check,
            Issuer issuer) throws IOException {
        String reason = stored.isEmpty() ? "there was none" : check.reason(stored.get().certificate()).orElse(null);
        if (reason == null) {
            return stored.get();
        }
        CertifiedKey issued = issuer.issue();
        files.write(issued);
        log.info("issued certificate subject={} notAfter={} file={} because {}",
                issued.certificate().getSubjectX500Principal().getName(),
                issued.certificate().getNotAfter().toInstant(), files.certificate(), reason);
        return issued;
    }

    /** The directory the files are in. */
    public Path directory() {
        return directory;
    }

    /** The CA that signed the serving certificate: what clients trust ({@code certificate-authority-data}). */
    public X509Certificate serverCaCertificate() {
        return serverCa.certificate();
    }

    /** The CA client certificates must chain to: what the server's TLS trust manager holds. */
    public X509Certificate clientCaCertificate() {
        return clientCa.certificate();
    }

    public CertifiedKey serving() {
        return serving;
    }

    public X509Certificate servingCertificate() {
        return serving.certificate();
    }

    public PrivateKey servingKey() {
        return serving.key();
    }

    /** {@code system:admin} in {@code system:masters}, for the admin kubeconfig. */
    public CertifiedKey admin() {
        return admin;
    }

    public X509Certificate adminCertificate() {
        return admin.certificate();
    }

    public PrivateKey adminKey() {
        return admin.key();
    }

    public String serverCaPem() {
        return Pem.certificate(serverCa.certificate());
    }

    public String clientCaPem() {
        return Pem.certificate(clientCa.certificate());
    }

    public String servingCertificatePem() {
        return serving.certificatePem();
    }

    public String servingKeyPem() {
        return serving.keyPem();
    }

    public String adminCertificatePem() {
        return admin.certificatePem();
    }

    public String adminKeyPem() {
        return admin.keyPem();
    }

    /**
     * A new client certificate from the client CA, not stored anywhere: the caller keeps it (a node
     * agent's kubeconfig, for example). Kubernetes reads CN as the user and each O as a group.
     */
    public CertifiedKey issueClientCertificate(String commonName, List<String> organizations, Duration validity) {
        return clientCa.issueClient(commonName, organizations, validity);
    }

    /**
     * A new serving certificate from the server CA, not stored anywhere: a node agent's kubelet API, which
     * the API server reaches trusting that CA.
     */
    public CertifiedKey issueServingCertificate(String commonName, ServingNames names, Duration validity) {
        return serverCa.issueServing(commonName, names, validity);
    }

    /**
     * A serving certificate from the server CA for a key the caller holds (a joined node agent's kubelet API),
     * valid for {@link #LEAF_VALIDITY}; not stored anywhere.
     */
    public X509Certificate certifyServing(PublicKey key, String commonName, List<String> organizations,
            ServingNames names) {
        return serverCa.certifyServing(key, commonName, organizations, names, LEAF_VALIDITY);
    }

    @Override
    public String toString() {
        return "ClusterPki[" + directory + "]";
    }
}
