package io.kybern.apiserver.pki;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where one certificate and its key live: {@code <name>.crt} and {@code <name>.key}. Reading is
 * strict (see {@link Pem}) and checks that the key is the certificate's; every problem names the
 * file it is in.
 */
record KeyPairFiles(Path certificate, Path key) {

    private static final Logger log = LoggerFactory.getLogger(KeyPairFiles.class);

    static KeyPairFiles in(Path dir, String name) {
        return new KeyPairFiles(dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
    }

    boolean bothAbsent() {
        return Files.notExists(certificate) && Files.notExists(key);
    }

    boolean anyAbsent() {
        return Files.notExists(certificate) || Files.notExists(key);
    }

    /** The one of the two that is missing, when exactly one is. */
    Optional<Path> loneMissing() {
        boolean certMissing = Files.notExists(certificate);
        boolean keyMissing = Files.notExists(key);
        if (certMissing == keyMissing) {
            return Optional.empty();
        }
        return Optional.of(certMissing ? certificate : key);
    }

    /** Reads both files; both must exist, parse, and belong together. */
    CertifiedKey read() throws IOException {
        X509Certificate cert = parse(certificate, Pem::parseCertificate);
        PrivateKey privateKey = parse(key, Pem::parsePrivateKey);
        tightenKeyMode();
        CertifiedKey pair = new CertifiedKey(cert, privateKey);
        if (!pair.keyMatches()) {
            throw new InvalidPkiFileException(key, "this private key does not belong to the certificate in "
                    + certificate.getFileName() + " (" + cert.getSubjectX500Principal().getName()
                    + "); one of the two was replaced or restored from a different backup");
        }
        return pair;
    }

    /**
     * Replaces both files. The certificate goes first and comes back last: if the process dies in
     * between, what is left is a key without a certificate, which reads as "not there yet" and is
     * issued again, never a certificate paired with a key that is not its own.
     */
    void write(CertifiedKey pair) throws IOException {
        Files.deleteIfExists(certificate);
        SecureFiles.writeAtomically(key, pair.keyPem().getBytes(StandardCharsets.US_ASCII));
        SecureFiles.writeAtomically(certificate, pair.certificatePem().getBytes(StandardCharsets.US_ASCII));
    }

    private interface PemParser<T> {
        T parse(byte[] text) throws Pem.PemFormatException;
    }

    private static <T> T parse(Path file, PemParser<T> parser) throws IOException {
        byte[] text;
        try {
            text = SecureFiles.readSmall(file);
        } catch (NoSuchFileException e) {
            throw new InvalidPkiFileException(file, "missing", e);
        } catch (IOException e) {
            throw new InvalidPkiFileException(file, "cannot be read: " + e.getMessage(), e);
        }
        try {
            return parser.parse(text);
        } catch (Pem.PemFormatException e) {
            throw new InvalidPkiFileException(file, "damaged: " + e.getMessage(), e);
        }
    }

    /** Keys we wrote are 0600; one that became readable by others is made private again, loudly. */
    private void tightenKeyMode() throws IOException {
        if (!SecureFiles.posix()) {
            return;
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(key);
        if (!SecureFiles.OWNER_ONLY_FILE.containsAll(mode)) {
            log.warn("private key was accessible to others; setting it to 0600 file={}", key);
            Files.setPosixFilePermissions(key, SecureFiles.OWNER_ONLY_FILE);
        }
    }
}
